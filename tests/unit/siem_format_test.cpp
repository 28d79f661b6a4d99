#include "outputs/siem_format.hpp"

#include <gtest/gtest.h>

#include "outputs/parse_json.hpp"

using namespace ikewatch;
using namespace ikewatch::outputs;

namespace {

rules::alert hostile() {
    rules::alert a;
    a.id = "IKW-P1-031/fw|01/203.0.113.5";
    a.rule_id = "IKW-P1-031";
    a.rule_version = 2;
    a.sev = rules::severity::high;
    a.code = "tunnel-group-or-psk-missing";
    a.message = "fw|01 \\ 203.0.113.5: stuck";
    a.cause = "group = \"x]\"\nnext line\x1b[31mred\xff";
    a.device = "fw|01";
    a.key = "203.0.113.5";
    a.peer = a.key;
    a.state = "MM_WAIT_MSG4";
    a.time = 1'780'000'000'000'000;
    a.created = 1'780'000'001'500'000;
    a.checks = {"a=b", "c^d"};
    a.evidence = {{a.time, "Group = x^y, IP = 203.0.113.5"}};
    return a;
}

}  // namespace

TEST(SiemFormat, EscapingRulesOfEachFormat) {
    EXPECT_EQ(escape_sd_value("a\"b\\c]d"), "a\\\"b\\\\c\\]d");
    EXPECT_EQ(escape_cef_header("a|b\\c=d"), "a\\|b\\\\c=d");
    EXPECT_EQ(escape_cef_value("a=b\\c|d\ne\rf"), "a\\=b\\\\c|d\\ne\\rf");
    EXPECT_EQ(escape_leef_value("a^b\\c\td\ne=f"), "a\\^b\\\\c\\td\\ne=f");
    // Control characters become visible text; invalid UTF-8 becomes U+FFFD; valid UTF-8 stays.
    EXPECT_EQ(escape_sd_value("\x1b[1m"), "\\\\x1B[1m");
    EXPECT_EQ(escape_cef_value("\xff\xc3\xa9"), "\xEF\xBF\xBD\xc3\xa9");
    EXPECT_EQ(escape_leef_value("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SiemFormat, Rfc5424CarriesTheFactsAsStructuredDataAndTheJsonAsMessage) {
    siem_options o;
    o.hostname = "collector01";
    const std::string m = format_alert(hostile(), siem_format::rfc5424, o);
    // local4 (20) * 8 + error (3)
    EXPECT_EQ(m.rfind("<163>1 2026-05-28T20:26:41.500Z collector01 ikewatch - IKW-P1-031 "
                      "[ikewatch@32473 action=\"raised\" alert_id=\"IKW-P1-031/fw|01/203.0.113.5\"",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find("device_time=\"2026-05-28T20:26:40.000Z\""), std::string::npos);
    EXPECT_NE(m.find("[evidence@32473 line=\"Group = x^y, IP = 203.0.113.5\"]"), std::string::npos);
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_EQ(m.find('\x1b'), std::string::npos);
    EXPECT_NE(m.find(" {\"@timestamp\":"), std::string::npos);
}

TEST(SiemFormat, CefHeaderAndExtension) {
    const std::string m = format_alert(hostile(), siem_format::cef, {});
    EXPECT_EQ(m.rfind("CEF:0|ikewatch|ikewatch|0.1.0|IKW-P1-031|fw\\|01 \\\\ 203.0.113.5: stuck|8|"
                      "rt=1780000001500 start=1780000000000 act=raised "
                      "cat=tunnel-group-or-psk-missing externalId=IKW-P1-031/fw|01/203.0.113.5 "
                      "dvchost=fw|01 dst=203.0.113.5 msg=group \\= \"x]\"\\nnext "
                      "line\\\\x1B[31mred\xEF\xBF\xBD ",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find("cs1=a\\=b / c^d"), std::string::npos);
    EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(SiemFormat, LeefWithItsDelimiter) {
    const std::string m = format_alert(hostile(), siem_format::leef, {});
    EXPECT_EQ(m.rfind("LEEF:2.0|ikewatch|ikewatch|0.1.0|IKW-P1-031|^|devTime=2026-05-28T20:26:40."
                      "000Z^",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find("^sev=8^cat=tunnel-group-or-psk-missing^action=raised^"), std::string::npos);
    EXPECT_NE(m.find("^checks=a=b / c\\^d^"), std::string::npos);
    EXPECT_NE(m.find("^identHostName=fw|01^dst=203.0.113.5^"), std::string::npos);
    EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(SiemFormat, ResolvedAlertsAreNotices) {
    rules::alert a = hostile();
    a.action = rules::alert::action_t::resolved;
    EXPECT_EQ(severity_of(a).syslog, 5);
    EXPECT_EQ(format_alert(a, siem_format::rfc5424, {}).rfind("<165>1 ", 0), 0u);
    a.action = rules::alert::action_t::raised;
    a.sev = rules::severity::critical;
    EXPECT_EQ(severity_of(a).cef, 10);
}

TEST(SiemFormat, InvalidUtf8ReadsTheSameAsInTheAlertJson) {
    // One U+FFFD per maximal subpart (a lead byte and the continuation bytes that fit it, then
    // the byte that did not fit is read again), as the alert log's JSON does: the same evidence
    // line must read the same in the alert log, the JSON format and CEF, LEEF and RFC 5424.
    for (const std::string bad :
         {"\xe2\x82X", "\xf0\x9f\x98", "ab\xf0\x9f", "\xff\xfe", "\xc3", "\xc0\xaf", "\xed\xa0\x80",
          "a\xf4\x90\x80\x80z", "\xe0\x80\xaf", "\xe1\x80\xe1\x80\x80", "\x80\xbf"}) {
        const std::string json = dump_json(nlohmann::json(bad));
        EXPECT_EQ('"' + escape_cef_value(bad) + '"', json) << testing::PrintToString(bad);
        EXPECT_EQ('"' + escape_sd_value(bad) + '"', json) << testing::PrintToString(bad);
        EXPECT_EQ('"' + escape_leef_value(bad) + '"', json) << testing::PrintToString(bad);
    }
    EXPECT_EQ(escape_cef_value("\xe2\x82X"), "\xEF\xBF\xBDX");
    EXPECT_EQ(escape_cef_value("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

namespace {

// `n` bytes of 'a', then "é" (two bytes), then 'b'.
std::string a_run_then_e_acute(std::size_t n) {
    std::string s(n, 'a');
    s.append(
        "\xc3\xa9"
        "b");
    return s;
}

}  // namespace

TEST(SiemFormat, EvidenceIsCutAtACharacterBoundary) {
    rules::alert a = hostile();
    // 511 bytes, then a two-byte character across the 512-byte limit.
    a.evidence = {{a.time, a_run_then_e_acute(511)}};
    const std::string cef = format_alert(a, siem_format::cef, {});
    EXPECT_NE(cef.find("cs2=" + std::string(511, 'a') + " cs3Label="), std::string::npos) << cef;
    const std::string sd = format_alert(a, siem_format::rfc5424, {});
    EXPECT_NE(sd.find("line=\"" + std::string(511, 'a') + "\"]"), std::string::npos) << sd;
    // A character that fits is kept whole.
    a.evidence = {{a.time, a_run_then_e_acute(510)}};
    EXPECT_NE(format_alert(a, siem_format::leef, {})
                  .find("^evidence=" + std::string(510, 'a') + "\xc3\xa9^count="),
              std::string::npos);
}

TEST(SiemFormat, LayoutControlsBeyondAsciiBecomeVisible) {
    // C1 CSI (U+009B), a line separator and a right-to-left override recolour or reorder what a
    // SIEM console shows: like C0 controls, they never pass raw (the alert JSON escapes them too).
    EXPECT_EQ(escape_cef_value("a\xc2\x9b"
                               "2Jb\xe2\x80\xa8"
                               "c\xe2\x80\xae"
                               "d"),
              "a\\\\u009B2Jb\\\\u2028c\\\\u202Ed");
    EXPECT_EQ(escape_sd_value("\xd8\x9c\xe2\x81\xa6"), "\\\\u061C\\\\u2066");
    EXPECT_EQ(escape_cef_header("\x7f|"), "\\\\x7F\\|");
    // Other text beyond ASCII is kept: a no-break space, the euro sign, a four-byte character.
    EXPECT_EQ(escape_leef_value("\xc2\xa0\xe2\x82\xac\xf0\x9d\x84\x9e"),
              "\xc2\xa0\xe2\x82\xac\xf0\x9d\x84\x9e");
    const std::string m = format_alert(
        [] {
            rules::alert a = hostile();
            a.message = "rlo\xe2\x80\xae";
            return a;
        }(),
        siem_format::cef, {});
    EXPECT_EQ(m.find("\xe2\x80\xae"), std::string::npos) << m;
}
