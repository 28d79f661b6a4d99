#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"

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

/// Reads one partition of the checkpoint topic from its beginning to its end (the high
/// watermark when the read starts), with a consumer of its own that joins no group and commits
/// nothing. Returns the records' values oldest first, or why the end was not reached within
/// `timeout`.
[[nodiscard]] result<std::vector<std::string>, std::string> read_checkpoints(
    const checkpoint_topic_settings& settings, std::int32_t partition, micros timeout);

}  // namespace ikewatch::daemon
