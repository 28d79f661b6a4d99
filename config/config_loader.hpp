#pragma once

#include <string>

#include "common/diagnostic.hpp"
#include "config/daemon_config.hpp"

namespace ikewatch::config {

struct config_result {
    daemon_config config;
    diagnostics problems;  ///< every problem, `file:line:col: code: message`
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

/// Reads the daemon's YAML configuration. Every problem is collected (unknown keys, wrong types,
/// bad durations, sizes, addresses, CIDRs, offsets); a configuration with any problem must not be
/// used. Keys left out keep the defaults of daemon_config.
///
/// ```yaml
/// listen:   {udp: [ADDR:PORT...], tcp: [...], udp_receive_buffer: 8MiB, max_message_size: 64KiB,
///            tcp_max_connections: 512, tcp_idle_timeout: 5m}
/// senders:  {allow: [CIDR...], rate_limit: 0, rate_burst: 0}
/// time:     {utc_offset: "+00:00", devices: {NAME: "+02:00"}, year: 2026}
/// rules:    {paths: [DIR|FILE...]}
/// alerts:   {log: PATH, format: json|text, queue: 10000}
/// status:   {listen: "127.0.0.1:9514"}          # "" turns the endpoint off
/// limits:   {max_peers: 200000, idle_expiry: 24h}
/// workers:  1                                   # pipeline threads (shards by device)
/// log:      {level: info, stats_interval: 60s}
/// forwarders: [{url: tls://siem:6514, format: rfc5424|cef|leef|json, min_severity: info,
///               codes: [...], ca_file, cert_file, key_file, server_name, verify: true,
///               token, spool_max_bytes: 64MiB, name}]
/// state_dir: /var/lib/ikewatch                   # forwarders' spools
/// user: ikewatch                                 # drop to it after binding, when root
/// allow_root: false
/// ```
[[nodiscard]] config_result parse_config(const std::string& text, const std::string& file);
[[nodiscard]] config_result load_config(const std::string& path);

/// A forwarding URL's shape: `udp|tcp|tls|http|https://HOST[:PORT][/PATH]`.
[[nodiscard]] bool forward_url_ok(std::string_view url);

/// The directory under `state_dir/spool/` that holds a forwarder's spool: its name with every
/// character other than a letter or digit replaced by `_`. Forwarders must differ in it.
[[nodiscard]] std::string spool_dir_name(std::string_view forwarder_name);

/// Sizes as written in the configuration: a number of bytes, or with K, M, G, KiB, MiB, GiB.
[[nodiscard]] bool parse_size(std::string_view text, std::size_t& out);

}  // namespace ikewatch::config
