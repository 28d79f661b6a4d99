// IKE state tracking: cost per event on the IKE part of the realistic mix (events decoded once,
// up front), so it can be compared with the parsing cost per line.

#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/workload.hpp"
#include "ike/tracker.hpp"
#include "parsers/record_decoder.hpp"

namespace {

struct decoded_events {
    std::vector<std::string> lines;
    std::vector<ikewatch::parsers::event> events;
};

const decoded_events& ike_events() {
    static const decoded_events d = [] {
        decoded_events out;
        ikewatch::bench::workload_options o;
        o.lines = 400'000;
        o.ike_share = 1.0;  // only IKE lines: every event reaches the tracker
        out.lines = ikewatch::bench::make_workload(o);
        ikewatch::parsers::record_decoder decoder;
        ikewatch::parsers::decoded dec;
        out.events.reserve(out.lines.size());
        ikewatch::micros t = 0;
        for (const std::string& l : out.lines) {
            decoder.decode(l, "bench", 0, dec);
            dec.ev.time = t += 1000;  // 1 ms apart, in order
            out.events.push_back(dec.ev);
        }
        return out;
    }();
    return d;
}

void BM_TrackerApply(benchmark::State& state) {
    const auto& d = ike_events();
    ikewatch::ike::tracker tracker({.max_peers = 200'000});
    std::size_t i = 0;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): only counts runs
        benchmark::DoNotOptimize(tracker.apply(d.events[i]));
        if (++i == d.events.size()) {
            i = 0;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["peers"] = static_cast<double>(tracker.table().size());
}
BENCHMARK(BM_TrackerApply);

}  // namespace

int main(int argc, char** argv) {
    (void)ike_events();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
