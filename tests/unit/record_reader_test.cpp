#include "cli/record_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

namespace ikewatch::cli {
namespace {

// A file of its own, removed at the end of the test.
class temp_file {
  public:
    explicit temp_file(const std::string& text)
        : path_((std::filesystem::temp_directory_path() /
                 ("ikewatch-reader-" + std::to_string(::getpid()) + "-" +
                  std::to_string(counter++) + ".log"))
                    .string()) {
        std::ofstream(path_, std::ios::binary) << text;
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() { std::remove(path_.c_str()); }
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    static inline int counter = 0;
    std::string path_;
};

// About 3 MB: records of one line, records with continuation lines, comments and blank lines,
// so that chunk ends fall inside records of every kind.
std::string several_chunks() {
    std::string text;
    for (int i = 0; text.size() < (3U << 20); ++i) {
        const std::string n = std::to_string(i);
        text += "<166>Jan 20 16:13:20 fw" + n + " : %ASA-6-302013: Built outbound TCP connection " +
                n + " for outside:203.0.113.5/443 to inside:10.0.0.7/5" + n + "\n";
        if (i % 7 == 0) {
            text += "Jan 20 16:13:21 fw" + n + " : %ASA-7-713236: Transmitting Proxy Id:\n" +
                    "  Remote subnet: 10.1.0.0  Mask 255.255.0.0 Protocol 0  Port 0\n" +
                    "  Local subnet:  10.2.0.0  mask 255.255.0.0 Protocol 0  Port 0\n";
        }
        if (i % 11 == 0) {
            text += "# a note " + n + "\n\n";
        }
    }
    return text;
}

struct record_at {
    std::string text;
    std::size_t line = 0;
    bool operator==(const record_at&) const = default;
};

std::vector<record_at> copied_reading(const std::string& path) {
    std::vector<record_at> out;
    std::string error;
    EXPECT_TRUE(read_records(
        path,
        [&](std::string_view r, std::size_t line) {
            out.push_back({std::string(r), line});
        },
        error))
        << error;
    return out;
}

// Every record keeps its text while its chunk is held, though the reader went on.
TEST(RecordReader, HeldRecordsKeepTheirTextWhileTheirChunkIsHeld) {
    const temp_file file(several_chunks());
    const std::vector<record_at> copied = copied_reading(file.path());
    ASSERT_GT(copied.size(), 20'000U);

    std::vector<std::string_view> views;
    std::vector<std::size_t> lines;
    std::vector<chunk_hold> holds;
    std::string error;
    ASSERT_TRUE(read_records_held(
        file.path(),
        [&](std::string_view r, std::size_t line, const chunk_hold& chunk) {
            views.push_back(r);
            lines.push_back(line);
            if (holds.empty() || holds.back() != chunk) {
                holds.push_back(chunk);
            }
        },
        error))
        << error;
    EXPECT_GE(holds.size(), 6U) << "3 MB come in chunks of 512 KB at most";
    ASSERT_EQ(views.size(), copied.size());
    for (std::size_t i = 0; i < views.size(); ++i) {
        ASSERT_EQ(views[i], copied[i].text) << "record " << i;
        ASSERT_EQ(lines[i], copied[i].line) << "record " << i;
    }
}

// A reader whose records nobody keeps uses the same few chunks over and over.
TEST(RecordReader, ChunksNobodyHoldsAreUsedAgain) {
    const temp_file file(several_chunks());
    std::set<const void*> chunks;
    std::size_t records = 0;
    std::string error;
    ASSERT_TRUE(read_records_held(
        file.path(),
        [&](std::string_view, std::size_t, const chunk_hold& chunk) {
            chunks.insert(chunk.get());
            ++records;
        },
        error))
        << error;
    EXPECT_GT(records, 20'000U);
    EXPECT_LE(chunks.size(), 2U);
}

// A line longer than a chunk goes on in pieces (the framer refuses them), and the record after
// it is whole, on its own line number.
TEST(RecordReader, ALineLongerThanAChunkGoesOnInPieces) {
    const std::string tail = "<166>Jan 20 16:13:21 fw1 : %ASA-6-302014: Teardown\n";
    const temp_file file(std::string(3U << 20, 'x') + "\n" + tail);
    const std::vector<record_at> records = copied_reading(file.path());
    ASSERT_GE(records.size(), 7U);
    EXPECT_EQ(records.back(), (record_at{tail.substr(0, tail.size() - 1), 2}));
    std::size_t long_bytes = 0;
    for (std::size_t i = 0; i + 1 < records.size(); ++i) {
        EXPECT_LE(records[i].text.size(), 512U << 10);
        EXPECT_EQ(records[i].text.find_first_not_of('x'), std::string::npos);
        long_bytes += records[i].text.size();
    }
    EXPECT_EQ(long_bytes, 3U << 20);
}

TEST(RecordReader, AMissingFileIsAnError) {
    std::string error;
    EXPECT_FALSE(read_records(
        "/nonexistent/ikewatch.log", [](std::string_view, std::size_t) {}, error));
    EXPECT_NE(error.find("/nonexistent/ikewatch.log"), std::string::npos);
}

}  // namespace
}  // namespace ikewatch::cli
