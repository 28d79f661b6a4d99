// Framing + Cisco decoding + event normalisation on the realistic mix, one core.

#include <benchmark/benchmark.h>

#include "bench/workload.hpp"
#include "parsers/record_decoder.hpp"

namespace {

// The lines laid out one after another in one buffer, as a replayed file or a receive batch is.
const std::vector<std::string_view>& lines() {
    static const std::string buffer = [] {
        std::string b;
        for (const std::string& l : ikewatch::bench::make_workload({})) {
            b += l;
            b += '\n';
        }
        return b;
    }();
    static const std::vector<std::string_view> views = [] {
        std::vector<std::string_view> v;
        std::string_view rest = buffer;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            v.push_back(rest.substr(0, nl));
            rest.remove_prefix(nl + 1);
        }
        return v;
    }();
    return views;
}

void BM_FrameAndDecode(benchmark::State& state) {
    const auto& w = lines();
    ikewatch::parsers::record_decoder decoder;
    ikewatch::parsers::decoded d;
    std::size_t i = 0;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): only counts runs
        decoder.decode(w[i], "bench", 0, d);
        benchmark::DoNotOptimize(d.ev.kind);
        if (++i == w.size()) {
            i = 0;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FrameAndDecode);

}  // namespace

int main(int argc, char** argv) {
    // Build the workload before timing starts (and outside callgrind's collection window when
    // run with --toggle-collect='*BM_*').
    (void)lines();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
