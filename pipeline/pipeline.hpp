#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/name_map.hpp"
#include "common/time.hpp"
#include "ike/tracker.hpp"
#include "parsers/record_decoder.hpp"
#include "parsers/show_sa_parser.hpp"
#include "pipeline/device_clocks.hpp"
#include "pipeline/device_snapshot.hpp"
#include "rules/engine.hpp"

namespace ikewatch::pipeline {

struct pipeline_options {
    parsers::time_options time;
    ike::table_options table;
    rules::engine_options engine;
    std::shared_ptr<const rules::rule_set> rules;  ///< null: no diagnoses (state only)
    rules::alert_sink* sink = nullptr;             ///< required when `rules` is set
    /// Replay of files (not live input): a line without a calendar time, from a device none of
    /// whose lines so far had one, waits for that device's first timed line and takes its time;
    /// at the end of an input the lines still waiting run on the reference time, marked as
    /// carrying no time (`time_basis::reference`). Live input uses the arrival time instead.
    bool replay = false;
    /// Replay: bound on the bytes of lines waiting for their device's first timed line; past it
    /// the waiting lines run on the reference time.
    std::size_t max_waiting_bytes = 16u << 20;
    /// Checkpoints: remember which devices' state changed (take_changed).
    bool track_changes = false;
};

/// The one place that calls the stages, in order: record → frame/decode/time → (show output) →
/// IKE state → rules → alerts. Each device runs on its own clock (see device_clocks).
class pipeline {
  public:
    explicit pipeline(pipeline_options options = {});

    /// Processes one record. `source` names the device when the header has none (the sender's
    /// address, or the file name); `received` is the arrival time (live) or the reference time.
    /// `tag` is the caller's name for the record (the CLI's line number); `tag()` gives it back
    /// while the record's events are processed, also when they are processed later.
    void process(std::string_view record, std::string_view source, micros received,
                 std::uint64_t tag = 0);
    /// The same for a record already framed (frame_syslog(record)).
    void process_framed(std::string_view record,
                        const result<parsers::syslog_record, parsers::parse_error>& framed,
                        std::string_view source, micros received, std::uint64_t tag = 0);
    /// The tag of the record whose events are being processed (see process).
    [[nodiscard]] std::uint64_t tag() const noexcept { return tag_; }

    /// Live mode: lets every device's clock follow the wall clock since its last line, so a
    /// peer that went silent still times out.
    void tick(micros wall_now);

    /// Ends an input (flushes pending `show` tables).
    void finish(std::string_view source);

    /// End of a replay: fires every pending timer (see rules::engine::drain).
    void drain();

    /// Swaps the rule set; peer state and raised alerts are kept.
    void set_rules(std::shared_ptr<const rules::rule_set> rules);

    /// New zone and year settings for the lines that follow (a reload).
    void set_time_options(parsers::time_options options) {
        decoder_.clock().set_options(std::move(options));
    }

    /// Live mode: drops peers idle longer than the table's idle expiry on their device's clock.
    std::size_t expire(micros wall_now);

    /// A device's clock now (its latest line's time, plus the wall time since in live mode);
    /// 0 for a device not seen.
    [[nodiscard]] micros device_now(std::string_view device) const;
    /// The same at wall time `wall` (live mode, between lines).
    [[nodiscard]] micros device_now_at(std::string_view device, micros wall) const {
        return clocks_.now(device, wall);
    }

    // Checkpoints (device_snapshot.hpp; pipeline_checkpoint.cpp).
    /// The devices whose state changed (a line, a timer that fired) since the last call, when
    /// `track_changes` is set.
    [[nodiscard]] std::vector<std::string> take_changed();
    /// Snapshots of `devices`, one per name (a device not known gives an empty state). One pass
    /// over the peer table and the engine for all of them.
    [[nodiscard]] std::vector<device_snapshot> save_devices(
        const std::vector<std::string>& devices) const;
    /// Replaces what the pipeline has for the snapshot's device with the snapshot. A state
    /// that does not read is refused with `error`, and the device starts afresh.
    [[nodiscard]] bool restore_device(const device_snapshot& s, std::string& error);
    /// Forgets everything about a device (another instance owns it now); nothing is emitted.
    void forget_device(std::string_view device);
    /// True while the reading holds state of its own, outside any device's: pasted `show`
    /// output or console lines after a prompt being read, or lines waiting for their device's
    /// first timed line (replay). Snapshots taken then miss it.
    [[nodiscard]] bool inside_pasted_output() const;

    /// Called for every event that changed a peer's state (for `peers --transitions`).
    using transition_hook = std::function<void(const parsers::event&, const ike::transition&)>;
    void on_transition(transition_hook hook) { transition_hook_ = std::move(hook); }

    [[nodiscard]] micros latest() const noexcept { return clocks_.latest(); }
    [[nodiscard]] const ike::tracker& tracker() const noexcept { return tracker_; }
    [[nodiscard]] const rules::engine* engine() const noexcept { return engine_.get(); }
    [[nodiscard]] const parsers::decode_stats& decode_stats() const noexcept {
        return decoder_.stats();
    }
    [[nodiscard]] std::uint64_t show_rows() const noexcept { return show_rows_; }

  private:
    // A record that carries no time (or a row of pasted `show` output), waiting for its
    // device's first timed line (replay).
    struct waiting_record {
        std::string text;  // the record, decoded again when released
        std::string fallback_device;
        std::unique_ptr<parsers::show_row> row;  // or a show row
        std::uint64_t tag = 0;
    };
    void wait_for_time(std::string_view device, std::string_view record,
                       std::string_view fallback_device);
    void release_waiting(std::string_view device, micros at);
    void release_all_waiting();
    void release(waiting_record& w, micros at, parsers::time_basis basis);
    void release_one(waiting_record& w, micros at, parsers::time_basis basis);
    void on_event(parsers::event& e);
    void feed_show(std::string_view record, std::string_view source);
    void show_rows(std::span<const parsers::show_row> rows, std::string_view source,
                   std::string_view line);
    void show_row_event(const parsers::show_row& row, std::string_view source,
                        std::string_view line);
    void stamp_show(parsers::event& e);

    parsers::record_decoder decoder_;
    parsers::decoded decoded_;
    parsers::show_sa_parser show_;
    parsers::event show_event_;
    ike::tracker tracker_;
    std::unique_ptr<rules::engine> engine_;
    device_clocks clocks_;
    micros received_ = 0;  // arrival of the latest line (live) or the reference time (replay)
    bool replay_ = false;
    std::size_t max_waiting_bytes_ = 0;
    name_map<std::vector<waiting_record>> waiting_;  // by device
    std::size_t waiting_bytes_ = 0;
    parsers::decoded redecoded_;
    bool show_open_ = false;
    std::uint64_t tag_ = 0;  // pasted output is being read: a log line completes it
    std::uint64_t show_rows_ = 0;
    transition_hook transition_hook_;
    bool track_changes_ = false;
    name_map<bool> changed_;  // devices changed since take_changed
};

}  // namespace ikewatch::pipeline
