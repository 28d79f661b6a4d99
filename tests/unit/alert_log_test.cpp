#include "outputs/alert_log.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "outputs/alert_format.hpp"

using ikewatch::outputs::alert_log;
using ikewatch::rules::alert;

namespace {

alert sample(int n) {
    alert a;
    a.id = "R/fw/" + std::to_string(n);
    a.rule_id = "R";
    a.device = "fw";
    a.key = std::to_string(n);
    a.message = "line\nwith a newline";
    return a;
}

std::vector<std::string> lines_of(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) {
        out.push_back(l);
    }
    return out;
}

// NOLINTNEXTLINE(readability-identifier-naming): a fixture names its tests' suite.
class AlertLog : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ikewatch-alert-log-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

}  // namespace

TEST_F(AlertLog, OneJsonLinePerAlertWrittenAtOnce) {
    alert_log log((dir_ / "a.json").string(), true, 100);
    std::string error;
    ASSERT_TRUE(log.open(error)) << error;
    log.emit(sample(1));
    log.emit(sample(2));
    const auto lines = lines_of(dir_ / "a.json");
    ASSERT_EQ(lines.size(), 2u);  // the newline in the message is escaped
    EXPECT_NE(lines[0].find("\"id\":\"R/fw/1\""), std::string::npos);
    EXPECT_EQ(log.stats().written, 2u);
}

TEST_F(AlertLog, ReopenAfterRotationLosesNothing) {
    const auto path = dir_ / "a.json";
    alert_log log(path.string(), true, 100);
    std::string error;
    ASSERT_TRUE(log.open(error));
    log.emit(sample(1));
    std::filesystem::rename(path, dir_ / "a.json.1");
    log.emit(sample(2));  // still goes to the moved file, as with any daemon before SIGUSR1
    ASSERT_TRUE(log.reopen(error)) << error;
    log.emit(sample(3));
    EXPECT_EQ(lines_of(dir_ / "a.json.1").size(), 2u);
    EXPECT_EQ(lines_of(path).size(), 1u);
}

TEST_F(AlertLog, UnwritableLogQueuesBoundedThenCatchesUp) {
    // /dev/full fails every write with ENOSPC: the alerts wait, the oldest go first.
    alert_log full("/dev/full", true, 3);
    std::string error;
    ASSERT_TRUE(full.open(error));
    for (int i = 0; i < 5; ++i) {
        full.emit(sample(i));
    }
    EXPECT_EQ(full.queued(), 3u);
    EXPECT_EQ(full.stats().dropped, 2u);
    EXPECT_GE(full.stats().failures, 5u);
    EXPECT_FALSE(full.flush());
    EXPECT_TRUE(full.failing());

    // A directory that does not exist yet: queued, then written when it appears.
    const auto later = dir_ / "later" / "a.json";
    alert_log log(later.string(), true, 100);
    EXPECT_FALSE(log.open(error));
    log.emit(sample(1));
    log.emit(sample(2));
    EXPECT_EQ(log.queued(), 2u);
    std::filesystem::create_directories(later.parent_path());
    EXPECT_TRUE(log.failing());
    EXPECT_TRUE(log.flush());
    EXPECT_FALSE(log.failing());
    EXPECT_EQ(lines_of(later).size(), 2u);
}

TEST_F(AlertLog, BatchedLinesWaitForFlushThenGoInOrder) {
    const auto path = dir_ / "a.json";
    alert_log log(path.string(), true, 1000);
    log.set_batched(true);
    std::string error;
    ASSERT_TRUE(log.open(error));
    for (int i = 0; i < 3; ++i) {
        log.emit(sample(i));
    }
    EXPECT_EQ(log.queued(), 3u);
    EXPECT_TRUE(lines_of(path).empty());
    EXPECT_TRUE(log.flush());
    // A full batch is written at once, without waiting for the owner's flush.
    for (int i = 3; i < 3 + static_cast<int>(alert_log::batch_lines) + 1; ++i) {
        log.emit(sample(i));
    }
    EXPECT_EQ(log.queued(), 1u);
    EXPECT_TRUE(log.flush());
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), 4u + alert_log::batch_lines);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_NE(lines[i].find("\"id\":\"R/fw/" + std::to_string(i) + "\""), std::string::npos)
            << lines[i];
    }
    EXPECT_EQ(log.stats().written, lines.size());
}

TEST_F(AlertLog, LinesWrittenInRecycledBuffersAreWholeAndTheirOwn) {
    // Written lines lend their strings to later ones: a short line after a long one, and a long
    // one after short ones, must each come out exactly as the alert renders.
    const auto path = dir_ / "a.json";
    alert_log log(path.string(), true, 1000);
    log.set_batched(true);
    std::string error;
    ASSERT_TRUE(log.open(error));
    std::vector<std::string> want;
    for (int round = 0; round < 6; ++round) {
        for (int i = 0; i < 3 + round * 29; ++i) {
            alert a = sample(round * 1000 + i);
            // Lengths from a few bytes to past the room a recycled string keeps.
            a.cause.assign(static_cast<std::size_t>((i * 7919 + round * 104729) % 20000), 'c');
            want.push_back(ikewatch::outputs::alert_json_line(a));
            log.emit(a);
        }
        ASSERT_TRUE(log.flush());
    }
    EXPECT_EQ(lines_of(path), want);
}
