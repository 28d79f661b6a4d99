#include "parsers/event_time.hpp"

#include <string>

#include <gtest/gtest.h>

#include "common/time.hpp"
#include "parsers/header_time_parser.hpp"

using namespace ikewatch;
using namespace ikewatch::parsers;

namespace {

header_time stamp(std::string_view s) {
    header_time t;
    EXPECT_GT(parse_header_time(s, t), 0u) << s;
    return t;
}

micros utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) {
    return from_civil({y, mo, d, h, mi, s, 0});
}

}  // namespace

TEST(EventTime, ExplicitYearAndZone) {
    event_time clock;
    EXPECT_EQ(clock.resolve("fw", stamp("Sep 25 2014 15:47:07 EDT:"), 0),
              utc(2014, 9, 25, 19, 47, 7));
}

TEST(EventTime, YearInferredFromReferenceAndNeverAWeekAhead) {
    const micros received = utc(2027, 1, 2, 0, 0, 0);
    // A December line arriving early in January belongs to the previous year.
    event_time a;
    EXPECT_EQ(a.resolve("a", stamp("Dec 31 23:59:58"), received), utc(2026, 12, 31, 23, 59, 58));
    event_time b;
    EXPECT_EQ(b.resolve("b", stamp("Jan  2 00:00:00"), received), utc(2027, 1, 2, 0, 0, 0));
    // A few days ahead is a device clock running fast; three weeks ahead is last year's file.
    event_time c;
    EXPECT_EQ(c.resolve("c", stamp("Jan  6 10:00:00"), received), utc(2027, 1, 6, 10, 0, 0));
    event_time d;
    EXPECT_EQ(d.resolve("d", stamp("Jan 23 10:00:00"), received), utc(2026, 1, 23, 10, 0, 0));
    // A January line from a device ahead of the receiver on New Year's Eve is next year's.
    event_time e;
    EXPECT_EQ(e.resolve("e", stamp("Jan  1 00:00:05"), utc(2026, 12, 31, 23, 59, 50)),
              utc(2027, 1, 1, 0, 0, 5));
}

TEST(EventTime, NewYearRolloverPerDevice) {
    time_options opt;
    opt.assume_year = 2026;
    event_time clock(opt);
    EXPECT_EQ(clock.resolve("fw", stamp("Dec 31 23:59:59"), 0), utc(2026, 12, 31, 23, 59, 59));
    EXPECT_EQ(clock.resolve("fw", stamp("Jan  1 00:00:01"), 0), utc(2027, 1, 1, 0, 0, 1));
    // Another device keeps its own year.
    EXPECT_EQ(clock.resolve("other", stamp("Jan  1 00:00:01"), 0), utc(2026, 1, 1, 0, 0, 1));
}

TEST(EventTime, LinesWithoutCalendarTimeTakeThePreviousLine) {
    time_options opt;
    opt.assume_year = 2026;
    event_time clock(opt);
    const micros first = clock.resolve("r1", stamp("Mar  1 10:00:00"), 0);
    EXPECT_EQ(clock.resolve("r1", header_time{}, 999), first);
    EXPECT_EQ(clock.resolve("r1", stamp("00:27:07:"), 999), first);
    EXPECT_EQ(clock.resolve("unknown", header_time{}, 777), 777);
}

TEST(EventTime, PerDeviceOffsetUnlessTheLineHasAZone) {
    time_options opt;
    opt.assume_year = 2026;
    opt.device_offsets["berlin"] = 3600;
    opt.default_offset_seconds = -3600;
    event_time clock(opt);
    EXPECT_EQ(clock.resolve("berlin", stamp("Mar  1 10:00:00"), 0), utc(2026, 3, 1, 9, 0, 0));
    EXPECT_EQ(clock.resolve("elsewhere", stamp("Mar  1 10:00:00"), 0), utc(2026, 3, 1, 11, 0, 0));
    EXPECT_EQ(clock.resolve("berlin", stamp("Mar  1 10:00:00 UTC:"), 0), utc(2026, 3, 1, 10, 0, 0));
}

TEST(EventTime, DeviceMemoryIsBounded) {
    time_options opt;
    opt.assume_year = 2026;
    opt.max_devices = 4;
    event_time clock(opt);
    for (int i = 0; i < 10; ++i) {
        (void)clock.resolve("dev" + std::to_string(i), stamp("Mar  1 10:00:00"), 0);
    }
    EXPECT_GE(clock.evictions(), 2u);
}

TEST(EventTime, UptimeStampsKeepTheirDistanceWithoutACalendar) {
    // `00:27:07:` is time since boot: the first such line takes the arrival time, the next ones
    // follow it by as much as their stamps say.
    event_time clock;
    const micros arrival = utc(2026, 6, 1, 12, 0, 0);
    EXPECT_EQ(clock.resolve("r1", stamp("00:27:07:"), arrival), arrival);
    EXPECT_EQ(clock.resolve("r1", stamp("00:27:37:"), arrival), arrival + 30 * micros_per_second);
    EXPECT_FALSE(clock.has_calendar("r1"));
    EXPECT_TRUE(clock.has_clock("r1"));
    // A calendar line gets a real year even after uptime lines from the same device.
    EXPECT_EQ(clock.resolve("r1", stamp("Feb  1 21:44:23:"), arrival), utc(2026, 2, 1, 21, 44, 23));
    EXPECT_TRUE(clock.has_calendar("r1"));
}

// Lines of devices in different years, interleaved: each yearless stamp takes its own device's
// year, a stamp with a year moves that device to it, and a jump back of more than half a year
// is the next year's line.
TEST(EventTime, InterleavedDevicesKeepTheirOwnYears) {
    event_time clock;
    EXPECT_EQ(clock.resolve("old", stamp("Mar  1 2024 08:00:00"), 0), utc(2024, 3, 1, 8, 0, 0));
    EXPECT_EQ(clock.resolve("new", stamp("Mar  1 2026 08:00:00"), 0), utc(2026, 3, 1, 8, 0, 0));
    for (unsigned s = 1; s <= 3; ++s) {
        EXPECT_EQ(clock.resolve("old", stamp("Mar  1 08:00:0" + std::to_string(s)), 0),
                  utc(2024, 3, 1, 8, 0, s));
        EXPECT_EQ(clock.resolve("new", stamp("Mar  1 08:00:0" + std::to_string(s)), 0),
                  utc(2026, 3, 1, 8, 0, s));
    }
    EXPECT_EQ(clock.resolve("old", stamp("Dec 31 2024 23:59:59"), 0),
              utc(2024, 12, 31, 23, 59, 59));
    EXPECT_EQ(clock.resolve("old", stamp("Jan  1 00:00:01"), 0), utc(2025, 1, 1, 0, 0, 1));
    EXPECT_EQ(clock.resolve("old", stamp("Jan  1 00:00:02"), 0), utc(2025, 1, 1, 0, 0, 2));
    EXPECT_EQ(clock.resolve("new", stamp("Jan  1 2027 00:00:00"), 0), utc(2027, 1, 1, 0, 0, 0));
    EXPECT_EQ(clock.resolve("new", stamp("Jan  1 00:00:03"), 0), utc(2027, 1, 1, 0, 0, 3));
}
