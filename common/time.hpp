#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ikewatch {

/// Microseconds since the Unix epoch, UTC. All event and engine time uses this unit.
using micros = std::int64_t;

inline constexpr micros micros_per_second = 1'000'000;
inline constexpr micros micros_per_day = 86'400 * micros_per_second;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
[[nodiscard]] constexpr std::int64_t days_from_civil(int year, unsigned month,
                                                     unsigned day) noexcept {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3U : 9U)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil_time {
    int year;
    unsigned month;
    unsigned day;
    unsigned hour;
    unsigned minute;
    unsigned second;
    unsigned microsecond;
};

/// A UTC instant as whole days since 1970-01-01 (earlier ones negative) and the time into its day.
struct day_time {
    std::int64_t day;
    micros in_day;  ///< in [0, micros_per_day)
};
[[nodiscard]] constexpr day_time split_day(micros t) noexcept {
    std::int64_t day = t / micros_per_day;
    micros in_day = t % micros_per_day;
    if (in_day < 0) {
        in_day += micros_per_day;
        --day;
    }
    return {day, in_day};
}

/// The size of a clock written by `write_clock`.
inline constexpr std::size_t clock_size = 12;
/// Writes a time of day (`in_day` from `split_day`) as `HH:MM:SS.mmm` at `out`.
void write_clock(micros in_day, char* out) noexcept;

/// Splits a UTC instant into calendar fields.
[[nodiscard]] civil_time to_civil(micros t) noexcept;

/// The UTC instant of a calendar date and time (no time zone applied).
[[nodiscard]] micros from_civil(const civil_time& c) noexcept;

/// RFC 3339 in UTC with millisecond precision: `2010-05-23T13:15:25.000Z`.
/// Writes into `out` and returns a view of it.
[[nodiscard]] std::string_view format_rfc3339(micros t, std::array<char, 32>& out) noexcept;

/// Convenience owning form of format_rfc3339.
[[nodiscard]] std::string rfc3339(micros t);

/// Parses `30s`, `5m`, `2h`, `1d`, `250ms` or a bare number of seconds. Returns false when the
/// text is not a non-negative duration.
[[nodiscard]] bool parse_duration(std::string_view text, micros& out) noexcept;

/// Formats a duration for people: `45s`, `3m10s`, `2h05m`, `1d03h` (whole seconds; a negative
/// one as `0s`).
[[nodiscard]] std::string format_duration(micros d);
/// The same, appended to `out`.
void append_duration(std::string& out, micros d);

}  // namespace ikewatch
