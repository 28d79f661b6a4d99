#include "pipeline/device_clocks.hpp"

#include <string>

#include <gtest/gtest.h>

using namespace ikewatch;
using ikewatch::pipeline::device_clocks;

namespace {
constexpr micros s = micros_per_second;
}

TEST(DeviceClocks, NeverMovesBackwards) {
    device_clocks c;
    EXPECT_TRUE(c.observe("fw", 100 * s, 0).moved);
    const auto r = c.observe("fw", 90 * s, 0);
    EXPECT_FALSE(r.moved);
    EXPECT_EQ(r.now, 100 * s);
    EXPECT_EQ(c.observe("fw", 101 * s, 0).now, 101 * s);
}

TEST(DeviceClocks, DevicesAreIndependent) {
    device_clocks c;
    c.observe("a", 7200 * s, 0);
    EXPECT_EQ(c.observe("b", 10 * s, 0).now, 10 * s);
    EXPECT_EQ(c.now("a", 0), 7200 * s);
    EXPECT_EQ(c.now("b", 0), 10 * s);
    EXPECT_EQ(c.now("c", 0), 0);
    EXPECT_EQ(c.latest(), 7200 * s);
}

TEST(DeviceClocks, RunsWithTheWallClockBetweenLines) {
    device_clocks c;
    c.observe("fw", 100 * s, 5000 * s);
    EXPECT_EQ(c.now("fw", 5030 * s), 130 * s);
    // A line stamped before the running clock (one-second stamps) does not pull it back.
    const auto r = c.observe("fw", 120 * s, 5030 * s);
    EXPECT_FALSE(r.moved);
    EXPECT_EQ(r.now, 130 * s);
}

TEST(DeviceClocks, BoundedForgettingTheLongestIdle) {
    device_clocks c(8);
    for (int i = 0; i < 8; ++i) {
        c.observe("dev" + std::to_string(i), s, i * s);
    }
    c.observe("dev7", 2 * s, 100 * s);
    c.observe("new", s, 101 * s);
    EXPECT_LE(c.size(), 8u);
    EXPECT_NE(c.now("dev7", 101 * s), 0);
    EXPECT_NE(c.now("new", 101 * s), 0);
    EXPECT_EQ(c.now("dev0", 101 * s), 0);
    // Many more devices than the bound: memory stays bounded.
    for (int i = 0; i < 1000; ++i) {
        c.observe("x" + std::to_string(i), s, (200 + i) * s);
    }
    EXPECT_LE(c.size(), 8u);
}
