#include "ike/evidence_store.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ike/memory_plan.hpp"
#include "ike/peer_table.hpp"

using namespace ikewatch;
using namespace ikewatch::ike;

namespace {

std::string line_of(int i) {
    return "%ASA-7-713236: IP = 10.0.0." + std::to_string(i) + ", IKE_DECODE SENDING Message";
}

// Every line of a peer's evidence the table still holds, oldest first.
std::vector<std::string> lines(const peer_table& t, const peer_record& p) {
    std::vector<std::string> out;
    t.for_each_evidence(p, [&](const evidence_entry& e) { out.emplace_back(e.text); });
    return out;
}

}  // namespace

TEST(EvidenceStore, GivesBackWhatWasAppended) {
    evidence_store s(64 * 1024);
    const evidence_ref a = s.append(0, 5, "first line");
    const evidence_ref b = s.append(2, 6, "second line");
    ASSERT_TRUE(s.get(a));
    EXPECT_EQ(s.get(a)->text, "first line");
    EXPECT_EQ(s.get(a)->time, 5);
    EXPECT_EQ(s.get(b)->text, "second line");
    EXPECT_EQ(s.appended(), 2U);
    EXPECT_FALSE(s.get(evidence_ref{}));
}

TEST(EvidenceStore, OverwritesOldestFirstAndOldHandlesFindNothing) {
    // Arena 2 gets half: 1,000 bytes, about 12 lines of 80 bytes.
    evidence_store s(2000);
    std::vector<evidence_ref> refs;
    for (int i = 0; i < 100; ++i) {
        refs.push_back(s.append(2, i, line_of(i)));
        ASSERT_FALSE(refs.back().empty());
    }
    std::size_t held = 0;
    for (int i = 0; i < 100; ++i) {
        const auto e = s.get(refs[static_cast<std::size_t>(i)]);
        if (e) {
            ++held;
            // Never another line: a handle finds its own line or nothing.
            EXPECT_EQ(e->text, line_of(i));
            EXPECT_EQ(e->time, i);
        }
    }
    EXPECT_GE(held, 8U);
    EXPECT_LE(held, 15U);
    // The newest are held, the oldest gone.
    EXPECT_TRUE(s.get(refs.back()));
    EXPECT_FALSE(s.get(refs.front()));
    EXPECT_LE(s.used_bytes(), 2000U);
}

TEST(EvidenceStore, ArenasDoNotOverwriteEachOther) {
    evidence_store s(4000);
    const evidence_ref kept = s.append(2, 1, "a line of a peer with a history");
    for (int i = 0; i < 10'000; ++i) {
        (void)s.append(0, i, line_of(i));  // a flood of one-line peers
    }
    ASSERT_TRUE(s.get(kept));
    EXPECT_EQ(s.get(kept)->text, "a line of a peer with a history");
}

TEST(EvidenceStore, LongLinesAreCutOnACharacterBoundary) {
    evidence_store s(64 * 1024);
    const std::string text = std::string(evidence_store::line_bytes - 1, 'a') + "\xc3\xa9";
    const auto e = s.get(s.append(1, 0, text));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->text, std::string(evidence_store::line_bytes - 1, 'a'));
}

TEST(EvidenceStore, TooSmallOrResetKeepsNothingWrong) {
    evidence_store none(0);
    EXPECT_TRUE(none.append(0, 0, "x").empty());
    evidence_store s(64 * 1024);
    const evidence_ref r = s.append(1, 0, "before");
    s.reset(32 * 1024);
    EXPECT_FALSE(s.get(r));
    const evidence_ref after = s.append(1, 0, "after");
    EXPECT_FALSE(s.get(r));
    EXPECT_EQ(s.get(after)->text, "after");
}

TEST(EvidenceStore, MovesALineToAnotherArena) {
    evidence_store s(64 * 1024);
    const evidence_ref r = s.append(0, 3, "moved");
    const evidence_ref m = s.move_to(2, r);
    EXPECT_NE(m, r);
    EXPECT_EQ(s.get(m)->text, "moved");
    EXPECT_EQ(s.get(m)->time, 3);
    EXPECT_EQ(s.move_to(2, m), m);
    EXPECT_TRUE(s.move_to(1, evidence_ref{}).empty());
}

