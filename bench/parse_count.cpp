// Instruction count per line for framing + decoding, for `valgrind --tool=callgrind
// --toggle-collect=run_decode`: a figure that does not move with machine load.
// Usage: ikewatch_parse_count [lines]

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/workload.hpp"
#include "parsers/record_decoder.hpp"

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

}  // namespace

int main(int argc, char** argv) {
    ikewatch::bench::workload_options o;
    o.lines = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    std::string buffer;
    for (const std::string& l : ikewatch::bench::make_workload(o)) {
        buffer += l;
        buffer += '\n';
    }
    const std::size_t decoded = run_decode(buffer);
    std::printf("lines=%zu decoded=%zu\n", o.lines, decoded);
    return 0;
}
