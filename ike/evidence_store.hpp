#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/time.hpp"

namespace ikewatch::ike {

/// A handle to one line in an evidence_store: the arena that holds it and where the line starts
/// in that arena's stream of bytes. Positions count from the arena's creation and are never
/// reused, so a handle to a line that has been overwritten finds nothing, never another line.
/// The default handle names no line. Plain data: it can be copied and written out as it is.
struct evidence_ref {
    std::uint64_t value = 0;  ///< tier << 62 | (position + 1); 0: no line

    [[nodiscard]] bool empty() const noexcept { return value == 0; }
    friend bool operator==(evidence_ref, evidence_ref) = default;
};

/// One line as the store holds it. `text` points into the store and is valid until the next
/// append or reset.
struct evidence_entry {
    micros time = 0;
    std::string_view text;
};

/// The evidence lines of one peer table (one pipeline shard), held once, in a bounded space:
/// peers keep evidence_refs, not copies. Single-threaded, like the table that owns it.
///
/// Each of `tiers` arenas is a ring of bytes written front to back: a line is appended after the
/// previous one and, when the arena is full, overwrites the oldest lines first. A handle stays
/// good until the arena has written a full lap past it. The arenas follow the peer table's
/// eviction classes (peer_class): a peer's lines live in the arena of its class and move up with
/// it, so a flood of peers named once each only ever overwrites the lines of other one-line
/// peers. The three arenas get 1/4, 1/4 and 1/2 of the capacity. An arena's memory is taken
/// from the system on its first line, and pages it has not written yet cost nothing.
class evidence_store {
  public:
    static constexpr std::size_t tiers = 3;
    /// Longest line kept; longer ones are cut on a character boundary.
    static constexpr std::size_t line_bytes = 240;
    /// Bytes a line takes besides its text (its time and length).
    static constexpr std::size_t line_overhead = sizeof(micros) + sizeof(std::uint16_t);

    /// `capacity`: bytes over all arenas (0: the store keeps nothing).
    explicit evidence_store(std::size_t capacity = 0);

    /// Copies a line (cut to `line_bytes`) into the arena `tier` (0 … tiers - 1), overwriting the
    /// oldest lines of that arena when it is full. Returns its handle; empty when the arena is
    /// too small for any line.
    evidence_ref append(std::size_t tier, micros time, std::string_view text);

    /// The line a handle names, or nullopt when it is empty or its line was overwritten.
    [[nodiscard]] std::optional<evidence_entry> get(evidence_ref ref) const noexcept;

    /// The same line in arena `tier` (a copy when it lives in another arena); an empty handle
    /// when the line is gone.
    evidence_ref move_to(std::size_t tier, evidence_ref ref);

    /// New capacity: every line held so far is dropped and its handle finds nothing.
    void reset(std::size_t capacity);

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    /// Bytes of the arenas written at least once (what the store holds in memory at most).
    [[nodiscard]] std::size_t used_bytes() const noexcept;
    /// Lines appended since the store was made.
    [[nodiscard]] std::uint64_t appended() const noexcept { return appended_; }

  private:
    struct arena {
        std::unique_ptr<char[]> bytes;  // allocated on the first line
        std::size_t size = 0;
        std::uint64_t head = 0;  // stream position of the next line
        std::uint64_t base = 0;  // position of the first line since the last reset
    };
    void size_arenas(std::size_t capacity);

    std::array<arena, tiers> arenas_;
    std::size_t capacity_ = 0;
    std::uint64_t appended_ = 0;
};

}  // namespace ikewatch::ike
