#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parsers/record_splitter.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch;
using namespace ikewatch::rules;

namespace {

constexpr const char* header = R"(
codes:
  test-code: "a code for tests"
)";

// A pipeline with only the given rules, fed lines one by one; `tune` may change its options.
class harness {
  public:
    explicit harness(const std::string& rules_yaml,
                     const std::function<void(pipeline::pipeline_options&)>& tune = {}) {
        auto loaded = load_rules({{"test.yaml", std::string(header) + rules_yaml}});
        EXPECT_TRUE(loaded.ok()) << (loaded.problems.empty() ? "" : loaded.problems[0].to_string());
        rules_ = loaded.rules;
        pipeline::pipeline_options o;
        o.rules = rules_;
        o.sink = &sink;
        o.time.assume_year = 2026;
        o.table.idle_expiry = std::numeric_limits<micros>::max() / 2;
        if (tune) {
            tune(o);
        }
        pipe = std::make_unique<pipeline::pipeline>(std::move(o));
    }
    void line(const std::string& l, micros wall = 0) {
        lines_.push_back(l);
        pipe->process(lines_.back(), "fw", wall);
    }
    std::vector<std::string> actions() const {
        std::vector<std::string> out;
        for (const alert& a : sink.alerts) {
            out.push_back(
                std::string(a.action == alert::action_t::raised ? "raised " : "resolved ") +
                a.rule_id + " " + a.key + " @" + rfc3339(a.time).substr(11, 8));
        }
        return out;
    }
    collecting_sink sink;
    std::unique_ptr<pipeline::pipeline> pipe;
    std::shared_ptr<const rule_set> rules_;

  private:
    std::vector<std::string> lines_;
};

std::string asa(const std::string& hms, const std::string& id, const std::string& body,
                const std::string& host = "fw") {
    return "<167>Jun 01 2026 " + hms + " " + host + " : %ASA-7-" + id + ": " + body;
}

std::string built(const std::string& hms, const std::string& host = "fw") {
    return asa(
        hms, "302013",
        "Built outbound TCP connection 1 for a:1.1.1.1/1 (1.1.1.1/1) to b:2.2.2.2/2 (2.2.2.2/2)",
        host);
}

std::string sent_sa(const std::string& hms, const char* dir = "SENDING",
                    const std::string& host = "fw") {
    return asa(hms, "713236",
               std::string("IP = 203.0.113.5, IKE_DECODE ") + dir +
                   " Message (msgid=0) with payloads : HDR + SA (1) + NONE (0) "
                   "total length : 88",
               host);
}

// One rule as an item of a `rules:` list, and a set of it alone.
const char* stuck_item = R"(  - id: STUCK
    name: stuck
    code: test-code
    severity: high
    match: {state: MM_WAIT_MSG2, for: 30s}
    title: "{peer} stuck at {state} for {duration}"
    cause: "c"
    checks: ["look at {peer}"]
)";
const std::string stuck_rule = std::string("\nrules:\n") + stuck_item;

}  // namespace

TEST(RuleEngine, TimeInStateFiresOnTheTimerWithoutAnyFurtherLine) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    h.line(built("10:00:29"));
    EXPECT_TRUE(h.sink.alerts.empty());
    // Any later line moves the clock past the deadline; the alert carries the deadline's time.
    h.line(built("10:05:00"));
    ASSERT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30"});
    const alert& a = h.sink.alerts[0];
    EXPECT_EQ(a.message, "203.0.113.5 stuck at MM_WAIT_MSG2 for 30s");
    EXPECT_EQ(a.checks, std::vector<std::string>{"look at 203.0.113.5"});
    EXPECT_EQ(a.id, "STUCK/fw/203.0.113.5");
    ASSERT_FALSE(a.evidence.empty());
    EXPECT_NE(a.evidence.front().text.find("IKE_DECODE SENDING"), std::string::npos);
}

