#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"

struct rd_kafka_s;

namespace ikewatch::daemon {

/// Where device snapshots go: a compacted topic, one record per device (the key), on the
/// partition of the input partition the device's lines come from.
struct checkpoint_topic_settings {
    std::string brokers;
    std::string topic;
    std::map<std::string, std::string> properties;  ///< the Kafka input's librdkafka properties
};

/// Writes snapshots with a librdkafka producer (acks=all, idempotent) and says when the brokers
/// acknowledged them. One thread (the event loop) makes every call.
class checkpoint_writer {
  public:
    explicit checkpoint_writer(checkpoint_topic_settings settings);
    ~checkpoint_writer();
    checkpoint_writer(const checkpoint_writer&) = delete;
    checkpoint_writer& operator=(const checkpoint_writer&) = delete;

    /// Creates the producer; false with `error` when librdkafka refuses the settings.
    bool open(std::string& error);

    /// Queues one snapshot; false with `error` when the producer refuses it at once.
    bool write(std::string_view device, std::int32_t partition, std::string_view bytes,
               std::string& error);

    /// What the brokers said about the records written so far.
    struct acks {
        std::size_t pending = 0;  ///< not acknowledged yet
        std::size_t failed = 0;   ///< refused or timed out since the last take_acks
        std::string first_error;
    };
    /// Serves delivery reports without waiting (the tick) or until none is pending or
    /// `wait` has passed (revocation, shutdown); then tells and resets the failures.
    [[nodiscard]] acks take_acks(micros wait = 0);

    struct state;  // the producer and its delivery counts (checkpoint_topic.cpp)

  private:
    checkpoint_topic_settings settings_;
    std::unique_ptr<state> state_;
};

/// Reads partitions of the checkpoint topic with a consumer of its own that joins no group and
/// commits nothing. The consumer is made once and kept until the reader goes: one assignment
/// after another reuses its connections, and librdkafka 2.0 (Debian 12) can abort the process
/// when a client is destroyed while one of its broker connections fails, as happens to a
/// client made for each read while the brokers come back from an outage.
class checkpoint_reader {
  public:
    explicit checkpoint_reader(checkpoint_topic_settings settings);
    ~checkpoint_reader();
    checkpoint_reader(const checkpoint_reader&) = delete;
    checkpoint_reader& operator=(const checkpoint_reader&) = delete;

    /// Creates the consumer; false with `error` when librdkafka refuses the settings.
    bool open(std::string& error);

    /// One partition from its beginning to its end (the high watermark when the read starts):
    /// the records' values oldest first, or why the end was not reached within `timeout`.
    [[nodiscard]] result<std::vector<std::string>, std::string> read(std::int32_t partition,
                                                                     micros timeout);

    /// Between reads, the consumer queues a report of each connection error (a few a minute
    /// while the brokers are away) until it is polled: this serves them (librdkafka's log, which
    /// the reader keeps quiet) and does nothing while a read runs.
    void serve_idle();
    /// The reports waiting to be served.
    [[nodiscard]] std::size_t queued() const;

  private:
    checkpoint_topic_settings settings_;
    rd_kafka_s* rk_ = nullptr;
    std::mutex busy_;  // held by a read
};

}  // namespace ikewatch::daemon
