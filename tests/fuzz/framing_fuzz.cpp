// Syslog framing: any bytes frame or fail with a code, never crash; the fast header reader and
// the general one agree on every input they both accept.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/header_time_parser.hpp"
#include "parsers/syslog_framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto fast = ikewatch::parsers::frame_syslog(in);
    const auto general = ikewatch::parsers::frame_syslog_general(in);
    if (fast.ok() != general.ok()) {
        std::abort();
    }
    // A framer that framed the inputs before this one frames it the same.
    static ikewatch::parsers::syslog_framer framer;
    const auto remembered = framer(in);
    if (remembered.ok() != fast.ok() ||
        (fast.ok() && (remembered.value().body != fast.value().body ||
                       remembered.value().time.year != fast.value().time.year ||
                       remembered.value().time.second != fast.value().time.second ||
                       remembered.value().time.day != fast.value().time.day))) {
        std::abort();
    }
    if (fast.ok()) {
        const auto& a = fast.value();
        const auto& b = general.value();
        if (a.body != b.body || a.host != b.host || a.form != b.form || a.pri != b.pri ||
            a.time.present != b.time.present || a.time.month != b.time.month ||
            a.time.day != b.time.day || a.time.hour != b.time.hour ||
            a.time.second != b.time.second || a.time.year != b.time.year) {
            std::abort();
        }
        // Every view points into the input.
        if (!a.body.empty() &&
            (a.body.data() < in.data() || a.body.data() + a.body.size() > in.data() + in.size())) {
            std::abort();
        }
    }
    ikewatch::parsers::header_time t;
    (void)ikewatch::parsers::parse_header_time(in, t);
    return 0;
}
