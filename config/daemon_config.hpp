#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.hpp"
#include "common/time.hpp"
#include "parsers/event_time.hpp"

namespace ikewatch::config {

/// `ADDR:PORT`, `[v6]:PORT` or `*:PORT` (any address).
struct endpoint {
    std::string address;  ///< numeric address; "0.0.0.0" for `*`
    std::uint16_t port = 0;

    [[nodiscard]] std::string to_string() const;
    /// Parses the forms above; false when malformed (a host name is refused: no DNS at startup).
    [[nodiscard]] static std::optional<endpoint> parse(std::string_view text);
};

/// One SIEM destination for alerts (see outputs/forwarder.hpp).
struct forwarder_config {
    std::string name;  ///< for logs, metrics and the spool directory; defaults to the URL
    std::string url;   ///< udp://, tcp://, tls://, http://, https://
    std::string format = "rfc5424";  ///< rfc5424, cef, leef, json
    std::string min_severity = "info";
    std::vector<std::string> codes;  ///< empty: every diagnosis code
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    std::string server_name;
    bool verify = true;
    std::string token;
    std::size_t spool_max_bytes = 64ULL << 20;
};

/// Everything ikewatchd runs with. Defaults are what a package install gets.
struct daemon_config {
    // Listeners
    std::vector<endpoint> udp;
    std::vector<endpoint> tcp;
    std::size_t udp_receive_buffer = 8ULL << 20;  ///< SO_RCVBUF; the kernel caps it at rmem_max
    std::size_t max_message_size = 64 * 1024;     ///< longer messages are cut and counted
    std::size_t tcp_max_connections = 512;
    micros tcp_idle_timeout = 300 * micros_per_second;

    // Senders
    std::vector<cidr> allow;  ///< empty: every sender
    double rate_limit = 0;    ///< messages per second per sender; 0: none
    double rate_burst = 0;    ///< 0: twice the rate

    // Time
    parsers::time_options time;

    // Rules, alerts, status
    std::vector<std::string> rule_paths;
    std::string alert_log;              ///< empty: alerts go to standard output
    std::string alert_format = "json";  ///< json or text
    std::size_t alert_queue = 10'000;   ///< alerts kept while the log cannot be written
    std::optional<endpoint> status = endpoint{"127.0.0.1", 9514};  ///< nullopt: no endpoint
    std::vector<forwarder_config> forwarders;
    std::string state_dir;  ///< forwarders' spools live here; empty: in memory only

    // Limits
    std::size_t max_peers = 200'000;  ///< over all workers
    std::size_t workers = 1;          ///< pipeline threads; each device's lines stay on one
    micros idle_expiry = 24 * 3600 * micros_per_second;

    // Process
    std::string log_level = "info";
    micros stats_interval = 60 * micros_per_second;
    std::string user;         ///< drop to this user after binding when started as root
    bool allow_root = false;  ///< run as root (refused unless set)
};

}  // namespace ikewatch::config
