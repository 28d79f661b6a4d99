// The daemon's configuration loader on arbitrary YAML.

#include <cstdint>
#include <string>

#include "config/config_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)ikewatch::config::parse_config(text, "fuzz.yaml");
    return 0;
}
