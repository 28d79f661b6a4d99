#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/enum_names.hpp"
#include "common/time.hpp"
#include "outputs/siem_format.hpp"
#include "rules/rule.hpp"

namespace ikewatch::outputs {

/// How a forwarder reaches its collector: the scheme of its URL.
enum class forward_scheme : std::uint8_t { udp, tcp, tls, http, https, kafka, count_ };

}  // namespace ikewatch::outputs

namespace ikewatch {

template <>
struct enum_names<outputs::forward_scheme> {
    static constexpr std::array<std::string_view, 6> names{"udp",  "tcp",   "tls",
                                                           "http", "https", "kafka"};
};

}  // namespace ikewatch

namespace ikewatch::outputs {

/// HTTP and HTTPS post JSON (lines, or Splunk HEC events), Kafka produces one JSON alert per
/// record: their forwarders send only json.
[[nodiscard]] constexpr bool sends_json_only(forward_scheme s) noexcept {
    return s == forward_scheme::http || s == forward_scheme::https || s == forward_scheme::kafka;
}

/// The schemes for people: `udp://, tcp://, tls://, http://, https:// or kafka://`.
[[nodiscard]] inline std::string forward_scheme_list() {
    return name_list<forward_scheme>("://, ", ":// or ") + "://";
}

/// Where and how one forwarder sends alerts: a `forwarders` item of the configuration as read
/// (config/config_schema.cpp lists its keys), then handed to the forwarder as it is.
struct forwarder_settings {
    std::string name;  ///< for logs, metrics and the spool directory; the configuration
                       ///< defaults it to the URL
    std::string url;  ///< udp://HOST:PORT, tcp://…, tls://…, http://HOST:PORT/PATH, https://…,
                      ///< kafka://HOST:PORT[,HOST:PORT]/TOPIC
    siem_format format = siem_format::rfc5424;  ///< HTTP(S) always sends JSON
    rules::severity min_severity = rules::severity::info;
    std::vector<std::string> codes;  ///< only these diagnosis codes (empty: all)
    std::string ca_file;             ///< TLS: CA bundle (default: the system's)
    std::string cert_file;           ///< TLS: client certificate (optional)
    std::string key_file;
    std::string server_name;  ///< TLS: name the certificate must carry (default: the URL host)
    bool verify = true;
    std::string token;  ///< HTTP(S): sent as `Authorization: Splunk TOKEN` (HEC)
    /// Kafka: librdkafka producer properties (`security.protocol`, `sasl.*`, `ssl.*`, `acks`, …)
    /// applied after the forwarder's own, so they override them.
    std::map<std::string, std::string> properties;
    std::size_t spool_max_bytes = 64ULL << 20;
    micros connect_timeout = 5 * micros_per_second;  ///< `timeout`: connect, write, HTTP exchange
    // Set by the daemon, not by the configuration.
    std::string spool_dir;                     ///< state_dir/spool/<name>; empty: in memory
    micros confirm_after = micros_per_second;  ///< a stream write counts as delivered after this
    micros max_backoff = 30 * micros_per_second;

    friend bool operator==(const forwarder_settings&, const forwarder_settings&) = default;
};

}  // namespace ikewatch::outputs
