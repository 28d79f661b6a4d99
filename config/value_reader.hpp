#pragma once

// The configuration loader's inside: reading one YAML value of each type, with positioned
// problems, and what the key table binds each key to. Only config/ includes this header.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "common/ip_address.hpp"
#include "common/string_map.hpp"
#include "common/time.hpp"
#include "config/config_schema.hpp"
#include "config/daemon_config.hpp"

namespace ikewatch::config {

/// Reads values of one configuration document, collecting problems with their positions.
class value_reader {
  public:
    value_reader(std::string file, diagnostics& problems)
        : file_(std::move(file)), problems_(problems) {}

    void error(const YAML::Node& at, const std::string& code, const std::string& message);

    bool scalar(const YAML::Node& n, std::string& out, std::string_view what);
    /// A list of scalars; a single scalar is a list of one, null an empty list.
    std::vector<std::string> list(const YAML::Node& n, std::string_view what);
    void flag(const YAML::Node& n, bool& out, std::string_view what);
    bool integer(const YAML::Node& n, std::uint64_t& out, std::string_view what, std::uint64_t min,
                 std::uint64_t max);
    void size(const YAML::Node& n, std::size_t& out, std::string_view what, std::size_t min);
    void duration(const YAML::Node& n, micros& out, std::string_view what);
    void utc_offset(const YAML::Node& n, int& out, std::string_view what);
    void utc_offset_map(const YAML::Node& n, string_map<int>& out, std::string_view what);
    void endpoints(const YAML::Node& n, std::vector<endpoint>& out, std::string_view what);
    void endpoint_or_off(const YAML::Node& n, std::optional<endpoint>& out, std::string_view what);
    void cidrs(const YAML::Node& n, std::vector<cidr>& out, std::string_view what);
    void url(const YAML::Node& n, std::string& out, std::string_view what);
    /// A map of names to single values (numbers and flags are kept as written).
    void text_map(const YAML::Node& n, std::map<std::string, std::string>& out,
                  std::string_view what);
    /// One of `names`; `out` is the index of the name.
    bool choice(const YAML::Node& n, const std::vector<std::string>& names, std::size_t& out,
                std::string_view what);

  private:
    std::string file_;
    diagnostics& problems_;
};

/// Where a key's value lives (a member of daemon_config, or of forwarder_settings for a
/// forwarder's keys), and how it is read, shown, compared and kept. The key table
/// (config_schema.cpp) makes one per key from the key's type and member.
struct field_binding {
    bool in_forwarder = false;  ///< the owner is an outputs::forwarder_settings
    void (*read)(value_reader& r, const YAML::Node& value, const key_spec& key, void* owner);
    std::string (*show)(const void* owner);
    bool (*same)(const void* a, const void* b);
    void (*keep)(void* to, const void* from);
    std::vector<std::string> (*choices)();
};

/// Reads the `forwarders` list: each item's keys, then what concerns several keys (a URL, a
/// key file for a certificate, JSON over HTTP, distinct names). In config_loader.cpp.
void read_forwarders(value_reader& r, const YAML::Node& n,
                     std::vector<outputs::forwarder_settings>& out);

}  // namespace ikewatch::config
