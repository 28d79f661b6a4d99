#include "parsers/header_time_parser.hpp"

#include <array>
#include <bit>
#include <cstdint>

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

using text::is_alpha;
using text::is_digit;

struct zone_entry {
    std::string_view name;
    int hours_x4;  // quarter hours, so +5:30 style zones fit
};

constexpr std::array<zone_entry, 30> zones{{
    {"UTC", 0},   {"GMT", 0},   {"Z", 0},     {"UT", 0},    {"WET", 0},   {"WEST", 4},
    {"BST", 4},   {"CET", 4},   {"CEST", 8},  {"MET", 4},   {"MEST", 8},  {"EET", 8},
    {"EEST", 12}, {"MSK", 12},  {"IST", 22},  {"SGT", 32},  {"HKT", 32},  {"JST", 36},
    {"AEST", 40}, {"AEDT", 44}, {"NZST", 48}, {"NZDT", 52}, {"EST", -20}, {"EDT", -16},
    {"CST", -24}, {"CDT", -20}, {"MST", -28}, {"MDT", -24}, {"PST", -32}, {"PDT", -28},
}};

// The three letters of a month name packed into one number, in lower case: setting bit 5 lowers
// a letter and makes no other byte equal to a lower-case letter.
constexpr unsigned month_key(unsigned char a, unsigned char b, unsigned char c) noexcept {
    return (a | 0x20U) << 16 | (b | 0x20U) << 8 | (c | 0x20U);
}

// Multiplying a month's key by this and keeping the top five bits gives each of the twelve
// months its own place in a table of 32.
constexpr std::uint32_t month_multiplier = 418435;
constexpr unsigned month_place(unsigned key) noexcept {
    return static_cast<std::uint32_t>(key * month_multiplier) >> 27;
}

struct month_entry {
    unsigned key = 0;
    int month = 0;
};
constexpr auto month_table = [] {
    constexpr std::array<const char*, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
    std::array<month_entry, 32> t{};
    for (std::size_t m = 0; m < names.size(); ++m) {
        const char* n = names[m];
        const unsigned key =
            month_key(static_cast<unsigned char>(n[0]), static_cast<unsigned char>(n[1]),
                      static_cast<unsigned char>(n[2]));
        t[month_place(key)] = {key, static_cast<int>(m + 1)};
    }
    return t;
}();
static_assert(
    [] {
        int placed = 0;
        for (const month_entry& e : month_table) {
            placed += e.month != 0 ? 1 : 0;
        }
        return placed == 12;
    }(),
    "two months share a place in month_table");

// Month from its three-letter English abbreviation, any letter case; 0 when not a month.
[[gnu::always_inline]] inline int month_index(std::string_view s) noexcept {
    if (s.size() < 3) {
        return 0;
    }
    const unsigned key =
        month_key(static_cast<unsigned char>(s[0]), static_cast<unsigned char>(s[1]),
                  static_cast<unsigned char>(s[2]));
    const month_entry& e = month_table[month_place(key)];
    return e.key == key ? e.month : 0;
}

// Reads exactly `n` digits at s[pos]; advances pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& value) noexcept {
    if (pos + n > s.size()) {
        return false;
    }
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (!is_digit(c)) {
            return false;
        }
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    value = v;
    pos += n;
    return true;
}

// Reads 1 or 2 digits.
bool digits12(std::string_view s, std::size_t& pos, unsigned& value) noexcept {
    if (pos < s.size() && is_digit(s[pos])) {
        if (pos + 1 < s.size() && is_digit(s[pos + 1])) {
            return digits(s, pos, 2, value);
        }
        return digits(s, pos, 1, value);
    }
    return false;
}

void skip_spaces(std::string_view s, std::size_t& pos) noexcept {
    while (pos < s.size() && s[pos] == ' ') {
        ++pos;
    }
}

// HH:MM:SS[.frac]
bool clock_part(std::string_view s, std::size_t& pos, header_time& t) noexcept {
    unsigned h = 0;
    unsigned m = 0;
    unsigned sec = 0;
    if (!digits12(s, pos, h) || pos >= s.size() || s[pos] != ':') {
        return false;
    }
    ++pos;
    if (!digits(s, pos, 2, m) || pos >= s.size() || s[pos] != ':') {
        return false;
    }
    ++pos;
    if (!digits(s, pos, 2, sec) || h > 23 || m > 59 || sec > 60) {
        return false;
    }
    t.hour = static_cast<std::uint8_t>(h);
    t.minute = static_cast<std::uint8_t>(m);
    t.second = static_cast<std::uint8_t>(sec > 59 ? 59 : sec);
    if (pos + 1 < s.size() && s[pos] == '.' && is_digit(s[pos + 1])) {
        ++pos;
        unsigned frac = 0;
        std::size_t n = 0;
        while (pos < s.size() && is_digit(s[pos])) {
            if (n < 6) {
                frac = frac * 10 + static_cast<unsigned>(s[pos] - '0');
            }
            ++n;
            ++pos;
        }
        for (std::size_t i = n; i < 6; ++i) {
            frac *= 10;
        }
        t.microsecond = frac;
    }
    return true;
}

