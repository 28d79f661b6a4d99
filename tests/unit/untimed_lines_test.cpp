// Lines without a calendar time (console pastes, debug output) never move a device's clock to a
// time its logs did not reach: a healthy bring-up whose lines are all untimed but one raises
// nothing above info, wherever that one timed line sits; lines before the first timed line take
// its time; a log without any time says it cannot tell how long a state lasted.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parsers/record_splitter.hpp"
#include "parsers/syslog_framer.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

using namespace ikewatch;

namespace {

constexpr micros reference = 1'780'000'000 * micros_per_second;

std::vector<std::string> records_of(const std::string& scenario) {
    std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) + "/tests/scenarios/" + scenario);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::vector<std::string> out;
    parsers::record_splitter(true).split(text, [&](std::string_view r) { out.emplace_back(r); });
    return out;
}

// The record without its syslog header (so without its time): what a console shows.
std::string untimed(const std::string& record) {
    const auto framed = parsers::frame_syslog(record);
    return framed ? std::string(framed.value().body) : record;
}

struct replay {
    rules::collecting_sink sink;
    std::unique_ptr<pipeline::pipeline> pipe;

    explicit replay(const std::vector<std::string>& records) {
        pipeline::pipeline_options o;
        o.time.assume_year = 2026;
        o.table.idle_expiry = 1LL << 60;
        o.rules = rules::load_with_pack({}).rules;
        o.sink = &sink;
        o.replay = true;
        pipe = std::make_unique<pipeline::pipeline>(std::move(o));
        for (const std::string& r : records) {
            pipe->process(r, "console.log", reference);
        }
        pipe->finish("console.log");
        pipe->drain();
    }

    [[nodiscard]] std::vector<std::string> above_info() const {
        std::vector<std::string> out;
        for (const rules::alert& a : sink.alerts) {
            if (a.sev != rules::severity::info) {
                out.push_back(a.code + " " + a.peer + ": " + a.message);
            }
        }
        return out;
    }
};

// NOLINTNEXTLINE(readability-identifier-naming): a test suite name, CamelCase like the others
class HealthyWithOneTimedLine : public testing::TestWithParam<const char*> {};

TEST_P(HealthyWithOneTimedLine, RaisesNothingWhereverTheTimedLineSits) {
    const std::vector<std::string> records = records_of(GetParam());
    ASSERT_GT(records.size(), 5u);
    for (std::size_t timed = 0; timed < records.size(); ++timed) {
        std::vector<std::string> mixed;
        for (std::size_t i = 0; i < records.size(); ++i) {
            mixed.push_back(i == timed ? records[i] : untimed(records[i]));
        }
        const replay r(mixed);
        EXPECT_EQ(r.above_info(), std::vector<std::string>{})
            << GetParam() << " with only record " << timed << " timed";
    }
}

TEST_P(HealthyWithOneTimedLine, RaisesNothingWithoutAnyTime) {
    std::vector<std::string> records;
    for (const std::string& r : records_of(GetParam())) {
        records.push_back(untimed(r));
    }
    const replay r(records);
    EXPECT_EQ(r.above_info(), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Scenarios, HealthyWithOneTimedLine,
                         testing::Values("S00-asa-initiator-healthy.log",
                                         "S00b-ios-initiator-healthy.log",
                                         "S00c-asa-responder-syslog.log",
                                         "C01-asa-responder-main-mode.log"));

TEST(UntimedLines, TakeTheTimeOfTheFirstTimedLineAfterThem) {
    const std::vector<std::string> records = {
        "%ASA-5-713041: IP = 192.0.2.7, IKE Initiator: New Phase 1, Intf inside, IKE Peer "
        "192.0.2.7  local Proxy Address 10.0.0.0, remote Proxy Address 10.1.0.0,  Crypto map "
        "(MAP)",
        "%ASA-7-713236: IP = 192.0.2.7, IKE_DECODE SENDING Message (msgid=0) with payloads : "
        "HDR + SA (1) + NONE (0) total length : 84",
        "Mar 03 2025 10:00:00: %ASA-7-713236: IP = 192.0.2.7, IKE_DECODE RECEIVED Message "
        "(msgid=0) with payloads : HDR + SA (1) + NONE (0) total length : 84",
    };
    const replay r(records);
    const ike::peer_record* p = r.pipe->tracker().table().find("console.log", "192.0.2.7");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->first_seen, from_civil({2025, 3, 3, 10, 0, 0, 0}));
    EXPECT_FALSE(p->untimed);
}

TEST(UntimedLines, StuckNegotiationWithoutTimesSaysItCannotTellHowLong) {
    // An initiator that sent MM3 and never heard back, pasted without times.
    const std::vector<std::string> records = {
        "[IKEv1]: IP = 192.0.2.7, IKE Initiator: New Phase 1, Intf inside, IKE Peer 192.0.2.7  "
        "local Proxy Address 10.0.0.0, remote Proxy Address 10.1.0.0,  Crypto map (MAP)",
        "[IKEv1 DEBUG]: IP = 192.0.2.7, IKE_DECODE SENDING Message (msgid=0) with payloads : "
        "HDR + SA (1) + NONE (0) total length : 84",
        "[IKEv1 DEBUG]: IP = 192.0.2.7, IKE_DECODE RECEIVED Message (msgid=0) with payloads : "
        "HDR + SA (1) + NONE (0) total length : 84",
        "[IKEv1 DEBUG]: IP = 192.0.2.7, IKE_DECODE SENDING Message (msgid=0) with payloads : "
        "HDR + KE (4) + NONCE (10) + NONE (0) total length : 256",
    };
    const replay r(records);
    ASSERT_EQ(r.sink.alerts.size(), 1u);
    const rules::alert& a = r.sink.alerts[0];
    EXPECT_EQ(a.code, "tunnel-group-or-psk-missing");
    EXPECT_EQ(a.conf, rules::confidence::medium);  // one step below the rule's
    EXPECT_NE(a.message.find("an unknown time"), std::string::npos) << a.message;
    EXPECT_NE(a.cause.find("no timestamps"), std::string::npos) << a.cause;
}

}  // namespace
