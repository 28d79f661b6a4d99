#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

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
                mix(load<std::uint64_t>(p));
            }
            mix(load<std::uint64_t>(p + n - 8));
        } else if (n >= 4) {
            mix(load<std::uint32_t>(p) | std::uint64_t{load<std::uint32_t>(p + n - 4)} << 32);
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

  private:
    template <typename T>
    static T load(const char* p) noexcept {
        T v{};
        std::memcpy(&v, p, sizeof v);
        return v;
    }
};

/// A hash map from strings that can be searched with a string_view, without a copy.
template <typename V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

}  // namespace ikewatch
