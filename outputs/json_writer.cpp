#include "outputs/json_writer.hpp"

#include <algorithm>
#include <array>
#include <bit>
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

void append_escape(std::string& out, char32_t c) {
    static constexpr std::string_view hex = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out += hex[(c >> shift) & 0xFu];
    }
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

// The first position from `i` on whose byte is not plain, or s.size().
std::size_t skip_plain(std::string_view s, std::size_t i) noexcept {
#if defined(__SSE2__)
    // Sixteen bytes at a time: as signed bytes, every control and every non-ASCII byte is below
    // 0x20; the others that need care are three exact values.
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i del = _mm_set1_epi8(0x7F);
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const __m128i care =
            _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, quote)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, backslash), _mm_cmpeq_epi8(x, del)));
        if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(care)); mask != 0) {
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

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    const std::size_t first_care = skip_plain(s, 0);
    if (constexpr std::size_t quoted_at_once = 256;
        first_care == s.size() && s.size() + 2 <= quoted_at_once) {
        // The usual string: plain and short, quoted here and appended in one copy.
        std::array<char, quoted_at_once> quoted;  // NOLINT(cppcoreguidelines-pro-type-member-init)
        quoted[0] = '"';
        s.copy(quoted.data() + 1, s.size());
        quoted[s.size() + 1] = '"';
        out.append(quoted.data(), s.size() + 2);
        return;
    }
    out += '"';
    std::size_t plain = 0;  // s[plain, i) is appended as it is
    auto flush = [&](std::size_t i) { out.append(s.substr(plain, i - plain)); };
    for (std::size_t i = first_care; i < s.size(); i = skip_plain(s, i)) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            flush(i);
            switch (b) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    append_escape(out, b);  // other C0 controls, DEL
            }
            plain = ++i;
            continue;
        }
        const utf8_step c = next_char(s, i);
        if (!c.valid || text::is_layout_control(c.code)) {
            flush(i);
            if (c.valid) {
                append_escape(out, c.code);
            } else {
                out += replacement;
            }
            plain = i + c.size;
        }
        i += c.size;
    }
    flush(s.size());
    out += '"';
}

void json_writer::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_) {
        out_ += ',';
    }
    first_ = false;
}

void json_writer::open(char c) {
    separate();
    out_ += c;
    first_ = true;
}

void json_writer::close(char c) {
    out_ += c;
    first_ = false;
}

void json_writer::key(json_key k) {
    out_.append(first_ ? k.first() : k.after_value());  // a key never follows a key
    first_ = false;
    after_key_ = true;
}

void json_writer::string(std::string_view s) {
    separate();
    append_json_string(out_, s);
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
    out_ += std::to_string(v);
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
    out_ += v ? "true" : "false";
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
    out_ += times_->quoted(t);  // quoted, so that it goes out in one copy
}

void json_writer::null() {
    separate();
    out_ += "null";
}

}  // namespace ikewatch::outputs
