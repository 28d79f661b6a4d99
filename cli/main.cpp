// `ikewatch` — offline analysis and operations. See README.md for the commands.

#include <iostream>

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

}  // namespace

// An exception that reaches here (out of memory, a bug) should end the process.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
    namespace cli = ikewatch::cli;
    using ikewatch::add_enum_option;
    using ikewatch::outputs::output_format;
    CLI::App app{
        "ikewatch: why is this IPsec tunnel not coming up? (Cisco ASA/FTD/PIX/IOS syslog)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ikewatch 0.1.0"));

    cli::parse_options parse;
    auto* parse_cmd = app.add_subcommand("parse", "Print one JSON object per input record");
    parse_cmd->add_option("inputs", parse.inputs, "Log files, or - for standard input")->required();
    parse_cmd->add_flag("--stats", parse.stats, "Print per-family counts instead of records");
    add_time_flags(parse_cmd, parse.time);

    cli::peers_options peers;
    auto* peers_cmd =
        app.add_subcommand("peers", "Show the final IKE state of every (device, peer) pair");
    peers_cmd->add_option("inputs", peers.inputs, "Log files or show output, or - for stdin")
        ->required();
    add_enum_option<output_format>(
        *peers_cmd, "--format", peers.format,
        "Output format, default text; json prints one object per peer per line");
    peers_cmd->add_option("--max-peers", peers.max_peers, "Peers kept (least recently updated go)")
        ->check(CLI::Range(1, 10'000'000));
    peers_cmd->add_flag("--transitions", peers.transitions,
                        "Also print every state change as it happened");
    add_time_flags(peers_cmd, peers.time);

    cli::replay_options replay;
    auto* replay_cmd = app.add_subcommand(
        "replay", "Replay logs through the IKE state tracker and the rules; print the alerts");
    replay_cmd->add_option("inputs", replay.inputs, "Log files, or - for standard input")
        ->required();
    replay_cmd->add_option("--rules", replay.rules,
                           "Extra rule file or directory (repeatable; the shipped pack is "
                           "always loaded first)");
    add_enum_option<output_format>(*replay_cmd, "--format", replay.format,
                                   "Output format, default json (one alert per line)");
    replay_cmd->add_flag("--no-drain", replay.no_drain,
                         "Do not fire pending timers at the end of the input");
    replay_cmd->add_option("--max-peers", replay.max_peers, "Peers kept")
        ->check(CLI::Range(1, 10'000'000));
    replay_cmd
        ->add_option("--threads", replay.threads,
                     "Pipeline threads, sharded by device: each device's alerts keep "
                     "their order, different devices' may interleave differently")
        ->check(CLI::Range(1, 64));
    replay_cmd->add_option("--html", replay.html,
                           "Also write the web page with the final state inlined to this file");
    add_time_flags(replay_cmd, replay.time);

    std::vector<std::string> validate_paths;
    auto* validate_cmd = app.add_subcommand(
        "validate", "Check rule files (with the shipped pack); exit 1 on errors");
    validate_cmd->add_option("paths", validate_paths, "Rule files or directories");

    cli::test_rules_options test_rules;
    auto* test_rules_cmd =
        app.add_subcommand("test-rules", "Run golden rule tests (log excerpt -> expected alerts)");
    test_rules_cmd->add_option("dir", test_rules.dir, "Directory of test files (*.yaml)")
        ->required();
    test_rules_cmd->add_option("--rules", test_rules.rules, "Extra rule file or directory");
    test_rules_cmd->add_flag("-v,--verbose", test_rules.verbose, "Show every alert");
    test_rules_cmd->add_flag("--every-rule", test_rules.every_rule,
                             "Fail when a shipped rule is expected by no test");

    std::string explain_what;
    auto* explain_cmd = app.add_subcommand(
        "explain", "What a state, diagnosis code or rule means and what to check");
    bool explain_fields = false;
    auto* explain_what_opt = explain_cmd->add_option(
        "what", explain_what, "e.g. MM_WAIT_MSG4, MM_KEY_EXCH, psk-mismatch");
    bool explain_events = false;
    auto* explain_fields_opt =
        explain_cmd
            ->add_flag("--fields", explain_fields,
                       "Print the peer fields rules can test and name (a Markdown table)")
            ->excludes(explain_what_opt);
    explain_cmd
        ->add_flag("--events", explain_events,
                   "Print the event kinds rules match, with their sources and fields (a Markdown "
                   "table)")
        ->excludes(explain_what_opt)
        ->excludes(explain_fields_opt);

    cli::status_options status;
    auto* status_cmd = app.add_subcommand(
        "status", "Ask a running ikewatchd for its peers (or --alerts) over its status endpoint");
    status_cmd->add_option("--url", status.url, "Status endpoint (default http://127.0.0.1:9514)");
    status_cmd->add_flag("--alerts", status.alerts, "Show the active alerts instead of the peers");
    add_enum_option<output_format>(*status_cmd, "--format", status.format,
                                   "Output format, default text");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : cli::exit_usage;
    }
    if (parse_cmd->parsed()) {
        return cli::run_parse(parse);
    }
    if (peers_cmd->parsed()) {
        return cli::run_peers(peers);
    }
    if (replay_cmd->parsed()) {
        return cli::run_replay(replay);
    }
    if (validate_cmd->parsed()) {
        return cli::run_validate(validate_paths);
    }
    if (test_rules_cmd->parsed()) {
        return cli::run_test_rules(test_rules);
    }
    if (explain_cmd->parsed()) {
        if (explain_fields) {
            return cli::run_explain_fields();
        }
        if (explain_events) {
            return cli::run_explain_events();
        }
        if (explain_what.empty()) {
            std::cerr << "ikewatch explain: name a state, a diagnosis code or a rule id, or give "
                         "--fields or --events\n";
            return cli::exit_usage;
        }
        return cli::run_explain(explain_what);
    }
    if (status_cmd->parsed()) {
        return cli::run_status(status);
    }
    return cli::exit_usage;
}
