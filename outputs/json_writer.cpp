#include "outputs/json_writer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/text.hpp"

namespace ikewatch::outputs {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

struct utf8_step {
    std::size_t size;  ///< bytes taken: the whole character, or the invalid prefix to replace
    bool valid;
    char32_t code;
};

// The character at s[i]. An invalid sequence is replaced by one U+FFFD per maximal prefix of a
// well-formed sequence (or per byte that starts none): the substitution RFC 3629 decoders and
// the JSON library use, so that both writers give the same bytes.
utf8_step next_char(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    char32_t code = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        code = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        code = b0 & 0x0Fu;
        lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        code = b0 & 0x07u;
        lo = b0 == 0xF0 ? 0x90 : 0x80;
        hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    } else {
        return {1, false, 0};
    }
    for (std::size_t k = 1; k < len; ++k) {
        if (i + k >= s.size()) {
            return {k, false, 0};
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < lo || b > hi) {
            return {k, false, 0};
        }
        code = (code << 6) | (b & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    return {len, true, code};
}

void put_escape(json_writer& out, char32_t c) {
    static constexpr std::string_view hex = "0123456789abcdef";
    const std::array<char, 6> e = {
        '\\',         'u', hex[(c >> 12) & 0xFu], hex[(c >> 8) & 0xFu], hex[(c >> 4) & 0xFu],
        hex[c & 0xFu]};
    out.raw(std::string_view(e.data(), e.size()));
}

// Bytes that are copied as they are, as a table.
constexpr std::array<bool, 256> plain_bytes = [] {
    std::array<bool, 256> t{};
    for (unsigned b = 0; b < t.size(); ++b) {
        t[b] = json_plain_byte(static_cast<unsigned char>(b));
    }
    return t;
}();

// Whether any of the 8 bytes at p is not plain (SWAR: a control, DEL, `"`, `\` or non-ASCII).
bool word_needs_care(const char* p) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::uint64_t x = 0;
    std::memcpy(&x, p, sizeof x);
    auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t below_space = (x - ones * 0x20) & ~x & highs;
    return ((x & highs) | below_space | zero_byte(x ^ (ones * '"')) | zero_byte(x ^ (ones * '\\')) |
            zero_byte(x ^ (ones * 0x7F))) != 0;
}

#if defined(__SSE2__)
// Bit k set when byte k of the sixteen at p needs care. As signed bytes, b + 1 is below 0x21
// exactly for the C0 controls, DEL (0x7F + 1 wraps to -128) and every non-ASCII byte; `"` and
// `\` are the other two.
unsigned care_mask16(const char* p) noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i low = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x21));
    const __m128i marks =
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, marks)));
}
#endif

// The first position from `i` on whose byte is not plain, or s.size().
std::size_t skip_plain(std::string_view s, std::size_t i) noexcept {
#if defined(__SSE2__)
    for (; i + 16 <= s.size(); i += 16) {
        if (const unsigned mask = care_mask16(s.data() + i); mask != 0) {
            return i + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    for (; i + 8 <= s.size() && !word_needs_care(s.data() + i); i += 8) {
    }
    while (i < s.size() && plain_bytes[static_cast<unsigned char>(s[i])]) {
        ++i;
    }
    return i;
}

// The first byte of the n at p that needs care, or n; p may be read up to 15 bytes past n.
std::size_t first_care_padded(const char* p, std::size_t n) noexcept {
#if defined(__SSE2__)
    for (std::size_t i = 0; i < n; i += 16) {
        unsigned mask = care_mask16(p + i);
        if (n - i < 16) {
            mask &= (1U << (n - i)) - 1;
        }
        if (mask != 0) {
            return i + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
    return n;
#else
    return skip_plain(std::string_view(p, n), 0);
#endif
}

// `s` quoted and escaped; plain runs go out as they are.
void put_json_string(json_writer& out, std::string_view s, std::size_t first_care) {
    out.raw('"');
    std::size_t plain = 0;  // s[plain, i) goes out as it is
    auto flush = [&](std::size_t i) { out.raw(s.substr(plain, i - plain)); };
    for (std::size_t i = first_care; i < s.size(); i = skip_plain(s, i)) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            flush(i);
            switch (b) {
                case '"':
                    out.raw("\\\"");
                    break;
                case '\\':
                    out.raw("\\\\");
                    break;
                case '\b':
                    out.raw("\\b");
                    break;
                case '\f':
                    out.raw("\\f");
                    break;
                case '\n':
                    out.raw("\\n");
                    break;
                case '\r':
                    out.raw("\\r");
                    break;
                case '\t':
                    out.raw("\\t");
                    break;
                default:
                    put_escape(out, b);  // other C0 controls, DEL
            }
            plain = ++i;
            continue;
        }
        const utf8_step c = next_char(s, i);
        if (!c.valid || text::is_layout_control(c.code)) {
            flush(i);
            if (c.valid) {
                put_escape(out, c.code);
            } else {
                out.raw(replacement);
            }
            plain = i + c.size;
        }
        i += c.size;
    }
    flush(s.size());
    out.raw('"');
}

}  // namespace

void json_writer::raw(std::string_view s) {
    if (s.size() <= buffer_size) {
        if (!s.empty()) {  // an empty view may hold no pointer, which memcpy must not get
            std::memcpy(room(s.size()), s.data(), s.size());
            used_ += s.size();
        }
        return;
    }
    flush();
    out_.append(s);
}

void json_writer::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_) {
        raw(',');
    }
    first_ = false;
}

