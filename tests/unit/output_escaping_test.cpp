// Untrusted text from the logs (device names, tunnel groups, user names, evidence lines) in every
// rendering a person or a parser reads: alert JSON and text, /peers JSON, `ikewatch status`.

#include <algorithm>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "common/text.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"
#include "outputs/peers_format.hpp"

using namespace ikewatch;

namespace {

// Hostile text: CR/LF, ANSI colour and title sequences, NUL, DEL, C1 CSI (U+009B), a line
// separator, a right-to-left override, JSON and CEF/LEEF metacharacters, invalid UTF-8.
const std::string hostile = std::string("ev\"il\\}|a=b\r\nFORGED LINE\x1b[31mred\x1b]0;title\x07") +
                            std::string(1, '\0') + "nul\x7f" + "\xc2\x9b" + "2J" + "\xe2\x80\xa8" +
                            "ls\xe2\x80\xae" + "rlo\xff\xfe" + "end";

// The first raw control (C0, DEL, C1, line separator, bidi control) or invalid UTF-8 in `s`;
// npos when there is none. `allowed` is a C0 control that may appear (the newline of a line).
std::size_t first_unsafe(std::string_view s, char allowed = '\0') {
    for (std::size_t i = 0; i < s.size();) {
        const text::utf8_char c = text::utf8_decode(s.substr(i));
        if (c.size == 0 || (text::is_layout_control(c.code) &&
                            !(allowed != '\0' && c.code == static_cast<char32_t>(allowed)))) {
            return i;
        }
        i += c.size;
    }
    return std::string_view::npos;
}

rules::alert hostile_alert() {
    rules::alert a;
    a.id = "IKW-P1-031/" + hostile + "/203.0.113.5";
    a.time = a.raised_at = a.last_seen = 1'780'000'000'000'000;
    a.rule_id = "IKW-P1-031";
    a.rule_name = "Tunnel group missing";
    a.sev = rules::severity::high;
    a.code = "tunnel-group-or-psk-missing";
    a.message = hostile + ": no tunnel-group for " + hostile;
    a.cause = "cause with " + hostile;
    a.checks = {"check one " + hostile, "check two"};
    a.device = hostile;
    a.key = a.peer = "203.0.113.5";
    a.group = hostile;
    a.evidence = {{a.time, "Group = " + hostile + ", IP = 203.0.113.5, Can't find a valid tunnel"},
                  {a.time + 1, std::string(70'000, 'u') + hostile}};
    return a;
}

}  // namespace

TEST(Utf8Decode, AcceptsWellFormedAndRefusesTheRest) {
    EXPECT_EQ(text::utf8_decode("a").code, U'a');
    EXPECT_EQ(text::utf8_decode("\xc3\xa9").size, 2u);                     // é
    EXPECT_EQ(text::utf8_decode("\xe2\x86\x90").code, U'\u2190');          // ←
    EXPECT_EQ(text::utf8_decode("\xf0\x9f\x94\x92").code, U'\U0001F512');  // 🔒
    for (const std::string_view bad :
         {"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
          "\xf5\x80\x80\x80", "\xff", "\xe2\x86", "\xc3"}) {
        EXPECT_EQ(text::utf8_decode(bad).size, 0u) << testing::PrintToString(bad);
    }
}

TEST(Utf8Prefix, CutsOnCharacterBoundaries) {
    const std::string_view arrows = "ab\xe2\x86\x90\xe2\x86\x90";  // ab←←
    EXPECT_EQ(text::utf8_prefix(arrows, 100), arrows);
    EXPECT_EQ(text::utf8_prefix(arrows, 2), "ab");
    EXPECT_EQ(text::utf8_prefix(arrows, 3), "ab");
    EXPECT_EQ(text::utf8_prefix(arrows, 4), "ab");
    EXPECT_EQ(text::utf8_prefix(arrows, 5), "ab\xe2\x86\x90");
    EXPECT_EQ(text::utf8_prefix(arrows, 7), "ab\xe2\x86\x90");
    // Not UTF-8: the back-off is bounded (three continuation bytes at most).
    EXPECT_EQ(text::utf8_prefix("x\x80\x80\x80\x80\x80", 5), "x\x80");
}

TEST(Printable, EscapesControlsAndInvalidBytesAndKeepsText) {
    EXPECT_EQ(outputs::printable("plain ASCII, {\"json\"} | a=b \\"),
              "plain ASCII, {\"json\"} | a=b \\");
    EXPECT_EQ(outputs::printable("caf\xc3\xa9 \xe2\x86\x90 ok"), "caf\xc3\xa9 \xe2\x86\x90 ok");
    EXPECT_EQ(outputs::printable("a\r\nb"), "a\\x0d\\x0ab");
    EXPECT_EQ(outputs::printable("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(outputs::printable(std::string_view("n\0l\x7f", 4)), "n\\x00l\\x7f");
    EXPECT_EQ(outputs::printable("\xc2\x9b"
                                 "2J \xc2\x85"),
              "\\u009b2J \\u0085");  // C1 CSI, NEL
    EXPECT_EQ(outputs::printable("a\xe2\x80\xa8"
                                 "b\xe2\x80\xae"
                                 "c\xe2\x81\xa6"),
              "a\\u2028b\\u202ec\\u2066");
    EXPECT_EQ(outputs::printable("bad \xff\xfe \xc3"), "bad \\xff\\xfe \\xc3");
    const std::string p = outputs::printable(hostile);
    EXPECT_EQ(first_unsafe(p), std::string::npos) << p;
}

TEST(DumpJson, NoRawControlsAndTheTextSurvives) {
    nlohmann::json j;
    j["s"] = hostile;
    j["valid"] = "tab\there \xc2\x9b \xe2\x80\xa8 \xe2\x80\xae \x7f end \xe2\x86\x90";
    const std::string out = outputs::dump_json(j);
    EXPECT_EQ(first_unsafe(out), std::string::npos) << out;
    EXPECT_EQ(out.find('\n'), std::string::npos);
    const nlohmann::json back = nlohmann::json::parse(out);
    // Valid UTF-8 comes back exactly; invalid bytes come back as U+FFFD.
    EXPECT_EQ(back["valid"], j["valid"]);
    EXPECT_NE(back["s"].get<std::string>().find("\x1b[31mred"), std::string::npos);
    EXPECT_NE(back["s"].get<std::string>().find("rlo\xef\xbf\xbd"), std::string::npos);
}

TEST(AlertFormat, JsonAlertIsOneSafeLine) {
    const std::string line = outputs::dump_json(outputs::alert_json(hostile_alert()));
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(first_unsafe(line), std::string::npos);
    const nlohmann::json back = nlohmann::json::parse(line);
    EXPECT_EQ(back["ike"]["group"].get<std::string>().substr(0, 8), "ev\"il\\}|");
    // Kept whole; the two invalid bytes became U+FFFD (3 bytes each).
    EXPECT_EQ(back["evidence"][1]["line"].get<std::string>().size(), 70'000u + hostile.size() + 4);
}

TEST(AlertFormat, TextAlertCannotForgeLines) {
    const std::string text = outputs::alert_text(hostile_alert());
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(first_unsafe(text, '\n'), std::string::npos);
    // A header line, then only indented continuation lines: cause, two checks, two evidence.
    std::size_t lines = 0;
    std::string_view rest(text);
    while (!rest.empty()) {
        const std::string_view l = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(l.size() + 1);
        if (lines++ == 0) {
            EXPECT_TRUE(l.starts_with("2026-")) << l.substr(0, 80);
        } else {
            EXPECT_TRUE(l.starts_with("    cause: ") || l.starts_with("    check: ") ||
                        l.starts_with("    | "))
                << l.substr(0, 80);
        }
    }
    EXPECT_EQ(lines, 6u);
    EXPECT_EQ(text.find("FORGED LINE\x1b"), std::string::npos);
}

TEST(PeersText, LongHostileDeviceNamesKeepOneRowPerPeer) {
    // A device name as long as a message used to overflow a fixed line buffer: the row lost its
    // newline and ran into the next one.
    nlohmann::json peers = nlohmann::json::array();
    const std::string long_device = std::string(2000, 'd') + hostile;
    for (const std::string& device : {long_device, std::string("fw01"), hostile}) {
        for (const char* peer : {"203.0.113.5", "198.51.100.7"}) {
            peers.push_back({{"device", device},
                             {"peer", peer},
                             {"ike_version", 1},
                             {"state", "MM_WAIT_MSG4"},
                             {"state_ios", "MM_KEY_EXCH"},
                             {"status", "negotiating"},
                             {"role", "initiator"},
                             {"mode", "main"},
                             {"phase2", "none"},
                             {"state_for_s", 31},
                             {"retransmits", 1},
                             {"group", hostile},
                             {"last_event_kind", hostile}});
        }
    }
    const std::string text = outputs::peers_text(peers);
    EXPECT_EQ(first_unsafe(text, '\n'), std::string::npos);
    // Per device: its heading, the column heading, one row per peer, a blank line.
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3 * (2 + 2 + 1));
    EXPECT_NE(text.find(std::string(2000, 'd') + "ev\"il"), std::string::npos);
    std::size_t rows = 0;
    std::string_view rest(text);
    while (!rest.empty()) {
        const std::string_view l = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(l.size() + 1);
        if (l.starts_with("  203.0.113.5 ") || l.starts_with("  198.51.100.7 ")) {
            ++rows;
        }
    }
    EXPECT_EQ(rows, 6u);
}
