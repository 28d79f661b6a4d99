#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "outputs/json_writer.hpp"
#include "rules/alert.hpp"

namespace ikewatch::outputs {

struct alert_log_stats {
    std::uint64_t written = 0;   ///< lines written whole
    std::uint64_t failures = 0;  ///< write or open attempts that failed
    std::uint64_t dropped = 0;   ///< lines given up because the queue was full
    std::uint64_t reopens = 0;
};

/// The alert log: one line per alert (alert JSON, or the text form), appended and written through
/// (no user-space buffering) as each alert is emitted, or, batched, by the owner's `flush` once
/// per turn of its event loop (and whenever a batch's worth of lines waits), several lines to a
/// `writev`; lines are only ever written whole and in order. When the file cannot be written (full
/// or read-only file system, removed directory) lines wait in a bounded queue, oldest dropped first
/// and counted, and `flush` retries; `reopen` (SIGUSR1, after logrotate moved the file) opens the
/// path again before the old file is closed, so no line is lost across it. An empty path writes
/// to standard output.
class alert_log final : public rules::alert_sink {
  public:
    alert_log(std::string path, bool json, std::size_t max_queue);
    ~alert_log() override;
    alert_log(const alert_log&) = delete;
    alert_log& operator=(const alert_log&) = delete;

    /// Opens the file; false (with `error`) when it cannot, lines then wait in the queue.
    bool open(std::string& error);
    void emit(const rules::alert& a) override;
    /// Writes what waits; true when the queue is empty afterwards.
    bool flush();
    /// Opens the path anew and switches to it; on failure keeps the current file.
    bool reopen(std::string& error);
    void set_format(bool json) noexcept { json_ = json; }
    /// Batched: `emit` queues the line and writes only when `batch_lines` wait; the owner calls
    /// `flush` before it waits for more input.
    void set_batched(bool batched) noexcept { batched_ = batched; }
    static constexpr std::size_t batch_lines = 64;

    [[nodiscard]] std::size_t queued() const noexcept { return queue_.size(); }
    /// The last attempt to open or write the file failed (lines wait for it).
    [[nodiscard]] bool failing() const noexcept { return failing_; }
    [[nodiscard]] const alert_log_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

  private:
    int open_fd(std::string& error) const;
    /// An empty string for the next line: one a written line left behind, keeping its room.
    [[nodiscard]] std::string take_buffer();
    /// Takes back a written line's string for a later line (a batch's worth are kept).
    void give_back(std::string&& line);

    std::string path_;
    bool json_;
    std::size_t max_queue_;
    bool batched_ = false;
    bool failing_ = false;
    int fd_ = -1;
    std::deque<std::string> queue_;
    std::size_t head_written_ = 0;    // bytes of queue_.front() already written
    std::vector<std::string> spare_;  // strings of written lines, for the next lines
    json_time_memo times_;            // the last time written, for the next line
    alert_log_stats stats_;
    std::string last_error_;
};

}  // namespace ikewatch::outputs
