#pragma once

#include <optional>
#include <string>
#include <string_view>

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
/// used. Keys left out keep the defaults of daemon_config. The keys, their types and limits are
/// the table of config_schema.hpp (`ikewatchd --config-reference` prints it).
[[nodiscard]] config_result parse_config(const std::string& text, const std::string& file);
[[nodiscard]] config_result load_config(const std::string& path);

/// What a TLS listener lacks once file and flags are read (a certificate and its key), or
/// nullopt. Checked after the flags, which may supply what the file leaves out.
[[nodiscard]] std::optional<std::string> tls_listener_problem(const daemon_config& c);

/// A forwarding URL's shape: `udp|tcp|tls|http|https://HOST[:PORT][/PATH]`.
[[nodiscard]] bool forward_url_ok(std::string_view url);

/// The scheme of a forwarding URL, or nullopt when it has none of those.
[[nodiscard]] std::optional<outputs::forward_scheme> forward_scheme_of(
    std::string_view url) noexcept;

/// The directory under `state_dir/spool/` that holds a forwarder's spool: its name with every
/// character other than a letter or digit replaced by `_`. Forwarders must differ in it.
[[nodiscard]] std::string spool_dir_name(std::string_view forwarder_name);

/// What keeps the Kafka input from starting (a broker list that does not parse, a missing
/// group or topic, a bad topic name), for people; empty when it can start or is not configured.
[[nodiscard]] std::string kafka_input_problem(const daemon_config& c);

/// Sizes as written in the configuration: a number of bytes, or with K, M, G, KiB, MiB, GiB.
[[nodiscard]] bool parse_size(std::string_view text, std::size_t& out);

}  // namespace ikewatch::config
