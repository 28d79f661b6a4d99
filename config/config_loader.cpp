#include "config/config_loader.hpp"

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/text.hpp"
#include "parsers/header_time_parser.hpp"

namespace ikewatch::config {

std::string endpoint::to_string() const {
    return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
           std::to_string(port);
}

std::optional<endpoint> endpoint::parse(std::string_view text) {
    text = text::trim(text);
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find("]:");
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) {
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const auto number = text::to_number<unsigned>(port);
    if (!number || *number > 65535) {  // 0: any free port (tests)
        return std::nullopt;
    }
    endpoint e;
    e.port = static_cast<std::uint16_t>(*number);
    if (host == "*" || host.empty()) {
        e.address = "0.0.0.0";
    } else if (const auto a = ip_address::parse(host)) {
        e.address = a->to_string();
    } else {
        return std::nullopt;
    }
    return e;
}

bool parse_size(std::string_view text, std::size_t& out) {
    text = text::trim(text);
    std::size_t digits = 0;
    while (digits < text.size() && text::is_digit(text[digits])) {
        ++digits;
    }
    const auto number = text::to_number<std::uint64_t>(text.substr(0, digits));
    if (!number) {
        return false;
    }
    const std::string_view unit = text::trim(text.substr(digits));
    static const std::map<std::string_view, std::uint64_t> units{{"", 1},
                                                                 {"B", 1},
                                                                 {"K", 1000},
                                                                 {"KB", 1000},
                                                                 {"KiB", 1ULL << 10},
                                                                 {"M", 1000 * 1000},
                                                                 {"MB", 1000 * 1000},
                                                                 {"MiB", 1ULL << 20},
                                                                 {"G", 1000ULL * 1000 * 1000},
                                                                 {"GB", 1000ULL * 1000 * 1000},
                                                                 {"GiB", 1ULL << 30}};
    const auto u = units.find(unit);
    constexpr std::uint64_t limit = 1ULL << 40;  // a terabyte: anything above is a typo
    if (u == units.end() || *number > limit / u->second) {
        return false;
    }
    out = static_cast<std::size_t>(*number * u->second);
    return true;
}

bool forward_url_ok(std::string_view url) {
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        return false;
    }
    const std::string_view scheme = url.substr(0, sep);
    if (scheme != "udp" && scheme != "tcp" && scheme != "tls" && scheme != "http" &&
        scheme != "https") {
        return false;
    }
    std::string_view rest = url.substr(sep + 3);
    rest = rest.substr(0, rest.find('/'));
    // HOST, HOST:PORT, [V6] or [V6]:PORT; the port (when given) is 1-65535, as the forwarder
    // needs it: a URL accepted here never fails at start.
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos ||
            (close + 1 < rest.size() && rest[close + 1] != ':')) {
            return false;
        }
        host = rest.substr(1, close - 1);
        port = close + 1 < rest.size() ? rest.substr(close + 2) : std::string_view{};
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) {
        return false;
    }
    if (port.empty()) {
        return true;
    }
    const auto number = text::to_number<unsigned>(port);
    return number && *number >= 1 && *number <= 65535;
}

std::string spool_dir_name(std::string_view forwarder_name) {
    std::string dir;
    for (const char ch : forwarder_name) {
        dir += std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
    }
    return dir;
}

namespace {

// Reads one configuration document, collecting problems with their positions.
class reader {
  public:
    reader(std::string file, diagnostics& problems) : file_(std::move(file)), problems_(problems) {}

    void error(const YAML::Node& at, const std::string& code, const std::string& message) {
        const YAML::Mark m = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
        problems_.push_back(
            {file_, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0, code, message});
    }

    // Calls `on(key, value)` for each key of the map `n`, refusing keys not in `known`.
    void section(const YAML::Node& n, const char* name,
                 const std::map<std::string, std::function<void(const YAML::Node&)>>& known) {
        if (!n.IsMap()) {
            error(n, "bad-type", std::string("'") + name + "' is a map");
            return;
        }
        for (const auto& kv : n) {
            const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
            const auto it = known.find(key);
            if (it == known.end()) {
                std::string list;
                for (const auto& [k, f] : known) {
                    list += (list.empty() ? "" : ", ") + k;
                }
                error(kv.first, "unknown-key",
                      "unknown key '" + key + "' in " + name + " (known: " + list + ")");
                continue;
            }
            it->second(kv.second);
        }
    }

