#include "config/config_loader.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/enum_names.hpp"
#include "common/text.hpp"
#include "config/config_schema.hpp"
#include "config/value_reader.hpp"
#include "outputs/kafka_url.hpp"

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

std::optional<outputs::forward_scheme> forward_scheme_of(std::string_view url) noexcept {
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        return std::nullopt;
    }
    return from_string<outputs::forward_scheme>(url.substr(0, sep));
}

bool forward_url_ok(std::string_view url) {
    const auto scheme = forward_scheme_of(url);
    if (!scheme) {
        return false;
    }
    if (*scheme == outputs::forward_scheme::kafka) {
        return outputs::kafka_url::parse(url).has_value();
    }
    std::string_view rest = url.substr(url.find("://") + 3);
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

bool is_section(std::string_view path) {
    return std::any_of(config_keys().begin(), config_keys().end(), [&](const key_spec& k) {
        return k.path.size() > path.size() && k.path.starts_with(path) &&
               k.path[path.size()] == '.';
    });
}

// The keys and sections directly under `prefix` ("", "listen.", "forwarders[]."), sorted.
std::vector<std::string_view> children(std::string_view prefix) {
    std::vector<std::string_view> out;
    for (const key_spec& k : config_keys()) {
        if (!k.path.starts_with(prefix)) {
            continue;
        }
        const std::string_view rest = k.path.substr(prefix.size());
        const std::string_view child = rest.substr(0, rest.find('.'));
        if (!child.ends_with("[]") && std::find(out.begin(), out.end(), child) == out.end()) {
            out.push_back(child);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Reads the map `n` whose keys are the table's keys under `prefix` into `owner` (the
// daemon_config, or a forwarder_settings for `forwarders[].`), refusing keys the table does
// not have. `where` names the map in messages.
void read_map(value_reader& r, const YAML::Node& n, const std::string& prefix,
              const std::string& where, void* owner) {
    if (!n.IsMap()) {
        r.error(n, "bad-type", "'" + where + "' is a map");
        return;
    }
    for (const auto& kv : n) {
        const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        const std::string path = prefix + name;
        if (const key_spec* k = find_key(path)) {
            k->field->read(r, kv.second, *k, owner);
        } else if (is_section(path)) {
            read_map(r, kv.second, path + ".", name, owner);
        } else {
            r.error(kv.first, "unknown-key",
                    "unknown key '" + name + "' in " + where +
                        " (known: " + join_names(children(prefix), ", ", ", ") + ")");
        }
    }
    for (const key_spec& k : config_keys()) {
        if (k.required && k.path == prefix + std::string(k.name()) && !n[std::string(k.name())]) {
            r.error(n, "missing-key", where + " needs a '" + std::string(k.name()) + "'");
        }
    }
}

// What the `tls:` block says must hold together on its own: a certificate with its key, and
// client checks with the CA that signs the clients' certificates.
void check_tls_block(value_reader& r, const YAML::Node& doc, const tls_input& t) {
    const YAML::Node block = doc.IsMap() ? doc["tls"] : YAML::Node();
    if (!block || !block.IsMap()) {
        return;
    }
    if (t.cert.empty() != t.key.empty()) {
        r.error(block, "missing-key", t.cert.empty() ? "'key' needs 'cert'" : "'cert' needs 'key'");
    }
    if (t.ca.empty()) {
        if (t.require_client_cert) {
            r.error(block["require_client_cert"], "missing-key",
                    "'require_client_cert' needs 'ca' (the CA client certificates chain to)");
        }
        if (!t.allowed_clients.empty()) {
            r.error(block["allowed_clients"], "missing-key",
                    "'allowed_clients' needs 'ca' (the CA client certificates chain to)");
        }
    }
    if (const YAML::Node names = block["allowed_clients"]; names && names.IsSequence()) {
        for (const auto& name : names) {
            if (name.IsScalar() && text::trim(name.Scalar()).empty()) {
                r.error(name, "bad-value", "an allowed client is a name or an address, not empty");
            }
        }
    }
}

}  // namespace

std::optional<std::string> tls_listener_problem(const daemon_config& c) {
    if (c.tls.empty() || (!c.tls_server.cert.empty() && !c.tls_server.key.empty())) {
        return std::nullopt;
    }
    return "listen.tls (or --tls) needs tls.cert and tls.key (or --tls-cert and --tls-key)";
}

void read_forwarders(value_reader& r, const YAML::Node& n,
                     std::vector<outputs::forwarder_settings>& out) {
    if (!n.IsSequence()) {
        r.error(n, "bad-type", "'forwarders' is a list");
        return;
    }
    // A forwarder's name labels its metrics and names its spool directory: two forwarders with
    // one name (it defaults to the URL, so two formats to one collector) would replay each
    // other's spool and share their series.
    std::map<std::string, std::string> spools;
    for (const auto& item : n) {
        outputs::forwarder_settings f;
        read_map(r, item, std::string(forwarder_key_prefix), "a forwarder", &f);
        if (!f.cert_file.empty() && f.key_file.empty()) {
            r.error(item, "missing-key", "'cert_file' needs 'key_file'");
        }
        const auto scheme = forward_scheme_of(f.url);
        if (scheme && outputs::sends_json_only(*scheme)) {
            if (item.IsMap() && item["format"] && f.format != outputs::siem_format::json) {
                r.error(item["format"], "bad-value",
                        std::string(*scheme == outputs::forward_scheme::kafka ? "a kafka"
                                                                              : "an http(s)") +
                            " forwarder sends JSON: format must be json (or left out)");
            }
            f.format = outputs::siem_format::json;
        }
        if (!f.properties.empty() && scheme && *scheme != outputs::forward_scheme::kafka) {
            r.error(item["properties"], "bad-key", "'properties' is for kafka:// forwarders");
        }
        if (f.name.empty()) {
            f.name = f.url;
        }
        if (!f.name.empty()) {
            const auto [at, fresh] = spools.emplace(spool_dir_name(f.name), f.name);
            if (!fresh) {
                r.error(item, "duplicate-name",
                        "forwarder '" + f.name +
                            "' has the name (or the spool directory) of forwarder '" + at->second +
                            "': give each forwarder its own 'name'");
            }
        }
        out.push_back(std::move(f));
    }
}

namespace {

// Nothing of the kafka section is set: no Kafka input.
bool no_kafka_input(const daemon_config& c) {
    return c.kafka_brokers.empty() && c.kafka_topics.empty() && c.kafka_group.empty() &&
           c.kafka_properties.empty() && c.kafka_checkpoint_topic.empty();
}

}  // namespace

std::string kafka_input_problem(const daemon_config& c) {
    if (no_kafka_input(c)) {
        return {};
    }
    if (c.kafka_brokers.empty()) {
        return "the Kafka input needs kafka.brokers (--kafka-brokers)";
    }
    if (!outputs::kafka_broker_list(c.kafka_brokers)) {
        return "kafka.brokers '" + c.kafka_brokers + "' is not HOST[:PORT][,HOST[:PORT]...]";
    }
    if (c.kafka_group.empty()) {
        return "the Kafka input needs kafka.group (--kafka-group)";
    }
    if (c.kafka_topics.empty()) {
        return "the Kafka input needs kafka.topics (--kafka-topic)";
    }
    for (const std::string& t : c.kafka_topics) {
        if (!outputs::kafka_topic_ok(t)) {
            return "kafka topic '" + t + "' is not a Kafka topic name (letters, digits, . _ -)";
        }
    }
    if (!c.kafka_checkpoint_topic.empty()) {
        if (!outputs::kafka_topic_ok(c.kafka_checkpoint_topic)) {
            return "kafka.checkpoint_topic '" + c.kafka_checkpoint_topic +
                   "' is not a Kafka topic name (letters, digits, . _ -)";
        }
        if (std::find(c.kafka_topics.begin(), c.kafka_topics.end(), c.kafka_checkpoint_topic) !=
            c.kafka_topics.end()) {
            return "kafka.checkpoint_topic '" + c.kafka_checkpoint_topic +
                   "' is also an input topic";
        }
    }
    return {};
}

namespace {

// The file's kafka section, reported at the key that is wrong.
void check_kafka_input(value_reader& r, const YAML::Node& at, const daemon_config& c) {
    if (no_kafka_input(c)) {
        return;
    }
    const auto where = [&](const char* key) { return at.IsMap() && at[key] ? at[key] : at; };
    if (const std::string problem = kafka_input_problem(c); !problem.empty()) {
        const char* key = c.kafka_brokers.empty() || !outputs::kafka_broker_list(c.kafka_brokers)
                              ? "brokers"
                          : c.kafka_group.empty()                         ? "group"
                          : problem.starts_with("kafka.checkpoint_topic") ? "checkpoint_topic"
                                                                          : "topics";
        r.error(where(key), "bad-value", problem);
    }
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
    value_reader r(file, out.problems);
    try {
        if (!doc.IsNull()) {
            read_map(r, doc, "", "the configuration", &out.config);
            check_tls_block(r, doc, out.config.tls_server);
            if (doc.IsMap() && doc["kafka"]) {
                check_kafka_input(r, doc["kafka"], out.config);
            }
        }
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
