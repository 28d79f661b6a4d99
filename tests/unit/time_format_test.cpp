#include <array>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/time.hpp"

using namespace ikewatch;

namespace {

// The duration as printf writes it, unit by unit.
std::string printed_duration(micros d) {
    const long long s = d < 0 ? 0 : d / micros_per_second;
    std::array<char, 64> buf{};
    if (s < 60) {
        std::snprintf(buf.data(), buf.size(), "%llds", s);
    } else if (s < 3600) {
        std::snprintf(buf.data(), buf.size(), "%lldm%02llds", s / 60, s % 60);
    } else if (s < 86400) {
        std::snprintf(buf.data(), buf.size(), "%lldh%02lldm", s / 3600, s / 60 % 60);
    } else {
        std::snprintf(buf.data(), buf.size(), "%lldd%02lldh", s / 86400, s / 3600 % 24);
    }
    return buf.data();
}

// The time as the C library writes it, with its milliseconds.
std::string library_time(micros t) {
    const day_time split = split_day(t);
    const std::time_t seconds = split.day * 86400 + split.in_day / micros_per_second;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    std::array<char, 64> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf.data() + n, buf.size() - n, ".%03lldZ",
                  static_cast<long long>(split.in_day % micros_per_second / 1000));
    return buf.data();
}

}  // namespace

TEST(TimeFormat, DurationsReadAsPrintfWritesThem) {
    for (const micros s : {0LL, 1LL, 45LL, 59LL, 60LL, 61LL, 599LL, 3599LL, 3600LL, 3661LL, 86399LL,
                           86400LL, 90061LL, 8640000LL}) {
        EXPECT_EQ(format_duration(s * micros_per_second), printed_duration(s * micros_per_second))
            << s;
    }
    EXPECT_EQ(format_duration(-5 * micros_per_second), "0s");
    EXPECT_EQ(format_duration(999'999), "0s");
    EXPECT_EQ(format_duration(3 * 60 * micros_per_second + 10 * micros_per_second), "3m10s");
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20000; ++i) {
        const auto d = static_cast<micros>(rng() >> (1 + rng() % 62));
        ASSERT_EQ(format_duration(d), printed_duration(d)) << d;
    }
    std::string out = "after ";
    append_duration(out, 2 * 3600 * micros_per_second + 5 * 60 * micros_per_second);
    EXPECT_EQ(out, "after 2h05m");
}

TEST(TimeFormat, DaysAndClocksReadAsTheCLibraryWritesThem) {
    EXPECT_EQ(split_day(0).day, 0);
    EXPECT_EQ(split_day(-1).day, -1);
    EXPECT_EQ(split_day(-1).in_day, micros_per_day - 1);
    EXPECT_EQ(split_day(micros_per_day).in_day, 0);
    std::mt19937_64 rng(11);
    // From 1900 to 2200, and both sides of every midnight in a few days around 1970.
    std::uniform_int_distribution<micros> any(-2'208'988'800LL * micros_per_second,
                                              7'258'118'400LL * micros_per_second);
    std::array<char, 32> buf{};
    for (int i = 0; i < 20000; ++i) {
        const micros t = i < 1000 ? (i / 2 - 250) * micros_per_day - (i % 2) : any(rng);
        ASSERT_EQ(format_rfc3339(t, buf), library_time(t)) << t;
        std::array<char, clock_size> clock{};
        write_clock(split_day(t).in_day, clock.data());
        ASSERT_EQ(std::string(clock.data(), clock.size()), library_time(t).substr(11, 12)) << t;
    }
}