bool valid_date(unsigned month, unsigned day) noexcept {
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// `Mon D[D] [YYYY] HH:MM:SS`
bool legacy(std::string_view s, std::size_t& pos, header_time& t) noexcept {
    const int month = month_index(s.substr(pos));
    if (month == 0 || pos + 3 >= s.size() || s[pos + 3] != ' ') {
        return false;
    }
    pos += 3;
    skip_spaces(s, pos);
    unsigned day = 0;
    if (!digits12(s, pos, day) || pos >= s.size() || s[pos] != ' ') {
        return false;
    }
    skip_spaces(s, pos);
    // Optional year: four digits followed by a space.
    std::size_t probe = pos;
    unsigned year = 0;
    if (digits(s, probe, 4, year) && probe < s.size() && s[probe] == ' ') {
        pos = probe;
        skip_spaces(s, pos);
        t.has_year = true;
        t.year = static_cast<std::int16_t>(year);
    }
    if (!valid_date(static_cast<unsigned>(month), day) || !clock_part(s, pos, t)) {
        return false;
    }
    t.month = static_cast<std::uint8_t>(month);
    t.day = static_cast<std::uint8_t>(day);
    return true;
}

// `YYYY Mon DD HH:MM:SS`
bool year_first(std::string_view s, std::size_t& pos, header_time& t) noexcept {
    unsigned year = 0;
    if (!digits(s, pos, 4, year) || pos >= s.size() || s[pos] != ' ') {
        return false;
    }
    skip_spaces(s, pos);
    const int month = month_index(s.substr(pos));
    if (month == 0 || pos + 3 >= s.size() || s[pos + 3] != ' ') {
        return false;
    }
    pos += 3;
    skip_spaces(s, pos);
    unsigned day = 0;
    if (!digits12(s, pos, day) || pos >= s.size() || s[pos] != ' ') {
        return false;
    }
    skip_spaces(s, pos);
    if (!valid_date(static_cast<unsigned>(month), day) || !clock_part(s, pos, t)) {
        return false;
    }
    t.has_year = true;
    t.year = static_cast<std::int16_t>(year);
    t.month = static_cast<std::uint8_t>(month);
    t.day = static_cast<std::uint8_t>(day);
    return true;
}

// `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH[:]MM]`
bool iso(std::string_view s, std::size_t& pos, header_time& t) noexcept {
    unsigned year = 0;
    unsigned month = 0;
    unsigned day = 0;
    if (!digits(s, pos, 4, year) || pos >= s.size() || s[pos] != '-') {
        return false;
    }
    ++pos;
    if (!digits(s, pos, 2, month) || pos >= s.size() || s[pos] != '-') {
        return false;
    }
    ++pos;
    if (!digits(s, pos, 2, day) || pos >= s.size() || (s[pos] != 'T' && s[pos] != ' ')) {
        return false;
    }
    ++pos;
    if (!valid_date(month, day) || !clock_part(s, pos, t)) {
        return false;
    }
    t.has_year = true;
    t.year = static_cast<std::int16_t>(year);
    t.month = static_cast<std::uint8_t>(month);
    t.day = static_cast<std::uint8_t>(day);
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
        t.has_offset = true;
        t.offset_seconds = 0;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '-' ? -1 : 1;
        std::size_t p = pos + 1;
        unsigned oh = 0;
        unsigned om = 0;
        if (digits(s, p, 2, oh)) {
            if (p < s.size() && s[p] == ':') {
                ++p;
            }
            if (digits(s, p, 2, om) && oh <= 14 && om <= 59) {
                pos = p;
                t.has_offset = true;
                t.offset_seconds = sign * static_cast<int>(oh * 3600 + om * 60);
            }
        }
    }
    return true;
}

