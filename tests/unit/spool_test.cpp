#include "outputs/spool.hpp"

#include <filesystem>

#include <gtest/gtest.h>

using ikewatch::outputs::spool;

namespace {

// NOLINTNEXTLINE(readability-identifier-naming): a fixture names its tests' suite.
class Spool : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ikewatch-spool-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

}  // namespace

TEST_F(Spool, WhatIsNotConfirmedSurvivesARestart) {
    {
        spool s(dir_.string(), 1 << 20);
        std::string error;
        ASSERT_TRUE(s.open(error)) << error;
        for (int i = 0; i < 5; ++i) {
            s.push("alert " + std::to_string(i) + " with a\nnewline");
        }
        EXPECT_EQ(s.peek(1, 2),
                  (std::vector<std::string>{"alert 1 with a\nnewline", "alert 2 with a\nnewline"}));
        s.confirm(2);
        EXPECT_EQ(s.pending(), 3u);
    }
    spool again(dir_.string(), 1 << 20);
    std::string error;
    ASSERT_TRUE(again.open(error)) << error;
    EXPECT_EQ(again.peek(0, 10),
              (std::vector<std::string>{"alert 2 with a\nnewline", "alert 3 with a\nnewline",
                                        "alert 4 with a\nnewline"}));
    again.push("alert 5");
    again.confirm(4);
    EXPECT_EQ(again.pending(), 0u);
    spool third(dir_.string(), 1 << 20);
    ASSERT_TRUE(third.open(error));
    EXPECT_EQ(third.pending(), 0u);
}

TEST_F(Spool, OldestDroppedAndCountedPastTheLimit) {
    spool s(dir_.string(), 100);
    std::string error;
    ASSERT_TRUE(s.open(error));
    for (int i = 0; i < 10; ++i) {
        s.push(std::string(30, static_cast<char>('a' + i)));
    }
    EXPECT_LE(s.pending_bytes(), 100u);
    EXPECT_EQ(s.stats().lost, 7u);
    EXPECT_EQ(s.peek(0, 1).at(0), std::string(30, 'h'));
    // The limit holds across a restart too.
    spool again(dir_.string(), 100);
    ASSERT_TRUE(again.open(error));
    EXPECT_EQ(again.pending(), 3u);
}

TEST_F(Spool, AHalfWrittenRecordAfterACrashIsIgnored) {
    {
        spool s(dir_.string(), 1 << 20);
        std::string error;
        ASSERT_TRUE(s.open(error));
        s.push("whole");
    }
    // Append the start of a record, as a crash in the middle of a write would leave.
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
        if (e.path().extension() == ".spool" && std::filesystem::file_size(e.path()) > 0) {
            FILE* f = std::fopen(e.path().c_str(), "ab");
            std::fputs("40 cut sh", f);
            std::fclose(f);
        }
    }
    spool again(dir_.string(), 1 << 20);
    std::string error;
    ASSERT_TRUE(again.open(error));
    EXPECT_EQ(again.peek(0, 10), std::vector<std::string>{"whole"});
}

TEST(SpoolInMemory, BoundedWithoutADirectory) {
    spool s("", 50);
    std::string error;
    ASSERT_TRUE(s.open(error));
    for (int i = 0; i < 10; ++i) {
        s.push(std::string(20, 'x'));
    }
    EXPECT_EQ(s.pending(), 2u);
    EXPECT_EQ(s.stats().lost, 8u);
}

TEST(SpoolInMemory, RecordsDroppedWhileInFlightAreNotConfirmedInsteadOfUnsentOnes) {
    spool s("", 100);
    std::string error;
    ASSERT_TRUE(s.open(error));
    const std::string a(30, 'a');
    const std::string b(30, 'b');
    const std::string c(30, 'c');
    const std::string d(30, 'd');
    s.push(a);
    s.push(b);
    s.push(c);
    const spool::batch sent = s.peek_from(0, 2);  // a and b go out
    ASSERT_EQ(sent.records, (std::vector<std::string>{a, b}));
    s.push(d);  // past the limit: a, in flight, is dropped
    EXPECT_EQ(s.stats().lost, 1u);
    s.confirm_before(sent.end());  // the collector has a and b: only b was still held
    EXPECT_EQ(s.stats().confirmed, 1u);
    EXPECT_EQ(s.peek(0, 10), (std::vector<std::string>{c, d}));
    // The next batch starts after what was sent; a stale position starts at the oldest record.
    EXPECT_EQ(s.peek_from(sent.end(), 10).records, (std::vector<std::string>{c, d}));
    EXPECT_EQ(s.peek_from(1, 1).first, sent.end());
}

TEST_F(Spool, ConfirmingByNumberKeepsTheCursorRight) {
    {
        spool s(dir_.string(), 1 << 20);
        std::string error;
        ASSERT_TRUE(s.open(error));
        for (int i = 0; i < 4; ++i) {
            s.push("r" + std::to_string(i));
        }
        const spool::batch first = s.peek_from(0, 3);
        EXPECT_EQ(first.first, 0u);
        s.confirm_before(first.end());
        s.confirm_before(first.end());  // twice: nothing more
        EXPECT_EQ(s.stats().confirmed, 3u);
    }
    spool again(dir_.string(), 1 << 20);
    std::string error;
    ASSERT_TRUE(again.open(error));
    EXPECT_EQ(again.peek(0, 10), std::vector<std::string>{"r3"});
}