// Only the line that enters a state starts its timer: the peer's other lines of that second
// (here a resend) add none, and the deadline is checked once.
TEST(RuleEngine, LinesInTheSecondOfAStateEntryStartNoFurtherTimer) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    ASSERT_EQ(h.pipe->engine()->timer_count(), 1U);
    h.line(sent_sa("10:00:00", "RESENDING"));
    h.line(sent_sa("10:00:00", "RESENDING"));
    EXPECT_EQ(h.pipe->engine()->timer_count(), 1U);
    h.line(built("10:05:00"));
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30"});
    EXPECT_EQ(h.pipe->engine()->stats().timers_fired, 1U);
    EXPECT_EQ(h.pipe->engine()->stats().repeats, 0U);
}

// A time-in-state timer belongs to its peer's record: the peer that takes over an evicted
// peer's place in the table, in the same state since the same second, does not inherit it.
TEST(RuleEngine, ATimerOfAnEvictedPeerDoesNotFireForThePeerInItsPlace) {
    harness h(stuck_rule, [](pipeline::pipeline_options& o) { o.table.max_peers = 1; });
    h.line(sent_sa("10:00:00"));
    h.line(asa("10:00:00", "713236",
               "IP = 192.0.2.9, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA (1) "
               "+ NONE (0) total length : 88"));
    h.line(built("10:05:00"));
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 192.0.2.9 @10:00:30"});
    EXPECT_EQ(h.pipe->engine()->stats().repeats, 0U);
}

// Timers of peers that left a full table make room for new ones: the engine drops them before
// it would refuse a timer, and the others keep their order.
TEST(RuleEngine, TimersOfPeersThatLeftMakeRoomForNewOnes) {
    harness h(stuck_rule, [](pipeline::pipeline_options& o) {
        o.table.max_peers = 2;
        o.engine.max_timers = 3;
    });
    for (int i = 1; i <= 6; ++i) {
        h.line(asa("10:00:0" + std::to_string(i), "713236",
                   "IP = 192.0.2." + std::to_string(i) +
                       ", IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA (1) + "
                       "NONE (0) total length : 88"));
    }
    h.line(built("10:05:00"));
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised STUCK 192.0.2.5 @10:00:35",
                                                     "raised STUCK 192.0.2.6 @10:00:36"}));
    EXPECT_EQ(h.pipe->engine()->stats().timers_dropped, 0U);
    EXPECT_EQ(h.pipe->engine()->timer_count(), 0U);
}

// At the timer bound, with every timer still valid, a sweep frees nothing: the engine must not
// walk all its timers again for each new one (a flood of new peers would cost the square of the
// bound). Sweeps are spread over a sixteenth of the bound in timers asked for.
TEST(RuleEngine, AFullTimerBoundIsNotSweptForEveryNewTimer) {
    constexpr std::size_t bound = 1024;
    harness h(stuck_rule, [](pipeline::pipeline_options& o) { o.engine.max_timers = bound; });
    constexpr int peers = 12'000;
    for (int i = 0; i < peers; ++i) {
        h.line(asa("10:00:00", "713236",
                   "IP = 10." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
                       ".1, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA (1) + "
                       "NONE (0) total length : 88"));
    }
    const engine_stats& st = h.pipe->engine()->stats();
    EXPECT_EQ(h.pipe->engine()->timer_count(), bound);
    EXPECT_EQ(st.timers_dropped, peers - bound);
    EXPECT_LE(st.timer_sweeps, (peers - bound) / (bound / 16) + 2);
}

TEST(RuleEngine, EachDeviceRunsOnItsOwnClock) {
    harness h(stuck_rule);
    // fw2's clock is two hours behind fw's: its negotiation is not "stuck for two hours".
    h.line(built("12:00:00", "fw"));
    h.line(sent_sa("10:00:00", "SENDING", "fw2"));
    h.line(built("12:00:40", "fw"));
    h.line(built("10:00:10", "fw2"));
    EXPECT_TRUE(h.sink.alerts.empty());
    h.line(built("10:00:31", "fw2"));
    ASSERT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30"});
    EXPECT_EQ(h.sink.alerts[0].device, "fw2");
}

