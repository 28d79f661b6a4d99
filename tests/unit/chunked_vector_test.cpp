#include "common/chunked_vector.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using ikewatch::chunked_vector;

// Elements stay where they are while the array grows past many chunks, and every index reaches
// its own element across the chunk boundaries.
TEST(ChunkedVector, GrowthMovesNoElement) {
    chunked_vector<std::string, 2> v;  // four a chunk
    std::vector<const std::string*> where;
    for (int i = 0; i < 50; ++i) {
        std::string& s = v.emplace_back();
        EXPECT_TRUE(s.empty());
        s = "peer-" + std::to_string(i);
        where.push_back(&s);
    }
    ASSERT_EQ(v.size(), 50u);
    for (std::size_t i = 0; i < where.size(); ++i) {
        EXPECT_EQ(&v[i], where[i]) << i;
        EXPECT_EQ(v[i], "peer-" + std::to_string(i));
    }
    const chunked_vector<std::string, 2>& read_only = v;
    EXPECT_EQ(read_only[49], "peer-49");
}
