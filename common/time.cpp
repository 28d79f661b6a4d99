#include "common/time.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace ikewatch {

namespace {

// Inverse of days_from_civil (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(year + (m <= 2 ? 1 : 0));
}

}  // namespace

void write_clock(micros in_day, char* out) noexcept {
    auto seconds = static_cast<unsigned>(in_day / micros_per_second);
    const auto millis = static_cast<unsigned>(in_day % micros_per_second / 1000);
    const auto two = [](char* at, unsigned v) {
        at[0] = static_cast<char>('0' + v / 10);
        at[1] = static_cast<char>('0' + v % 10);
    };
    two(out, seconds / 3600);
    out[2] = ':';
    seconds %= 3600;
    two(out + 3, seconds / 60);
    out[5] = ':';
    two(out + 6, seconds % 60);
    out[8] = '.';
    out[9] = static_cast<char>('0' + millis / 100);
    two(out + 10, millis % 100);
}

civil_time to_civil(micros t) noexcept {
    const day_time split = split_day(t);
    civil_time c{};
    civil_from_days(split.day, c.year, c.month, c.day);
    const auto secs = static_cast<unsigned>(split.in_day / micros_per_second);
    c.hour = secs / 3600;
    c.minute = secs / 60 % 60;
    c.second = secs % 60;
    c.microsecond = static_cast<unsigned>(split.in_day % micros_per_second);
    return c;
}

micros from_civil(const civil_time& c) noexcept {
    const std::int64_t days = days_from_civil(c.year, c.month, c.day);
    const std::int64_t secs = days * 86400 + c.hour * 3600LL + c.minute * 60LL + c.second;
    return secs * micros_per_second + c.microsecond;
}

std::string_view format_rfc3339(micros t, std::array<char, 32>& out) noexcept {
    const civil_time c = to_civil(t);
    if (c.year >= 0 && c.year <= 9999) {
        // `2026-06-01T12:00:00.000Z`, digit by digit: written once per timestamp of every alert.
        char* p = out.data();
        auto put = [&p](unsigned v, int width) {
            for (int i = width - 1; i >= 0; --i) {
                p[i] = static_cast<char>('0' + v % 10);
                v /= 10;
            }
            p += width;
        };
        put(static_cast<unsigned>(c.year), 4);
        *p++ = '-';
        put(c.month, 2);
        *p++ = '-';
        put(c.day, 2);
        *p++ = 'T';
        write_clock(split_day(t).in_day, p);
        p += clock_size;
        *p++ = 'Z';
        return {out.data(), static_cast<std::size_t>(p - out.data())};
    }
    const int n =
        std::snprintf(out.data(), out.size(), "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year,
                      c.month, c.day, c.hour, c.minute, c.second, c.microsecond / 1000);
    return {out.data(), n > 0 ? static_cast<std::size_t>(n) : 0};
}

std::string rfc3339(micros t) {
    std::array<char, 32> buf{};
    return std::string(format_rfc3339(t, buf));
}

bool parse_duration(std::string_view text, micros& out) noexcept {
    if (text.empty()) {
        return false;
    }
    std::uint64_t number = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, number);
    if (ec != std::errc{} || ptr == text.data()) {
        return false;
    }
    const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    micros scale = 0;
    if (unit.empty() || unit == "s") {
        scale = micros_per_second;
    } else if (unit == "ms") {
        scale = 1000;
    } else if (unit == "m") {
        scale = 60 * micros_per_second;
    } else if (unit == "h") {
        scale = 3600 * micros_per_second;
    } else if (unit == "d") {
        scale = micros_per_day;
    } else {
        return false;
    }
    // At most a century, whatever the unit.
    constexpr micros limit = 100LL * 365 * micros_per_day;
    if (number > static_cast<std::uint64_t>(limit / scale)) {
        return false;
    }
    out = static_cast<micros>(number) * scale;
    return true;
}

void append_duration(std::string& out, micros d) {
    const std::int64_t s = std::max<micros>(d, 0) / micros_per_second;
    // The largest unit reached, then the next one down in two digits.
    std::int64_t large = s;
    char large_unit = 's';
    std::int64_t small = 0;
    char small_unit = 0;
    if (s >= 86400) {
        large = s / 86400;
        large_unit = 'd';
        small = s / 3600 % 24;
        small_unit = 'h';
    } else if (s >= 3600) {
        large = s / 3600;
        large_unit = 'h';
        small = s / 60 % 60;
        small_unit = 'm';
    } else if (s >= 60) {
        large = s / 60;
        large_unit = 'm';
        small = s % 60;
        small_unit = 's';
    }
    std::array<char, 32> buf{};
    char* p = std::to_chars(buf.data(), buf.data() + 24, large).ptr;
    *p++ = large_unit;
    if (small_unit != 0) {
        *p++ = static_cast<char>('0' + small / 10);
        *p++ = static_cast<char>('0' + small % 10);
        *p++ = small_unit;
    }
    out.append(buf.data(), p);
}

std::string format_duration(micros d) {
    std::string out;
    append_duration(out, d);
    return out;
}

}  // namespace ikewatch