TEST(RuleEngine, LiveClockFollowsTheWallClockBetweenLines) {
    harness h(stuck_rule);
    const micros wall = 1'000'000'000 * micros_per_second;  // any arrival time base
    h.line(sent_sa("10:00:00"), wall);
    h.pipe->tick(wall + 29 * micros_per_second);
    EXPECT_TRUE(h.sink.alerts.empty());
    // No further line from fw: its clock still reaches the deadline.
    h.pipe->tick(wall + 31 * micros_per_second);
    ASSERT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30"});
}

TEST(RuleEngine, LeavingTheStateBeforeTheDeadlineRaisesNothing) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    h.line(sent_sa("10:00:10", "RECEIVED"));
    h.line(asa("10:00:11", "713236",
               "IP = 203.0.113.5, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + KE "
               "(4) + NONCE (10) + NONE (0) total length : 256"));
    h.pipe->drain();
    EXPECT_TRUE(h.sink.alerts.empty());
}

TEST(RuleEngine, OneAlertPerKeyRepeatsCountedThenResolved) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    h.line(sent_sa("10:00:40", "RESENDING"));  // still stuck: counted on the raised alert
    h.line(sent_sa("10:00:50", "RESENDING"));
    h.line(sent_sa("10:01:00", "RECEIVED"));  // MM2 arrives: still MM_WAIT_MSG2, counted again
    h.line(asa("10:01:01", "713236",
               "IP = 203.0.113.5, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + KE "
               "(4) + NONCE (10) + NONE (0) total length : 256"));
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30",
                                                     "resolved STUCK 203.0.113.5 @10:01:01"}));
    EXPECT_EQ(h.sink.alerts[1].count, 4u);
}

TEST(RuleEngine, ThresholdCountsPerKeyWithinTheWindow) {
    harness h(R"(
rules:
  - id: BURST
    name: b
    code: test-code
    severity: low
    match: {event: login_failed, count: 3, within: 60s, key: src_ip}
    title: "{count} from {src_ip}"
    cause: "c"
    checks: []
)");
    auto fail = [&](const std::string& t, const std::string& ip) {
        h.line("<166>Jun 01 2026 " + t + " fw : %ASA-6-605004: Login denied from " + ip +
               "/2222 to outside:198.51.100.1/ssh for user \"root\"");
    };
    fail("10:00:00", "192.0.2.1");
    fail("10:00:10", "192.0.2.2");
    fail("10:00:20", "192.0.2.1");
    fail("10:01:10", "192.0.2.1");  // the first one has left the window: two in it
    EXPECT_TRUE(h.sink.alerts.empty());
    fail("10:01:15", "192.0.2.1");
    ASSERT_EQ(h.actions(), std::vector<std::string>{"raised BURST 192.0.2.1 @10:01:15"});
    EXPECT_EQ(h.sink.alerts[0].message, "3 from 192.0.2.1");
    EXPECT_FALSE(h.sink.alerts[0].peer_key);
}

TEST(RuleEngine, AbsenceFiresUnlessTheFollowUpArrives) {
    harness h(R"(
rules:
  - id: NOFOLLOW
    name: a
    code: test-code
    severity: low
    match: {event: phase1_start, not_followed_by: phase1_complete, within: 60s}
    title: "t"
    cause: "c"
    checks: []
)");
    h.line(
        "<165>Jun 01 2026 10:00:00 fw : %ASA-5-713041: IP = 203.0.113.5, IKE Initiator: New Phase "
        "1, Intf o, IKE Peer 203.0.113.5  local Proxy Address 1.1.1.1, remote Proxy Address "
        "2.2.2.2,  Crypto map (M)");
    h.line(
        "<165>Jun 01 2026 10:00:05 fw : %ASA-5-713041: IP = 203.0.113.6, IKE Initiator: New Phase "
        "1, Intf o, IKE Peer 203.0.113.6  local Proxy Address 1.1.1.1, remote Proxy Address "
        "2.2.2.2,  Crypto map (M)");
    h.line(
        "<165>Jun 01 2026 10:00:20 fw : %ASA-5-713119: Group = 203.0.113.6, IP = 203.0.113.6, "
        "PHASE 1 COMPLETED");
    h.pipe->drain();
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised NOFOLLOW 203.0.113.5 @10:01:00"});
}

