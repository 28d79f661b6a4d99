#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parsers/header_time_parser.hpp"

using ikewatch::parsers::header_time;
using ikewatch::parsers::parse_header_time;

TEST(HeaderTime, Rfc3164SingleDigitDayWithDoubleSpace) {
    header_time t;
    const std::string_view s = "May  5 17:51:17 dev01: %FTD-6-302013";
    ASSERT_EQ(parse_header_time(s, t), 15u);
    EXPECT_TRUE(t.present);
    EXPECT_FALSE(t.has_year);
    EXPECT_EQ(t.month, 5);
    EXPECT_EQ(t.day, 5);
    EXPECT_EQ(t.hour, 17);
    EXPECT_EQ(t.second, 17);
}

TEST(HeaderTime, AsaBufferFormWithYearAndColon) {
    header_time t;
    const std::string_view s = "May 23 2010 13:15:25: %ASA-7-715077";
    ASSERT_EQ(parse_header_time(s, t), 21u);
    EXPECT_TRUE(t.has_year);
    EXPECT_EQ(t.year, 2010);
    EXPECT_EQ(t.minute, 15);
}

TEST(HeaderTime, IosUnsyncedWithMillisecondsAndZone) {
    header_time t;
    const std::string_view s = "*Mar  1 00:01:02.345 UTC: %CRYPTO-6-X";
    ASSERT_GT(parse_header_time(s, t), 0u);
    EXPECT_TRUE(t.unsynced);
    EXPECT_EQ(t.microsecond, 345000u);
    EXPECT_TRUE(t.has_offset);
    EXPECT_EQ(t.zone, "UTC");
}

TEST(HeaderTime, NanosecondFractionKeepsMicroseconds) {
    header_time t;
    ASSERT_GT(parse_header_time("Apr 29 12:59:50.138340591: %ASA", t), 0u);
    EXPECT_EQ(t.microsecond, 138340u);
}

TEST(HeaderTime, Iso8601WithOffset) {
    header_time t;
    ASSERT_GT(parse_header_time("2024-10-11T10:15:31.208321-05:00 TestDevice", t), 0u);
    EXPECT_TRUE(t.has_year);
    EXPECT_TRUE(t.has_offset);
    EXPECT_EQ(t.offset_seconds, -5 * 3600);
    EXPECT_EQ(t.microsecond, 208321u);
}

TEST(HeaderTime, IsoZulu) {
    header_time t;
    const std::string_view s = "2024-06-26T01:35:42Z: %ASA-6-113008";
    ASSERT_EQ(parse_header_time(s, t), 21u);
    EXPECT_EQ(t.offset_seconds, 0);
}

TEST(HeaderTime, NamedZonesAndUtcOffsets) {
    header_time t;
    ASSERT_GT(parse_header_time("Sep 25 15:47:07 EDT: %ASA", t), 0u);
    EXPECT_EQ(t.offset_seconds, -4 * 3600);
    ASSERT_GT(parse_header_time("May 6 16:13:09.123 UTC+07:30: %DOT1X", t), 0u);
    EXPECT_EQ(t.offset_seconds, 7 * 3600 + 1800);
    ASSERT_GT(parse_header_time("May 6 16:13:09.123 UTC+1: %DOT1X", t), 0u);
    EXPECT_EQ(t.offset_seconds, 3600);
    ASSERT_GT(parse_header_time("Aug 12 2023 12:14:24.412 mdt: %IOSXE", t), 0u);
    EXPECT_EQ(t.offset_seconds, -6 * 3600);
}

TEST(HeaderTime, UptimeStampsHaveNoDate) {
    header_time t;
    ASSERT_EQ(parse_header_time("00:27:07: IPSEC(sa_request)", t), 9u);
    EXPECT_TRUE(t.uptime_only);
    ASSERT_EQ(parse_header_time("2y10w: %FOO-6-BAR", t), 6u);
    EXPECT_TRUE(t.uptime_only);
}

TEST(HeaderTime, YearFirstRelayStamp) {
    header_time t;
    ASSERT_GT(parse_header_time("2019 May 06 09:28:12 vm-ubuntu16", t), 0u);
    EXPECT_EQ(t.year, 2019);
    EXPECT_EQ(t.day, 6);
}

TEST(HeaderTime, RejectsNonStamps) {
    header_time t;
    EXPECT_EQ(parse_header_time("Deny TCP (no connection)", t), 0u);
    EXPECT_EQ(parse_header_time("302020: Built inbound", t), 0u);
    EXPECT_EQ(parse_header_time("Feb 30 25:61:00", t), 0u);
    EXPECT_EQ(parse_header_time("", t), 0u);
    EXPECT_EQ(parse_header_time("*", t), 0u);
    EXPECT_EQ(parse_header_time("May", t), 0u);
}

