#pragma once

#include <utility>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/string_map.hpp"
#include "common/time.hpp"
#include "daemon/checkpoint_topic.hpp"
#include "daemon/kafka_input.hpp"
#include "daemon/metrics.hpp"
#include "pipeline/sharded_pipeline.hpp"

namespace ikewatch::daemon {

/// Per-device state that survives a failover of the Kafka input (docs/scale-out.md).
///
/// Writing: every `interval`, the snapshots of the devices whose state changed go to the
/// checkpoint topic, keyed by device, on the partition number of the input partition the
/// device's latest line came from, each saying which input records it covers. The input
/// offsets reached when the snapshots were taken are stored (and so committed) only once the
/// alerts raised so far are written to the alert log and the brokers acknowledged every
/// snapshot; otherwise the devices are written again at the next checkpoint and the offsets
/// wait. On revocation (and so at shutdown) the same is done at once, then the devices of the
/// revoked partitions are forgotten.
///
/// Restoring: when partitions are assigned, the checkpoint topic's partitions of the same
/// numbers are read to their end before the input partitions are (the assignment waits), and
/// the latest snapshot of each device whose lines come from an assigned partition is restored.
/// Input records that a restored snapshot already covers (read again because the previous
/// owner died between its checkpoint and its commit) are skipped for that device.
///
/// Threads: everything runs on the event loop, but `read` (the consumer thread, in the
/// assignment hook).
class checkpointer {
  public:
    struct settings {
        checkpoint_topic_settings topic;
        micros interval = 5 * micros_per_second;
        micros ack_wait = 10 * micros_per_second;   ///< revocation: waiting for acks
        micros read_wait = 30 * micros_per_second;  ///< assignment: reading a partition
    };
    /// `flush_alerts` collects the workers' alerts and writes the alert log; false when it
    /// cannot be written.
    checkpointer(settings s, pipeline::sharded_pipeline& pipe, counters& stats,
                 std::function<bool()> flush_alerts);

    /// Creates the producer and the reader; false with `error` on bad settings.
    bool open(std::string& error);
    /// The input whose offsets are stored.
    void attach(kafka_input& input) { input_ = &input; }

    /// A line from Kafka about to be processed for `device` (as the pipeline names it): false
    /// when a restored snapshot already covers it (skip it).
    [[nodiscard]] bool admit(const kafka_batch::line& l, std::string_view device);
    /// Every line of a batch was processed (or skipped).
    void processed(const kafka_batch::line& l);

    /// Event loop, every second: finishes a checkpoint the brokers have answered, starts one
    /// when `interval` has passed.
    void tick(micros steady_now);

    /// Revocation hook, on the loop: a checkpoint at once (waiting for the acks), then the
    /// devices of `parts` are forgotten.
    void revoked(const std::vector<kafka_partition>& parts);

    /// Assignment hook, on the consumer thread: the snapshots of the partitions' numbers.
    [[nodiscard]] std::vector<std::string> read(const std::vector<kafka_partition>& parts);
    /// Then on the loop: restores them (the latest of each device from an assigned partition).
    void restore(const std::vector<kafka_partition>& parts,
                 const std::vector<std::string>& snapshots);

  private:
    using partition_key = std::pair<std::string, std::int32_t>;
    struct position {
        partition_key at;
        std::int64_t offset = 0;
    };
    struct in_flight {
        bool active = false;
        std::vector<std::string> devices;
        std::vector<kafka_offset> marks;
        std::size_t bytes = 0;
    };

    // Writes the changed devices; false when the alert log could not be written.
    bool start();
    // Applies what the brokers said about the checkpoint in flight (if they said everything).
    void finish(const checkpoint_writer::acks& a);

    settings settings_;
    pipeline::sharded_pipeline& pipe_;
    counters& stats_;
    std::function<bool()> flush_alerts_;
    kafka_input* input_ = nullptr;
    checkpoint_writer writer_;
    checkpoint_reader reader_;          // used on the consumer thread only
    string_map<partition_key> routes_;  // device → the input partition of its latest line
    string_map<position> covered_;      // device → what its restored snapshot covers
    std::map<partition_key, std::int64_t> processed_;  // next offset, per input partition
    std::vector<std::string> retry_;  // devices whose last write was not acknowledged
    in_flight flight_;
    micros last_start_ = 0;
};

}  // namespace ikewatch::daemon
