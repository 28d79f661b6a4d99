#pragma once

#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/metrics.hpp"

namespace ikewatch::daemon {

/// What the Kafka input reads (the `kafka:` section, --kafka-* flags).
struct kafka_input_settings {
    std::string brokers;  ///< bootstrap servers, `host:port,…`
    std::vector<std::string> topics;
    std::string group;
    std::map<std::string, std::string> properties;  ///< librdkafka consumer properties
    std::size_t max_message = 64 * 1024;            ///< longer records are poison
    /// The owner stores offsets itself (store_offsets), once what the records did is durable
    /// (checkpoints); otherwise a batch's offsets are stored as soon as the loop has run it.
    bool defer_offsets = false;
};

/// One partition of a topic, as assignments and revocations name it.
struct kafka_partition {
    std::string topic;
    std::int32_t partition = 0;
    friend bool operator==(const kafka_partition&, const kafka_partition&) = default;
};

/// A position in a partition: the next record to read.
struct kafka_offset {
    kafka_partition at;
    std::int64_t offset = 0;
};

/// Lines consumed from Kafka, handed to the event loop together. The views point into the
/// batch and live as long as it does.
class kafka_batch {
  public:
    struct line {
        std::string_view text;
        std::string_view key;    ///< the record key (names the device), may be empty
        std::string_view topic;  ///< where the record came from
        std::int32_t partition = 0;
        std::int64_t offset = 0;  ///< the record's offset
    };
    void add(std::string_view text, std::string_view key, std::string_view topic = {},
             std::int32_t partition = 0, std::int64_t offset = 0);
    [[nodiscard]] std::vector<line> lines() const;
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept { return bytes_.size(); }

  private:
    struct entry {
        std::size_t text_at, text_size, key_at, key_size;
        std::size_t topic;  // into topics_
        std::int32_t partition;
        std::int64_t offset;
    };
    std::string bytes_;
    std::vector<entry> entries_;
    std::vector<std::string> topics_;
};

/// Why a record is skipped instead of processed.
enum class kafka_poison : std::uint8_t { none, oversized, binary };

/// Judges one record: longer than `max_message`, or holding bytes no syslog line has (NUL and
/// the other C0 controls but tab, CR and LF, or DEL), in the value or the key.
[[nodiscard]] kafka_poison judge_record(std::string_view value, std::string_view key,
                                        std::size_t max_message) noexcept;

/// Raw syslog lines from Kafka topics, as one member of a consumer group (librdkafka's
/// high-level consumer). Each record is one syslog line (a record holding several lines,
/// separated by LF, gives each); the record key names the device, else the line's header
/// does, else the topic. Poison records (judge_record) are counted and skipped; the partition goes
/// on.
///
/// Threads: a consumer thread polls librdkafka and hands each batch to the event loop
/// (`handler`, run on `io`), then waits until the loop has run it before it stores the batch's
/// offsets and polls again: memory stays bounded by one batch, lines keep their partition's
/// order, and only offsets of processed lines are committed (librdkafka's auto-commit, with
/// enable.auto.offset.store off). Rebalances run on the consumer thread between batches (the
/// last revocation, at close(), on the caller's); the hooks see each assignment and revocation
/// (per partition) there, after every line handed over before them was processed. With more
/// than one pipeline worker, "processed" means handed to the device's worker. With
/// `defer_offsets`, offsets are stored only when the owner says so (store_offsets).
class kafka_input {
  public:
    using batch_handler = std::function<void(const kafka_batch&)>;
    using partition_hook = std::function<void(const std::vector<kafka_partition>&)>;
    struct hooks {
        partition_hook assigned;  ///< partitions this member now reads
        /// Partitions taken away; the offsets stored until the hook returns (it may store
        /// some) are committed after it.
        partition_hook revoked;
    };

    kafka_input(boost::asio::io_context& io, kafka_input_settings settings, batch_handler handler,
                counters& stats, hooks h = {});
    ~kafka_input();
    kafka_input(const kafka_input&) = delete;
    kafka_input& operator=(const kafka_input&) = delete;

    /// Creates the consumer and subscribes; false with `error` when librdkafka refuses the
    /// settings. The thread starts polling at run().
    bool open(std::string& error);
    void run();
    /// From the event loop: no batch is handed over after the current one.
    void stop();
    /// From the event loop, after stop(): a batch not yet run is dropped (its records are read
    /// again at the next start), the final offsets are committed and the group is left.
    void close();

    /// Stores offsets to be committed (with `defer_offsets`; any thread). Offsets of partitions
    /// no longer owned are refused by librdkafka and ignored.
    void store_offsets(const std::vector<kafka_offset>& offsets);

    /// Runs `f` on the event loop and waits for it (from a hook, on the consumer thread), or
    /// runs it at once when called on the loop. False when it did not run because the input
    /// is closing.
    bool on_loop(std::function<void()> f);

    struct state;  // librdkafka's handle and what its callbacks reach (kafka_input.cpp)

  private:
    void poll_loop();
    bool hand_over(const std::shared_ptr<kafka_batch>& batch);

    boost::asio::io_context& io_;
    kafka_input_settings settings_;
    batch_handler handler_;
    counters& stats_;
    hooks hooks_;
    std::unique_ptr<state> state_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool stopping_ = false;     // guarded by mutex_
    bool closing_ = false;      // guarded by mutex_
    std::uint64_t handed_ = 0;  // guarded by mutex_: batches handed to the loop
    std::uint64_t ran_ = 0;     // guarded by mutex_: batches the loop has run
};

}  // namespace ikewatch::daemon