// Lines about no IKE peer skip the engine unless a rule reads their kind, as trigger or
// follow-up here, or in a correlation (the test after this one).
TEST(RuleEngine, KindsAboutNoPeerReachTheRulesThatReadThem) {
    harness h(R"(
rules:
  - id: NOLOGIN
    name: b
    code: test-code
    severity: low
    match: {event: login_failed, not_followed_by: login_success, within: 60s, key: device}
    title: "t"
    cause: "c"
    checks: []
)");
    const auto login = [](const std::string& host, const std::string& hms, bool denied) {
        return "<166>Jun 01 2026 " + hms + " " + host + " : %ASA-6-" +
               (denied ? "605004: Login denied" : "605005: Login permitted") +
               " from 192.0.2.1/2222 to outside:198.51.100.1/ssh for user \"admin\"";
    };
    h.line(built("10:00:00", "fw1"));
    h.line(login("fw2", "10:00:00", true));
    h.line(login("fw3", "10:00:00", true));
    h.line(built("10:00:05", "fw3"));
    h.line(login("fw3", "10:00:10", false));
    h.pipe->drain();
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised NOLOGIN  @10:01:00"});
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    EXPECT_EQ(h.sink.alerts[0].device, "fw2");
}

TEST(RuleEngine, CorrelationWorksInBothOrders) {
    const char* rule = R"(
rules:
  - id: CORR
    name: c
    code: test-code
    severity: high
    match:
      event: fsm_history
      with: {event: acl_deny, where: {protocol: udp, port: 500}, within: 2m}
    title: "{peer} denied by {acl}"
    cause: "c"
    checks: []
)";
    const std::string fsm =
        "<167>Jun 01 2026 10:01:00 fw : %ASA-7-715065: IP = 203.0.113.5, IKE MM Initiator FSM "
        "error history (struct &0x1)  <state>, <event>:  MM_DONE, EV_ERROR-->MM_WAIT_MSG2, "
        "EV_TIMEOUT";
    const std::string deny =
        "<164>Jun 01 2026 10:00:30 fw : %ASA-4-106023: Deny udp src outside:203.0.113.5/500 dst "
        "outside:198.51.100.1/500 by access-group \"IN\" [0x0, 0x0]";
    {
        harness h(rule);
        h.line(deny);
        h.line(fsm);
        ASSERT_EQ(h.actions(), std::vector<std::string>{"raised CORR 203.0.113.5 @10:01:00"});
        EXPECT_EQ(h.sink.alerts[0].message, "203.0.113.5 denied by IN");
        EXPECT_EQ(h.sink.alerts[0].evidence.size(), 2u);
    }
    {
        harness h(rule);
        h.line(fsm);
        EXPECT_TRUE(h.sink.alerts.empty());
        std::string later = deny;
        later.replace(later.find("10:00:30"), 8, "10:01:30");
        h.line(later);
        EXPECT_EQ(h.actions(), std::vector<std::string>{"raised CORR 203.0.113.5 @10:01:30"});
    }
    {
        harness h(rule);  // too far apart
        std::string early = deny;
        early.replace(early.find("10:00:30"), 8, "09:50:00");
        h.line(early);
        h.line(fsm);
        EXPECT_TRUE(h.sink.alerts.empty());
    }
}

