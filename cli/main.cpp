// `ikewatch` — offline analysis and operations. See README.md for the commands.

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

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

int main(int argc, char** argv) {
    namespace cli = ikewatch::cli;
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
    peers_cmd->add_option("--format", peers.format, "text or json (one object per peer per line)")
        ->check(CLI::IsMember({"text", "json"}));
    peers_cmd->add_option("--max-peers", peers.max_peers, "Peers kept (least recently updated go)")
        ->check(CLI::Range(1, 10'000'000));
    peers_cmd->add_flag("--transitions", peers.transitions,
                        "Also print every state change as it happened");
    add_time_flags(peers_cmd, peers.time);

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
    return cli::exit_usage;
}
