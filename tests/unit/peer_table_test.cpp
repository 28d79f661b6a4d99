#include "ike/peer_table.hpp"

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
