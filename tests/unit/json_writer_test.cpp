// The fixed-schema alert writer against the document it replaces: the same bytes for every
// alert, including hostile text (invalid UTF-8, controls, bidirectional marks) in every field.

#include "outputs/json_writer.hpp"

#include <array>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/time.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"

using namespace ikewatch;

namespace {

// Bytes that exercise the escaper: plain text, quotes, controls, whole and cut UTF-8 sequences,
// overlong forms, surrogates, C1 controls, line separators and bidirectional controls.
std::string random_text(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {"fw01",
                                                    " ",
                                                    "\"",
                                                    "\\",
                                                    "\n",
                                                    "\t",
                                                    "\x01",
                                                    "\x7f",
                                                    "\x1f",
                                                    "é",
                                                    "→",
                                                    "😀",
                                                    "\xC2\x85",
                                                    "\xE2\x80\xA8",
                                                    "\xE2\x80\xAE",
                                                    "\xD8\x9C",
                                                    "\xEF\xBF\xBD",
                                                    "\xC3",
                                                    "\xE2\x82",
                                                    "\xF0\x9F\x98",
                                                    "\xC0\x80",
                                                    "\xE0\x80\x80",
                                                    "\xED\xA0\x80",
                                                    "\xF4\x90\x80\x80",
                                                    "\xFF",
                                                    "\x80",
                                                    "\xBF",
                                                    "MM_WAIT_MSG4",
                                                    "203.0.113.5",
                                                    "}",
                                                    "]"};
    std::uniform_int_distribution<std::size_t> count(0, 8);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::string s;
    for (std::size_t n = count(rng); n > 0; --n) {
        s += pieces[pick(rng)];
    }
    return s;
}

rules::alert random_alert(std::mt19937& rng) {
    std::uniform_int_distribution<int> small(0, 3);
    std::uniform_int_distribution<std::int64_t> when(0, 4'000'000'000'000'000);
    rules::alert a;
    a.action = small(rng) == 0 ? rules::alert::action_t::resolved : rules::alert::action_t::raised;
    a.id = random_text(rng);
    a.time = when(rng);
    a.created = small(rng) == 0 ? 0 : when(rng);
    a.raised_at = when(rng);
    a.last_seen = when(rng);
    if (small(rng) == 0) {  // an alert raised by the line it was last seen in: one time, thrice
        a.raised_at = a.time;
        a.last_seen = a.time;
    }
    a.count = static_cast<std::uint32_t>(small(rng) * 1000);
    a.rule_id = random_text(rng);
    a.rule_name = random_text(rng);
    a.rule_version = small(rng);
    a.sev = static_cast<rules::severity>(small(rng));
    a.conf = static_cast<rules::confidence>(small(rng) % 3);
    a.code = random_text(rng);
    a.message = random_text(rng);
    a.cause = random_text(rng);
    for (int i = small(rng); i > 0; --i) {
        a.checks.push_back(random_text(rng));
    }
    a.device = random_text(rng);
    a.key = random_text(rng);
    a.peer_key = small(rng) != 0;
    a.peer = small(rng) == 0 ? "" : random_text(rng);
    a.ike_version = small(rng) % 3;
    a.phase = small(rng) % 3;
    a.state = random_text(rng);
    a.state_ios = random_text(rng);
    a.role = random_text(rng);
    a.mode = random_text(rng);
    a.status = random_text(rng);
    a.phase2 = random_text(rng);
    a.state_since = small(rng) == 0 ? 0 : when(rng);
    a.retransmits = static_cast<std::uint32_t>(small(rng));
    a.nat_t = small(rng) == 0;
    a.group = random_text(rng);
    for (int i = small(rng); i > 0; --i) {
        a.evidence.push_back({when(rng), random_text(rng)});
    }
    return a;
}

// `s` as the writer writes a string.
std::string written(std::string_view s) {
    std::string out;
    {
        outputs::json_writer w(out);
        w.string(s);
    }
    return out;
}

}  // namespace

TEST(JsonWriter, StringsEscapedAsTheDocumentDumpsThem) {
    std::mt19937 rng(20261205);
    for (int i = 0; i < 20000; ++i) {
        const std::string s = random_text(rng);
        ASSERT_EQ(written(s), outputs::dump_json(nlohmann::json(s)))
            << "input: "
            << nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    }
}

// Text is scanned many bytes at a time: each byte value, at every place in a long run of plain
// text (and at its end), is escaped as the document escapes it.
TEST(JsonWriter, EveryByteAtEveryPlaceOfALongString) {
    std::size_t checked = 0;
    for (int b = 0; b < 256; ++b) {
        for (std::size_t before = 0; before < 40; ++before) {
            for (const std::size_t after : {0U, 1U, 7U, 16U, 33U}) {
                std::string s(before, 'a');
                s += static_cast<char>(b);
                s += b >= 0xC2 && b <= 0xDF ? "\x80" : "";  // a whole two-byte character too
                s.append(after, '~');
                ASSERT_EQ(written(s), outputs::dump_json(nlohmann::json(s)))
                    << "byte " << b << " after " << before;
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, 256U * 40U * 5U);
}

TEST(JsonWriter, AlertLineIsTheDocumentByteForByte) {
    std::mt19937 rng(4500);
    for (int i = 0; i < 5000; ++i) {
        const rules::alert a = random_alert(rng);
        ASSERT_EQ(outputs::alert_json_line(a), outputs::dump_json(outputs::alert_json(a)))
            << "alert " << i;
    }
}

// A writer gathers what it writes and hands it on in blocks: strings longer than its buffer, and
// values that end at every place of it, come out as the document prints them.
TEST(JsonWriter, ValuesAcrossTheWritersBufferReadAsTheDocument) {
    std::mt19937 rng(1024);
    for (const std::size_t prefix : {0U, 1U, 15U, 16U, 17U, 500U, 1000U, 1015U, 1023U, 1024U}) {
        for (const std::size_t length :
             {0U, 1U, 15U, 16U, 17U, 1021U, 1022U, 1023U, 1024U, 1025U, 3000U}) {
            for (const bool escaped : {false, true}) {
                std::string text(length, 'x');
                if (escaped && length > 0) {
                    text[rng() % length] = '"';
                    text[rng() % length] = '\x01';
                }
                nlohmann::json doc = nlohmann::json::array();
                doc.push_back(std::string(prefix, 'p'));
                doc.push_back(text);
                doc.push_back(random_text(rng));
                std::string out;
                {
                    outputs::json_writer w(out);
                    w.begin_array();
                    for (const auto& v : doc) {
                        w.string(v.get<std::string>());
                    }
                    w.end_array();
                }
                ASSERT_EQ(out, outputs::dump_json(doc))
                    << "prefix " << prefix << " length " << length << " escaped " << escaped;
            }
        }
    }
}

TEST(JsonWriter, EachTopLevelValueIsInTheStringWhenItEnds) {
    std::string out = "x";
    outputs::json_writer w(out);
    w.begin_object();
    w.key("a");
    w.string(std::string(2000, 'a'));
    w.end_object();
    EXPECT_EQ(out, "x{\"a\":\"" + std::string(2000, 'a') + "\"}");
    w.number(7);
    EXPECT_EQ(out.substr(out.size() - 2), ",7");
}

TEST(JsonWriter, NestingAndSeparators) {
    std::string out;
    outputs::json_writer w(out);
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.number(1);
    w.begin_object();
    w.end_object();
    w.null();
    w.end_array();
    w.key("b");
    w.boolean(false);
    w.key("c");
    w.string_or_null("");
    w.key("d");
    w.number_or_null(7);
    w.end_object();
    EXPECT_EQ(out, R"({"a":[1,{},null],"b":false,"c":null,"d":7})");
}

namespace {

// Times in a row across seconds, midnight, years, before 1970 and past 9999.
std::vector<micros> times_in_a_row() {
    constexpr micros second = 1'000'000;
    constexpr micros day = 86'400 * second;
    const micros base = 1'790'000'000 * second;  // 2026
    std::vector<micros> times = {base,
                                 base,
                                 base + 1'000,
                                 base + 999'999,
                                 base + second,
                                 base + 59 * second,
                                 base + 3'600 * second - 1,
                                 0,
                                 1,
                                 day - 1,
                                 day,
                                 -1,
                                 -day,
                                 -day - 1,
                                 -62'167'219'200 * second,      // 0000-01-01
                                 -62'167'219'200 * second - 1,  // the year before
                                 253'402'300'799 * second,      // 9999-12-31T23:59:59
                                 253'402'300'800 * second,      // 10000-01-01
                                 253'402'300'800 * second + 5,
                                 base};
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        const micros prev = times.back();
        const auto step = static_cast<micros>(rng() % (i % 3 == 0 ? 3 * day : 90 * second));
        times.push_back(i % 2 == 0 ? prev + step : prev - step);
    }
    return times;
}

std::string quoted_alone(micros t) {
    std::array<char, 32> text{};
    return "\"" + std::string(format_rfc3339(t, text)) + "\"";
}

}  // namespace

TEST(JsonWriter, TimesInARowReadAsEachAlone) {
    // One writer keeps the last time it wrote and writes only the clock of one on the same day:
    // each must still come out as the time alone does.
    const std::vector<micros> times = times_in_a_row();
    std::string out;
    outputs::json_writer w(out);
    w.begin_array();
    std::string want = "[";
    for (const micros t : times) {
        w.timestamp(t);
        want += (want.size() == 1 ? "" : ",") + quoted_alone(t);
    }
    w.end_array();
    EXPECT_EQ(out, want + "]");
}

TEST(JsonWriter, TimesKeptFromWriterToWriterReadAsEachAlone) {
    // The memory of the last days serves writer after writer, as it does alert after alert, with
    // the times of the lines between those of the receiver's clock (another day).
    outputs::json_time_memo times;
    micros clock = 1'796'601'600'000'000;  // 2026-12-07
    for (const micros t : times_in_a_row()) {
        for (const micros each : {t, clock += 1'234, t}) {
            std::string out;
            outputs::json_writer w(out, times);
            w.timestamp(each);
            ASSERT_EQ(out, quoted_alone(each)) << each;
        }
    }
}
