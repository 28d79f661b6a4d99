#pragma once

#include <string>
#include <vector>

#include "outputs/output_format.hpp"

namespace ikewatch::cli {

/// Exit codes shared by every subcommand (design: CLI contract).
inline constexpr int exit_ok = 0;
inline constexpr int exit_findings = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_config = 78;

/// Options of the time front end shared by the commands that read logs.
struct time_flags {
    int year = 0;            ///< --year: year for timestamps without one (0 = infer)
    std::string utc_offset;  ///< --utc-offset: default offset for zone-less timestamps
    std::vector<std::string> device_offsets;  ///< --device-offset DEVICE=+HH:MM (repeatable)
    std::string reference_time;  ///< --reference-time: "now" for lines without time (RFC 3339)
};

struct parse_options {
    std::vector<std::string> inputs;
    bool stats = false;
    time_flags time;
};

[[nodiscard]] int run_parse(const parse_options& options);

struct peers_options {
    std::vector<std::string> inputs;
    outputs::output_format format = outputs::output_format::text;
    std::size_t max_peers = 100'000;
    bool transitions = false;
    time_flags time;
};

[[nodiscard]] int run_peers(const peers_options& options);

struct replay_options {
    std::vector<std::string> inputs;
    std::vector<std::string> rules;
    outputs::output_format format = outputs::output_format::json;
    bool no_drain = false;
    std::size_t max_peers = 100'000;
    std::size_t threads = 1;
    std::string html;  ///< --html: write the web page with the final state to this file
    time_flags time;
};

[[nodiscard]] int run_replay(const replay_options& options);

[[nodiscard]] int run_validate(const std::vector<std::string>& paths);

struct test_rules_options {
    std::string dir;
    std::vector<std::string> rules;
    bool verbose = false;
    bool every_rule = false;  ///< fail when a shipped rule has no test expecting it
};

[[nodiscard]] int run_test_rules(const test_rules_options& options);

[[nodiscard]] int run_explain(const std::string& what);
/// `ikewatch explain --fields`: the peer fields of the rule language, as a Markdown table.
[[nodiscard]] int run_explain_fields();
/// `ikewatch explain --events`: the event kinds rules match, with their sources and fields.
[[nodiscard]] int run_explain_events();

struct status_options {
    std::string url = "http://127.0.0.1:9514";
    bool alerts = false;
    outputs::output_format format = outputs::output_format::text;
};
[[nodiscard]] int run_status(const status_options& options);

/// Base name of an input path, used as the device name when lines carry none ("-" = stdin).
[[nodiscard]] std::string source_name(const std::string& path);

}  // namespace ikewatch::cli
