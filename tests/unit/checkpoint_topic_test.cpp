#include "daemon/checkpoint_topic.hpp"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

using namespace ikewatch;
using namespace ikewatch::daemon;

namespace {

constexpr int brokers = 3;

// librdkafka's mock cluster on 127.0.0.1, with the checkpoint topic made.
class mock_cluster {
  public:
    explicit mock_cluster(int partitions) {
        char errstr[512];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
        host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (host_ == nullptr) {
            rd_kafka_conf_destroy(conf);
            return;
        }
        cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
        if (cluster_ != nullptr) {
            rd_kafka_mock_topic_create(cluster_, "state", partitions, 1);
        }
    }
    ~mock_cluster() {
        if (cluster_ != nullptr) {
            rd_kafka_mock_cluster_destroy(cluster_);
        }
        if (host_ != nullptr) {
            rd_kafka_destroy(host_);
        }
    }
    mock_cluster(const mock_cluster&) = delete;
    mock_cluster& operator=(const mock_cluster&) = delete;

    [[nodiscard]] bool ready() const { return cluster_ != nullptr; }

    [[nodiscard]] checkpoint_topic_settings settings() const {
        return {rd_kafka_mock_cluster_bootstraps(cluster_), "state", {}};
    }

    void set_all(bool up) {
        for (int id = 1; id <= brokers; ++id) {
            if (up) {
                rd_kafka_mock_broker_set_up(cluster_, id);
            } else {
                rd_kafka_mock_broker_set_down(cluster_, id);
            }
        }
    }

  private:
    rd_kafka_t* host_ = nullptr;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

void write_all(checkpoint_writer& w, std::int32_t partition, const std::vector<std::string>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string error;
        ASSERT_TRUE(w.write("fw" + std::to_string(i), partition, v[i], error)) << error;
    }
    const auto acks = w.take_acks(30 * micros_per_second);
    ASSERT_EQ(acks.pending, 0u);
    ASSERT_EQ(acks.failed, 0u) << acks.first_error;
}

std::vector<std::string> read_ok(checkpoint_reader& r, std::int32_t partition) {
    auto got = r.read(partition, 30 * micros_per_second);
    EXPECT_TRUE(got) << got.error();
    return got ? got.value() : std::vector<std::string>{};
}

// A cluster with a writer and a reader of its checkpoint topic.
struct clients {
    explicit clients(int partitions)
        : cluster(partitions), writer(cluster.settings()), reader(cluster.settings()) {}

    // The cluster is up and both clients are open.
    [[nodiscard]] testing::AssertionResult open() {
        if (!cluster.ready()) {
            return testing::AssertionFailure() << "no mock cluster";
        }
        std::string error;
        if (!writer.open(error) || !reader.open(error)) {
            return testing::AssertionFailure() << error;
        }
        return testing::AssertionSuccess();
    }

    mock_cluster cluster;
    checkpoint_writer writer;
    checkpoint_reader reader;
};

}  // namespace

TEST(CheckpointTopic, OneReaderReadsEachPartitionItIsAskedForAndNoOther) {
    clients c(3);
    ASSERT_TRUE(c.open());

    const std::vector<std::string> zero{"a1", "a2", "a3"};
    const std::vector<std::string> two{"c1"};
    write_all(c.writer, 0, zero);
    write_all(c.writer, 2, two);

    EXPECT_EQ(read_ok(c.reader, 0), zero);
    EXPECT_EQ(read_ok(c.reader, 1), std::vector<std::string>{});
    EXPECT_EQ(read_ok(c.reader, 2), two);
    // Again, after the others: from the beginning, with nothing of partition 2 left over.
    EXPECT_EQ(read_ok(c.reader, 0), zero);
    write_all(c.writer, 0, {"a4"});
    EXPECT_EQ(read_ok(c.reader, 0), (std::vector<std::string>{"a1", "a2", "a3", "a4"}));
    EXPECT_EQ(read_ok(c.reader, 2), two);
}

TEST(CheckpointTopic, AReadWaitsForBrokersThatComeBack) {
    clients c(2);
    ASSERT_TRUE(c.open());
    write_all(c.writer, 1, {"b1", "b2"});
    EXPECT_EQ(read_ok(c.reader, 1), (std::vector<std::string>{"b1", "b2"}));

    c.cluster.set_all(false);
    std::thread back([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        c.cluster.set_all(true);
    });
    const auto got = c.reader.read(1, 30 * micros_per_second);
    back.join();
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(got.value(), (std::vector<std::string>{"b1", "b2"}));
}

TEST(CheckpointTopic, AReadThatCannotFinishSaysWhereItStopped) {
    clients c(1);
    ASSERT_TRUE(c.open());
    c.cluster.set_all(false);
    const auto got = c.reader.read(0, micros_per_second);
    ASSERT_FALSE(got);
    EXPECT_NE(got.error().find("checkpoint topic state partition 0: "), std::string::npos)
        << got.error();
    c.cluster.set_all(true);
}

TEST(CheckpointTopic, AnIdleReaderLetsNothingPileUpWhileTheBrokersAreAway) {
    clients c(1);
    ASSERT_TRUE(c.open());
    write_all(c.writer, 0, {"a1"});
    EXPECT_EQ(read_ok(c.reader, 0), std::vector<std::string>{"a1"});

    c.cluster.set_all(false);
    for (int tick = 0; tick < 300 && c.reader.queued() == 0; ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_GT(c.reader.queued(), 0u) << "the lost connections are reported";
    // Serving empties the queue. The brokers go on failing, so a report may come between a
    // serve and the look at the queue; the next serve takes it, as the checkpointer's next tick
    // does. Were nothing served, the queue would only grow.
    c.reader.serve_idle();
    for (int serve = 0; serve < 50 && c.reader.queued() != 0; ++serve) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        c.reader.serve_idle();
    }
    EXPECT_EQ(c.reader.queued(), 0u) << "and served";
    c.cluster.set_all(true);
    EXPECT_EQ(read_ok(c.reader, 0), std::vector<std::string>{"a1"});
}
