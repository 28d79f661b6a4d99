#include "daemon/kafka_input.hpp"

#include <gtest/gtest.h>

using namespace ikewatch::daemon;

TEST(KafkaInput, PoisonRecordsAreJudgedByTheirBytes) {
    const std::string line =
        "<166>Dec 19 15:49:51 fw1 : %ASA-3-713902: Group = g, IP = 192.0.2.7, Can't find a valid "
        "tunnel group, aborting...!";
    EXPECT_EQ(judge_record(line, "fw1", 1024), kafka_poison::none);
    EXPECT_EQ(judge_record(line + "\r\n", "", 1024), kafka_poison::none);
    EXPECT_EQ(judge_record("caf\xc3\xa9\tx", "fw1", 1024), kafka_poison::none);
    EXPECT_EQ(judge_record(line, "fw1", line.size() - 1), kafka_poison::oversized);
    EXPECT_EQ(judge_record(line, std::string(256, 'k'), 1024), kafka_poison::oversized);
    EXPECT_EQ(judge_record(std::string("a\0b", 3), "fw1", 1024), kafka_poison::binary);
    EXPECT_EQ(judge_record("a\x1b[31mb", "fw1", 1024), kafka_poison::binary);
    EXPECT_EQ(judge_record("a\x7f", "fw1", 1024), kafka_poison::binary);
    EXPECT_EQ(judge_record("ok", "fw\n1", 1024), kafka_poison::binary);
}

TEST(KafkaInput, ABatchKeepsItsLinesAndDevicesInOrder) {
    kafka_batch b;
    b.add("one", "fw1");
    b.add("two", "syslog");
    b.add("", "fw3");
    const auto lines = b.lines();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].text, "one");
    EXPECT_EQ(lines[0].key, "fw1");
    EXPECT_EQ(lines[1].text, "two");
    EXPECT_EQ(lines[1].key, "syslog");
    EXPECT_EQ(lines[2].text, "");
    EXPECT_EQ(lines[2].key, "fw3");
    EXPECT_EQ(b.bytes(), 3u + 3 + 3 + 6 + 3);
}
