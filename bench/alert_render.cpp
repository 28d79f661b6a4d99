// What one alert costs to render as its JSON line: the alerts the realistic mix raises, each
// rendered by the fixed-schema writer (`writer`) or by building the document and dumping it
// (`document`, the earlier way). Instruction counts with
// `valgrind --tool=callgrind --toggle-collect='*render_*'`; the run's own time in ns/alert.
// Usage: ikewatch_alert_render writer|document [lines] [passes]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/workload.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/json_writer.hpp"
#include "outputs/parse_json.hpp"
#include "pipeline/sharded_pipeline.hpp"
#include "rules/loader.hpp"

namespace {

class keeping_sink final : public ikewatch::rules::alert_sink {
  public:
    void emit(const ikewatch::rules::alert& a) override { alerts.push_back(a); }
    std::vector<ikewatch::rules::alert> alerts;
};

// As the alert log writes them: into one string, with the memory of the times written kept from
// one alert to the next.
[[gnu::noinline]] std::size_t render_writer(const std::vector<ikewatch::rules::alert>& alerts) {
    std::size_t bytes = 0;
    std::string line;
    ikewatch::outputs::json_time_memo times;
    for (const auto& a : alerts) {
        line.clear();
        ikewatch::outputs::append_alert_json(a, line, times);
        bytes += line.size() + 1;
    }
    return bytes;
}

[[gnu::noinline]] std::size_t render_document(const std::vector<ikewatch::rules::alert>& alerts) {
    std::size_t bytes = 0;
    for (const auto& a : alerts) {
        bytes += ikewatch::outputs::dump_json(ikewatch::outputs::alert_json(a)).size() + 1;
    }
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string how = argc > 1 ? argv[1] : "writer";
    ikewatch::bench::workload_options o;
    o.lines = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
    const unsigned long passes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 5;
    keeping_sink sink;
    ikewatch::pipeline::pipeline_options po;
    po.rules = ikewatch::rules::load_with_pack({}).rules;
    po.sink = &sink;
    {
        ikewatch::pipeline::sharded_pipeline pipe(std::move(po), 1);
        for (const std::string& l : ikewatch::bench::make_workload(o)) {
            pipe.process(l, "bench", 0);
        }
        pipe.wait_idle();
        pipe.collect();
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t bytes = 0;
    for (unsigned long p = 0; p < passes; ++p) {
        bytes = how == "document" ? render_document(sink.alerts) : render_writer(sink.alerts);
    }
    const std::chrono::duration<double, std::nano> d = std::chrono::steady_clock::now() - start;
    const auto n = static_cast<double>(sink.alerts.size() * passes);
    std::printf("render=%s alerts=%zu passes=%lu bytes_per_alert=%.0f ns_per_alert=%.0f\n",
                how.c_str(), sink.alerts.size(), passes,
                sink.alerts.empty()
                    ? 0.0
                    : static_cast<double>(bytes) / static_cast<double>(sink.alerts.size()),
                n == 0 ? 0.0 : d.count() / n);
    return 0;
}
