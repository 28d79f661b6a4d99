#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ikewatch {

/// FNV-1a over the bytes: keys here are short (device names, peer addresses) and looked up once
/// per line, where a cheap hash matters more than a strong one.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        std::uint64_t h = 1469598103934665603ULL;
        for (const char c : s) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        return static_cast<std::size_t>(h);
    }
};

/// A hash map from strings that can be searched with a string_view, without a copy.
template <typename V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

}  // namespace ikewatch