// Lines that name no peer correlate per device (tests/cases/
// ftd-ikev2-711001-rekey-invalid-spi-flap-palo-alto-cscvx23833.log).
TEST(RuleEngine, CorrelationByDevice) {
    const char* rule = R"(
rules:
  - id: DEVCORR
    name: c
    code: test-code
    severity: medium
    match:
      event: invalid_spi
      key: device
      with: {event: ikev2_state, where: {exchange: CREATE_CHILD_SA}, within: 30s}
    title: "{device}: {spi}"
    cause: "c"
    checks: []
)";
    const std::string invalid =
        "<167>Jun 01 2026 10:00:00 ftd : %FTD-5-711001: IKEv2-PLAT-4: Received PFKEY Invalid SPI "
        "for SPI 0x1E3EFDFE, error FALSE";
    const std::string child =
        "<167>Jun 01 2026 10:00:10 ftd : %FTD-5-711001: IKEv2-PROTO-7: (3276): SM Trace-> SA: "
        "I_SPI=16E0EB3D1B795DA7 R_SPI=611FCB1009386D19 (I) MsgID = 0000000B CurState: "
        "CHILD_I_PROC Event: EV_OK_RECD_LOAD_IPSEC";
    {
        harness h(rule);
        h.line(invalid);
        EXPECT_TRUE(h.sink.alerts.empty());
        h.line(child);
        ASSERT_EQ(h.actions(), std::vector<std::string>{"raised DEVCORR  @10:00:10"});
        EXPECT_EQ(h.sink.alerts[0].message, "ftd: 0x1E3EFDFE");
    }
    {
        harness h(rule);  // another device's exchange does not count
        h.line(invalid);
        std::string other = child;
        other.replace(other.find(" ftd "), 5, " fw2 ");
        h.line(other);
        EXPECT_TRUE(h.sink.alerts.empty());
    }
}

TEST(RuleEngine, SuppressionAfterResolveAndResolveAfterQuiet) {
    harness h("\nrules:\n" + test::quiet_rule_item("    suppress: 10m\n"));
    auto dead = [&](const std::string& t) { h.line(test::peer_lost_line(t)); };
    dead("10:00:00");
    dead("10:03:00");  // counted, and the quiet period starts again
    dead("10:09:00");  // resolved at 10:08:00 first, then suppressed
    dead("10:30:00");  // suppression over: raised again
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised QUIET 203.0.113.5 @10:00:00",
                                                     "resolved QUIET 203.0.113.5 @10:08:00",
                                                     "raised QUIET 203.0.113.5 @10:30:00"}));
    EXPECT_EQ(h.pipe->engine()->stats().suppressed, 1u);
}

// A peer that keeps repeating one failure (keepalives, retransmits) holds one quiet-period timer,
// not one per sighting: a flood of repeats must not fill the timer bound and crowd out the
// time-in-state timers of other peers. The alert still resolves after its last sighting.
TEST(RuleEngine, RepeatsOfAnAlertKeepOneQuietPeriodTimer) {
    harness h("\nrules:\n" + test::quiet_rule_item() + stuck_item,
              [](pipeline::pipeline_options& o) { o.engine.max_timers = 50; });
    auto dead = [&](int second) {
        const std::string hms = "10:" + std::string(second / 60 < 10 ? "0" : "") +
                                std::to_string(second / 60) + ":" + (second % 60 < 10 ? "0" : "") +
                                std::to_string(second % 60);
        h.line(test::peer_lost_line(hms));
    };
    for (int s = 0; s < 200; ++s) {
        dead(s);  // 200 sightings within 200 s
    }
    EXPECT_LE(h.pipe->engine()->timer_count(), 2U);
    // Another peer's negotiation still gets its time-in-state timer and diagnosis.
    h.line(asa("10:03:30", "713236",
               "IP = 198.51.100.7, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA "
               "(1) + NONE (0) total length : 88"));
    h.line(built("10:04:30"));
    // Quiet from the last sighting (10:03:19): resolved five minutes later, not after the first.
    h.line(built("10:09:00"));
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised QUIET 203.0.113.5 @10:00:00",
                                                     "raised STUCK 198.51.100.7 @10:04:00",
                                                     "resolved QUIET 203.0.113.5 @10:08:19"}));
    EXPECT_EQ(h.pipe->engine()->stats().timers_dropped, 0U);
    EXPECT_EQ(h.sink.alerts.back().count, 200U);  // the resolved alert counts every sighting
}
TEST(RuleEngine, ExplainedFallbackStaysQuietAndCountsItsSuppression) {
    // A fallback resolved by a better diagnosis comes due again on the peer's next negotiation:
    // it stays quiet, and with `suppress` it counts as suppressed, not just superseded.
    for (const bool suppress : {false, true}) {
        harness h(std::string(R"(
rules:
  - id: FB
    name: fallback
    code: test-code
    severity: medium
    fallback: true
    match: {state: MM_WAIT_MSG2, for: 30s}
)") + (suppress ? "    suppress: 1h\n" : "") +
                  R"(    title: "t"
    cause: "c"
    checks: []
  - id: DEAD
    name: dead
    code: test-code
    severity: high
    match: {event: peer_dead}
    title: "t"
    cause: "c"
    checks: []
)");
        h.line(sent_sa("10:00:00"));
        h.line(built("10:00:40"));
        h.line(test::peer_lost_line("10:01:00"));
        h.line(sent_sa("10:02:00"));
        h.line(built("10:03:00"));
        EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised FB 203.0.113.5 @10:00:30",
                                                         "raised DEAD 203.0.113.5 @10:01:00",
                                                         "resolved FB 203.0.113.5 @10:01:00"}))
            << "suppress=" << suppress;
        EXPECT_EQ(h.pipe->engine()->stats().suppressed, suppress ? 1U : 0U);
        EXPECT_EQ(h.pipe->engine()->stats().raised, 2U);
    }
}