    bool scalar(const YAML::Node& n, std::string& out, const char* what) {
        if (!n.IsScalar()) {
            error(n, "bad-type", std::string(what) + " must be a single value");
            return false;
        }
        out = n.Scalar();
        return true;
    }
    std::vector<std::string> list(const YAML::Node& n, const char* what) {
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
    void boolean(const YAML::Node& n, bool& out, const char* what) {
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, out)) {
            error(n, "bad-type", std::string(what) + " takes true or false");
        }
    }
    template <typename T>
    void number(const YAML::Node& n, T& out, const char* what, T min, T max) {
        std::string s;
        if (!scalar(n, s, what)) {
            return;
        }
        const auto v = text::to_number<T>(text::trim(s));
        if (!v || *v < min || *v > max) {
            error(n, "bad-value",
                  std::string(what) + " must be a number from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", not '" + s + "'");
            return;
        }
        out = *v;
    }
    void rate(const YAML::Node& n, double& out, const char* what) {
        std::size_t v = 0;
        number<std::size_t>(n, v, what, 0, 100'000'000);
        out = static_cast<double>(v);
    }
    void size(const YAML::Node& n, std::size_t& out, const char* what, std::size_t min) {
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
    void duration(const YAML::Node& n, micros& out, const char* what) {
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
    void endpoints(const YAML::Node& n, std::vector<endpoint>& out, const char* what) {
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
    void offset(const YAML::Node& n, int& out, const char* what) {
        std::string s;
        if (scalar(n, s, what) && !parsers::parse_utc_offset(s, out)) {
            error(n, "bad-value", "'" + s + "' is not a UTC offset (+02:00, -0530, UTC, EDT)");
        }
    }

  private:
    std::string file_;
    diagnostics& problems_;
};

void read_forwarder(const YAML::Node& n, reader& r, forwarder_config& f) {
    using handler = std::function<void(const YAML::Node&)>;
    const auto one_of = [&](const YAML::Node& v, std::string& out, const char* what,
                            std::initializer_list<const char*> allowed) {
        if (!r.scalar(v, out, what)) {
            return;
        }
        for (const char* a : allowed) {
            if (out == a) {
                return;
            }
        }
        std::string list;
        for (const char* a : allowed) {
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        r.error(v, "bad-value", std::string(what) + " is one of " + list);
    };
    r.section(
        n, "a forwarder",
        std::map<std::string, handler>{
            {"name", [&](const YAML::Node& v) { r.scalar(v, f.name, "name"); }},
            {"url",
             [&](const YAML::Node& v) {
                 if (r.scalar(v, f.url, "url") && !forward_url_ok(f.url)) {
                     r.error(v, "bad-address",
                             "'" + f.url +
                                 "' is not udp://, tcp://, tls://, http:// or https:// "
                                 "HOST[:PORT][/PATH]");
                 }
             }},
            {"format",
             [&](const YAML::Node& v) {
                 one_of(v, f.format, "format", {"rfc5424", "cef", "leef", "json"});
             }},
            {"min_severity",
             [&](const YAML::Node& v) {
                 one_of(v, f.min_severity, "min_severity",
                        {"info", "low", "medium", "high", "critical"});
             }},
            {"codes", [&](const YAML::Node& v) { f.codes = r.list(v, "codes"); }},
            {"ca_file", [&](const YAML::Node& v) { r.scalar(v, f.ca_file, "ca_file"); }},
            {"cert_file", [&](const YAML::Node& v) { r.scalar(v, f.cert_file, "cert_file"); }},
            {"key_file", [&](const YAML::Node& v) { r.scalar(v, f.key_file, "key_file"); }},
            {"server_name",
             [&](const YAML::Node& v) { r.scalar(v, f.server_name, "server_name"); }},
            {"verify", [&](const YAML::Node& v) { r.boolean(v, f.verify, "verify"); }},
            {"token", [&](const YAML::Node& v) { r.scalar(v, f.token, "token"); }},
            {"spool_max_bytes",
             [&](const YAML::Node& v) { r.size(v, f.spool_max_bytes, "spool_max_bytes", 4096); }}});
    if (f.url.empty() && n.IsMap()) {
        r.error(n, "missing-key", "a forwarder needs a 'url'");
    }
    if (!f.cert_file.empty() && f.key_file.empty()) {
        r.error(n, "missing-key", "'cert_file' needs 'key_file'");
    }
    // HTTP(S) posts JSON lines (or Splunk HEC events): another format cannot go that way.
    if (f.url.starts_with("http://") || f.url.starts_with("https://")) {
        if (n.IsMap() && n["format"] && f.format != "json") {
            r.error(n["format"], "bad-value",
                    "an http(s) forwarder sends JSON: format must be json (or left out)");
        }
        f.format = "json";
    }
    if (f.name.empty()) {
        f.name = f.url;
    }
}

void read(const YAML::Node& doc, reader& r, daemon_config& c) {
    using handler = std::function<void(const YAML::Node&)>;
    if (doc.IsNull()) {
        return;
    }
    r.section(
        doc, "the configuration",
        std::map<std::string, handler>{
            {"listen",
             [&](const YAML::Node& n) {
                 r.section(n, "listen",
                           {{"udp", [&](const YAML::Node& v) { r.endpoints(v, c.udp, "udp"); }},
                            {"tcp", [&](const YAML::Node& v) { r.endpoints(v, c.tcp, "tcp"); }},
                            {"udp_receive_buffer",
                             [&](const YAML::Node& v) {
                                 r.size(v, c.udp_receive_buffer, "udp_receive_buffer", 4096);
                             }},
                            {"max_message_size",
                             [&](const YAML::Node& v) {
                                 r.size(v, c.max_message_size, "max_message_size", 480);
                             }},
                            {"tcp_max_connections",
                             [&](const YAML::Node& v) {
                                 r.number<std::size_t>(v, c.tcp_max_connections,
                                                       "tcp_max_connections", 1, 1'000'000);
                             }},
                            {"tcp_idle_timeout", [&](const YAML::Node& v) {
                                 r.duration(v, c.tcp_idle_timeout, "tcp_idle_timeout");
                             }}});
             }},
            {"senders",
             [&](const YAML::Node& n) {
                 r.section(n, "senders",
                           {{"allow",
                             [&](const YAML::Node& v) {
                                 c.allow.clear();
                                 for (std::size_t i = 0;
                                      const std::string& s : r.list(v, "allow")) {
                                     const YAML::Node at = v.IsSequence() ? v[i] : v;
                                     ++i;
                                     if (const auto block = cidr::parse(s)) {
                                         c.allow.push_back(*block);
                                     } else {
                                         r.error(at, "bad-address",
                                                 "'" + s + "' is not an address or CIDR block");
                                     }
                                 }
                             }},
                            {"rate_limit",
                             [&](const YAML::Node& v) { r.rate(v, c.rate_limit, "rate_limit"); }},
                            {"rate_burst",
                             [&](const YAML::Node& v) { r.rate(v, c.rate_burst, "rate_burst"); }}});
             }},
            {"time",
             [&](const YAML::Node& n) {
                 r.section(n, "time",
                           {{"utc_offset",
                             [&](const YAML::Node& v) {
                                 r.offset(v, c.time.default_offset_seconds, "utc_offset");
                             }},
                            {"year",
                             [&](const YAML::Node& v) {
                                 r.number<int>(v, c.time.assume_year, "year", 1970, 2200);
                             }},
                            {"devices", [&](const YAML::Node& v) {
                                 if (!v.IsMap()) {
                                     r.error(v, "bad-type",
                                             "'devices' maps device names to offsets");
                                     return;
                                 }
                                 for (const auto& kv : v) {
                                     int seconds = 0;
                                     r.offset(kv.second, seconds, "a device offset");
                                     c.time.device_offsets[kv.first.Scalar()] = seconds;
                                 }
                             }}});
             }},
            {"rules",
             [&](const YAML::Node& n) {
                 r.section(
                     n, "rules",
                     {{"paths", [&](const YAML::Node& v) { c.rule_paths = r.list(v, "paths"); }}});
             }},
            {"alerts",
             [&](const YAML::Node& n) {
                 r.section(n, "alerts",
                           {{"log", [&](const YAML::Node& v) { r.scalar(v, c.alert_log, "log"); }},
                            {"format",
                             [&](const YAML::Node& v) {
                                 if (r.scalar(v, c.alert_format, "format") &&
                                     c.alert_format != "json" && c.alert_format != "text") {
                                     r.error(v, "bad-value", "format is json or text");
                                 }
                             }},
                            {"queue", [&](const YAML::Node& v) {
                                 r.number<std::size_t>(v, c.alert_queue, "queue", 1, 10'000'000);
                             }}});
             }},
            {"status",
             [&](const YAML::Node& n) {
                 r.section(n, "status", {{"listen", [&](const YAML::Node& v) {
                                              std::string s;
                                              if (!r.scalar(v, s, "listen")) {
                                                  return;
                                              }
                                              if (text::trim(s).empty()) {
                                                  c.status.reset();
                                              } else if (const auto e = endpoint::parse(s)) {
                                                  c.status = *e;
                                              } else {
                                                  r.error(v, "bad-address",
                                                          "'" + s + "' is not ADDR:PORT");
                                              }
                                          }}});
             }},
            {"workers",
             [&](const YAML::Node& v) { r.number<std::size_t>(v, c.workers, "workers", 1, 64); }},
            {"limits",
             [&](const YAML::Node& n) {
                 r.section(n, "limits",
                           {{"max_peers",
                             [&](const YAML::Node& v) {
                                 r.number<std::size_t>(v, c.max_peers, "max_peers", 1, 100'000'000);
                             }},
                            {"idle_expiry", [&](const YAML::Node& v) {
                                 r.duration(v, c.idle_expiry, "idle_expiry");
                             }}});
             }},
            {"log",
             [&](const YAML::Node& n) {
                 r.section(n, "log",
                           {{"level",
                             [&](const YAML::Node& v) {
                                 static const std::vector<std::string> levels{
                                     "trace", "debug", "info", "warn", "error", "critical", "off"};
                                 if (r.scalar(v, c.log_level, "level") &&
                                     std::find(levels.begin(), levels.end(), c.log_level) ==
                                         levels.end()) {
                                     r.error(v, "bad-value",
                                             "level is trace, debug, info, warn, error, "
                                             "critical or off");
                                 }
                             }},
                            {"stats_interval", [&](const YAML::Node& v) {
                                 r.duration(v, c.stats_interval, "stats_interval");
                             }}});
             }},
            {"forwarders",
             [&](const YAML::Node& n) {
                 if (!n.IsSequence()) {
                     r.error(n, "bad-type", "'forwarders' is a list");
                     return;
                 }
                 // A forwarder's name labels its metrics and names its spool directory: two
                 // forwarders with one name (it defaults to the URL, so two formats to one
                 // collector) would replay each other's spool and share their series.
                 std::map<std::string, std::string> spools;
                 for (const auto& item : n) {
                     forwarder_config f;
                     read_forwarder(item, r, f);
                     if (!f.name.empty()) {
                         const auto [at, fresh] = spools.emplace(spool_dir_name(f.name), f.name);
                         if (!fresh) {
                             r.error(item, "duplicate-name",
                                     "forwarder '" + f.name +
                                         "' has the name (or the spool "
                                         "directory) of forwarder '" +
                                         at->second + "': give each forwarder its own 'name'");
                         }
                     }
                     c.forwarders.push_back(std::move(f));
                 }
             }},
            {"state_dir", [&](const YAML::Node& v) { r.scalar(v, c.state_dir, "state_dir"); }},
            {"user", [&](const YAML::Node& v) { r.scalar(v, c.user, "user"); }},
            {"allow_root", [&](const YAML::Node& v) { r.boolean(v, c.allow_root, "allow_root"); }},
        });
}

}  // namespace

config_result parse_config(const std::string& text, const std::string& file) {
    config_result out;
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        out.problems.push_back({file, e.mark.line + 1, e.mark.column + 1, "yaml-syntax", e.msg});
        return out;
    }
    reader r(file, out.problems);
    try {
        read(doc, r, out.config);
    } catch (const YAML::Exception& e) {
        out.problems.push_back({file, e.mark.line + 1, e.mark.column + 1, "bad-type", e.msg});
    }
    return out;
}

config_result load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        config_result out;
        out.problems.push_back({path, 0, 0, "unreadable", "cannot read the configuration file"});
        return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

}  // namespace ikewatch::config
