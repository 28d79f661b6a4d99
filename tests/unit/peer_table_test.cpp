#include "ike/peer_table.hpp"

#include <utility>

#include <string>

#include <gtest/gtest.h>

using namespace ikewatch;
using namespace ikewatch::ike;

TEST(PeerTable, LeastRecentlyUpdatedIsEvictedAndCounted) {
    peer_table t({.max_peers = 3});
    bool created = false;
    t.upsert("fw", "10.0.0.1", 1, created);
    t.upsert("fw", "10.0.0.2", 2, created);
    t.upsert("fw", "10.0.0.3", 3, created);
    t.upsert("fw", "10.0.0.1", 4, created);  // touch: .2 is now the oldest
    EXPECT_FALSE(created);
    t.upsert("fw", "10.0.0.4", 5, created);
    EXPECT_TRUE(created);
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(t.find("fw", "10.0.0.2"), nullptr);
    EXPECT_NE(t.find("fw", "10.0.0.1"), nullptr);
    EXPECT_EQ(t.stats().evicted, 1u);
}

// A record is found again by its slot and serial only while it is the same record: the peer
// that takes over an evicted peer's slot has a serial of its own.
TEST(PeerTable, ASlotTakenOverIsNotTheRecordThatHadIt) {
    peer_table t({.max_peers = 1});
    bool created = false;
    const peer_record* first = t.upsert("fw", "10.0.0.1", 1, created);
    const std::uint32_t slot = first->slot;
    const std::uint32_t serial = first->serial;
    EXPECT_EQ(t.at(slot, serial), first);
    const peer_record* second = t.upsert("fw", "10.0.0.2", 2, created);
    ASSERT_EQ(second->slot, slot);
    EXPECT_NE(second->serial, serial);
    EXPECT_EQ(t.at(slot, serial), nullptr);
    EXPECT_EQ(t.at(slot, second->serial), second);
    EXPECT_EQ(t.at(slot + 1, second->serial), nullptr);
}

TEST(PeerTable, FloodOfSpoofedPeersStaysBounded) {
    peer_table t({.max_peers = 1000});
    bool created = false;
    peer_record* legit = t.upsert("fw", "198.51.100.1", 0, created);
    legit->state = p1_state::mm_active;
    for (std::uint32_t i = 0; i < 200'000; ++i) {
        const std::string spoofed = "10." + std::to_string(i >> 16) + "." +
                                    std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
        t.upsert("fw", spoofed, i, created);
        if (i % 500 == 0) {
            t.upsert("fw", "198.51.100.1", i, created);  // the real peer keeps talking
        }
    }
    EXPECT_EQ(t.size(), 1000u);
    const peer_record* p = t.find("fw", "198.51.100.1");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->state, p1_state::mm_active);
}

namespace {

std::string spoofed_peer(std::uint32_t i) {
    return "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." +
           std::to_string(i & 255);
}

// Names the peer `lines` times, as that many log lines would.
peer_record* named(peer_table& t, std::string_view device, std::string_view peer, int lines,
                   micros now = 0) {
    bool created = false;
    peer_record* p = nullptr;
    for (int i = 0; i < lines; ++i) {
        p = t.upsert(device, peer, now, created);
    }
    return p;
}

}  // namespace

TEST(PeerTable, ClassFollowsTheLinesThatNamedThePeer) {
    peer_table t;
    const std::pair<int, peer_class> expected[] = {{1, peer_class::single_line},
                                                   {2, peer_class::repeated},
                                                   {3, peer_class::repeated},
                                                   {4, peer_class::history},
                                                   {300, peer_class::history}};
    for (const auto& [lines, cls] : expected) {
        const std::string peer = "192.0.2." + std::to_string(lines % 250);
        named(t, "fw", peer, lines);
        EXPECT_EQ(t.class_of("fw", peer), cls) << lines << " lines";
    }
    EXPECT_EQ(t.class_of("fw", "192.0.2.251"), std::nullopt);
    EXPECT_EQ(t.class_size(peer_class::history), 2u);
}

