// One pass over a generated workload, for two figures: instruction counts per line with
// `valgrind --tool=callgrind --toggle-collect='*run_*'` (they do not move with machine load), and
// the pass's own time in ns/line (the replay script takes the median of several runs).
// Usage: ikewatch_count parse|state|pipeline|dump [lines] [passes] [threads]
//   (dump: writes the workload to standard output, one line each, for `ikewatch replay`)
//   (state: the pipeline without rules; passes > 1 repeats the run, for profilers; threads > 1
//   runs the pipeline sharded by device over that many worker threads, this thread feeding them)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/resource.h>

#include "bench/workload.hpp"
#include "parsers/record_decoder.hpp"
#include "pipeline/sharded_pipeline.hpp"
#include "rules/loader.hpp"

namespace {

[[gnu::noinline]] std::size_t run_decode(const std::string& buffer) {
    ikewatch::parsers::record_decoder decoder;
    ikewatch::parsers::decoded d;
    std::size_t decoded = 0;
    std::string_view rest = buffer;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        decoder.decode(rest.substr(0, nl), "bench", 0, d);
        decoded += d.ev.kind != ikewatch::parsers::event_kind::other ? 1 : 0;
        rest.remove_prefix(nl + 1);
    }
    return decoded;
}

class counting_sink final : public ikewatch::rules::alert_sink {
  public:
    void emit(const ikewatch::rules::alert&) override { ++alerts; }
    std::size_t alerts = 0;
};

[[gnu::noinline]] std::size_t run_pipeline(const std::string& buffer,
                                           ikewatch::pipeline::sharded_pipeline& pipe) {
    std::string_view rest = buffer;
    std::size_t n = 0;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        pipe.process(rest.substr(0, nl), "bench", 0);
        rest.remove_prefix(nl + 1);
        ++n;
    }
    pipe.wait_idle();
    pipe.collect();
    return n;
}

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

double per_line(std::chrono::steady_clock::time_point start, std::size_t lines) {
    const std::chrono::duration<double, std::nano> d = std::chrono::steady_clock::now() - start;
    return lines == 0 ? 0.0 : d.count() / static_cast<double>(lines);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string stage = argc > 1 ? argv[1] : "parse";
    ikewatch::bench::workload_options o;
    o.lines = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
    std::string buffer;
    for (const std::string& l : ikewatch::bench::make_workload(o)) {
        buffer += l;
        buffer += '\n';
    }
    if (stage == "dump") {
        std::fwrite(buffer.data(), 1, buffer.size(), stdout);
        return 0;
    }
    const unsigned long passes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1;
    const unsigned long threads = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 1;
    for (unsigned long pass = 1; pass <= passes; ++pass) {
        if (stage == "pipeline" || stage == "state") {
            counting_sink sink;
            ikewatch::pipeline::pipeline_options po;
            if (stage == "pipeline") {
                po.rules = ikewatch::rules::load_with_pack({}).rules;
                po.sink = &sink;
            }
            // As in `ikewatch replay`: the reading thread runs a shard too.
            ikewatch::pipeline::sharded_pipeline pipe(
                std::move(po), threads, {},
                ikewatch::pipeline::sharded_pipeline::owner::runs_a_shard);
            const auto start = std::chrono::steady_clock::now();
            const std::size_t n = run_pipeline(buffer, pipe);
            const double ns = per_line(start, n);
            std::size_t peers = 0;
            pipe.for_each_shard([&](const ikewatch::pipeline::pipeline& p) {
                peers += p.tracker().table().size();
            });
            std::printf(
                "stage=%s threads=%lu lines=%zu peers=%zu alerts=%zu ns_per_line=%.0f "
                "peak_rss_kib=%ld\n",
                stage.c_str(), threads, n, peers, sink.alerts, ns, peak_rss_kib());
        } else {
            const auto start = std::chrono::steady_clock::now();
            const std::size_t decoded = run_decode(buffer);
            std::printf("stage=parse lines=%zu decoded=%zu ns_per_line=%.0f peak_rss_kib=%ld\n",
                        o.lines, decoded, per_line(start, o.lines), peak_rss_kib());
        }
    }
    return 0;
}
