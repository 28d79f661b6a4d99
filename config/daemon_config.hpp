#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/enum_names.hpp"
#include "common/ip_address.hpp"
#include "common/time.hpp"
#include "outputs/forwarder_settings.hpp"
#include "outputs/output_format.hpp"
#include "parsers/event_time.hpp"

namespace ikewatch::config {

/// `ADDR:PORT`, `[v6]:PORT` or `*:PORT` (any address).
struct endpoint {
    std::string address;  ///< numeric address; "0.0.0.0" for `*`
    std::uint16_t port = 0;

    [[nodiscard]] std::string to_string() const;
    /// Parses the forms above; false when malformed (a host name is refused: no DNS at startup).
    [[nodiscard]] static std::optional<endpoint> parse(std::string_view text);

    friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// The operational log's levels (spdlog's, as `log.level` and `--log-level` name them).
enum class log_level : std::uint8_t { trace, debug, info, warn, error, critical, off, count_ };

}  // namespace ikewatch::config

namespace ikewatch {

template <>
struct enum_names<config::log_level> {
    static constexpr std::array<std::string_view, 7> names{"trace", "debug",    "info", "warn",
                                                           "error", "critical", "off"};
};

}  // namespace ikewatch

namespace ikewatch::config {

/// Syslog over TLS (RFC 5425): the daemon's certificate and how clients are checked. The files
/// are read at start and again on every SIGHUP (a renewed certificate is picked up by new
/// connections).
struct tls_input {
    std::string cert;  ///< the daemon's certificate chain (PEM)
    std::string key;   ///< its private key (PEM)
    std::string ca;    ///< CA bundle (PEM) client certificates must chain to; empty: none asked
    bool require_client_cert = false;
    /// Client certificate subject CNs or SAN DNS names / IP addresses; when not empty, a client
    /// whose certificate names none of them is refused (and a certificate is required).
    std::vector<std::string> allowed_clients;
    micros handshake_timeout = 10 * micros_per_second;

    friend bool operator==(const tls_input&, const tls_input&) = default;
};

/// Everything ikewatchd runs with. Defaults are what a package install gets. Each field the
/// configuration file sets is one row of the key table (config/config_schema.cpp).
struct daemon_config {
    // Listeners
    std::vector<endpoint> udp;
    std::vector<endpoint> tcp;
    std::vector<endpoint> tls;  ///< RFC 5425; needs tls_server.cert and tls_server.key
    std::size_t udp_receive_buffer = 8ULL << 20;  ///< SO_RCVBUF; the kernel caps it at rmem_max
    std::size_t max_message_size = 64 * 1024;     ///< longer messages are cut and counted
    std::size_t tcp_max_connections = 512;
    micros tcp_idle_timeout = 300 * micros_per_second;
    tls_input tls_server;

    // Senders
    std::vector<cidr> allow;  ///< empty: every sender
    double rate_limit = 0;    ///< messages per second per sender; 0: none
    double rate_burst = 0;    ///< 0: twice the rate

    // Time
    parsers::time_options time;

    // Rules, alerts, status
    std::vector<std::string> rule_paths;
    std::string alert_log;  ///< empty: alerts go to standard output
    outputs::output_format alert_format = outputs::output_format::json;
    std::size_t alert_queue = 10'000;  ///< alerts kept while the log cannot be written
    std::optional<endpoint> status = endpoint{"127.0.0.1", 9514};  ///< nullopt: no endpoint
    std::vector<outputs::forwarder_settings> forwarders;
    std::string state_dir;  ///< forwarders' spools live here; empty: in memory only

    // Limits
    /// Memory planned for (ike/memory_plan.hpp): the peer limit and the evidence store follow
    /// from it when max_peers is not set.
    std::size_t memory = std::size_t{256} << 20;
    std::optional<std::size_t> max_peers;  ///< over all workers; unset: from `memory`
    std::size_t workers = 1;               ///< pipeline threads; each device's lines stay on one
    micros idle_expiry = 24 * 3600 * micros_per_second;

    // Kafka input: raw syslog lines from topics, as one consumer of a group
    std::string kafka_brokers;  ///< bootstrap servers `host:port,…`; empty: no Kafka input
    std::vector<std::string> kafka_topics;
    std::string kafka_group;
    std::map<std::string, std::string> kafka_properties;  ///< librdkafka consumer properties
    std::string kafka_checkpoint_topic;  ///< device snapshots (compacted); empty: none kept
    micros kafka_checkpoint_interval = 5 * micros_per_second;

    // Process
    config::log_level log_level = config::log_level::info;
    micros stats_interval = 60 * micros_per_second;
    std::string user;         ///< drop to this user after binding when started as root
    bool allow_root = false;  ///< run as root (refused unless set)
};

}  // namespace ikewatch::config
