#include "parsers/record_splitter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using ikewatch::parsers::record_splitter;

namespace {

std::vector<std::string> split(std::string_view text, bool comments = true) {
    std::vector<std::string> out;
    record_splitter s(comments);
    s.split(text, [&](std::string_view r) { out.emplace_back(r); });
    return out;
}

}  // namespace

TEST(RecordSplitter, AsaProxyIdSpansThreeLines) {
    const auto r = split(
        "May 23 2010 13:15:26: %ASA-7-713906: Group = 1.1.1.1, IP = 1.1.1.1, Transmitting Proxy "
        "Id:\n"
        "Local subnet:  172.16.200.0  mask 255.255.255.0 Protocol 0  Port 0\n"
        "Remote subnet: 192.168.1.0  Mask 255.255.255.0 Protocol 0  Port 0\n"
        "May 23 2010 13:15:26: %ASA-7-714007: Group = 1.1.1.1, IP = 1.1.1.1, IKE Initiator\n");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_NE(r[0].find("Remote subnet"), std::string::npos);
    EXPECT_EQ(r[1].substr(0, 6), "May 23");
}

// The colon that opens a record may be followed by spaces, tabs or stray carriage returns.
TEST(RecordSplitter, ProxyIdOpensTheRecordWhatEverTrailsItsColon) {
    for (const char* tail : {"", " ", "\t", " \t ", "\r", "\r\r", ": x"}) {
        const std::string text =
            std::string(
                "May 23 2010 13:15:26: %ASA-7-713906: IP = 1.1.1.1, Transmitting Proxy Id:") +
            tail +
            "\nLocal subnet:  172.16.200.0  mask 255.255.255.0 Protocol 0  Port 0\n"
            "May 23 2010 13:15:26: %ASA-7-714007: IP = 1.1.1.1, IKE Initiator\n";
        const bool opens = std::string_view(tail) != ": x";
        EXPECT_EQ(split(text).size(), opens ? 2u : 3u) << '[' << tail << ']';
    }
}

TEST(RecordSplitter, IosSaRequestCommaContinuations) {
    const auto r = split(
        "00:27:07: IPSEC(sa_request): ,\n"
        "(key eng. msg.) src= 10.15.58.10, dest= 10.15.58.38,\n"
        "spi= 0x5AE6C721(1525073697), conn_id= 0, keysize= 0, flags= 0x4004\n"
        "00:27:07: ISAKMP: received ke message (1/1)\n");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_NE(r[0].find("dest= 10.15.58.38"), std::string::npos);
}

TEST(RecordSplitter, IndentedLinesJoinAndCommentsAndBlanksSplit) {
    const auto r = split(
        "IPSEC: New embryonic SA created @ 0x1,\n"
        "    SCB: 0x85567700,\n"
        "    Direction: inbound\n"
        "\n"
        "# a comment\n"
        "%ASA-6-302013: Built\n"
        "last line without newline");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_NE(r[0].find("Direction: inbound"), std::string::npos);
    EXPECT_EQ(r[2], "last line without newline");
}

TEST(RecordSplitter, OrdinaryLinesNeverJoin) {
    const auto r = split(
        "Deny TCP (no connection) from 1.1.1.1/1 to 2.2.2.2/2\n"
        "access-list inside permitted tcp inside/1.1.1.1(1) -> outside/2.2.2.2(2)\n");
    EXPECT_EQ(r.size(), 2u);
}

TEST(RecordSplitter, StreamingKeepsTheOpenRecord) {
    record_splitter s;
    std::vector<std::string> out;
    const std::string text = "%ASA-6-1: a\n%ASA-6-2: b:\ncontinued\n";
    const std::size_t used =
        s.split_complete(text, [&](std::string_view r) { out.emplace_back(r); });
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(text.substr(used), "%ASA-6-2: b:\ncontinued\n");
}

TEST(RecordSplitter, ContinuationIsBounded) {
    std::string text = "%ASA-7-713906: x:\n";
    for (int i = 0; i < 40; ++i) {
        text += "  indented\n";
    }
    const auto r = split(text);
    EXPECT_GT(r.size(), 1u);
}

TEST(RecordSplitter, NamesTheLineEachRecordStartsOn) {
    const std::string text =
        "# a comment\n"
        "\n"
        "%ASA-7-713906: Group = 1.1.1.1, IP = 1.1.1.1, Transmitting Proxy Id:\n"
        "Local subnet:  172.16.200.0\n"
        "Remote subnet: 192.168.1.0\n"
        "   \n"
        "%ASA-6-1: a\n"
        "  indented continuation\r\n"
        "%ASA-6-2: b";
    record_splitter s(true);
    std::vector<std::size_t> lines;
    s.split(text, [&](std::string_view) { lines.push_back(s.record_line()); });
    EXPECT_EQ(lines, (std::vector<std::size_t>{2, 6, 8}));
}

TEST(RecordSplitter, StreamingCountsTheLinesItConsumed) {
    record_splitter s(true);
    std::vector<std::size_t> lines;
    const auto keep = [&](std::string_view) { lines.push_back(s.record_line()); };
    // The second record may still continue; the blank line after the first is consumed.
    const std::string first = "%ASA-6-1: a\n  more\n\n%ASA-6-2: b:\ncontinued\n";
    const std::size_t used = s.split_complete(first, keep);
    EXPECT_EQ(first.substr(used), "%ASA-6-2: b:\ncontinued\n");
    EXPECT_EQ(s.consumed_lines(), 3u);
    EXPECT_EQ(lines, (std::vector<std::size_t>{0}));
    // Nothing complete yet: nothing consumed.
    EXPECT_EQ(s.split_complete("%ASA-6-3: c", keep), 0u);
    EXPECT_EQ(s.consumed_lines(), 0u);
}