TEST(PeerTable, OneLineFloodNeverEvictsPeersWithHistory) {
    // A negotiation in progress (5 lines) and a tunnel that came up (2 lines), both silent
    // while 200,000 spoofed peers, each named once, go through a table of 1,000.
    peer_table t({.max_peers = 1000});
    peer_record* stuck = named(t, "fw", "203.0.113.5", 5);
    stuck->state = p1_state::mm_wait_msg4;
    peer_record* tunnel = named(t, "fw", "198.51.100.7", 2);
    tunnel->state = p1_state::mm_active;
    bool created = false;
    for (std::uint32_t i = 0; i < 200'000; ++i) {
        // Spoofed device names too, and the real device's name now and then.
        t.upsert(i % 10 == 0 ? "fw" : "spoof-" + std::to_string(i % 5000), spoofed_peer(i), i,
                 created);
        ASSERT_LE(t.size(), 1000u);
    }
    EXPECT_EQ(t.size(), 1000u);
    ASSERT_NE(t.find("fw", "203.0.113.5"), nullptr);
    EXPECT_EQ(t.find("fw", "203.0.113.5")->state, p1_state::mm_wait_msg4);
    ASSERT_NE(t.find("fw", "198.51.100.7"), nullptr);
    EXPECT_EQ(t.find("fw", "198.51.100.7")->state, p1_state::mm_active);
    EXPECT_EQ(t.stats().evicted, 200'000u + 2u - 1000u);
    EXPECT_EQ(t.stats().evicted_by_class[0], t.stats().evicted);
}

TEST(PeerTable, FullTableOfHistoryStillTakesNewPeers) {
    // Every slot holds a peer with history: a new peer evicts the least recently updated one,
    // and the next new peer evicts that newcomer rather than another peer with history.
    peer_table t({.max_peers = 3});
    named(t, "fw", "10.0.0.1", 4, 1);
    named(t, "fw", "10.0.0.2", 4, 2);
    named(t, "fw", "10.0.0.3", 4, 3);
    bool created = false;
    EXPECT_NE(t.upsert("fw", "10.0.0.4", 4, created), nullptr);
    EXPECT_TRUE(created);
    EXPECT_EQ(t.find("fw", "10.0.0.1"), nullptr);
    t.upsert("fw", "10.0.0.5", 5, created);
    EXPECT_EQ(t.find("fw", "10.0.0.4"), nullptr);
    EXPECT_NE(t.find("fw", "10.0.0.2"), nullptr);
    EXPECT_NE(t.find("fw", "10.0.0.3"), nullptr);
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(t.stats().evicted_by_class[static_cast<std::size_t>(peer_class::history)], 1u);
    EXPECT_EQ(t.stats().evicted_by_class[static_cast<std::size_t>(peer_class::single_line)], 1u);
}

TEST(PeerTable, LowerClassGoesFirstThenLeastRecentlyUpdated) {
    peer_table t({.max_peers = 3});
    named(t, "fw", "10.0.0.1", 4);  // history, oldest
    named(t, "fw", "10.0.0.2", 2);  // repeated
    named(t, "fw", "10.0.0.3", 2);  // repeated, newest
    bool created = false;
    t.upsert("fw", "10.0.0.4", 0, created);  // evicts .2: lowest class, least recent
    EXPECT_EQ(t.find("fw", "10.0.0.2"), nullptr);
    named(t, "fw", "10.0.0.4", 1);           // .4 now repeated too, more recent than .3
    t.upsert("fw", "10.0.0.5", 0, created);  // evicts .3
    EXPECT_EQ(t.find("fw", "10.0.0.3"), nullptr);
    EXPECT_NE(t.find("fw", "10.0.0.1"), nullptr);
    EXPECT_NE(t.find("fw", "10.0.0.4"), nullptr);
}

TEST(PeerTable, ForgedHistoryStillEvictsSilentPeers) {
    // The limit of the policy, stated: a forger who names each spoofed peer four times competes
    // with real peers that have history, and the silent ones go first.
    peer_table t({.max_peers = 100});
    named(t, "fw", "203.0.113.5", 10);
    for (std::uint32_t i = 0; i < 200; ++i) {
        named(t, "fw", spoofed_peer(i), 4);
    }
    EXPECT_EQ(t.find("fw", "203.0.113.5"), nullptr);
    EXPECT_EQ(t.size(), 100u);
}

TEST(PeerTable, DeviceNameFloodKeepsPeersWithHistory) {
    // More device names than the device table holds, each naming one spoofed peer.
    peer_table t({.max_peers = 64, .max_devices = 16});
    named(t, "fw", "203.0.113.5", 4);
    for (std::uint32_t i = 0; i < 10'000; ++i) {
        bool created = false;
        EXPECT_NE(t.upsert("spoof-" + std::to_string(i), "10.0.0.1", i, created), nullptr);
    }
    EXPECT_NE(t.find("fw", "203.0.113.5"), nullptr);
    EXPECT_LE(t.size(), 16u);
}

TEST(PeerTable, IdlePeersExpire) {
    peer_table t({.max_peers = 10, .idle_expiry = 100});
    bool created = false;
    t.upsert("fw", "10.0.0.1", 0, created);
    peer_record* fresh = t.upsert("fw", "10.0.0.2", 0, created);
    fresh->last_event = 150;
    EXPECT_EQ(t.expire(200), 1u);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.stats().expired, 1u);
}

TEST(PeerTable, DeviceNamesAreBoundedAndReclaimed) {
    peer_table t({.max_peers = 4, .max_devices = 4});
    bool created = false;
    for (int i = 0; i < 50; ++i) {
        EXPECT_NE(t.upsert("dev" + std::to_string(i), "10.0.0.1", i, created), nullptr);
    }
    EXPECT_EQ(t.size(), 4u);
}

TEST(PeerTable, ConnectionIdsArePerDevice) {
    peer_table t;
    t.bind_conn("r1", "1001", "203.0.113.1");
    t.bind_conn("r2", "1001", "203.0.113.2");
    EXPECT_EQ(t.conn_peer("r1", "1001"), "203.0.113.1");
    EXPECT_EQ(t.conn_peer("r2", "1001"), "203.0.113.2");
    EXPECT_EQ(t.conn_peer("r3", "1001"), "");
}

TEST(PeerTable, RecordStaysUnderOneKilobyteWithoutEvidence) {
    EXPECT_LE(peer_table::bytes_per_peer_estimate(), 1024u);
}
