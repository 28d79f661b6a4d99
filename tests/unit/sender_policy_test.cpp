#include "daemon/sender_policy.hpp"

#include <gtest/gtest.h>

using ikewatch::cidr;
using ikewatch::ip_address;
using ikewatch::micros_per_second;
using ikewatch::daemon::sender_policy;

namespace {
ip_address addr(const char* s) {
    return *ip_address::parse(s);
}
}  // namespace

TEST(SenderPolicy, AllowListOfBlocks) {
    sender_policy p({*cidr::parse("10.0.0.0/8"), *cidr::parse("2001:db8::/32")}, 0, 0);
    EXPECT_TRUE(p.allowed(addr("10.1.2.3")));
    EXPECT_TRUE(p.allowed(addr("2001:db8::1")));
    EXPECT_FALSE(p.allowed(addr("192.0.2.1")));
    EXPECT_EQ(p.admit(addr("192.0.2.1"), 0), sender_policy::verdict::not_allowed);
    sender_policy everyone({}, 0, 0);
    EXPECT_TRUE(everyone.allowed(addr("192.0.2.1")));
}

TEST(SenderPolicy, TokenBucketPerSender) {
    sender_policy p({}, 10, 5);  // 10 messages/s, bursts of 5
    const ip_address a = addr("192.0.2.1");
    const ip_address b = addr("192.0.2.2");
    int accepted = 0;
    for (int i = 0; i < 20; ++i) {
        accepted += p.admit(a, 0) == sender_policy::verdict::accept ? 1 : 0;
    }
    EXPECT_EQ(accepted, 5);
    EXPECT_EQ(p.admit(b, 0), sender_policy::verdict::accept);  // its own bucket
    // Half a second later five more tokens have come.
    accepted = 0;
    for (int i = 0; i < 20; ++i) {
        accepted += p.admit(a, micros_per_second / 2) == sender_policy::verdict::accept ? 1 : 0;
    }
    EXPECT_EQ(accepted, 5);
}

TEST(SenderPolicy, BoundedMemoryUnderManySenders) {
    sender_policy p({}, 1, 1, 100);
    for (unsigned i = 0; i < 10'000; ++i) {
        ip_address a;
        a.family = ip_address::family_t::v4;
        a.bytes[0] = 10;
        a.bytes[1] = static_cast<std::uint8_t>(i >> 16);
        a.bytes[2] = static_cast<std::uint8_t>(i >> 8);
        a.bytes[3] = static_cast<std::uint8_t>(i);
        EXPECT_EQ(p.admit(a, 0), sender_policy::verdict::accept);
    }
}
