#include "common/time.hpp"

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

civil_time to_civil(micros t) noexcept {
    std::int64_t days = t / micros_per_day;
    micros rem = t % micros_per_day;
    if (rem < 0) {
        rem += micros_per_day;
        --days;
    }
    civil_time c{};
    civil_from_days(days, c.year, c.month, c.day);
    const auto secs = static_cast<unsigned>(rem / micros_per_second);
    c.hour = secs / 3600;
    c.minute = secs / 60 % 60;
    c.second = secs % 60;
    c.microsecond = static_cast<unsigned>(rem % micros_per_second);
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
        put(c.hour, 2);
        *p++ = ':';
        put(c.minute, 2);
        *p++ = ':';
        put(c.second, 2);
        *p++ = '.';
        put(c.microsecond / 1000, 3);
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

std::string format_duration(micros d) {
    if (d < 0) {
        d = 0;
    }
    std::int64_t s = d / micros_per_second;
    char buf[48];
    int n = 0;
    if (s < 60) {
        n = std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
    } else if (s < 3600) {
        n = std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                          static_cast<long long>(s % 60));
    } else if (s < 86400) {
        n = std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                          static_cast<long long>(s / 60 % 60));
    } else {
        n = std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(s / 86400),
                          static_cast<long long>(s / 3600 % 24));
    }
    return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

}  // namespace ikewatch