TEST(RuleEngine, ReloadKeepsRaisedAlertsAndPeerState) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    h.line(sent_sa("10:00:40", "RESENDING"));
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    auto reloaded = load_rules({{"test.yaml", std::string(header) + stuck_rule}});
    ASSERT_TRUE(reloaded.ok());
    h.pipe->set_rules(reloaded.rules);
    EXPECT_EQ(h.pipe->engine()->active_count(), 1u);
    h.line(sent_sa("10:00:50", "RESENDING"));
    EXPECT_EQ(h.sink.alerts.size(), 1u);  // still the same raised alert, counted
    // A rule set without the rule resolves its alerts.
    auto without = load_rules({{"test.yaml", std::string(header) + "rules: []\n"}});
    ASSERT_TRUE(without.ok());
    h.pipe->set_rules(without.rules);
    ASSERT_EQ(h.sink.alerts.size(), 2u);
    EXPECT_EQ(h.sink.alerts[1].action, alert::action_t::resolved);
}

// A reload that puts another rule first: the raised alert keeps counting under its rule, not
// raised a second time, and still clears when the peer leaves the state.
TEST(RuleEngine, ReloadThatMovesTheRuleKeepsCountingAndClearingItsAlert) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    h.line(sent_sa("10:00:40", "RESENDING"));
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    auto moved = load_rules({{"test.yaml", std::string(header) + R"(
rules:
  - id: FIRST
    name: first
    code: test-code
    severity: low
    match: {event: peer_dead}
    title: "t"
    cause: "c"
    checks: []
)" + stuck_item}});
    ASSERT_TRUE(moved.ok());
    h.pipe->set_rules(moved.rules);
    h.line(sent_sa("10:00:50", "RESENDING"));
    h.line(asa("10:01:01", "713236",
               "IP = 203.0.113.5, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + KE "
               "(4) + NONCE (10) + NONE (0) total length : 256"));
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30",
                                                     "resolved STUCK 203.0.113.5 @10:01:01"}));
}

TEST(RuleEngine, DrainFiresPendingTimersOnly) {
    harness h(stuck_rule);
    h.line(sent_sa("10:00:00"));
    EXPECT_TRUE(h.sink.alerts.empty());
    h.pipe->drain();
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised STUCK 203.0.113.5 @10:00:30"});
}