TEST(PeerEvidence, StartLineIsPinnedAndTheOthersRotate) {
    peer_table t({.max_peers = 10});
    bool created = false;
    peer_record* p = t.upsert("fw", "192.0.2.1", 0, created);
    t.add_evidence(*p, 0, "start", true);
    for (int i = 0; i < 20; ++i) {
        t.add_evidence(*p, i + 1, line_of(i), false);
    }
    const std::vector<std::string> got = lines(t, *p);
    ASSERT_EQ(got.size(), evidence_refs::slots);
    EXPECT_EQ(got.front(), "start");
    EXPECT_EQ(got[1], line_of(13));
    EXPECT_EQ(got.back(), line_of(19));
    // A new negotiation: a new pinned line, the rotating ones dropped.
    t.add_evidence(*p, 30, "restart", true);
    EXPECT_EQ(lines(t, *p), std::vector<std::string>{"restart"});
}

TEST(PeerEvidence, AFloodOfOneLinePeersLeavesTheLinesOfPeersWithAHistory) {
    // A small store: its one-line arena is overwritten many times by the flood.
    peer_table t({.max_peers = 1000, .evidence_bytes = 64 * 1024});
    bool created = false;
    peer_record* real = nullptr;
    for (int i = 0; i < 4; ++i) {  // four lines: the `history` class
        real = t.upsert("fw", "198.51.100.7", i, created);
        t.add_evidence(*real, i, "real " + std::to_string(i), i == 0);
    }
    ASSERT_EQ(t.class_of("fw", "198.51.100.7"), peer_class::history);
    for (std::uint32_t i = 0; i < 50'000; ++i) {
        const std::string spoofed = "10." + std::to_string(i >> 16) + "." +
                                    std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
        peer_record* p = t.upsert("fw", spoofed, i, created);
        t.add_evidence(*p, i, line_of(static_cast<int>(i % 200)), true);
    }
    const peer_record* kept = t.find("fw", "198.51.100.7");
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(lines(t, *kept), (std::vector<std::string>{"real 0", "real 1", "real 2", "real 3"}));
    EXPECT_LE(t.evidence().used_bytes(), 64U * 1024);
}

TEST(PeerEvidence, AnEvictedPeersLinesAreNotAnotherPeers) {
    peer_table t({.max_peers = 2, .evidence_bytes = 64 * 1024});
    bool created = false;
    peer_record* a = t.upsert("fw", "192.0.2.1", 0, created);
    t.add_evidence(*a, 0, "line of a", true);
    t.upsert("fw", "192.0.2.2", 1, created);
    peer_record* c = t.upsert("fw", "192.0.2.3", 2, created);  // evicts .1, reuses its slot
    EXPECT_EQ(t.find("fw", "192.0.2.1"), nullptr);
    EXPECT_TRUE(lines(t, *c).empty());
}

TEST(MemoryPlan, TheBudgetSizesTheTableUnlessMaxPeersIsSet) {
    const memory_plan p = plan_memory(std::size_t{256} << 20, std::nullopt);
    EXPECT_EQ(p.max_peers, ((std::size_t{256} << 20) - memory_reserve) / planned_bytes_per_peer);
    EXPECT_EQ(p.evidence_bytes, p.max_peers * evidence_bytes_per_peer);
    EXPECT_LE(planned_bytes(p), (std::size_t{256} << 20));
    EXPECT_GT(planned_bytes(p) + planned_bytes_per_peer, (std::size_t{256} << 20));
    const memory_plan fixed = plan_memory(std::size_t{256} << 20, 10'000);
    EXPECT_EQ(fixed.max_peers, 10'000U);
    EXPECT_EQ(fixed.evidence_bytes, evidence_bytes_for(10'000));
    // Below the smallest budget: planned as the smallest.
    EXPECT_EQ(plan_memory(1, std::nullopt).max_peers,
              (min_memory - memory_reserve) / planned_bytes_per_peer);
}
