#include "config/config_schema.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.hpp"
#include "config/config_reference.hpp"

using namespace ikewatch;
using namespace ikewatch::config;

namespace {

bool is_key_start(char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
}

// The keys written in a YAML file, commented out or not, as dotted paths. A key is a line whose
// text (after the indentation, or after `#` and one space for a commented-out line) starts with
// a lower-case `name:`; its indentation, counted as if the `# ` were deleted, nests it; `- `
// starts an item of a list (`forwarders[].url`). Prose comments start otherwise (a capital
// letter, a word without a colon). Device names under a map of names (time.devices) are not
// keys.
std::vector<std::string> written_keys(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    struct level {
        std::size_t indent;
        std::string path;
    };
    std::vector<level> stack;
    std::string line;
    while (std::getline(in, line)) {
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) {
            continue;
        }
        std::string body = line.substr(indent);
        if (body[0] == '#') {
            body = body.substr(body.size() > 1 && body[1] == ' ' ? 2 : 1);
            const std::size_t more = body.find_first_not_of(' ');
            if (more == std::string::npos) {
                continue;
            }
            indent += more;
            body = body.substr(more);
        }
        const bool item = body.starts_with("- ");
        if (item) {
            body = body.substr(2);
            indent += 2;
        }
        std::size_t n = 0;
        while (n < body.size() &&
               (is_key_start(body[n]) || (n > 0 && body[n] >= '0' && body[n] <= '9'))) {
            ++n;
        }
        if (n == 0 || n >= body.size() || body[n] != ':' ||
            (n + 1 < body.size() && body[n + 1] != ' ')) {
            continue;
        }
        while (!stack.empty() && stack.back().indent >= indent - (item ? 1 : 0)) {
            stack.pop_back();
        }
        std::string parent = stack.empty() ? "" : stack.back().path;
        if (item) {
            parent += "[]";
            stack.push_back({indent - 1, parent});
        }
        if (const key_spec* k = find_key(parent); k && k->type == value_type::utc_offset_map) {
            continue;  // a device name
        }
        const std::string key = (parent.empty() ? "" : parent + ".") + body.substr(0, n);
        out.push_back(key);
        stack.push_back({indent, key});
    }
    return out;
}

bool is_section(std::string_view path) {
    for (const key_spec& k : config_keys()) {
        if (k.path.starts_with(std::string(path) + ".")) {
            return true;
        }
    }
    return false;
}

// A YAML document that sets `key` to `value`: `listen: {udp: VALUE}`, or a forwarder with it.
std::string document(const key_spec& key, const std::string& value) {
    const std::string path(key.path);
    if (path.starts_with("forwarders[].")) {
        const std::string name(key.name());
        return "forwarders:\n  - {url: \"tcp://siem:514\"" +
               (name == "url" ? "" : ", " + name + ": " + value) + "}\n";
    }
    const std::size_t dot = path.find('.');
    if (dot == std::string::npos) {
        return path + ": " + value + "\n";
    }
    return path.substr(0, dot) + ":\n  " + path.substr(dot + 1) + ": " + value + "\n";
}

}  // namespace

TEST(ConfigSchema, TheShippedFileDocumentsEveryKeyAndNoOther) {
    const std::vector<std::string> written =
        written_keys(IKEWATCH_SOURCE_DIR "/config/ikewatch.yaml");
    ASSERT_FALSE(written.empty());
    const std::set<std::string> seen(written.begin(), written.end());
    for (const std::string& k : written) {
        EXPECT_TRUE(find_key(k) != nullptr || is_section(k))
            << "config/ikewatch.yaml has '" << k << "', which is no key of ikewatchd";
    }
    for (const key_spec& k : config_keys()) {
        EXPECT_TRUE(seen.contains(std::string(k.path)))
            << "config/ikewatch.yaml does not document '" << k.path
            << "' (write it there, commented out if it should stay at its default)";
    }
}

TEST(ConfigSchema, TheKeyReaderSeesCommentedKeysAndSkipsProse) {
    const std::string file = testing::TempDir() + "/keys.yaml";
    std::ofstream(file) << "# A heading: not a key.\n"
                           "listen:\n"
                           "  udp: [\"0.0.0.0:514\"]   # note: a trailing comment\n"
                           "  # tcp: []\n"
                           "time:\n"
                           "  # devices:\n"
                           "  #   fw01: \"+02:00\"\n"
                           "# forwarders:\n"
                           "#   - name: a\n"
                           "#     url: tcp://x\n"
                           "#   - url: udp://y\n"
                           "# user: ikewatch\n";
    EXPECT_EQ(written_keys(file),
              (std::vector<std::string>{"listen", "listen.udp", "listen.tcp", "time",
                                        "time.devices", "forwarders", "forwarders[].name",
                                        "forwarders[].url", "forwarders[].url", "user"}));
}

TEST(ConfigSchema, EveryDefaultReadsBackAsTheDefault) {
    // The reference prints each default as it would be written; written so, it is the default.
    const daemon_config defaults;
    for (const key_spec& k : config_keys()) {
        const std::string value = default_text(k);
        if (k.type == value_type::forwarder_list || value.starts_with("(")) {
            continue;  // a list of maps, "(required)", "(inferred)"
        }
        const config_result r = parse_config(document(k, value), "defaults.yaml");
        ASSERT_TRUE(r.ok()) << k.path << ": " << value << ": " << r.problems[0].to_string();
        if (k.path.starts_with("forwarders[].")) {
            outputs::forwarder_settings want;
            want.url = want.name = "tcp://siem:514";
            ASSERT_EQ(r.config.forwarders.size(), 1u);
            EXPECT_TRUE(r.config.forwarders[0] == want) << k.path << ": " << value;
        } else {
            EXPECT_EQ(changed_keys(defaults, r.config), std::vector<std::string_view>{})
                << k.path << ": " << value;
        }
    }
}

