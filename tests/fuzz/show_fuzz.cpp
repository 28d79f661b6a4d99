// `show crypto isakmp sa` output (ASA, IOS, IKEv2 tables and detail forms), line by line.

#include <cstdint>
#include <string_view>

#include "parsers/show_sa_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    ikewatch::parsers::show_sa_parser parser;
    while (!in.empty()) {
        const std::size_t nl = in.find('\n');
        (void)parser.feed(in.substr(0, nl));
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    }
    (void)parser.finish();
    return 0;
}
