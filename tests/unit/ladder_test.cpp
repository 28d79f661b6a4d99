// The message ladder each peer keeps for the web page, from real corpus lines (tests/scenarios/,
// tests/cases/): which steps were sent, received, resent or rejected, in main mode, aggressive
// mode, quick mode and IOS debug, and the state history.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parsers/record_splitter.hpp"
#include "pipeline/pipeline.hpp"

using namespace ikewatch;
using namespace ikewatch::ike;

namespace {

class replayed {
  public:
    explicit replayed(const std::string& path) : pipe_(options()) {
        std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) + "/tests/" + path);
        std::stringstream ss;
        ss << in.rdbuf();
        text_ = ss.str();
        source_ = path.substr(path.rfind('/') + 1);
        parsers::record_splitter(true).split(text_, [&](std::string_view r) {
            pipe_.process(r, source_, 1'780'000'000 * micros_per_second);
        });
        pipe_.finish(source_);
    }
    /// The peer of that address, whichever device logged it.
    [[nodiscard]] const peer_record& peer(std::string_view addr) const {
        const peer_record* p = nullptr;
        pipe_.tracker().table().for_each([&](const peer_record& r) {
            if (r.peer.view() == addr) {
                p = &r;
            }
        });
        EXPECT_NE(p, nullptr) << source_ << " " << addr;
        static const peer_record none;
        return p ? *p : none;
    }
    [[nodiscard]] const ike::peer_table& table() const { return pipe_.tracker().table(); }

  private:
    static pipeline::pipeline_options options() {
        pipeline::pipeline_options o;
        o.time.assume_year = 2026;
        o.table.idle_expiry = 1LL << 60;
        return o;
    }
    pipeline::pipeline pipe_;
    std::string text_;
    std::string source_;
};

bool has(const ladder_record& l, std::size_t slot, std::uint8_t bits) {
    return (l.seen[slot] & bits) == bits;
}
bool seen_at_all(const ladder_record& l, std::size_t slot) {
    return (l.seen[slot] & (step_seen::sent | step_seen::received)) != 0;
}

}  // namespace

TEST(Ladder, HealthyAsaInitiatorSeesAllSixMainModeStepsAndQuickMode) {
    const replayed r("scenarios/S00-asa-initiator-healthy.log");
    const ladder_record& l = r.peer("22.22.22.22").ladder;
    EXPECT_EQ(l.exchange, ladder_exchange::main);
    for (std::size_t s : {0U, 2U, 4U}) {
        EXPECT_TRUE(has(l, s, step_seen::sent | step_seen::packet)) << step_name(l.exchange, s);
        EXPECT_EQ(l.sightings[s], 1) << step_name(l.exchange, s);
    }
    for (std::size_t s : {1U, 3U, 5U}) {
        EXPECT_TRUE(has(l, s, step_seen::received | step_seen::packet)) << step_name(l.exchange, s);
    }
    // Quick mode: QM1 sent, QM2 received, QM3 sent, message id 6abd3691.
    EXPECT_EQ(l.qm_msgid, 0x6abd3691U);
    EXPECT_TRUE(has(l, ladder_qm_first, step_seen::sent));
    EXPECT_TRUE(has(l, ladder_qm_first + 1, step_seen::received));
    EXPECT_TRUE(has(l, ladder_qm_first + 2, step_seen::sent));
    for (std::size_t s = 0; s < ladder_slots; ++s) {
        EXPECT_EQ(l.resends[s], 0);
        EXPECT_FALSE(has(l, s, step_seen::rejected));
    }
    // MM4 arrived a second after MM1 was sent.
    EXPECT_EQ(l.time_of(3) - l.time_of(0), micros_per_second);
    // The local address comes from 602303.
    EXPECT_EQ(l.local.to_string(), "24.251.95.213");
}

TEST(Ladder, StuckAtMsg4ResentMm3AndThePeerRejectedIt) {
    const replayed r("cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log");
    const peer_record& p = r.peer("233.22.22.233");
    const ladder_record& l = p.ladder;
    EXPECT_EQ(p.state, p1_state::mm_wait_msg4);
    EXPECT_TRUE(has(l, 0, step_seen::sent));
    EXPECT_TRUE(has(l, 1, step_seen::received));
    EXPECT_TRUE(has(l, 2, step_seen::sent | step_seen::resent));
    EXPECT_EQ(l.sightings[2], 2);
    EXPECT_EQ(l.resends[2], 1);
    // INVALID_COOKIE after MM3: the last step seen is marked rejected; MM4 never came.
    EXPECT_TRUE(has(l, 2, step_seen::rejected));
    EXPECT_FALSE(seen_at_all(l, 3));
    EXPECT_EQ(waited_slot(p.state), std::optional<std::size_t>(3));
    EXPECT_EQ(group_of(p, false), peer_group::stuck);
}

TEST(Ladder, AggressiveModeInitiatorCompletes) {
    const replayed r("scenarios/C02-asa-aggressive-initiator.log");
    const peer_record& p = r.peer("198.51.100.20");
    const ladder_record& l = p.ladder;
    EXPECT_EQ(l.exchange, ladder_exchange::aggressive);
    EXPECT_TRUE(has(l, 0, step_seen::sent));
    EXPECT_TRUE(has(l, 1, step_seen::received));
    EXPECT_TRUE(has(l, 2, step_seen::sent));
    EXPECT_EQ(step_name(l.exchange, 2), "AM3");
    EXPECT_EQ(group_of(p, false), peer_group::established);
}