// IOS uptime: `HH:MM:SS:` or `1d02h:` / `2y10w:` / `3w4d:`.
bool uptime(std::string_view s, std::size_t& pos, header_time& t) noexcept {
    std::size_t p = pos;
    header_time tmp;
    if (clock_part(s, p, tmp) && p < s.size() && s[p] == ':') {
        pos = p;
        t.uptime_only = true;
        // Time since boot, kept so that lines of a device without a calendar clock still show
        // how long apart they are.
        t.hour = tmp.hour;
        t.minute = tmp.minute;
        t.second = tmp.second;
        t.microsecond = tmp.microsecond;
        return true;
    }
    p = pos;
    int groups = 0;
    while (groups < 2) {
        const std::size_t start = p;
        while (p < s.size() && is_digit(s[p]) && p - start < 4) {
            ++p;
        }
        if (p == start || p >= s.size()) {
            return false;
        }
        const char unit = s[p];
        if (unit != 'y' && unit != 'w' && unit != 'd' && unit != 'h') {
            return false;
        }
        ++p;
        ++groups;
    }
    if (p >= s.size() || s[p] != ':') {
        return false;
    }
    pos = p;
    t.uptime_only = true;
    return true;
}

// A zone token after the clock: letters, optionally `±H[H][:MM]`.
std::size_t zone_token(std::string_view s, std::size_t pos, header_time& t) noexcept {
    std::size_t p = pos;
    while (p < s.size() && is_alpha(s[p]) && p - pos < 5) {
        ++p;
    }
    if (p == pos) {
        return 0;
    }
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        std::size_t q = p + 1;
        while (q < s.size() && (is_digit(s[q]) || s[q] == ':') && q - p < 6) {
            ++q;
        }
        if (s[q - 1] == ':') {  // the header's own separator, not part of the offset
            --q;
        }
        p = q;
    }
    // The token must end the header element: a colon or a space must follow.
    if (p < s.size() && s[p] != ':' && s[p] != ' ') {
        return 0;
    }
    const std::string_view zone = s.substr(pos, p - pos);
    int offset = 0;
    if (!zone_offset(zone, offset)) {
        return 0;
    }
    t.zone = zone;
    t.has_offset = true;
    t.offset_seconds = offset;
    return p - pos;
}

// The digit at s[p] as a number, 10 or more when it is none. Inlined by hand: left to itself
// the optimiser makes these calls, seven a line.
[[gnu::always_inline]] inline unsigned digit_at(std::string_view s, std::size_t p) noexcept {
    return static_cast<unsigned>(static_cast<unsigned char>(s[p])) - '0';
}
[[gnu::always_inline]] inline unsigned two_digits(std::string_view s, std::size_t p) noexcept {
    const unsigned hi = digit_at(s, p);
    const unsigned lo = digit_at(s, p + 1);
    return hi < 10 && lo < 10 ? hi * 10 + lo : 100;
}

// `HH:MM:SS` at `at`, read as one little-endian word of eight bytes: XOR with `00:00:00` turns
// the digits into their values and the colons into zero; adding 0x76 to a digit's byte (0x7F to
// a colon's) then sets the byte's top bit exactly when it held anything else.
bool clock_word(const char* at, unsigned& h, unsigned& m, unsigned& s) noexcept {
    static_assert(std::endian::native == std::endian::little);
    const auto w = text::load_word<std::uint64_t>(at);
    const std::uint64_t x = w ^ 0x30303A30303A3030ULL;
    if ((((x + 0x76767F76767F7676ULL) | x) & 0x8080808080808080ULL) != 0) {
        return false;
    }
    // Byte k of pairs: ten times digit k plus digit k + 1 (the colons are zero).
    const std::uint64_t pairs = x * 10 + (x >> 8);
    h = static_cast<unsigned>(pairs & 0xFF);
    m = static_cast<unsigned>((pairs >> 24) & 0xFF);
    s = static_cast<unsigned>((pairs >> 48) & 0xFF);
    return true;
}

}  // namespace

bool zone_offset(std::string_view zone, int& offset_seconds) noexcept {
    std::size_t letters = 0;
    while (letters < zone.size() && is_alpha(zone[letters])) {
        ++letters;
    }
    const std::string_view name = zone.substr(0, letters);
    const std::string_view rest = zone.substr(letters);
    for (const auto& z : zones) {
        if (!text::iequals(z.name, name)) {
            continue;
        }
        int offset = z.hours_x4 * 900;
        if (!rest.empty()) {
            if (!(text::iequals(name, "UTC") || text::iequals(name, "GMT")) || rest.size() < 2) {
                return false;
            }
            const int sign = rest[0] == '-' ? -1 : 1;
            std::size_t p = 1;
            unsigned h = 0;
            unsigned m = 0;
            if (!digits12(rest, p, h) || h > 14) {
                return false;
            }
            if (p < rest.size()) {
                if (rest[p] != ':') {
                    return false;
                }
                ++p;
                if (!digits(rest, p, 2, m) || m > 59 || p != rest.size()) {
                    return false;
                }
            }
            offset = sign * static_cast<int>(h * 3600 + m * 60);
        }
        offset_seconds = offset;
        return true;
    }
    return false;
}

