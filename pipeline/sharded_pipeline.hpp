#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "parsers/syslog_framer.hpp"
#include "pipeline/pipeline.hpp"

namespace ikewatch::pipeline {

/// The pipeline on several cores: one shard per worker thread, each with its own decoder, clocks,
/// peer table and rule engine. A record goes to the shard of its device (the header's host name,
/// else the sender or file name), so one device's lines stay in order on one shard and the shards
/// share nothing while they work. `max_peers` and `evidence_bytes` are divided among the shards.
///
/// With one worker there is no thread: records run through one `pipeline` on the caller's thread
/// and alerts reach the sink at once, exactly as without sharding.
///
/// Threads: one owner thread makes every call. Records are copied into batches (or held where
/// they are, process_held) that the workers take from bounded queues (process() waits when a worker
/// is that far behind). Alerts raised on a worker wait in its shard until the owner calls
/// collect(), which hands them to the sink, each shard's in the order they were raised;
/// `alerts_waiting` (called on the thread that raised the alert) says when there is something to
/// collect.
///
/// An owner with nothing else to do (a replay) can run the first shard itself
/// (`owner::runs_a_shard`): `workers` threads then do the work in all, one of them the owner. As
/// the owner also reads and frames every record, its shard takes half the devices a worker's does.
/// An owner that must stay free for its input (a network loop) only hands records on.
class sharded_pipeline {
  public:
    enum class owner : bool { hands_on, runs_a_shard };

    sharded_pipeline(pipeline_options options, std::size_t workers,
                     std::function<void()> alerts_waiting = {}, owner role = owner::hands_on);
    ~sharded_pipeline();
    sharded_pipeline(const sharded_pipeline&) = delete;
    sharded_pipeline& operator=(const sharded_pipeline&) = delete;

    /// As pipeline::process. The record is copied; it may go away when the call returns.
    void process(std::string_view record, std::string_view source, micros received);
    /// The same for a record whose bytes `hold` keeps unchanged while it lives: a worker reads
    /// the record where it is, and the batch keeps `hold` instead of a copy. A batch keeps one
    /// hold at most (a record under another goes in the next batch), so the memory held is
    /// bounded by the batches queued.
    void process_held(std::string_view record, std::string_view source, micros received,
                      const std::shared_ptr<const void>& hold);
    /// parsers::frame_syslog(record), by the framer the owner frames the records it routes with.
    [[nodiscard]] result<parsers::syslog_record, parsers::parse_error> frame(
        std::string_view record) noexcept {
        return framer_(record);
    }
    /// The same for a record already framed (frame(record)); a caller that clears the
    /// framing's host and sender names the device by `source` alone.
    void process_framed(std::string_view record,
                        const result<parsers::syslog_record, parsers::parse_error>& framed,
                        std::string_view source, micros received);
    /// The device the pipeline names for a framed record from `source`.
    [[nodiscard]] static std::string_view device_of(
        const result<parsers::syslog_record, parsers::parse_error>& framed,
        std::string_view source) noexcept;
    /// Hands batches that are not full yet to their workers (call when input pauses).
    void flush();
    /// As pipeline::finish, after every record given so far.
    void finish(std::string_view source);
    /// As pipeline::drain, after every record given so far.
    void drain();
    /// Returns once every worker has processed all it was given.
    void wait_idle();
    /// Stops the worker threads once they have processed every record given so far, and joins
    /// them. The shards stay readable (for_each_shard); nothing may be processed after. A second
    /// call does nothing.
    void stop_workers();
    /// Gives the alerts the workers raised to the sink; returns how many.
    std::size_t collect();

    // Applied to every shard between two of its batches.
    void tick(micros wall_now);
    std::size_t expire(micros wall_now);
    void set_rules(const std::shared_ptr<const rules::rule_set>& rules);
    void set_time_options(const parsers::time_options& options);

    // Checkpoints (device_snapshot.hpp), after every record given so far (each waits for the
    // workers to be idle).
    /// As pipeline::take_changed, over all shards.
    [[nodiscard]] std::vector<std::string> take_changed();
    /// As pipeline::save_devices; each device is asked of its shard.
    [[nodiscard]] std::vector<device_snapshot> save_devices(
        const std::vector<std::string>& devices);
    /// As pipeline::restore_device, on the device's shard.
    [[nodiscard]] bool restore_device(const device_snapshot& s, std::string& error);
    /// As pipeline::forget_device, on the device's shard.
    void forget_device(std::string_view device);

    /// Calls `f` for each shard while no worker touches it.
    void for_each_shard(const std::function<void(const pipeline&)>& f) const;

    [[nodiscard]] std::size_t workers() const noexcept { return shards_.size(); }
    [[nodiscard]] std::size_t rule_count() const;
    /// Which shard a record goes to (exposed for tests).
    [[nodiscard]] std::size_t shard_of(std::string_view record, std::string_view source) const;
    /// The shard that keeps a device's state.
    [[nodiscard]] std::size_t shard_of_device(std::string_view device) const;

  private:
    struct batch;
    struct shard;

    void for_each_shard_mut(const std::function<void(pipeline&)>& f);
    /// process_framed; `hold` is null for a record to copy.
    void route(std::string_view record,
               const result<parsers::syslog_record, parsers::parse_error>& framed,
               std::string_view source, micros received, const std::shared_ptr<const void>* hold);
    void send(shard& s);
    void send_op(int op, std::string_view source);
    /// The first shard with a thread of its own (shard 0 may run on the owner's).
    [[nodiscard]] std::size_t first_worker() const noexcept { return owner_runs_first_ ? 1 : 0; }
    void work(shard& s);
    /// Tells every worker to stop after what it was sent, and joins it (once).
    void join_workers();

    rules::alert_sink* sink_ = nullptr;
    std::function<void()> alerts_waiting_;
    std::vector<std::unique_ptr<shard>> shards_;
    bool threaded_ = false;
    bool owner_runs_first_ = false;  // shard 0 runs on the owner's thread
    parsers::syslog_framer framer_;  // the owner's, for records it routes
};

}  // namespace ikewatch::pipeline