// Months are found through a table: each of the twelve in any letter case, and no other three
// characters, whichever of the two stamp readers looks.
TEST(HeaderTime, EveryMonthInAnyLetterCaseAndNoOtherWord) {
    const std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto month_of = [](const std::string& word) {
        header_time general;
        header_time fixed;
        const std::string line = word + " 15 10:20:30";
        const bool read_general = parse_header_time(line, general) > 0;
        const bool read_fixed = ikewatch::parsers::parse_fixed_stamp(line, fixed) > 0;
        EXPECT_EQ(read_general, read_fixed) << word;
        EXPECT_EQ(general.month, fixed.month) << word;
        return read_general ? static_cast<int>(general.month) : 0;
    };
    for (std::size_t m = 0; m < months.size(); ++m) {
        std::string word(months[m]);
        EXPECT_EQ(month_of(word), static_cast<int>(m + 1)) << word;
        for (char& c : word) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        EXPECT_EQ(month_of(word), static_cast<int>(m + 1)) << word;
        word[1] = static_cast<char>(std::tolower(static_cast<unsigned char>(word[1])));
        EXPECT_EQ(month_of(word), static_cast<int>(m + 1)) << word;
    }
    int found = 0;
    for (char a = 'a'; a <= 'z'; ++a) {
        for (char b = 'a'; b <= 'z'; ++b) {
            for (char c = 'a'; c <= 'z'; ++c) {
                found += month_of(std::string{a, b, c}) != 0 ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(found, 12);
    // Only `J` and `j` make January of `?an`: no other byte, letter or not, stands in for them.
    for (int b = 1; b < 256; ++b) {
        const char c = static_cast<char>(b);
        EXPECT_EQ(month_of(std::string{c, 'a', 'n'}), c == 'J' || c == 'j' ? 1 : 0) << b;
    }
}

// The fixed-position reading of the usual stamp gives back every time of day (a leap second is
// kept as :59), and a stamp with anything but a digit or its colon in any of the eight places
// of `HH:MM:SS` is left to the general reading.
TEST(HeaderTime, FixedStampReadsEveryClockAndRefusesEveryBadByte) {
    using ikewatch::parsers::parse_fixed_stamp;
    char text[32];
    for (unsigned h = 0; h < 24; ++h) {
        for (unsigned m = 0; m < 60; ++m) {
            for (unsigned s = 0; s <= 60; s += 3) {
                std::snprintf(text, sizeof text, "Jun 12 %02u:%02u:%02u fw", h, m, s);
                header_time t;
                ASSERT_EQ(parse_fixed_stamp(text, t), 15u) << text;
                EXPECT_EQ(t.hour, h);
                EXPECT_EQ(t.minute, m);
                EXPECT_EQ(t.second, s > 59 ? 59U : s) << text;
            }
        }
    }
    for (std::size_t at = 7; at < 15; ++at) {
        for (const char bad : {'/', ':', '0', ';', ' ', 'a', '\x80', '\xBA', '\xFF'}) {
            std::string stamp = "Jun 12 10:20:30 fw";
            if (stamp[at] == bad) {
                continue;
            }
            const bool colon_place = at == 9 || at == 12;
            if (!colon_place && bad == '0') {
                continue;  // still a digit
            }
            stamp[at] = bad;
            header_time t;
            EXPECT_EQ(parse_fixed_stamp(stamp, t), 0u) << stamp;
        }
    }
    header_time t;
    EXPECT_EQ(parse_fixed_stamp("Jun 12 24:00:00 fw", t), 0u);
    EXPECT_EQ(parse_fixed_stamp("Jun 12 23:60:00 fw", t), 0u);
    EXPECT_EQ(parse_fixed_stamp("Jun 12 23:59:61 fw", t), 0u);
}

// The memo of the last stamp changes nothing: whichever stamp it holds, the next is read as
// parse_fixed_stamp reads it. Every ordered pair of these stamps, which share their first bytes
// and go on differently (a fraction, a colon, a zone, a year, the end of the record).
TEST(HeaderTime, FixedStampMemoReadsWhatTheStampSays) {
    using ikewatch::parsers::fixed_stamp_memo;
    using ikewatch::parsers::parse_fixed_stamp;
    const std::vector<std::string> lines = {
        "Jun 12 10:00:01 fw",     "Jun 12 10:00:01.5 fw",   "Jun 12 10:00:01: fw",
        "Jun 12 10:00:01 UTC fw", "Jun 12 10:00:02 fw",     "Jun 12 10:00:01",
        "Jun 12 10:00:01x",       "Jun 12 10:00:0",         "Jun 12 10:00:61 fw",
        "Jun  2 10:00:01 fw",     "Jul 12 10:00:01 fw",     "Jun 12 2026 10:00:01 fw",
        "Jun 12 2026 10:00:01.5", "Jun 12 2026 10:00:01",   "Jun 12 2027 10:00:01 fw",
        "Jun 12 2026 10:00:0",    "Jun 12 2026 10:00:01:x", "Jun 12 2026 10:00:02 fw",
    };
    const auto same = [](const header_time& a, const header_time& b) {
        return a.present == b.present && a.has_year == b.has_year && a.year == b.year &&
               a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute &&
               a.second == b.second && a.microsecond == b.microsecond &&
               a.has_offset == b.has_offset && a.zone == b.zone;
    };
    std::size_t hits = 0;
    for (const std::string& first : lines) {
        for (const std::string& next : lines) {
            fixed_stamp_memo memo;
            header_time ignored;
            (void)memo.parse(first, ignored);
            // Exactly the record's bytes on the heap: a read past them is caught under ASan.
            const auto bytes = std::make_unique<char[]>(next.size());
            next.copy(bytes.get(), next.size());
            const std::string_view text(bytes.get(), next.size());
            header_time want;
            const std::size_t n = parse_fixed_stamp(text, want);
            for (int again = 0; again < 2; ++again) {  // the memo now holds `next`, if read
                header_time got;
                EXPECT_EQ(memo.parse(text, got), n) << first << " then " << next;
                EXPECT_TRUE(same(got, want)) << first << " then " << next;
            }
            hits += first == next && n > 0 && next.size() > n ? 1U : 0U;
        }
    }
    EXPECT_EQ(hits, 11u);  // the stamps the memo can keep: read, with a byte after them
}
