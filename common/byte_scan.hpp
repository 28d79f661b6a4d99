#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ikewatch::text {

/// Sixteen bytes of a text from position `at`, for asking which of them are a given byte in one
/// step. Near the end, where fewer than sixteen are left, the block is read from the text's last
/// sixteen bytes instead and its masks shifted, so that bit k is always byte `at + k` and bits
/// past the end are clear. The text must hold at least sixteen bytes, and `at` be inside it.
class byte_block {
  public:
    byte_block(std::string_view s, std::size_t at) noexcept
        : from_(at + 16 <= s.size() ? at : s.size() - 16),
          skip_(static_cast<unsigned>(at - from_)),
          p_(s.data() + from_)
#if defined(__SSE2__)
          ,
          v_(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p_)))
#endif
    {
    }

    /// Bit k set when byte `at + k` of the text is `c`.
    [[nodiscard]] std::uint32_t equal(char c) const noexcept {
#if defined(__SSE2__)
        const auto m =
            static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v_, _mm_set1_epi8(c))));
#else
        std::uint32_t m = 0;
        for (unsigned k = 0; k < 16; ++k) {
            m |= static_cast<std::uint32_t>(p_[k] == c) << k;
        }
#endif
        return m >> skip_;
    }

  private:
    std::size_t from_;
    unsigned skip_;
    const char* p_;
#if defined(__SSE2__)
    __m128i v_;
#endif
};

/// Calls `f(i)` for each position `i` of byte `c` in `s`, first to last, until `f` returns true;
/// returns whether one did. For bytes that come a few to a line (the slashes of addresses with
/// ports): the line is read 32 bytes at a time, where `memchr` would be called once per byte
/// found.
template <typename F>
bool any_position_of(std::string_view s, char c, F&& f) {
    const char* const p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i wanted = _mm_set1_epi8(c);
        const auto mask16 = [p, wanted](std::size_t at) {
            const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
            return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, wanted)));
        };
        for (; i + 32 <= n; i += 32) {
            for (std::uint32_t m = mask16(i) | mask16(i + 16) << 16U; m != 0; m &= m - 1) {
                if (f(i + static_cast<std::size_t>(std::countr_zero(m)))) {
                    return true;
                }
            }
        }
        // Fewer than 32 bytes left: a block from `i`, and one that ends where `s` does, its
        // bytes before `i` (read already) shifted out.
        for (; i < n; i += 16) {
            const std::size_t at = i + 16 <= n ? i : n - 16;
            for (std::uint32_t m = mask16(at) >> (i - at); m != 0; m &= m - 1) {
                if (f(i + static_cast<std::size_t>(std::countr_zero(m)))) {
                    return true;
                }
            }
        }
        return false;
    }
#endif
    while (i < n) {
        const void* hit = std::memchr(p + i, c, n - i);
        if (hit == nullptr) {
            return false;
        }
        const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - p);
        if (f(at)) {
            return true;
        }
        i = at + 1;
    }
    return false;
}

}  // namespace ikewatch::text
