#pragma once

#include <string>
#include <string_view>

#include "parsers/record_decoder.hpp"

namespace ikewatch::test {

/// Decodes one record the way replay does, with 2026 assumed for yearless timestamps.
/// The returned event's views point into `line`, which must outlive it.
inline parsers::decoded decode(std::string_view line, std::string_view device = "test.log") {
    parsers::time_options opt;
    opt.assume_year = 2026;
    parsers::record_decoder decoder(opt);
    parsers::decoded d;
    decoder.decode(line, device, 0, d);
    return d;
}

inline std::string value_of(const parsers::event& e, parsers::field f) {
    auto v = e.get(f);
    return v ? std::string(*v) : std::string("<unset>");
}

/// Path of the repository's copy of the shared corpus.
inline std::string corpus_dir() {
    return IKEWATCH_SOURCE_DIR "/tests/corpus";
}

}  // namespace ikewatch::test
