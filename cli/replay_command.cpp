#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>

#include "cli/alert_printer.hpp"
#include "cli/commands.hpp"
#include "cli/record_reader.hpp"
#include "cli/time_flags.hpp"
#include "outputs/alert_history.hpp"
#include "outputs/html_report.hpp"
#include "outputs/page_json.hpp"
#include "pipeline/sharded_pipeline.hpp"
#include "rules/loader.hpp"

namespace ikewatch::cli {

namespace {

// Prints each alert and keeps the resolves for the report's alerts view.
class recording_sink final : public rules::alert_sink {
  public:
    recording_sink(rules::alert_sink& next, outputs::alert_history& history)
        : next_(next), history_(history) {}
    void emit(const rules::alert& a) override {
        next_.emit(a);
        history_.record(a);
    }

  private:
    rules::alert_sink& next_;
    outputs::alert_history& history_;
};

// `--html FILE`: the web page with the replay's final state, in one file.
bool write_report(const pipeline::sharded_pipeline& pipe, const outputs::alert_history& history,
                  const replay_options& options, std::size_t records, std::string& error) {
    const outputs::shard_visitor shards = outputs::visit_pipeline(
        pipe, [](const pipeline::pipeline& p, std::string_view d) { return p.device_now(d); });
    outputs::page_context ctx;
    ctx.live = false;
    std::string inputs = std::to_string(options.inputs.size()) +
                         (options.inputs.size() == 1 ? " file, " : " files, ") +
                         std::to_string(records) + " records";
    if (options.inputs.size() == 1) {
        inputs = source_name(options.inputs.front()) + ", " + std::to_string(records) + " records";
    }
    const std::string page =
        outputs::html_report(outputs::report_json(shards, history, ctx, inputs));
    std::ofstream out(options.html, std::ios::binary | std::ios::trunc);
    out << page;
    out.close();
    if (!out) {
        error = "cannot write " + options.html;
        return false;
    }
    return true;
}

// The replay's tables go with the process: freeing them an allocation at a time took about
// 50 ms after a 2,000,000-line replay, a twentieth of the whole run, with nothing left to do.
// The workers are stopped first. The pointer stays reachable, so a leak checker does not count
// the tables as lost.
void leave_for_exit(std::unique_ptr<pipeline::sharded_pipeline> pipe) {
    pipe->stop_workers();
    static std::atomic<pipeline::sharded_pipeline*> left{nullptr};  // a store kept by the compiler
    left.store(pipe.release());
}

}  // namespace

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
    rules::load_result loaded = rules::load_with_pack(options.rules, options.threads);
    if (!loaded.ok()) {
        for (const ikewatch::diagnostic& d : loaded.problems) {
            std::cerr << d.to_string() << '\n';
        }
        std::cerr << "ikewatch replay: the rule set has " << loaded.problems.size()
                  << " problem(s); nothing was replayed\n";
        return exit_config;
    }
    alert_printer printer(options.format == outputs::output_format::json);
    outputs::alert_history history;
    recording_sink sink(printer, history);
    popt.rules = loaded.rules;
    popt.sink = &sink;
    popt.table.max_peers = options.max_peers;
    popt.table.evidence_bytes = ike::evidence_bytes_for(options.max_peers);
    popt.replay = true;
    popt.table.idle_expiry = std::numeric_limits<micros>::max() / 2;
    // Reading the input is all this thread does besides: it runs a shard too.
    auto owned = std::make_unique<pipeline::sharded_pipeline>(
        std::move(popt), options.threads, std::function<void()>{},
        pipeline::sharded_pipeline::owner::runs_a_shard);
    pipeline::sharded_pipeline& pipe = *owned;
    int status = exit_ok;
    std::size_t since_collect = 0;
    for (const std::string& path : options.inputs) {
        const std::string source = source_name(path);
        if (!read_records_held(
                path,
                [&](std::string_view record, std::size_t, const chunk_hold& chunk) {
                    pipe.process_held(record, source, reference, chunk);
                    // With threads, alerts are printed as the workers raise them.
                    if (++since_collect == 65536) {
                        since_collect = 0;
                        pipe.collect();
                    }
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
    pipe.wait_idle();
    pipe.collect();
    std::fflush(stdout);
    parsers::decode_stats stats;
    std::size_t peers = 0;
    std::size_t active = 0;
    pipe.for_each_shard([&](const pipeline::pipeline& p) {
        stats.merge(p.decode_stats());
        peers += p.tracker().table().size();
        active += p.engine()->active_count();
    });
    std::fprintf(stderr,
                 "ikewatch replay: %llu records, %zu peers, %zu alerts raised, %zu resolved, %zu "
                 "still raised\n",
                 static_cast<unsigned long long>(stats.records), peers, printer.raised,
                 printer.resolved, active);
    if (!options.html.empty()) {
        if (write_report(pipe, history, options, stats.records, error)) {
            std::fprintf(stderr, "ikewatch replay: wrote %s\n", options.html.c_str());
        } else {
            std::cerr << "ikewatch replay: " << error << '\n';
            status = exit_findings;
        }
    }
    leave_for_exit(std::move(owned));
    return status;
}

}  // namespace ikewatch::cli
