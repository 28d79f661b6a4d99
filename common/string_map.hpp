#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/text.hpp"

namespace ikewatch {

/// A hash for short keys (device names, peer addresses) looked up several times per line, where
/// a cheap hash matters more than a strong one: the bytes are read eight (or four) at a time,
/// the last word overlapping the one before, then mixed so that every bit reaches the low bits
/// the tables index by.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        const char* p = s.data();
        std::size_t n = s.size();
        std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
        const auto mix = [&h](std::uint64_t w) noexcept {
            h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 29;
        };
        if (n >= 8) {
            for (; n > 8; n -= 8, p += 8) {
                mix(text::load_word<std::uint64_t>(p));
            }
            mix(text::load_word<std::uint64_t>(p + n - 8));
        } else if (n >= 4) {
            mix(text::load_word<std::uint32_t>(p) |
                std::uint64_t{text::load_word<std::uint32_t>(p + n - 4)} << 32);
        } else if (n > 0) {
            const auto byte = [p](std::size_t i) {
                return std::uint64_t{static_cast<unsigned char>(p[i])};
            };
            mix(byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16);
        }
        h ^= h >> 32;
        h *= 0x94d049bb133111ebULL;
        h ^= h >> 29;
        return static_cast<std::size_t>(h);
    }
};

/// A 64-bit hash folded to the 32 bits that flat indexes and stored tags keep: the high half
/// reaches the low bits.
[[nodiscard]] inline std::uint32_t fold_hash(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

/// string_hash folded to 32 bits.
[[nodiscard]] inline std::uint32_t string_hash32(std::string_view s) noexcept {
    return fold_hash(string_hash{}(s));
}

/// Equality of two short keys without a call to memcmp: keys of 4 to 16 bytes are compared as
/// two words each (overlapping in the middle), shorter ones byte by byte.
[[nodiscard]] inline bool same_key(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) {
        return false;
    }
    const char* p = a.data();
    const char* q = b.data();
    using text::load_word;
    if (n >= 8 && n <= 16) {
        return load_word<std::uint64_t>(p) == load_word<std::uint64_t>(q) &&
               load_word<std::uint64_t>(p + n - 8) == load_word<std::uint64_t>(q + n - 8);
    }
    if (n >= 4 && n < 8) {
        return load_word<std::uint32_t>(p) == load_word<std::uint32_t>(q) &&
               load_word<std::uint32_t>(p + n - 4) == load_word<std::uint32_t>(q + n - 4);
    }
    if (n < 4) {
        for (std::size_t i = 0; i < n; ++i) {
            if (p[i] != q[i]) {
                return false;
            }
        }
        return true;
    }
    return std::memcmp(p, q, n) == 0;
}

/// A hash map from strings that can be searched with a string_view, without a copy.
template <typename V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

}  // namespace ikewatch
