#include "daemon/tcp_framer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using ikewatch::daemon::tcp_framer;

namespace {

std::vector<std::string> frames(tcp_framer& f, const std::string& bytes, std::size_t chunk = 0) {
    std::vector<std::string> out;
    const auto collect = [&](std::string_view m) { out.emplace_back(m); };
    if (chunk == 0) {
        f.feed(bytes, collect);
    } else {
        for (std::size_t i = 0; i < bytes.size(); i += chunk) {
            f.feed(std::string_view(bytes).substr(i, chunk), collect);
        }
    }
    return out;
}

}  // namespace

TEST(TcpFramer, OctetCountingAndNewlinesMixedAcrossAnyChunking) {
    const std::string stream =
        "25 <13>Jun 1 fw: %ASA-1-1: a"
        "<13>plain line one\n"
        "<13>line with CRLF\r\n"
        "\n"
        "5 hello"
        "2026-06-01T10:00:00Z starts with digits\n";
    const std::vector<std::string> want{"<13>Jun 1 fw: %ASA-1-1: a", "<13>plain line one",
                                        "<13>line with CRLF", "hello",
                                        "2026-06-01T10:00:00Z starts with digits"};
    for (const std::size_t chunk : {0UL, 1UL, 2UL, 3UL, 7UL, 64UL}) {
        tcp_framer f(1024);
        EXPECT_EQ(frames(f, stream, chunk), want) << "chunk " << chunk;
        EXPECT_FALSE(f.in_frame());
    }
}

TEST(TcpFramer, OversizedMessagesAreCutAndTheStreamStaysInStep) {
    tcp_framer f(16);
    const std::string big_line(40, 'x');
    auto out = frames(f, big_line + "\nnext\n");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], std::string(16, 'x'));
    EXPECT_EQ(out[1], "next");
    out = frames(f, "30 " + std::string(30, 'y') + "4 done", 5);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], std::string(16, 'y'));
    EXPECT_EQ(out[1], "done");
    EXPECT_EQ(f.truncated(), 2u);
}

TEST(TcpFramer, HostileCountsAndUnfinishedFramesStayBounded) {
    tcp_framer f(64);
    // A count longer than nine digits is text, not a promise of a gigabyte.
    auto out = frames(f, "99999999999 not a count\n");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], "99999999999 not a count");
    // A huge count is honoured but only max bytes are kept; the rest is skipped.
    out = frames(f, "999999999 " + std::string(1000, 'z'));
    EXPECT_EQ(out.size(), 1u);
    EXPECT_LE(f.buffered(), 64u);
    EXPECT_TRUE(f.in_frame());
    f.finish([&](std::string_view) { ADD_FAILURE() << "a skipped body is not a message"; });
    EXPECT_EQ(f.incomplete(), 1u);
    // A last line without its newline is delivered at close.
    std::vector<std::string> last;
    f.feed("tail without newline", [&](std::string_view m) { last.emplace_back(m); });
    f.finish([&](std::string_view m) { last.emplace_back(m); });
    EXPECT_EQ(last, std::vector<std::string>{"tail without newline"});
}
