#include "parsers/message_registry.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;

TEST(Registry, SortedAndUnique) {
    const auto rows = asa_messages();
    EXPECT_TRUE(
        std::is_sorted(rows.begin(), rows.end(),
                       [](const asa_message& a, const asa_message& b) { return a.id < b.id; }));
    EXPECT_EQ(
        std::adjacent_find(rows.begin(), rows.end(),
                           [](const asa_message& a, const asa_message& b) { return a.id == b.id; }),
        rows.end());
}

TEST(Registry, UnknownIdsPassThroughWithIdAndSeverity) {
    const auto d =
        ikewatch::test::decode("<166>Jun 04 2011 21:59:52 fw : %ASA-6-302021: Teardown ICMP");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.ev.kind, event_kind::other);
    EXPECT_EQ(d.ev.msg_id, "302021");
    EXPECT_EQ(d.ev.severity, 6);
    EXPECT_EQ(d.ev.device, "fw");
}

TEST(Registry, UnlistedIkeIdsStillNameTheirPeer) {
    const auto d = ikewatch::test::decode(
        "%ASA-7-715046: Group = 22.22.22.22, IP = 22.22.22.22, constructing hash payload");
    EXPECT_EQ(d.ev.kind, event_kind::ike_info);
    EXPECT_EQ(d.ev.peer.view(), "22.22.22.22");
}

TEST(Registry, EveryKindAndFieldHasAUniqueName) {
    for (std::size_t i = 0; i < event_kind_count; ++i) {
        const auto k = static_cast<event_kind>(i);
        EXPECT_EQ(event_kind_from(to_string(k)), k);
    }
    for (std::size_t i = 0; i < field_count; ++i) {
        const auto f = static_cast<field>(i);
        EXPECT_EQ(field_from(to_string(f)), f);
    }
}

// Random bytes and mutated real lines never crash, hang or leak (run under ASan in CI).
TEST(Registry, HostileBytesNeverCrash) {
    std::mt19937 rng(12345);
    const std::string seeds[] = {
        "<166>Aug 20 2026 08:53:11 asa : %ASA-6-751025: Local:1.2.3.4:4500 Remote:5.6.7.8:1",
        "%ASA-7-713236: IP = 1.2.3.4, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR",
        "%PIX-7-715065: IP = 1.1.1.1, IKE AM Initiator FSM error history (struct &0x1) <state>",
        "*Oct 25 18:53:16.532: ISAKMP-PAK: (1001):sending packet to 203.0.113.1 (I) MM_KEY_EXCH",
        "%ASA-4-106023: Deny udp src outside:1.2.3.4/500 dst outside:5.6.7.8/500 by access-group"};
    ikewatch::parsers::record_decoder decoder;
    decoded d;
    for (int round = 0; round < 20000; ++round) {
        std::string s = seeds[static_cast<std::size_t>(round) % 5];
        const int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t pos = rng() % s.size();
            switch (rng() % 4) {
                case 0:
                    s[pos] = static_cast<char>(rng() % 256);
                    break;
                case 1:
                    s.erase(pos, rng() % 8);
                    break;
                case 2:
                    s.insert(pos, std::string(rng() % 4, static_cast<char>(rng() % 128)));
                    break;
                default:
                    s.resize(pos);
                    break;
            }
        }
        decoder.decode(s, "fuzz", 0, d);
    }
    EXPECT_EQ(decoder.stats().records, 20000u);
}

// One row per event kind (parsers/event_kinds.cpp): names round-trip, and the facts the tracker
// reads from it keep their meaning.
TEST(EventKinds, OneRowPerKindWithItsFacts) {
    const auto kinds = event_kinds();
    ASSERT_EQ(kinds.size(), event_kind_count);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        const auto k = static_cast<event_kind>(i);
        EXPECT_EQ(kinds[i].kind, k);
        EXPECT_EQ(event_kind_from(to_string(k)), k) << kinds[i].name;
        EXPECT_FALSE(kinds[i].source.empty()) << kinds[i].name;
        EXPECT_FALSE(kinds[i].fields.empty()) << kinds[i].name;
    }
    EXPECT_FALSE(info(event_kind::other).tracks_peer);
    EXPECT_FALSE(info(event_kind::acl_deny).tracks_peer);  // a deny names an address, not a peer
    EXPECT_FALSE(info(event_kind::ping_failed).tracks_peer);
    EXPECT_TRUE(info(event_kind::ike_packet).tracks_peer);
    EXPECT_TRUE(info(event_kind::ikev2_state).tracks_peer);
    EXPECT_FALSE(info(event_kind::ike_info).evidence);
    EXPECT_TRUE(info(event_kind::phase1_complete).evidence);
    EXPECT_EQ(to_string(event_kind::count_), "other");
}
