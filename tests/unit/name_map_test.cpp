#include "common/name_map.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/string_map.hpp"

using ikewatch::name_map;

TEST(NameMap, FindInsertErase) {
    name_map<int> m;
    EXPECT_EQ(m.find("fw01"), nullptr);
    auto [v, fresh] = m.try_emplace("fw01");
    EXPECT_TRUE(fresh);
    *v = 7;
    EXPECT_FALSE(m.try_emplace("fw01").second);
    ASSERT_NE(m.find("fw01"), nullptr);
    EXPECT_EQ(*m.find("fw01"), 7);
    EXPECT_TRUE(m.erase("fw01"));
    EXPECT_FALSE(m.erase("fw01"));
    EXPECT_EQ(m.find("fw01"), nullptr);
    EXPECT_TRUE(m.empty());
    // A reused slot starts from a fresh value.
    EXPECT_EQ(*m.try_emplace("fw02").first, 0);
}

TEST(NameMap, AgreesWithStdMapUnderRandomOperations) {
    name_map<int> m;
    std::map<std::string, int> ref;
    std::mt19937 rng(42);
    for (int step = 0; step < 200'000; ++step) {
        const std::string name = "dev" + std::to_string(rng() % 3000);
        switch (rng() % 4) {
            case 0:
            case 1:
                *m.try_emplace(name).first = step;
                ref[name] = step;
                break;
            case 2:
                EXPECT_EQ(m.erase(name), ref.erase(name) == 1);
                break;
            default: {
                const int* v = m.find(name);
                const auto it = ref.find(name);
                ASSERT_EQ(v != nullptr, it != ref.end()) << name;
                if (v != nullptr) {
                    EXPECT_EQ(*v, it->second);
                }
            }
        }
        ASSERT_EQ(m.size(), ref.size());
    }
    m.erase_if([](const std::string&, const int& v) { return v % 2 == 0; });
    std::erase_if(ref, [](const auto& kv) { return kv.second % 2 == 0; });
    std::size_t seen = 0;
    m.for_each([&](const std::string& name, int& v) {
        ++seen;
        ASSERT_TRUE(ref.count(name));
        EXPECT_EQ(ref[name], v);
    });
    EXPECT_EQ(seen, ref.size());
}

// The hash reads words, not bytes: every byte of every length must still count, and the low
// bits the tables index by must spread names that differ in one digit.
TEST(StringHash, EveryByteCountsAtEveryLength) {
    const ikewatch::string_hash h;
    std::string base = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (std::size_t n = 1; n <= base.size(); ++n) {
        const std::string s = base.substr(0, n);
        for (std::size_t i = 0; i < n; ++i) {
            std::string t = s;
            t[i] = static_cast<char>(t[i] ^ 0x01);
            EXPECT_NE(h(s), h(t)) << "length " << n << ", byte " << i;
        }
        EXPECT_NE(h(s), h(s + '\0')) << "length " << n;
    }
    EXPECT_NE(h(""), h(std::string_view("\0", 1)));
}

TEST(StringHash, LowBitsSpreadSimilarNames) {
    const ikewatch::string_hash h;
    constexpr std::size_t buckets = 1024;
    std::vector<int> load(buckets, 0);
    for (int i = 0; i < 4096; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "fw%04d", i);
        ++load[h(name) & (buckets - 1)];
    }
    // 4 per bucket on average; a weak mix piles similar names into a few buckets.
    EXPECT_LE(*std::max_element(load.begin(), load.end()), 16);
    EXPECT_LE(std::count(load.begin(), load.end(), 0), 80);
}

// Keys are compared a word at a time: every length, and a difference in any one byte.
TEST(SameKey, AgreesWithStringEqualityAtEveryLength) {
    const std::string base = "fw-dc1-edge-0123456789-abcdefghijklmnopqrstuvwxyz";
    for (std::size_t n = 0; n <= base.size(); ++n) {
        const std::string a = base.substr(0, n);
        const std::string same(a.data(), a.size());  // equal text, another buffer
        EXPECT_TRUE(ikewatch::same_key(a, same)) << n;
        EXPECT_FALSE(ikewatch::same_key(a, a + "x")) << n;
        for (std::size_t i = 0; i < n; ++i) {
            std::string b = a;
            b[i] = static_cast<char>(b[i] ^ 0x20);
            EXPECT_FALSE(ikewatch::same_key(a, b)) << "length " << n << ", byte " << i;
        }
    }
}
