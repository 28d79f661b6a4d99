// Cisco decoding through the whole pipeline: framing, message decoders, event time, the IKE
// state machine, `show` output and the shipped rule pack, one record at a time with state kept
// across inputs (as a long-running daemon keeps it).

#include <cstdint>
#include <memory>
#include <string_view>

#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

namespace {

struct harness {
    ikewatch::rules::collecting_sink sink;
    std::unique_ptr<ikewatch::pipeline::pipeline> pipe;
    harness() {
        ikewatch::pipeline::pipeline_options o;
        o.rules = ikewatch::rules::load_with_pack({}).rules;
        o.sink = &sink;
        o.table.max_peers = 1000;  // small tables: eviction paths run too
        o.table.max_devices = 64;
        o.time.max_devices = 64;
        pipe = std::make_unique<ikewatch::pipeline::pipeline>(std::move(o));
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static harness h;
    static ikewatch::micros wall = 1'700'000'000'000'000;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    wall += 1'000'000;
    h.pipe->process(in, "fuzz", wall);
    h.pipe->tick(wall + 120'000'000);
    if (h.sink.alerts.size() > 1000) {
        h.sink.alerts.clear();
    }
    return 0;
}