std::size_t parse_fixed_stamp(std::string_view s, header_time& out) noexcept {
    if (s.size() < 15 || s[3] != ' ' || s[6] != ' ') {
        return 0;
    }
    const int month = month_index(s);
    const unsigned day =
        s[4] == ' ' ? (digit_at(s, 5) < 10 ? digit_at(s, 5) : 100) : two_digits(s, 4);
    if (month == 0 || !valid_date(static_cast<unsigned>(month), day)) {
        return 0;
    }
    std::size_t p = 7;
    unsigned year = 0;
    if (s.size() >= 20 && s[11] == ' ') {
        const unsigned hi = two_digits(s, 7);
        const unsigned lo = two_digits(s, 9);
        if (hi < 100 && lo < 100) {
            year = hi * 100 + lo;
            p = 12;
        }
    }
    if (p + 8 > s.size()) {
        return 0;
    }
    unsigned h = 0;
    unsigned m = 0;
    unsigned sec = 0;
    if (!clock_word(s.data() + p, h, m, sec) || h > 23 || m > 59 || sec > 60) {
        return 0;
    }
    p += 8;
    if (p < s.size() && s[p] == '.') {
        return 0;  // fractions: the general parser
    }
    out.present = true;
    out.has_year = p == 20;
    out.year = static_cast<std::int16_t>(year);
    out.month = static_cast<std::uint8_t>(month);
    out.day = static_cast<std::uint8_t>(day);
    out.hour = static_cast<std::uint8_t>(h);
    out.minute = static_cast<std::uint8_t>(m);
    out.second = static_cast<std::uint8_t>(sec > 59 ? 59 : sec);
    return p;
}

std::size_t fixed_stamp_memo::parse_and_keep(std::string_view s, header_time& out) noexcept {
    const std::size_t n = parse_fixed_stamp(s, out);
    if (n != 0 && s.size() > n) {
        words_[0] = text::load_word<std::uint64_t>(s.data());
        words_[1] = text::load_word<std::uint64_t>(s.data() + 8);
        words_[2] = text::load_word<std::uint64_t>(s.data() + n - 7);
        size_ = n;
        last_ = out;
    }
    return n;
}

std::size_t parse_header_time(std::string_view s, header_time& out) noexcept {
    std::size_t pos = 0;
    header_time t;
    if (pos < s.size() && (s[pos] == '*' || s[pos] == '.')) {
        t.unsynced = s[pos] == '*';
        ++pos;
    }
    if (pos >= s.size()) {
        return 0;
    }
    const std::size_t start = pos;
    bool matched = false;
    if (is_alpha(s[pos])) {
        matched = legacy(s, pos, t);
    } else if (is_digit(s[pos])) {
        matched = iso(s, pos, t);
        if (!matched) {
            pos = start;
            matched = year_first(s, pos, t);
        }
        if (!matched) {
            pos = start;
            matched = uptime(s, pos, t);
            if (matched) {
                t.present = true;
                out = t;
                return pos + 1;  // uptime always ends with its colon
            }
        }
    }
    if (!matched) {
        return 0;
    }
    t.present = true;
    // Optional zone after a space.
    if (pos + 1 < s.size() && s[pos] == ' ' && !t.has_offset) {
        const std::size_t n = zone_token(s, pos + 1, t);
        if (n > 0) {
            pos += 1 + n;
        }
    }
    // Optional colon, possibly after one space (`… 13:15:25 : %ASA`).
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
    }
    out = t;
    return pos;
}

bool parse_utc_offset(std::string_view text, int& seconds) {
    text = text::trim(text);
    if (text.empty()) {
        return false;
    }
    if (text[0] != '+' && text[0] != '-') {
        return zone_offset(text, seconds);
    }
    const int sign = text[0] == '-' ? -1 : 1;
    std::string_view rest = text.substr(1);
    std::string_view hours = rest;
    std::string_view minutes;
    if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
        hours = rest.substr(0, colon);
        minutes = rest.substr(colon + 1);
    } else if (rest.size() == 4) {
        hours = rest.substr(0, 2);
        minutes = rest.substr(2);
    }
    const auto h = text::to_number<int>(hours);
    const auto m = minutes.empty() ? std::optional<int>(0) : text::to_number<int>(minutes);
    if (!h || !m || *h > 14 || *m > 59) {
        return false;
    }
    seconds = sign * (*h * 3600 + *m * 60);
    return true;
}

}  // namespace ikewatch::parsers
