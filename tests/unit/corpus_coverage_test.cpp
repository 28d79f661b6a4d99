// Checks over every line of the shared corpus: nearly every record frames, every tagged line
// keeps its message id, and every IKE line that names a peer address decodes to that peer.

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "parsers/record_splitter.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;

namespace {

struct corpus_record {
    std::string file;
    std::string text;
};

std::vector<corpus_record> load_corpus() {
    std::vector<corpus_record> out;
    for (const auto& entry : std::filesystem::directory_iterator(ikewatch::test::corpus_dir())) {
        if (entry.path().extension() != ".log") {
            continue;
        }
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        record_splitter splitter(/*comments=*/true);
        splitter.split(text, [&](std::string_view r) {
            out.push_back({entry.path().filename().string(), std::string(r)});
        });
    }
    return out;
}

}  // namespace

TEST(Corpus, FastAndGeneralFramingAgreeOnEveryRecord) {
    ikewatch::parsers::syslog_framer framer;  // takes the records in turn, as replay does
    for (const auto& r : load_corpus()) {
        EXPECT_EQ(ikewatch::test::framing_difference(r.text), "") << r.file << ": " << r.text;
        EXPECT_EQ(ikewatch::test::framing_difference(framer, r.text), "")
            << r.file << ": " << r.text;
    }
}

TEST(Corpus, NinetyNinePercentFramedWithTheirMessageId) {
    const auto records = load_corpus();
    ASSERT_GT(records.size(), 700u);
    // Test code may use std::regex: it states the expectation independently of the parser.
    const std::regex tag(R"(%?(ASA|PIX|FTD)(-[a-z]+)?-\d-(\d{6}))");
    std::size_t framed = 0;
    std::size_t tagged = 0;
    std::size_t right_id = 0;
    for (const auto& r : records) {
        const auto d = ikewatch::test::decode(r.text, r.file);
        framed += d.ok ? 1 : 0;
        std::smatch m;
        const std::string first_line = r.text.substr(0, r.text.find('\n'));
        if (std::regex_search(first_line, m, tag)) {
            ++tagged;
            if (d.ok && d.ev.msg_id == m[3].str()) {
                ++right_id;
            } else {
                ADD_FAILURE() << r.file << ": wrong id for " << first_line;
            }
        }
    }
    EXPECT_GE(framed * 100, records.size() * 99);
    EXPECT_EQ(right_id, tagged);
}

TEST(Corpus, EveryIkeLineNamingAPeerDecodesToIt) {
    const std::regex ip_ctx(R"((^|[\]:,] ?|, )IP = (\d+\.\d+\.\d+\.\d+))");
    const std::regex remote(R"(Remote:(\d+\.\d+\.\d+\.\d+):\d+)");
    const std::regex ios_packet(R"((sending packet to|received packet from) (\d+\.\d+\.\d+\.\d+))");
    std::size_t checked = 0;
    for (const auto& r : load_corpus()) {
        const std::string first_line = r.text.substr(0, r.text.find('\n'));
        std::smatch m;
        std::string want;
        // NOLINTNEXTLINE(bugprone-branch-clone): each pattern has the address in its own group.
        if (std::regex_search(first_line, m, ip_ctx)) {
            want = m[2].str();
        } else if (std::regex_search(first_line, m, remote)) {
            want = m[1].str();
        } else if (std::regex_search(first_line, m, ios_packet)) {
            want = m[2].str();
        } else {
            continue;
        }
        ++checked;
        const auto d = ikewatch::test::decode(r.text, r.file);
        EXPECT_EQ(std::string(d.ev.peer.view()), want) << r.file << ": " << first_line;
        EXPECT_NE(d.ev.kind, event_kind::other) << first_line;
    }
    EXPECT_GT(checked, 150u);
}
