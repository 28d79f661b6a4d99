#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace ikewatch::text {

/// The word of type T at `p`, which need not be aligned.
template <typename T>
[[nodiscard]] inline T load_word(const char* p) noexcept {
    T v{};
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// The first bytes of `s` (at most four) as a little-endian word: what load_word reads there on
/// this machine, as a constant to compare with (`load_word<std::uint32_t>(p) == word_of("ASA-")`).
[[nodiscard]] constexpr std::uint32_t word_of(std::string_view s) noexcept {
    std::uint32_t w = 0;
    for (std::size_t i = 0; i < s.size() && i < 4; ++i) {
        w |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    }
    return w;
}

[[nodiscard]] constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
[[nodiscard]] constexpr bool is_upper(char c) noexcept {
    return c >= 'A' && c <= 'Z';
}
[[nodiscard]] constexpr bool is_lower(char c) noexcept {
    return c >= 'a' && c <= 'z';
}
[[nodiscard]] constexpr bool is_alpha(char c) noexcept {
    return is_upper(c) || is_lower(c);
}
[[nodiscard]] constexpr bool is_alnum(char c) noexcept {
    return is_alpha(c) || is_digit(c);
}
[[nodiscard]] constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}
[[nodiscard]] constexpr bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
/// True when `s` is one or more ASCII digits.
[[nodiscard]] constexpr bool all_digits(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (const char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}
[[nodiscard]] constexpr char to_lower(char c) noexcept {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] constexpr char to_upper(char c) noexcept {
    return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}

/// Removes spaces and tabs (and a trailing CR) from both ends.
[[nodiscard]] constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\r' || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

[[nodiscard]] constexpr std::string_view ltrim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    return s;
}

[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) {
            return false;
        }
    }
    return true;
}

/// `s.starts_with(prefix)` without the bounds-checked `substr` and call it costs on hot paths.
[[nodiscard]] constexpr bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return prefix.size() <= s.size() &&
           std::char_traits<char>::compare(s.data(), prefix.data(), prefix.size()) == 0;
}

[[nodiscard]] constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// Substring search that anchors on the needle's first non-space character (string_view::find
/// anchors on the first character, and log text is full of spaces); npos when absent.
[[nodiscard]] std::size_t find(std::string_view hay, std::string_view needle,
                               std::size_t from = 0) noexcept;

/// Case-insensitive search; returns npos when absent.
[[nodiscard]] std::size_t ifind(std::string_view hay, std::string_view needle) noexcept;

/// Parses an unsigned decimal number that spans the whole of `s`.
template <typename T>
[[nodiscard]] std::optional<T> to_number(std::string_view s) noexcept {
    T value{};
    if (s.empty()) {
        return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

/// Parses a hexadecimal number (optional 0x prefix) spanning the whole of `s`.
[[nodiscard]] std::optional<std::uint64_t> hex_to_number(std::string_view s) noexcept;

/// The text after `prefix` up to (not including) the first of `stop` characters, or to the end.
/// Returns an empty view when `prefix` is absent. The view points into `s`.
[[nodiscard]] std::string_view value_after(std::string_view s, std::string_view prefix,
                                           std::string_view stop) noexcept;

/// Splits off the first token delimited by spaces; `rest` receives what follows (left-trimmed).
[[nodiscard]] std::string_view next_token(std::string_view s, std::string_view& rest) noexcept;

/// The longest prefix of `s` of at most `max` bytes that does not end inside a UTF-8 sequence
/// (for cutting untrusted text to a bound without making a broken character of its end).
[[nodiscard]] constexpr std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
    if (s.size() <= max) {
        return s;
    }
    std::size_t n = max;
    // Back off over at most three continuation bytes to the start of their sequence.
    for (int i = 0; i < 3 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0U) == 0x80; ++i) {
        --n;
    }
    return s.substr(0, n);
}

/// One UTF-8 sequence at the start of `s`: its code point and its length in bytes; `size` is 0
/// when the bytes there are not well-formed UTF-8 (a stray continuation byte, an overlong form,
/// a surrogate, a code point beyond U+10FFFF, a sequence cut short).
struct utf8_char {
    char32_t code = 0;
    std::size_t size = 0;
};
[[nodiscard]] utf8_char utf8_decode(std::string_view s) noexcept;

/// Code points that change how text is laid out or read when it is shown, rather than being
/// shown: the C0 controls (newline, CR, ESC…), DEL, the C1 controls (U+0080–U+009F: NEL, CSI,
/// OSC, which some terminals obey), the line and paragraph separators (U+2028, U+2029) and the
/// bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069),
/// which reorder what is displayed. Log text must never reach a person with these raw.
[[nodiscard]] constexpr bool is_layout_control(char32_t c) noexcept {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x061c ||
           c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

}  // namespace ikewatch::text
