#include "parsers/syslog_framer.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;

namespace {

syslog_record frame(std::string_view s) {
    auto r = frame_syslog(s);
    EXPECT_TRUE(r.ok()) << s;
    return r.ok() ? r.value() : syslog_record{};
}

}  // namespace

TEST(Framer, PriHostAndTag) {
    const auto r = frame("<166>Aug 20 2026 08:53:11 asa-vpn-01 : %ASA-6-751025: Local:1");
    EXPECT_EQ(r.pri, 166);
    EXPECT_EQ(r.host, "asa-vpn-01");
    EXPECT_EQ(r.time.year, 2026);
    EXPECT_EQ(r.body.substr(0, 15), "%ASA-6-751025: ");
}

TEST(Framer, AsaBufferWithoutHost) {
    const auto r = frame("May 23 2010 13:15:25: %ASA-7-715077: Pitcher: received a key acquire");
    EXPECT_EQ(r.form, framing::asa_buffer);
    EXPECT_TRUE(r.host.empty());
    EXPECT_EQ(r.body.substr(0, 14), "%ASA-7-715077:");
}

TEST(Framer, RelayPrefixNamesTheSender) {
    const auto r =
        frame("172.16.200.253:514 : local7.debug %PIX-7-715065: IP = 78.187.139.180, IKE AM");
    EXPECT_EQ(r.form, framing::relay);
    EXPECT_EQ(r.host, "172.16.200.253");
    EXPECT_EQ(r.relay_severity, 7);
}

TEST(Framer, RelayHeaderThenDeviceStampWithZone) {
    const auto r =
        frame("Sep 25 15:47:07 host1.example.com : Sep 25 15:47:07 EDT: %ASA-auth-4-113004: AAA");
    EXPECT_EQ(r.host, "host1.example.com");
    EXPECT_EQ(r.time.zone, "EDT");
}

TEST(Framer, IosSequenceNumbersAndInnermostHost) {
    const auto r = frame(
        "<190>3132517: Jul 13 08:23:43 192.168.100.2 sw01: 3132779: Jul 14 2023 08:23:43.398 "
        "UTC: %FOO-6-BAR: Test header format");
    EXPECT_EQ(r.host, "sw01");
    EXPECT_EQ(r.time.year, 2023);
    EXPECT_EQ(r.time.day, 14);
}

TEST(Framer, Ipv6HostWithColonSeparator) {
    const auto r =
        frame("<190>3132783: 2a02:cf40::: 3132779: Jul 14 2023 08:23:43.398 UTC: %FOO-6-BAR: x");
    EXPECT_EQ(r.host, "2a02:cf40::");
}

TEST(Framer, ProgramTagIsNotTheHost) {
    const auto r = frame("Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-305011: Built");
    EXPECT_EQ(r.host, "localhost");
    EXPECT_EQ(r.tag, "CiscoASA[999]");
}

TEST(Framer, Rfc5424KiwiRelayKeepsInnerDevice) {
    const auto r = frame(
        "<190>Original Address=192.168.0.1 1 2025-06-23T16:13:32.168Z syslog-host-1 "
        "Kiwi_SyslogNet_Server 3356 MSGOUT TEST-HOST-1: *Jun 23 15:52:38.534: %SYS-6-LOGOUT: User");
    EXPECT_EQ(r.form, framing::rfc5424);
    EXPECT_EQ(r.host, "TEST-HOST-1");
    EXPECT_EQ(r.sender, "192.168.0.1");
    EXPECT_EQ(r.time.year, 2025);  // the device's year-less stamp takes the relay's year
    EXPECT_EQ(r.time.hour, 15);
}

TEST(Framer, IosXrLocationGluedToStamp) {
    const auto r = frame(
        "<190>Oct 7 07:19:44 internet-primary-mgmt RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: "
        "ipv4_acl_mgr[310]: %ACL-IPV4_ACL-6-IPACCESSLOGP : access-list x deny tcp");
    EXPECT_EQ(r.host, "internet-primary-mgmt");
    EXPECT_EQ(r.tag, "ipv4_acl_mgr[310]");
    EXPECT_EQ(r.time.microsecond, 630000u);
}

TEST(Framer, ConsoleDebugWithoutTimestamp) {
    const auto r = frame("[IKEv1 DEBUG]IP = 172.18.254.89, All SA proposals found unacceptable");
    EXPECT_EQ(r.form, framing::bare);
    EXPECT_FALSE(r.time.present);
    EXPECT_EQ(r.body.substr(0, 6), "[IKEv1");
}

TEST(Framer, IosUptimeDebug) {
    const auto r = frame("00:27:07: ISAKMP (0:2): beginning Main Mode exchange");
    EXPECT_EQ(r.form, framing::ios);
    EXPECT_TRUE(r.time.uptime_only);
    EXPECT_EQ(r.body.substr(0, 6), "ISAKMP");
}