// The peer field `lines` counts the lines applied to the peer, this one included.
TEST(RuleEngine, PeerLinesCountsTheLinesThatNamedThePeer) {
    harness h(R"(
rules:
  - id: SECOND
    name: s
    code: test-code
    severity: low
    match:
      event: ike_packet
      peer: {lines: {gte: 2}}
    title: "{peer} after {lines} lines"
    cause: "c"
    checks: []
)");
    const std::string packet =
        "<167>Jun 01 2026 10:00:00 fw : %ASA-7-713236: IP = 203.0.113.5, IKE_DECODE SENDING "
        "Message (msgid=0) with payloads : HDR + SA (1) + VENDOR (13) + NONE (0) total length : "
        "256";
    h.line(packet);
    EXPECT_TRUE(h.sink.alerts.empty());
    h.line(packet);
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    EXPECT_EQ(h.sink.alerts[0].message, "203.0.113.5 after 2 lines");
}

TEST(RuleEngine, HostileFieldTextIsKeptVerbatimForTheOutputsToEscape) {
    harness h(R"(
rules:
  - id: GRP
    name: g
    code: test-code
    severity: low
    match: {event: tunnel_group_missing}
    title: "no group {group}"
    cause: "c"
    checks: []
)");
    h.line(
        "<163>Jun 01 2026 10:00:00 fw : %ASA-3-713902: Group = evil\x1b[31m\"|=], IP = "
        "203.0.113.5, Can't find a valid tunnel group, aborting...!");
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    EXPECT_EQ(h.sink.alerts[0].message, "no group evil\x1b[31m\"|=]");
}

TEST(RuleEngine, LongUntrustedTextIsCutInWhatAnAlertKeeps) {
    // Five lines naming a 30 KiB user: the alert keeps each evidence line and each field put in
    // its title cut to a bound, on a character boundary, however long the lines.
    harness h(R"(
rules:
  - id: BURST
    name: b
    code: test-code
    severity: low
    match: {event: login_failed, count: 5, within: 60s, key: src_ip}
    title: "{count} from {src_ip}, last user {user}"
    cause: "c"
    checks: []
)");
    const std::string user = std::string(30 * 1024 - 1, 'u') + "\xe2\x86\x90";  // ends with ←
    for (int i = 0; i < 5; ++i) {
        h.line("<166>Jun 01 2026 10:00:0" + std::to_string(i) +
               " fw : %ASA-6-605004: Login denied from 192.0.2.1/2222 to "
               "outside:198.51.100.1/ssh for user \"" +
               user + "\"");
    }
    ASSERT_EQ(h.sink.alerts.size(), 1u);
    const alert& a = h.sink.alerts[0];
    const engine_options limits;
    EXPECT_EQ(a.message,
              "5 from 192.0.2.1, last user " + std::string(limits.max_field_bytes, 'u') + "\u2026");
    ASSERT_EQ(a.evidence.size(), 5u);
    for (const evidence_line& l : a.evidence) {
        EXPECT_LE(l.text.size(), limits.max_evidence_bytes + 3);
        EXPECT_TRUE(l.text.ends_with("uuu\u2026")) << l.text.substr(l.text.size() - 10);
    }
}

TEST(RuleEngine, TheLineThatRaisesAnAlertDoesNotAlsoResolveIt) {
    // The default resolve of a peer rule is "phase 1 up"; a problem reported by the very line
    // that brings phase 1 up stays raised until a later line clears it.
    harness h(R"(
rules:
  - id: UP
    name: up
    code: test-code
    severity: low
    match: {event: phase1_complete}
    title: "{peer} up"
    cause: "c"
    checks: ["x"]
)");
    h.line(asa("10:00:00", "713119", "Group = 203.0.113.5, IP = 203.0.113.5, PHASE 1 COMPLETED"));
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised UP 203.0.113.5 @10:00:00"});
    h.line(asa("10:00:05", "713120",
               "Group = 203.0.113.5, IP = 203.0.113.5, PHASE 2 COMPLETED (msgid=01020304)"));
    EXPECT_EQ(h.actions(), (std::vector<std::string>{"raised UP 203.0.113.5 @10:00:00",
                                                     "resolved UP 203.0.113.5 @10:00:05"}));
}