void json_writer::open(char c) {
    separate();
    raw(c);
    first_ = true;
    ++depth_;
}

void json_writer::close(char c) {
    raw(c);
    first_ = false;
    --depth_;
    done();
}

void json_writer::string(std::string_view s) {
    separate();
    std::size_t first_care = 0;
    if (s.size() + 2 <= buffer_size) {
        // The usual string, plain: copied into the buffer, and read there for bytes that need
        // care, sixteen at a time (the buffer's slack takes the reads past its end). It stays
        // when there are none.
        char* at = room(s.size() + 2);
        if (!s.empty()) {
            std::memcpy(at + 1, s.data(), s.size());
        }
        first_care = first_care_padded(at + 1, s.size());
        if (first_care == s.size()) {
            at[0] = '"';
            at[s.size() + 1] = '"';
            used_ += s.size() + 2;
            done();
            return;
        }
    } else {
        first_care = skip_plain(s, 0);
    }
    put_json_string(*this, s, first_care);
    done();
}

void json_writer::string_or_null(std::string_view s) {
    if (s.empty()) {
        null();
    } else {
        string(s);
    }
}

void json_writer::number(std::int64_t v) {
    separate();
    constexpr std::size_t longest = 20;  // -9223372036854775808
    char* at = room(longest);
    used_ += static_cast<std::size_t>(std::to_chars(at, at + longest, v).ptr - at);
    done();
}

void json_writer::number_or_null(std::int64_t v) {
    if (v == 0) {
        null();
    } else {
        number(v);
    }
}

void json_writer::boolean(bool v) {
    separate();
    raw(v ? std::string_view("true") : std::string_view("false"));
    done();
}

std::string_view json_time_memo::quoted(micros t) noexcept {
    if (const day_text& d = days_[last_]; d.size != 0 && d.time == t) {
        return {d.text.data(), d.size};
    }
    const day_time split = split_day(t);
    // `"YYYY-MM-DDTHH:MM:SS.mmmZ"`: a time of a day remembered changes the clock only.
    constexpr std::size_t quoted_size = 26;
    constexpr std::size_t clock_at = 12;
    for (std::size_t i = 0; i < days_.size(); ++i) {
        day_text& d = days_[i];
        if (d.size == quoted_size && d.day == split.day) {
            if (d.time != t) {
                write_clock(split.in_day, d.text.data() + clock_at);
                d.time = t;
            }
            last_ = i;
            return {d.text.data(), d.size};
        }
    }
    // A day not remembered takes the place of the one written longer ago.
    last_ = days_[last_].size == 0 ? last_ : 1 - last_;
    day_text& d = days_[last_];
    std::array<char, 32> text{};
    const std::string_view written = format_rfc3339(t, text);
    d.text[0] = '"';
    written.copy(d.text.data() + 1, d.text.size() - 2);
    d.size = std::min(written.size(), d.text.size() - 2) + 2;
    d.text[d.size - 1] = '"';
    d.day = split.day;
    d.time = t;
    return {d.text.data(), d.size};
}

void json_writer::timestamp(micros t) {
    separate();
    raw(times_->quoted(t));  // quoted, so that it goes out in one copy
    done();
}

void json_writer::null() {
    separate();
    raw("null");
    done();
}

}  // namespace ikewatch::outputs
