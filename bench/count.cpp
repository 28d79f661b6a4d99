// Instruction counts per line, for `valgrind --tool=callgrind --toggle-collect='*run_*'`: a
// figure that does not move with machine load.
// Usage: ikewatch_count parse|pipeline [lines]

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/workload.hpp"
#include "parsers/record_decoder.hpp"
#include "pipeline/pipeline.hpp"
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
                                           ikewatch::pipeline::pipeline& pipe) {
    std::string_view rest = buffer;
    std::size_t n = 0;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        pipe.process(rest.substr(0, nl), "bench", 0);
        rest.remove_prefix(nl + 1);
        ++n;
    }
    return n;
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
    if (stage == "pipeline") {
        counting_sink sink;
        ikewatch::pipeline::pipeline_options po;
        po.rules = ikewatch::rules::load_with_pack({}).rules;
        po.sink = &sink;
        ikewatch::pipeline::pipeline pipe(std::move(po));
        const std::size_t n = run_pipeline(buffer, pipe);
        std::printf("stage=pipeline lines=%zu peers=%zu alerts=%zu\n", n,
                    pipe.tracker().table().size(), sink.alerts);
        return 0;
    }
    const std::size_t decoded = run_decode(buffer);
    std::printf("stage=parse lines=%zu decoded=%zu\n", o.lines, decoded);
    return 0;
}