TEST(Framer, BareBodyWithoutMarkerAfterHeader) {
    const auto r = frame(
        "Jul  1 09:27:13 216.160.83.56 : AAA user authentication Rejected : reason = AAA failure "
        ": server = 81.2.69.142 : user = 123 : user IP = 89.160.20.112");
    EXPECT_EQ(r.host, "216.160.83.56");
    EXPECT_EQ(r.body.substr(0, 8), "AAA user");
}

TEST(Framer, SeqHostStampWithoutMarker) {
    const auto r = frame(
        "<191>2637085: rt401-rk30409: Aug 18 07:15:04.461 CEST: NTP Core (NOTICE): Clock lost.");
    EXPECT_EQ(r.host, "rt401-rk30409");
    EXPECT_EQ(r.time.offset_seconds, 7200);
    EXPECT_EQ(r.body.substr(0, 8), "NTP Core");
}

TEST(Framer, PipeSeparatedRelay) {
    const auto r = frame("6|Nov 28 2014 12:59:03|302021: Teardown ICMP connection for faddr");
    EXPECT_EQ(r.form, framing::pipe);
    EXPECT_EQ(r.relay_severity, 6);
    EXPECT_EQ(r.body.substr(0, 7), "302021:");
}

TEST(Framer, EmptyHeaderPriColons) {
    const auto r = frame("<166>:: %ASA-auth-6-113005: AAA user authentication Rejected");
    EXPECT_EQ(r.pri, 166);
    EXPECT_FALSE(r.time.present);
    EXPECT_EQ(r.body.substr(0, 4), "%ASA");
}

TEST(Framer, BadInputGivesBoundedErrors) {
    EXPECT_EQ(frame_syslog("").error(), parse_error::empty);
    EXPECT_EQ(frame_syslog("   \t ").error(), parse_error::empty);
    EXPECT_EQ(frame_syslog(std::string_view("abc\0def", 7)).error(), parse_error::nul_byte);
    EXPECT_EQ(frame_syslog(std::string(64 * 1024, 'A')).error(), parse_error::too_long);
    EXPECT_EQ(
        frame_syslog("\x01\x02\x03\x04\x05\x06garbage\x07\x08\x09\x0b\x0c\x0e\x0f\x10\x11\x12")
            .error(),
        parse_error::binary);
    EXPECT_EQ(frame_syslog("<166>").error(), parse_error::truncated_header);
    EXPECT_EQ(frame_syslog("<166>May  5 17:51:17").error(), parse_error::truncated_header);
    EXPECT_EQ(frame_syslog("<16").error(), parse_error::truncated_header);
}

TEST(Framer, InvalidUtf8IsFramedNotRefused) {
    const auto r = frame_syslog("<166>May  5 17:51:17 fw: %ASA-6-113005: user = \xff\xfe\xc3");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().host, "fw");
}

// A PRI is one to three digits up to `>`, at most 191. Every number in every width, and every
// kind of byte in each place of `<166>`, against that rule read digit by digit.
TEST(Framer, PriIsOneToThreeDigitsUpToTheBracket) {
    const auto expected = [](std::string_view s) {
        std::size_t p = 1;
        int pri = 0;
        while (p < s.size() && p < 4 && s[p] >= '0' && s[p] <= '9') {
            pri = pri * 10 + (s[p++] - '0');
        }
        return p > 1 && p < s.size() && s[p] == '>' && pri <= 191 ? pri : -1;
    };
    std::vector<std::string> heads;
    for (int n = 0; n < 1000; ++n) {
        const std::string digits = std::to_string(n);
        for (std::size_t width = digits.size(); width <= 4; ++width) {
            heads.push_back("<" + std::string(width - digits.size(), '0') + digits + ">");
        }
    }
    const char odd[] = {'a', 'Z', '/', ':', '=', '?', '>', '<', ' ', '\t', '\x80', '\xff'};
    for (std::size_t at = 1; at < 5; ++at) {
        for (const char c : odd) {
            std::string head = "<166>";
            head[at] = c;
            heads.push_back(head);
        }
    }
    const std::string rest = "Jun 12 10:00:01 fw01 : %ASA-6-302013: Built";
    for (const std::string& head : heads) {
        const std::string line = head + rest;
        const auto fast = frame_syslog(line);
        const auto general = frame_syslog_general(line);
        ASSERT_TRUE(fast.ok() && general.ok()) << line;
        EXPECT_EQ(fast.value().pri, expected(line)) << line;
        EXPECT_EQ(general.value().pri, expected(line)) << line;
    }
    EXPECT_EQ(frame_syslog("<166>").error(), parse_error::truncated_header);
    EXPECT_EQ(frame_syslog("<166").error(), parse_error::truncated_header);
}

TEST(Framer, MarkerSearchIgnoresPercentInsideWords) {
    EXPECT_EQ(find_marker("load 100%-ish then %ASA-6-1: x"), 19u);
    EXPECT_EQ(find_marker("no marker here"), std::string_view::npos);
}

