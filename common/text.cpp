#include "common/text.hpp"

#include <algorithm>
#include <cstring>

namespace ikewatch::text {

std::size_t find(std::string_view hay, std::string_view needle, std::size_t from) noexcept {
    if (from > hay.size() || needle.size() > hay.size() - from) {
        return std::string_view::npos;
    }
    if (needle.empty()) {
        return from;
    }
    // Anchor on the first character that is not a space: spaces are everywhere in log text,
    // so searching for them first costs one memchr call per word.
    std::size_t k = 0;
    while (k + 1 < needle.size() && needle[k] == ' ') {
        ++k;
    }
    const char anchor = needle[k];
    const char* base = hay.data();
    const char* p = base + from + k;
    const char* last = base + hay.size() - (needle.size() - k);  // last position of the anchor
    while (p <= last) {
        const void* hit = std::memchr(p, anchor, static_cast<std::size_t>(last - p) + 1);
        if (hit == nullptr) {
            return std::string_view::npos;
        }
        const char* h = static_cast<const char*>(hit);
        // Most anchor hits are false: the last character settles them without a call.
        if (h[needle.size() - 1 - k] == needle.back() &&
            std::memcmp(h - k, needle.data(), needle.size() - 1) == 0) {
            return static_cast<std::size_t>(h - k - base);
        }
        p = h + 1;
    }
    return std::string_view::npos;
}

std::size_t ifind(std::string_view hay, std::string_view needle) noexcept {
    if (needle.empty()) {
        return 0;
    }
    if (needle.size() > hay.size()) {
        return std::string_view::npos;
    }
    const char first = to_lower(needle.front());
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (to_lower(hay[i]) == first && iequals(hay.substr(i, needle.size()), needle)) {
            return i;
        }
    }
    return std::string_view::npos;
}

std::optional<std::uint64_t> hex_to_number(std::string_view s) noexcept {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
    }
    if (s.empty() || s.size() > 16) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

std::string_view value_after(std::string_view s, std::string_view prefix,
                             std::string_view stop) noexcept {
    const std::size_t at = find(s, prefix);
    if (at == std::string_view::npos) {
        return {};
    }
    const std::string_view rest = s.substr(at + prefix.size());
    // A scan, not find_first_of: that searches `stop` once per character of `rest`. Stop sets
    // are one or two characters but for a few; those get a loop without the inner search.
    std::size_t end = 0;
    if (stop.size() == 1) {
        end = rest.find(stop[0]);
    } else if (stop.size() == 2) {
        const char a = stop[0];
        const char b = stop[1];
        while (end < rest.size() && rest[end] != a && rest[end] != b) {
            ++end;
        }
    } else {
        while (end < rest.size() && std::find(stop.begin(), stop.end(), rest[end]) == stop.end()) {
            ++end;
        }
    }
    return rest.substr(0, end);
}

std::string_view next_token(std::string_view s, std::string_view& rest) noexcept {
    s = ltrim(s);
    std::size_t end = 0;
    while (end < s.size() && !is_space(s[end])) {
        ++end;
    }
    rest = ltrim(s.substr(end));
    return s.substr(0, end);
}

utf8_char utf8_decode(std::string_view s) noexcept {
    if (s.empty()) {
        return {};
    }
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(0);
    if (b0 < 0x80) {
        return {b0, 1};
    }
    // Lead byte: length and the range the code point must fall in (no overlong forms).
    std::size_t n = 0;
    char32_t code = 0;
    char32_t min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2;
        code = b0 & 0x1fU;
        min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3;
        code = b0 & 0x0fU;
        min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4;
        code = b0 & 0x07U;
        min = 0x10000;
    } else {
        return {};
    }
    if (s.size() < n) {
        return {};
    }
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xc0U) != 0x80) {
            return {};
        }
        code = (code << 6) | (byte(i) & 0x3fU);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return {};
    }
    return {code, n};
}

}  // namespace ikewatch::text
