#include "config/value_reader.hpp"

#include "common/enum_names.hpp"
#include "common/text.hpp"
#include "config/config_loader.hpp"
#include "outputs/forwarder_settings.hpp"
#include "parsers/header_time_parser.hpp"

namespace ikewatch::config {

void value_reader::error(const YAML::Node& at, const std::string& code,
                         const std::string& message) {
    const YAML::Mark m = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    problems_.push_back(
        {file_, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0, code, message});
}

bool value_reader::scalar(const YAML::Node& n, std::string& out, std::string_view what) {
    if (!n.IsScalar()) {
        error(n, "bad-type", std::string(what) + " must be a single value");
        return false;
    }
    out = n.Scalar();
    return true;
}

std::vector<std::string> value_reader::list(const YAML::Node& n, std::string_view what) {
    std::vector<std::string> out;
    if (n.IsNull()) {
        return out;
    }
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
        return out;
    }
    if (!n.IsSequence()) {
        error(n, "bad-type", std::string(what) + " must be a list");
        return out;
    }
    for (const auto& item : n) {
        std::string s;
        if (scalar(item, s, what)) {
            out.push_back(s);
        }
    }
    return out;
}

void value_reader::flag(const YAML::Node& n, bool& out, std::string_view what) {
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, out)) {
        error(n, "bad-type", std::string(what) + " takes true or false");
    }
}

bool value_reader::integer(const YAML::Node& n, std::uint64_t& out, std::string_view what,
                           std::uint64_t min, std::uint64_t max) {
    std::string s;
    if (!scalar(n, s, what)) {
        return false;
    }
    const auto v = text::to_number<std::uint64_t>(text::trim(s));
    if (!v || *v < min || *v > max) {
        error(n, "bad-value",
              std::string(what) + " must be a number from " + std::to_string(min) + " to " +
                  std::to_string(max) + ", not '" + s + "'");
        return false;
    }
    out = *v;
    return true;
}

void value_reader::size(const YAML::Node& n, std::size_t& out, std::string_view what,
                        std::size_t min) {
    std::string s;
    if (!scalar(n, s, what)) {
        return;
    }
    std::size_t v = 0;
    if (!parse_size(s, v) || v < min) {
        error(n, "bad-value",
              std::string(what) + " must be a size of at least " + std::to_string(min) +
                  " bytes (a number, or with K, M, G, KiB, MiB, GiB), not '" + s + "'");
        return;
    }
    out = v;
}

void value_reader::duration(const YAML::Node& n, micros& out, std::string_view what) {
    std::string s;
    if (!scalar(n, s, what)) {
        return;
    }
    micros v = 0;
    if (!parse_duration(s, v) || v <= 0) {
        error(n, "bad-duration",
              "'" + s + "' is not a duration (a whole number with ms, s, m, h or d)");
        return;
    }
    out = v;
}

void value_reader::utc_offset(const YAML::Node& n, int& out, std::string_view what) {
    std::string s;
    if (scalar(n, s, what) && !parsers::parse_utc_offset(s, out)) {
        error(n, "bad-value", "'" + s + "' is not a UTC offset (+02:00, -0530, UTC, EDT)");
    }
}

void value_reader::utc_offset_map(const YAML::Node& n, string_map<int>& out,
                                  std::string_view what) {
    if (!n.IsMap()) {
        error(n, "bad-type", "'" + std::string(what) + "' maps device names to offsets");
        return;
    }
    for (const auto& kv : n) {
        int seconds = 0;
        utc_offset(kv.second, seconds, "a device offset");
        out[kv.first.Scalar()] = seconds;
    }
}

void value_reader::text_map(const YAML::Node& n, std::map<std::string, std::string>& out,
                            std::string_view what) {
    out.clear();
    if (n.IsNull()) {
        return;
    }
    if (!n.IsMap()) {
        error(n, "bad-type", "'" + std::string(what) + "' is a map of names to values");
        return;
    }
    for (const auto& kv : n) {
        std::string name;
        std::string value;
        if (scalar(kv.first, name, "a name in '" + std::string(what) + "'") &&
            scalar(kv.second, value, "'" + name + "' in '" + std::string(what) + "'")) {
            out[name] = value;
        }
    }
}

void value_reader::endpoints(const YAML::Node& n, std::vector<endpoint>& out,
                             std::string_view what) {
    out.clear();
    for (std::size_t i = 0; const std::string& s : list(n, what)) {
        const YAML::Node at = n.IsSequence() ? n[i] : n;
        ++i;
        if (const auto e = endpoint::parse(s)) {
            out.push_back(*e);
        } else {
            error(at, "bad-address", "'" + s + "' is not ADDR:PORT (numeric address or *)");
        }
    }
}

void value_reader::endpoint_or_off(const YAML::Node& n, std::optional<endpoint>& out,
                                   std::string_view what) {
    std::string s;
    if (!scalar(n, s, what)) {
        return;
    }
    if (text::trim(s).empty()) {
        out.reset();
    } else if (const auto e = endpoint::parse(s)) {
        out = *e;
    } else {
        error(n, "bad-address", "'" + s + "' is not ADDR:PORT");
    }
}

void value_reader::cidrs(const YAML::Node& n, std::vector<cidr>& out, std::string_view what) {
    out.clear();
    for (std::size_t i = 0; const std::string& s : list(n, what)) {
        const YAML::Node at = n.IsSequence() ? n[i] : n;
        ++i;
        if (const auto block = cidr::parse(s)) {
            out.push_back(*block);
        } else {
            error(at, "bad-address", "'" + s + "' is not an address or CIDR block");
        }
    }
}

void value_reader::url(const YAML::Node& n, std::string& out, std::string_view what) {
    if (scalar(n, out, what) && !forward_url_ok(out)) {
        error(n, "bad-address",
              "'" + out + "' is not " + outputs::forward_scheme_list() + " HOST[:PORT][/PATH]");
    }
}

bool value_reader::choice(const YAML::Node& n, const std::vector<std::string>& names,
                          std::size_t& out, std::string_view what) {
    std::string s;
    if (!scalar(n, s, what)) {
        return false;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == s) {
            out = i;
            return true;
        }
    }
    error(n, "bad-value", std::string(what) + " is " + join_names(names));
    return false;
}

}  // namespace ikewatch::config
