#pragma once

#include <cstddef>
#include <optional>

namespace ikewatch::ike {

/// How a memory budget (`limits.memory`) is shared out: the peer table's size and the evidence
/// store's, over all pipeline shards.
struct memory_plan {
    std::size_t max_peers = 0;
    std::size_t evidence_bytes = 0;
};

/// What one peer is planned to cost: its record in the table with its index entry and evidence
/// handles (about 630 bytes, bench/peer_memory.cpp), the rule engine's state for it (about 250
/// bytes: its time-in-state timer and rule key), and its share of the evidence store.
inline constexpr std::size_t planned_bytes_per_peer = 1280;
/// The evidence store's part of planned_bytes_per_peer: two or three lines per peer on average
/// (a line takes its length, up to 240 bytes, and 10).
inline constexpr std::size_t evidence_bytes_per_peer = 384;
/// What the daemon needs besides its peers: code, rule set, buffers, queues.
inline constexpr std::size_t memory_reserve = std::size_t{32} << 20;
/// The smallest budget accepted.
inline constexpr std::size_t min_memory = std::size_t{64} << 20;

/// The plan for `budget` bytes. With `max_peers` given, the table has that size and the evidence
/// store evidence_bytes_per_peer per peer, whatever the budget; without, the budget less the
/// reserve is shared out at planned_bytes_per_peer per peer.
[[nodiscard]] memory_plan plan_memory(std::size_t budget,
                                      std::optional<std::size_t> max_peers) noexcept;

/// The evidence store for a table of `max_peers` peers: evidence_bytes_per_peer each.
[[nodiscard]] constexpr std::size_t evidence_bytes_for(std::size_t max_peers) noexcept {
    return max_peers * evidence_bytes_per_peer;
}

/// What a plan is expected to use in all: the reserve and planned_bytes_per_peer per peer.
[[nodiscard]] std::size_t planned_bytes(const memory_plan& plan) noexcept;

}  // namespace ikewatch::ike
