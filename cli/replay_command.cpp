#include <cstdio>
#include <iostream>
#include <limits>

#include "cli/alert_printer.hpp"
#include "cli/commands.hpp"
#include "cli/record_reader.hpp"
#include "cli/time_flags.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

namespace ikewatch::cli {

int run_replay(const replay_options& options) {
    pipeline::pipeline_options popt;
    std::string error;
    if (!to_time_options(options.time, popt.time, error)) {
        std::cerr << "ikewatch replay: " << error << '\n';
        return exit_usage;
    }
    micros reference = 0;
    if (!reference_time(options.time, reference, error)) {
        std::cerr << "ikewatch replay: " << error << '\n';
        return exit_usage;
    }
    rules::load_result loaded = rules::load_with_pack(options.rules);
    if (!loaded.ok()) {
        for (const ikewatch::diagnostic& d : loaded.problems) {
            std::cerr << d.to_string() << '\n';
        }
        std::cerr << "ikewatch replay: the rule set has " << loaded.problems.size()
                  << " problem(s); nothing was replayed\n";
        return exit_config;
    }
    alert_printer printer(options.format == "json");
    popt.rules = loaded.rules;
    popt.sink = &printer;
    popt.table.max_peers = options.max_peers;
    popt.table.idle_expiry = std::numeric_limits<micros>::max() / 2;
    pipeline::pipeline pipe(std::move(popt));
    int status = exit_ok;
    for (const std::string& path : options.inputs) {
        const std::string source = source_name(path);
        if (!read_records(
                path,
                [&](std::string_view record, std::size_t) {
                    pipe.process(record, source, reference);
                },
                error)) {
            std::cerr << "ikewatch replay: " << error << '\n';
            status = exit_findings;
        }
        pipe.finish(source);
    }
    if (!options.no_drain) {
        pipe.drain();
    }
    std::fflush(stdout);
    const auto& stats = pipe.decode_stats();
    std::fprintf(stderr,
                 "ikewatch replay: %llu records, %zu peers, %zu alerts raised, %zu resolved, %zu "
                 "still raised\n",
                 static_cast<unsigned long long>(stats.records), pipe.tracker().table().size(),
                 printer.raised, printer.resolved, pipe.engine()->active_count());
    return status;
}

}  // namespace ikewatch::cli