TEST(Framer, FastPathAgreesWithTheGeneralReadingOnEveryHeaderShape) {
    const char* pris[] = {"", "<166>", "<7>"};
    const char* stamps[] = {"Jun 12 10:00:01",      "Jun  2 10:00:01", "Jun 2 10:00:01",
                            "Jun 12 2026 10:00:01", "jun 12 10:00:01", "Jun 12 10:00:01.123",
                            "Jun 12 10:00:01 UTC",  "Jun 32 10:00:01", "Jun 12 24:00:01",
                            "Jun 12 10:00:60",      "Jun 12 1:00:01",  "Foo 12 10:00:01"};
    const char* hosts[] = {"",      "fw01", "asa-vpn-01", "10.1.2.3", "utc-5", "EST",
                           "12345", "fw:1", "a.b-c_d",    "asa",      "fw[1]", "RP/0/CPU0"};
    const char* seps[] = {" : ", ": ", " ", ":", "  ", " :"};
    const char* bodies[] = {"%ASA-6-302013: Built", "%PIX-3-713902: IP = 1.2.3.4, x", "%ASA-",
                            "% not a marker", "Deny TCP (no connection)"};
    // One framer takes every line in turn: it keeps the stamp of each for the next, which often
    // starts with the same bytes and then goes on differently (a fraction, a zone, a year).
    ikewatch::parsers::syslog_framer framer;
    std::size_t checked = 0;
    for (const char* pri : pris) {
        for (const char* stamp : stamps) {
            for (const char* host : hosts) {
                for (const char* sep : seps) {
                    for (const char* body : bodies) {
                        std::string line = std::string(pri) + stamp;
                        line += *host != '\0' ? std::string(" ") + host + sep : std::string(sep);
                        line += body;
                        EXPECT_EQ(ikewatch::test::framing_difference(line), "") << line;
                        EXPECT_EQ(ikewatch::test::framing_difference(framer, line), "") << line;
                        ++checked;
                    }
                }
            }
        }
    }
    EXPECT_GT(checked, 1000u);
}

// Records cut short at every length, so the fast path meets its end at each place it reads.
TEST(Framer, FastPathAgreesWithTheGeneralReadingOnRecordsCutAnywhere) {
    const char* lines[] = {"<166>Jun 12 10:00:01 fw01 : %ASA-6-302013: Built",
                           "<166>Jun 12 2026 10:00:01 asa-vpn-01: %FTD-4-113019: x",
                           "<7>Jun  2 10:00:01: %PIX-3-713902: IP = 1.2.3.4",
                           "Jun 12 10:00:01 %ASA-6-1: x",
                           "<166>Jun 12 10:00:01 fw01 %IOSXE-3-1: x"};
    ikewatch::parsers::syslog_framer framer;
    std::size_t checked = 0;
    for (const std::string_view line : lines) {
        // Longest first: each record then starts with the bytes of the one before, one fewer.
        for (std::size_t n = line.size() + 1; n-- > 0;) {
            // Exactly the record's bytes on the heap, so that a read past them is caught
            // (under AddressSanitizer).
            const auto bytes = std::make_unique<char[]>(n);
            line.copy(bytes.get(), n);
            const std::string_view cut(bytes.get(), n);
            EXPECT_EQ(ikewatch::test::framing_difference(cut), "") << cut;
            EXPECT_EQ(ikewatch::test::framing_difference(framer, cut), "") << cut;
            ++checked;
        }
    }
    EXPECT_GT(checked, 200u);
}

// A record travels to a worker thread with a copy of its text: its views follow the copy.
TEST(SyslogRecord, RebasesItsViewsOntoACopyOfTheText) {
    const std::string text =
        "<166>Jun 01 2026 10:00:00 EDT fw01 CiscoASA[999]: %ASA-6-713119: Group = 203.0.113.5, IP "
        "= 203.0.113.5, PHASE 1 COMPLETED";
    const auto framed = frame_syslog(text);
    ASSERT_TRUE(framed);
    syslog_record r = framed.value();
    // The same text at another address: the copy is the point.
    // NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
    const std::string copy = text;
    r.rebase(text, copy);
    const syslog_record& orig = framed.value();
    for (const auto& [moved, was] :
         {std::pair{r.host, orig.host}, std::pair{r.tag, orig.tag}, std::pair{r.body, orig.body},
          std::pair{r.sender, orig.sender}, std::pair{r.time.zone, orig.time.zone}}) {
        EXPECT_EQ(moved, was);
        if (!moved.empty()) {
            EXPECT_GE(moved.data(), copy.data());
            EXPECT_LE(moved.data() + moved.size(), copy.data() + copy.size());
        }
    }
    EXPECT_FALSE(r.body.empty());
    // A view outside the text is left as it is.
    syslog_record other;
    const std::string_view elsewhere = "elsewhere";
    other.tag = elsewhere;
    other.rebase(text, copy);
    EXPECT_EQ(other.tag.data(), elsewhere.data());
    // So is one that runs past the end of the text.
    other.host = std::string_view(text).substr(10, 20);
    other.rebase(std::string_view(text).substr(0, 20), copy);
    EXPECT_EQ(other.host.data(), text.data() + 10);
}