TEST(Ladder, FsmHistoryWithoutPacketsInfersAm1AndCountsItsResends) {
    const replayed r("scenarios/S12-pix-aggressive-no-answer.log");
    const peer_record& p = r.peer("78.187.139.180");
    const ladder_record& l = p.ladder;
    EXPECT_EQ(l.exchange, ladder_exchange::aggressive);
    EXPECT_TRUE(has(l, 0, step_seen::sent | step_seen::inferred | step_seen::resent));
    EXPECT_EQ(l.resends[0], 1);
    EXPECT_FALSE(seen_at_all(l, 1));
    EXPECT_EQ(group_of(p, false), peer_group::stuck);
}

TEST(Ladder, InformationalLinesOnlyLeaveTheLadderEmpty) {
    const replayed r("scenarios/S00c-asa-responder-syslog.log");
    bool any = false;
    std::size_t peers = 0;
    for (const char* addr : {"46.37.188.24"}) {
        const peer_record& p = r.peer(addr);
        ++peers;
        any = any || p.ladder.any_phase1() || p.debug_seen;
        EXPECT_EQ(p.status, p1_status::up);
    }
    EXPECT_EQ(peers, 1U);
    EXPECT_FALSE(any);
}

TEST(Ladder, IosInitiatorFromPacketAndStateLines) {
    const replayed r("cases/iosxe-healthy-natt-initiator-site-a-console-capture.log");
    const peer_record& p = r.peer("61.128.1.1");
    const ladder_record& l = p.ladder;
    EXPECT_EQ(l.exchange, ladder_exchange::main);
    for (std::size_t s = 0; s < 6; ++s) {
        EXPECT_TRUE(has(l, s, s % 2 == 0 ? step_seen::sent : step_seen::received))
            << step_name(l.exchange, s);
        EXPECT_EQ(l.resends[s], 0) << step_name(l.exchange, s);
    }
    EXPECT_TRUE(l.any_quick());
}

TEST(Ladder, IosResponderSendsMm4AndMm6InKeyExch) {
    const replayed r("cases/iosxe-healthy-natt-responder-hq-console-capture.log");
    const peer_record& p = r.peer("103.1.1.1");
    const ladder_record& l = p.ladder;
    EXPECT_EQ(p.role, parsers::ike_role::responder);
    for (std::size_t s = 0; s < 6; ++s) {
        EXPECT_TRUE(has(l, s, s % 2 == 0 ? step_seen::received : step_seen::sent))
            << step_name(l.exchange, s);
        EXPECT_EQ(l.resends[s], 0) << step_name(l.exchange, s);
    }
    // Quick mode started by the peer: QM1 received, QM2 sent, QM3 received.
    EXPECT_TRUE(has(l, ladder_qm_first, step_seen::received | step_seen::by_peer));
    EXPECT_TRUE(has(l, ladder_qm_first + 1, step_seen::sent));
    EXPECT_TRUE(has(l, ladder_qm_first + 2, step_seen::received));
}

TEST(Ladder, StateHistoryKeepsTheChangesInOrder) {
    const replayed r("scenarios/S00-asa-initiator-healthy.log");
    const ladder_record& l = r.peer("22.22.22.22").ladder;
    std::vector<p1_state> states;
    p1_status last_status = p1_status::idle;
    l.for_each_change([&](micros, p1_state s, p1_status st, p2_status) {
        states.push_back(s);
        last_status = st;
    });
    ASSERT_GE(states.size(), 3U);
    EXPECT_EQ(states.front(), p1_state::mm_wait_msg2);
    EXPECT_EQ(states.back(), p1_state::mm_active);
    EXPECT_EQ(last_status, p1_status::up);
}

TEST(Ladder, EvidenceLinesAreTaggedWithTheirStep) {
    const replayed r("cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log");
    const peer_record& p = r.peer("233.22.22.233");
    ASSERT_NE(p.evidence.size(), 0U);
    std::vector<std::string> tagged;
    r.table().for_each_evidence(p, [&](const evidence_entry& line) {
        if (const auto s = evidence_step(p.ladder, line.text)) {
            tagged.emplace_back(step_name(p.ladder.exchange, *s));
        }
    });
    // MM1 sent, MM2 received, MM3 sent, MM3 resent (the ring keeps the start line and 7 more).
    ASSERT_GE(tagged.size(), 3U);
    EXPECT_EQ(tagged.back(), "MM3");
}

TEST(Ladder, GroupsFollowStatusAndAlerts) {
    peer_record p;
    p.status = p1_status::up;
    EXPECT_EQ(group_of(p, false), peer_group::established);
    EXPECT_EQ(group_of(p, true), peer_group::stuck);
    p.phase2 = p2_status::failed;
    EXPECT_EQ(group_of(p, false), peer_group::stuck);
    p.status = p1_status::negotiating;
    p.phase2 = p2_status::none;
    EXPECT_EQ(group_of(p, false), peer_group::negotiating);
    p.status = p1_status::down;
    EXPECT_EQ(group_of(p, true), peer_group::down);
    p.status = p1_status::failed;
    EXPECT_EQ(group_of(p, false), peer_group::stuck);
    EXPECT_EQ(peer_group_from("stuck"), peer_group::stuck);
    EXPECT_EQ(peer_group_from("nope"), std::nullopt);
}

TEST(Ladder, RecordStaysSmall) {
    // The web page's share of the per-peer budget.
    EXPECT_LE(sizeof(ladder_record), 240U);
}
