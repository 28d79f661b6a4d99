// `ikewatch` — offline analysis and operations. See README.md for the commands.

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "common/enum_option.hpp"

namespace {

void add_time_flags(CLI::App* cmd, ikewatch::cli::time_flags& flags) {
    cmd->add_option("--year", flags.year,
                    "Year for timestamps that carry none (default: inferred from today)")
        ->check(CLI::Range(1970, 2200));
    cmd->add_option("--utc-offset", flags.utc_offset,
                    "UTC offset of timestamps without a zone, e.g. +02:00 (default UTC)");
    cmd->add_option("--device-offset", flags.device_offsets,
                    "Per-device UTC offset, DEVICE=+HH:MM (repeatable)");
    cmd->add_option("--reference-time", flags.reference_time,
                    "Time of lines that carry none, and year reference (default: now), RFC 3339");
}

namespace cli = ikewatch::cli;
using ikewatch::add_enum_option;
using ikewatch::outputs::output_format;

/// Each subcommand registers its options here and runs from what was parsed into them.
struct command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

command add_parse(CLI::App& app, cli::parse_options& o) {
    auto* cmd = app.add_subcommand("parse", "Print one JSON object per input record");
    cmd->add_option("inputs", o.inputs, "Log files, or - for standard input")->required();
    cmd->add_flag("--stats", o.stats, "Print per-family counts instead of records");
    add_time_flags(cmd, o.time);
    return {cmd, [&o] { return cli::run_parse(o); }};
}

command add_peers(CLI::App& app, cli::peers_options& o) {
    auto* cmd =
        app.add_subcommand("peers", "Show the final IKE state of every (device, peer) pair");
    cmd->add_option("inputs", o.inputs, "Log files or show output, or - for stdin")->required();
    add_enum_option<output_format>(
        *cmd, "--format", o.format,
        "Output format, default text; json prints one object per peer per line");
    cmd->add_option("--max-peers", o.max_peers, "Peers kept (least recently updated go)")
        ->check(CLI::Range(1, 10'000'000));
    cmd->add_flag("--transitions", o.transitions, "Also print every state change as it happened");
    add_time_flags(cmd, o.time);
    return {cmd, [&o] { return cli::run_peers(o); }};
}

command add_replay(CLI::App& app, cli::replay_options& o) {
    auto* cmd = app.add_subcommand(
        "replay", "Replay logs through the IKE state tracker and the rules; print the alerts");
    cmd->add_option("inputs", o.inputs, "Log files, or - for standard input")->required();
    cmd->add_option("--rules", o.rules,
                    "Extra rule file or directory (repeatable; the shipped pack is "
                    "always loaded first)");
    add_enum_option<output_format>(*cmd, "--format", o.format,
                                   "Output format, default json (one alert per line)");
    cmd->add_flag("--no-drain", o.no_drain, "Do not fire pending timers at the end of the input");
    cmd->add_option("--max-peers", o.max_peers, "Peers kept")->check(CLI::Range(1, 10'000'000));
    cmd->add_option("--threads", o.threads,
                    "Pipeline threads in all, the reading one among them, sharded by device: each "
                    "device's alerts keep their order, different devices' may interleave "
                    "differently")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--html", o.html,
                    "Also write the web page with the final state inlined to this file");
    add_time_flags(cmd, o.time);
    return {cmd, [&o] { return cli::run_replay(o); }};
}

command add_validate(CLI::App& app, std::vector<std::string>& paths) {
    auto* cmd = app.add_subcommand("validate",
                                   "Check rule files (with the shipped pack); exit 1 on errors");
    cmd->add_option("paths", paths, "Rule files or directories");
    return {cmd, [&paths] { return cli::run_validate(paths); }};
}

command add_test_rules(CLI::App& app, cli::test_rules_options& o) {
    auto* cmd =
        app.add_subcommand("test-rules", "Run golden rule tests (log excerpt -> expected alerts)");
    cmd->add_option("dir", o.dir, "Directory of test files (*.yaml)")->required();
    cmd->add_option("--rules", o.rules, "Extra rule file or directory");
    cmd->add_flag("-v,--verbose", o.verbose, "Show every alert");
    cmd->add_flag("--every-rule", o.every_rule, "Fail when a shipped rule is expected by no test");
    return {cmd, [&o] { return cli::run_test_rules(o); }};
}

struct explain_options {
    std::string what;
    bool fields = false;
    bool events = false;
};

command add_explain(CLI::App& app, explain_options& o) {
    auto* cmd = app.add_subcommand("explain",
                                   "What a state, diagnosis code or rule means and what to check");
    auto* what = cmd->add_option("what", o.what, "e.g. MM_WAIT_MSG4, MM_KEY_EXCH, psk-mismatch");
    auto* fields = cmd->add_flag("--fields", o.fields,
                                 "Print the peer fields rules can test and name (a Markdown table)")
                       ->excludes(what);
    cmd->add_flag("--events", o.events,
                  "Print the event kinds rules match, with their sources and fields (a Markdown "
                  "table)")
        ->excludes(what)
        ->excludes(fields);
    return {cmd, [&o] {
                if (o.fields) {
                    return cli::run_explain_fields();
                }
                if (o.events) {
                    return cli::run_explain_events();
                }
                if (o.what.empty()) {
                    std::cerr << "ikewatch explain: name a state, a diagnosis code or a rule id, "
                                 "or give --fields or --events\n";
                    return cli::exit_usage;
                }
                return cli::run_explain(o.what);
            }};
}

command add_status(CLI::App& app, cli::status_options& o) {
    auto* cmd = app.add_subcommand(
        "status", "Ask a running ikewatchd for its peers (or --alerts) over its status endpoint");
    cmd->add_option("--url", o.url, "Status endpoint (default http://127.0.0.1:9514)");
    cmd->add_flag("--alerts", o.alerts, "Show the active alerts instead of the peers");
    add_enum_option<output_format>(*cmd, "--format", o.format, "Output format, default text");
    return {cmd, [&o] { return cli::run_status(o); }};
}

}  // namespace

// An exception that reaches here (out of memory, a bug) should end the process.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
    CLI::App app{
        "ikewatch: why is this IPsec tunnel not coming up? (Cisco ASA/FTD/PIX/IOS syslog)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ikewatch 0.1.0"));

    cli::parse_options parse;
    cli::peers_options peers;
    cli::replay_options replay;
    std::vector<std::string> validate_paths;
    cli::test_rules_options test_rules;
    explain_options explain;
    cli::status_options status;
    const command commands[] = {add_parse(app, parse),           add_peers(app, peers),
                                add_replay(app, replay),         add_validate(app, validate_paths),
                                add_test_rules(app, test_rules), add_explain(app, explain),
                                add_status(app, status)};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : cli::exit_usage;
    }
    for (const command& c : commands) {
        if (c.app->parsed()) {
            return c.run();
        }
    }
    return cli::exit_usage;
}
