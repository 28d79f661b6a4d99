// RFC 6587 framing of a TCP stream: cut into chunks by the first byte, every message within the
// maximum size, memory held within it, the stream always consumed.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/tcp_framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    constexpr std::size_t max = 256;
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    ikewatch::daemon::tcp_framer framer(max);
    const auto check = [&](std::string_view m) {
        if (m.size() > max || m.empty()) {
            std::abort();
        }
    };
    while (!in.empty()) {
        const std::size_t n = std::min(chunk, in.size());
        framer.feed(in.substr(0, n), check);
        in.remove_prefix(n);
        if (framer.buffered() > max) {
            std::abort();
        }
    }
    framer.finish(check);
    return 0;
}
