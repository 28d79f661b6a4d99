#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace ikewatch::outputs {

struct spool_stats {
    std::uint64_t pushed = 0;
    std::uint64_t confirmed = 0;
    std::uint64_t lost = 0;          ///< dropped past the size limit
    std::uint64_t write_errors = 0;  ///< the disk refused a record (it is still held in memory)
};

/// The queue of one forwarder: every record is appended to segment files in `dir` before it is
/// sent, and the position of the first unconfirmed record is kept in a `cursor` file, so what the
/// collector has not confirmed survives a collector outage and a daemon restart (duplicates are
/// possible after a crash; each carries its alert.id). Past `max_bytes` the oldest records are
/// dropped and counted. With an empty `dir` the queue lives in memory only, bounded the same way.
/// Thread-safe: the pipeline pushes, the forwarder's thread peeks and confirms.
class spool {
  public:
    spool(std::string dir, std::size_t max_bytes);

    /// Opens the directory and loads what an earlier run left unconfirmed.
    bool open(std::string& error);

    void push(std::string record);

    /// Records carry sequence numbers (counted from 0 at `open`, in push order), so what a sender
    /// holds stays right when the size limit drops records it has in flight.
    struct batch {
        std::uint64_t first = 0;  ///< sequence number of records[0]
        std::vector<std::string> records;
        [[nodiscard]] std::uint64_t end() const noexcept { return first + records.size(); }
    };
    /// Up to `n` records from sequence number `from` on (from the oldest unconfirmed one when
    /// `from` was dropped or confirmed already).
    [[nodiscard]] batch peek_from(std::uint64_t from, std::size_t n) const;
    /// Every record numbered below `end` reached the collector (records dropped meanwhile stay
    /// counted as lost, not as confirmed).
    void confirm_before(std::uint64_t end);

    /// Up to `n` records after the first `skip` unconfirmed ones.
    [[nodiscard]] std::vector<std::string> peek(std::size_t skip, std::size_t n) const;
    /// The first `n` unconfirmed records reached the collector.
    void confirm(std::size_t n);

    [[nodiscard]] std::size_t pending() const;
    [[nodiscard]] std::size_t pending_bytes() const;
    [[nodiscard]] spool_stats stats() const;

  private:
    struct entry {
        std::string record;
        std::uint64_t segment = 0;
        std::uint64_t end = 0;  // offset just past the record in its segment
    };
    [[nodiscard]] std::string segment_path(std::uint64_t seq) const;
    void load_segment(std::uint64_t seq, std::uint64_t from);
    void write_cursor(std::uint64_t seq, std::uint64_t offset);
    void drop_oldest();
    void confirm_front(std::size_t n);  // mutex_ held
    void remove_segments_before(std::uint64_t seq);

    std::string dir_;
    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::deque<entry> pending_;
    std::uint64_t front_seq_ = 0;  // sequence number of pending_.front()
    std::size_t bytes_ = 0;
    int fd_ = -1;  // the segment being appended
    std::uint64_t segment_ = 0;
    std::uint64_t segment_size_ = 0;
    std::uint64_t first_segment_ = 0;  // oldest segment file still on disk
    spool_stats stats_;
};

}  // namespace ikewatch::outputs
