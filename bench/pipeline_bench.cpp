// The full pipeline (frame, decode, IKE state, shipped rule pack, alerts) on the realistic mix,
// one core, lines laid out in one buffer as a replayed file is.

#include <limits>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/workload.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

namespace {

class counting_sink final : public ikewatch::rules::alert_sink {
  public:
    void emit(const ikewatch::rules::alert&) override { ++alerts; }
    std::uint64_t alerts = 0;
};

const std::vector<std::string_view>& lines() {
    static const std::string buffer = [] {
        std::string b;
        ikewatch::bench::workload_options o;
        o.lines = 1'000'000;
        for (const std::string& l : ikewatch::bench::make_workload(o)) {
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

void BM_Pipeline(benchmark::State& state) {
    const auto& w = lines();
    counting_sink sink;
    ikewatch::pipeline::pipeline_options o;
    o.rules = ikewatch::rules::load_with_pack({}).rules;
    o.sink = &sink;
    o.table.max_peers = 200'000;
    ikewatch::pipeline::pipeline pipe(std::move(o));
    std::size_t i = 0;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): only counts runs
        pipe.process(w[i], "bench", 0);
        if (++i == w.size()) {
            i = 0;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["alerts"] = static_cast<double>(sink.alerts);
    state.counters["peers"] = static_cast<double>(pipe.tracker().table().size());
}
BENCHMARK(BM_Pipeline);

}  // namespace

int main(int argc, char** argv) {
    (void)lines();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