TEST(RuleEngine, AHeldNegotiationIsAFactOfTheDeviceForTenMinutes) {
    // IOS prints the refusal without naming a peer; peers of the device see it while it is recent.
    harness h(R"(
rules:
  - id: HELD
    name: held
    code: test-code
    severity: high
    match:
      event: ikev2_failed
      peer: {device_negotiation_held: true}
    title: "{peer} failed while a negotiation was held"
    cause: "c"
    checks: ["x"]
)");
    const auto abort = [](const std::string& hms, const std::string& peer) {
        return "<187>14: rtr: Jun  1 " + hms +
               ".000: %IKEV2-3-NEG_ABORT: Local:10.0.0.1/500 Remote:" + peer +
               "/500 Negotiation aborted due to ERROR: Failed to receive the AUTH msg before the "
               "timer expired";
    };
    h.line(abort("08:55:00", "10.0.0.9"));
    h.line(
        "<191>12: rtr: Jun  1 09:00:00.123: IKEv2:SA is already in negotiation, hence not "
        "negotiating again");
    h.line(abort("09:05:00", "10.0.0.2"));
    h.line(abort("09:30:00", "10.0.0.3"));
    EXPECT_EQ(h.actions(), std::vector<std::string>{"raised HELD 10.0.0.2 @09:05:00"});
}

// Every kind of placeholder: facts about the alert and its rule, the peer's fields, the event's
// fields, the words for a group that was not logged, and a name with no value here.
constexpr const char* every_placeholder = R"(
rules:
  - id: NOFOLLOW
    name: a
    code: test-code
    severity: low
    match: {event: phase1_start, not_followed_by: phase1_complete, within: 90s}
    title: "{device}|{peer}|{key}|{duration}|{count}|{window}|{for}|{code}|{rule}"
    cause: "{confidence}|{ike_version}|{state}|{role}|{group}|{user}|{{literal}}"
    checks: ["{retransmits} at {state_ios}", "no braces"]
)";

void start_phase1(harness& h, const std::string& peer, const std::string& time) {
    h.line("<165>Jun 01 2026 " + time + " fw : %ASA-5-713041: IP = " + peer +
           ", IKE Initiator: New Phase 1, Intf o, IKE Peer " + peer +
           "  local Proxy Address 1.1.1.1, remote Proxy Address 2.2.2.2,  Crypto map (M)");
}

TEST(RuleEngine, PlaceholdersAreFilledFromTheAlertThePeerAndTheEvent) {
    harness h(every_placeholder);
    start_phase1(h, "203.0.113.5", "10:00:00");
    start_phase1(h, "203.0.113.6", "10:01:40");  // its time passes the first one's deadline
    ASSERT_EQ(h.actions(), std::vector<std::string>{"raised NOFOLLOW 203.0.113.5 @10:01:30"});
    const alert& a = h.sink.alerts[0];
    EXPECT_EQ(a.message, "fw|203.0.113.5|203.0.113.5|1m30s|1|1m30s|0s|test-code|NOFOLLOW");
    EXPECT_EQ(a.cause, "high|1|MM_WAIT_MSG2|initiator|(not logged)|(unknown)|{literal}");
    EXPECT_EQ(a.checks, (std::vector<std::string>{"0 at MM_NO_STATE", "no braces"}));
}

// A log that ends before the rule's time has passed: the times say so.
TEST(RuleEngine, PlaceholdersOfTimeSayWhereTheLogEnds) {
    harness h(every_placeholder);
    start_phase1(h, "203.0.113.5", "10:00:00");
    start_phase1(h, "203.0.113.6", "10:00:45");
    h.pipe->drain();
    ASSERT_EQ(h.sink.alerts.size(), 2U);
    const alert& a = h.sink.alerts[0];
    EXPECT_EQ(a.message,
              "fw|203.0.113.5|203.0.113.5|45s, the log ends there|1|45s, the log ends there|0s|"
              "test-code|NOFOLLOW");
    EXPECT_EQ(a.cause.substr(0, a.cause.find(' ')), "medium|1|MM_WAIT_MSG2|initiator|(not");
}
