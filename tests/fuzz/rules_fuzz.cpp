// The rule loader on arbitrary YAML: a rule set loads or is refused with positioned problems,
// never a crash or an exception.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "rules/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto r = ikewatch::rules::load_rules({{"fuzz.yaml", text}});
    if (r.ok() != r.problems.empty()) {
        std::abort();
    }
    return 0;
}
