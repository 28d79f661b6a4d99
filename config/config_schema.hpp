#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/enum_names.hpp"
#include "config/daemon_config.hpp"

namespace ikewatch::config {

/// How a key's value is written in the YAML file.
enum class value_type : std::uint8_t {
    text,             ///< a string
    flag,             ///< true or false
    integer,          ///< a whole number within [min, max]
    year,             ///< a year within [min, max]; left out: inferred
    size,             ///< bytes, or with K, M, G, KiB, MiB, GiB; at least min
    duration,         ///< a whole number with ms, s, m, h or d; more than zero
    rate,             ///< messages per second, a whole number within [min, max]
    utc_offset,       ///< +02:00, -0530, UTC, EDT
    utc_offset_map,   ///< device name: utc offset
    endpoint_list,    ///< [ADDR:PORT, ...] (numeric address or *)
    endpoint_or_off,  ///< ADDR:PORT, or "" for none
    cidr_list,        ///< [address or CIDR block, ...]
    text_list,        ///< [string, ...]
    choice,           ///< one of a fixed set of names
    url,              ///< udp://, tcp://, tls://, http:// or https:// HOST[:PORT][/PATH]
    forwarder_list,   ///< a list of maps, each with the `forwarders[].` keys
    text_map,         ///< name: string (librdkafka properties)
    count_
};

}  // namespace ikewatch::config

namespace ikewatch {

template <>
struct enum_names<config::value_type> {
    static constexpr std::array<std::string_view, 17> names{"string",
                                                            "bool",
                                                            "integer",
                                                            "year",
                                                            "size",
                                                            "duration",
                                                            "rate",
                                                            "utc-offset",
                                                            "map<device, utc-offset>",
                                                            "list<endpoint>",
                                                            "endpoint|\"\"",
                                                            "list<cidr>",
                                                            "list<string>",
                                                            "enum",
                                                            "url",
                                                            "list<forwarder>",
                                                            "map<string, string>"};
};

}  // namespace ikewatch

namespace ikewatch::config {

struct field_binding;  // where a key's value lives and how it is read (config_schema.cpp)

/// One key of ikewatchd's configuration file. Every key is declared once, as one row of the
/// table config_keys() returns; the loader, its unknown-key errors, SIGHUP (which keys wait for
/// a restart), `ikewatchd --config-reference` and the check of the shipped ikewatch.yaml all
/// read that table.
struct key_spec {
    std::string_view path;  ///< dotted: `listen.udp`; a forwarder's keys are `forwarders[].url`
    value_type type = value_type::text;
    std::uint64_t min = 0;    ///< integer, year, rate: smallest allowed; size: smallest in bytes
    std::uint64_t max = 0;    ///< integer, year, rate: largest allowed
    bool reloadable = false;  ///< SIGHUP applies it; otherwise a change waits for a restart
    bool required = false;    ///< must be present in its map (a forwarder's `url`)
    std::string_view description;
    const field_binding* field = nullptr;

    /// The last part of the path: `udp` for `listen.udp`.
    [[nodiscard]] std::string_view name() const noexcept;
};

/// How the paths of a forwarder's keys begin (`forwarders[].url`).
inline constexpr std::string_view forwarder_key_prefix = "forwarders[].";

/// Every key, in the order of the shipped ikewatch.yaml.
[[nodiscard]] std::span<const key_spec> config_keys() noexcept;

/// The key at `path`, or null.
[[nodiscard]] const key_spec* find_key(std::string_view path) noexcept;

/// The key's default as it would be written in the file (`8MiB`, `[]`, `"127.0.0.1:9514"`), or
/// `(required)`.
[[nodiscard]] std::string default_text(const key_spec& key);

/// The key's limits or allowed values for people (`1 to 64`, `at least 4096 bytes`,
/// `json or text`); empty when there are none beyond its type.
[[nodiscard]] std::string limits_text(const key_spec& key);

/// The allowed names of a `choice` key; empty for other types.
[[nodiscard]] std::vector<std::string> choices(const key_spec& key);

/// The keys whose values differ between `a` and `b`, in table order (a forwarder's keys count
/// as `forwarders`).
[[nodiscard]] std::vector<std::string_view> changed_keys(const daemon_config& a,
                                                         const daemon_config& b);

/// The keys SIGHUP does not apply whose values differ between `running` and `next`, in table
/// order.
[[nodiscard]] std::vector<std::string_view> restart_changes(const daemon_config& running,
                                                            const daemon_config& next);

/// Sets every key SIGHUP does not apply in `next` back to its value in `running`.
void keep_restart_keys(daemon_config& next, const daemon_config& running);

}  // namespace ikewatch::config