TEST(ConfigSchema, ChangesThatWaitForARestartAreNamed) {
    const auto r = parse_config(R"(listen: {udp: ["127.0.0.1:5514"], udp_receive_buffer: 1MiB,
                                          max_message_size: 2KiB, tcp_idle_timeout: 1m}
senders: {allow: [10.0.0.0/8], rate_limit: 100}
alerts: {log: /tmp/a.json, format: text, queue: 5}
workers: 2
log: {level: debug}
forwarders: [{url: "udp://127.0.0.1:514"}]
user: nobody
)",
                                "next.yaml");
    ASSERT_TRUE(r.ok()) << r.problems[0].to_string();
    const daemon_config running;
    EXPECT_EQ(
        restart_changes(running, r.config),
        (std::vector<std::string_view>{"listen.udp", "listen.udp_receive_buffer", "alerts.log",
                                       "alerts.queue", "workers", "forwarders", "user"}));
    daemon_config applied = r.config;
    keep_restart_keys(applied, running);
    EXPECT_TRUE(restart_changes(running, applied).empty());
    EXPECT_TRUE(applied.udp.empty());
    EXPECT_TRUE(applied.forwarders.empty());
    EXPECT_EQ(applied.workers, 1u);
    // What SIGHUP applies keeps its new value.
    EXPECT_EQ(applied.max_message_size, 2048u);
    EXPECT_EQ(applied.allow.size(), 1u);
    EXPECT_EQ(applied.rate_limit, 100.0);
    EXPECT_EQ(applied.alert_format, outputs::output_format::text);
    EXPECT_EQ(applied.log_level, log_level::debug);
}

TEST(ConfigSchema, UnknownKeysListTheKeysOfTheirMap) {
    const auto r = parse_config(
        "listen: {udp: [\"*:514\"], udp_buffer: 1MiB}\n"
        "forwarders: [{url: \"udp://h\", retries: 3}]\n",
        "k.yaml");
    ASSERT_EQ(r.problems.size(), 2u);
    EXPECT_EQ(r.problems[0].to_string(),
              "k.yaml:1:26: unknown-key: unknown key 'udp_buffer' in listen (known: "
              "max_message_size, tcp, tcp_idle_timeout, tcp_max_connections, tls, udp, "
              "udp_receive_buffer)");
    EXPECT_EQ(r.problems[1].code, "unknown-key");
    EXPECT_EQ(r.problems[1].line, 2);
    EXPECT_NE(r.problems[1].message.find("in a forwarder (known: ca_file, cert_file, codes, "),
              std::string::npos)
        << r.problems[1].message;
}

TEST(ConfigSchema, NamesComeFromTheirEnums) {
    const auto r = parse_config(
        "alerts: {format: yaml}\nlog: {level: verbose}\n"
        "forwarders: [{url: \"udp://h\", format: syslog, "
        "min_severity: urgent}]\n",
        "n.yaml");
    ASSERT_EQ(r.problems.size(), 4u);
    EXPECT_EQ(r.problems[0].message, "format is json or text");
    EXPECT_EQ(r.problems[1].message, "level is trace, debug, info, warn, error, critical or off");
    EXPECT_EQ(r.problems[2].message, "format is rfc5424, cef, leef or json");
    EXPECT_EQ(r.problems[3].message, "min_severity is info, low, medium, high or critical");
    EXPECT_EQ(limits_text(*find_key("forwarders[].format")), "rfc5424, cef, leef or json");
}

TEST(ConfigReference, TextListsEveryKeyOnceWithItsFacts) {
    const std::string text = config_reference_text();
    // A block per key, in table order: the path, then five indented lines, then an empty line.
    std::vector<std::string> paths;
    std::istringstream in(text);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
        if (!line.empty() && line[0] != ' ') {
            paths.push_back(line);
        }
    }
    ASSERT_EQ(paths.size(), config_keys().size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        EXPECT_EQ(paths[i], config_keys()[i].path);
    }
    EXPECT_EQ(lines, 7 * paths.size() - 1);
    EXPECT_NE(text.find("listen.udp_receive_buffer\n"
                        "  type: size\n"
                        "  default: 8MiB\n"
                        "  limits: at least 4096 bytes\n"
                        "  reloadable: no\n"
                        "  description: SO_RCVBUF"),
              std::string::npos);
    EXPECT_NE(text.find("log.level\n"
                        "  type: enum\n"
                        "  default: info\n"
                        "  limits: trace, debug, info, warn, error, critical or off\n"
                        "  reloadable: yes\n"),
              std::string::npos);
    EXPECT_NE(text.find("forwarders[].url\n  type: url\n  default: (required)\n"),
              std::string::npos);
    EXPECT_NE(text.find("status.listen\n  type: endpoint|\"\"\n  default: \"127.0.0.1:9514\"\n"),
              std::string::npos);
}

TEST(ConfigReference, JsonHasEveryKey) {
    const nlohmann::json j = nlohmann::json::parse(config_reference_json());
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), config_keys().size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        const key_spec& k = config_keys()[i];
        EXPECT_EQ(j[i]["key"], std::string(k.path));
        EXPECT_EQ(j[i]["reloadable"], k.reloadable);
        EXPECT_EQ(j[i]["default"], default_text(k));
        EXPECT_EQ(j[i].contains("choices"), k.type == value_type::choice) << k.path;
    }
    EXPECT_EQ(j[0]["key"], "listen.udp");
}
