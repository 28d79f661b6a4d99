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

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : cli::exit_usage;
    }
    if (parse_cmd->parsed()) {
        return cli::run_parse(parse);
    }
    return cli::exit_usage;
}
