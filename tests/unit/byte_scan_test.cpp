#include "common/byte_scan.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using ikewatch::text::any_position_of;
using ikewatch::text::byte_block;

namespace {

std::string random_text(std::mt19937& rng, std::size_t n) {
    const std::string alphabet = "//ab 1:(";
    std::string s(n, ' ');
    for (char& c : s) {
        c = alphabet[rng() % alphabet.size()];
    }
    return s;
}

}  // namespace

TEST(ByteScan, EveryPositionOfTheByteInOrderAtEveryLength) {
    std::mt19937 rng(11);
    for (std::size_t n = 0; n <= 100; ++n) {
        for (int round = 0; round < 20; ++round) {
            const std::string s = random_text(rng, n);
            std::vector<std::size_t> want;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (s[i] == '/') {
                    want.push_back(i);
                }
            }
            std::vector<std::size_t> seen;
            EXPECT_FALSE(any_position_of(s, '/', [&](std::size_t i) {
                seen.push_back(i);
                return false;
            }));
            EXPECT_EQ(seen, want) << '"' << s << '"';
            // Stops at the first position the callback takes.
            if (!want.empty()) {
                const std::size_t stop_at = want[want.size() / 2];
                std::size_t last = 0;
                EXPECT_TRUE(any_position_of(s, '/', [&](std::size_t i) {
                    last = i;
                    return i == stop_at;
                }));
                EXPECT_EQ(last, stop_at);
            }
        }
    }
}

TEST(ByteScan, BlockMaskIsTheBytesFromItsPositionToTheEnd) {
    std::mt19937 rng(5);
    for (std::size_t n = 16; n <= 70; ++n) {
        const std::string s = random_text(rng, n);
        for (std::size_t at = 0; at < n; ++at) {
            const byte_block b(s, at);
            for (const char c : {'/', ':', ' ', '('}) {
                std::uint32_t want = 0;
                for (std::size_t k = 0; k < 16 && at + k < n; ++k) {
                    want |= static_cast<std::uint32_t>(s[at + k] == c) << k;
                }
                EXPECT_EQ(b.equal(c), want) << '"' << s << "\" at " << at << " '" << c << "'";
            }
        }
    }
}
