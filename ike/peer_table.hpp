#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/chunked_vector.hpp"
#include "common/flat_index.hpp"
#include "common/inline_string.hpp"
#include "common/name_map.hpp"
#include "common/time.hpp"
#include "ike/memory_plan.hpp"
#include "ike/peer.hpp"

namespace ikewatch::ike {

struct table_options {
    std::size_t max_peers = 100'000;  ///< beyond this a peer is evicted (see peer_table)
    /// Bytes of the evidence store that holds the peers' evidence lines (ike/memory_plan.hpp
    /// sizes it with max_peers).
    std::size_t evidence_bytes = evidence_bytes_for(100'000);
    micros idle_expiry = 24 * 3600 * micros_per_second;  ///< peers silent this long are dropped
    std::size_t max_devices = 65'536;  ///< device names remembered (header hostnames are untrusted)
    std::size_t max_conn_ids = 65'536;  ///< IOS connection ids remembered across devices
};

/// Eviction classes of the peer table, evicted lowest first (see peer_table).
enum class peer_class : std::uint8_t {
    single_line,  ///< one line has named the (device, peer): anybody can forge that
    repeated,     ///< 2 or 3 lines
    history,      ///< 4 lines or more: a negotiation, or a tunnel that came up
};
inline constexpr std::size_t peer_class_count = 3;
static_assert(evidence_store::tiers == peer_class_count, "one evidence arena per peer class");

/// The class a (device, peer) named by `lines` lines belongs to.
[[nodiscard]] constexpr peer_class class_of_lines(std::uint32_t lines) noexcept {
    return lines >= 4   ? peer_class::history
           : lines >= 2 ? peer_class::repeated
                        : peer_class::single_line;
}

struct table_stats {
    std::uint64_t evicted = 0;  ///< peers pushed out by max_peers
    /// `evicted` by the class the peer was in: a flood of one-line spoofed peers only ever
    /// evicts `single_line` peers while there are any.
    std::array<std::uint64_t, peer_class_count> evicted_by_class{};
    std::uint64_t expired = 0;         ///< peers removed after idle_expiry
    std::uint64_t device_dropped = 0;  ///< events refused because the device table was full
    std::uint64_t conn_ids_cleared = 0;
};

/// The (device, peer) table: bounded by `max_peers`, so spoofed traffic cannot exhaust memory.
/// Devices are interned to small ids. Also remembers which peer each IOS connection id
/// (`(1001)`, `(0:2)`) belongs to.
///
/// Eviction policy. Syslog over UDP is unauthenticated: whoever reaches the port can name any
/// device and any peer, and write any state into a line (a single forged `PHASE 1 COMPLETED`
/// makes a tunnel look up). What a line says is therefore no ground for keeping a peer. What a
/// forger cannot avoid is paying one line per line: a flood of N spoofed peers costs N lines
/// when each is named once, and k·N lines when each must be named k times. So the table ranks
/// peers by how many lines have named them (peer_class): one line, 2–3 lines, 4 or more. A real
/// negotiation names its peer several times within seconds (713236 payload lists, 713041, the
/// milestones), and a tunnel that came up has at least its phase-1 and phase-2 completions and
/// its two SA creations; a spoofed peer of a cheap flood is named once.
///
/// When the table is full, the victim comes from the lowest class that has peers; within a
/// class, the least recently updated goes first, kept the CLOCK way (a peer updated since it
/// last reached the end of its class's list gets a second chance), which costs nothing per
/// update. A peer moves up a class on the line that crosses the threshold and never moves
/// down; `idle_expiry` still removes any peer that stays silent.
///
/// What this buys: a flood of spoofed peers named once each — however large — only ever
/// evicts other one-line peers while there are any, so peers with a negotiation history, mid
/// negotiation or up and silent, stay with their state. What it does not: a forger who names
/// each spoofed peer 4 times can push out `history` peers that have been silent longer than the
/// forged ones, at 4 lines per peer; a peer that a legitimate device has named only once (a
/// negotiation's very first line) is as easy to push out as a spoofed one; and a sender that
/// can reach the port can forge lines for the real peers themselves. senders.allow and keeping
/// the port unreachable are the defence against those.
class peer_table {
  public:
    explicit peer_table(table_options options = {});

    /// Finds the record, creating it when absent (evicting one when full, see the policy
    /// above). Each call counts as one more line naming the peer: it counts as recently updated
    /// and may move up a class. Returns nullptr only when the device cannot be registered. The
    /// pointer stays valid until the next upsert.
    peer_record* upsert(std::string_view device, std::string_view peer, micros now, bool& created);

    [[nodiscard]] const peer_record* find(std::string_view device, std::string_view peer) const;
    /// The record in slot `where` when it is still the one numbered `serial`, else null: a peer
    /// found again without its names.
    [[nodiscard]] const peer_record* at(std::uint32_t where, std::uint32_t serial) const noexcept {
        if (where >= slots_.size()) {
            return nullptr;
        }
        const peer_record& r = slots_[where].rec;
        return r.slot == where && r.serial == serial ? &r : nullptr;
    }

    [[nodiscard]] std::string_view device_name(std::uint32_t id) const noexcept;

    /// Whether the device has sent debug-level (7) IKE messages for any of its peers.
    [[nodiscard]] bool device_debug(std::string_view device) const;
    [[nodiscard]] bool device_debug(std::uint32_t id) const noexcept;
    void mark_debug(std::uint32_t id) noexcept;

    /// Whether the device's latest `ISAKMP is ON/OFF` said OFF (no crypto map or tunnel
    /// protection is in use on it).
    [[nodiscard]] bool device_isakmp_off(std::string_view device) const;
    void set_isakmp(std::string_view device, bool on);
    /// Whether SAs were cleared by hand on the device (`clear crypto sa` in a console paste):
    /// IKE and ESP for the old SAs keep arriving for a while, which is expected.
    [[nodiscard]] bool device_cleared(std::string_view device) const;
    /// What the table knows about a device as a whole, by name or by id (one lookup).
    struct device_flags {
        bool debug = false;       ///< level-7 IKE messages seen from it
        bool isakmp_off = false;  ///< its latest ISAKMP_ON_OFF said OFF
        bool cleared = false;     ///< SAs cleared by hand at its prompt
        /// When it last refused to start an IKEv2 negotiation, one being held (0: never)
        micros held_at = 0;
    };
    [[nodiscard]] device_flags flags_of(std::string_view device) const;
    [[nodiscard]] device_flags flags_of(std::uint32_t id) const noexcept;
    void mark_cleared(std::string_view device);
    /// The device refused to start an IKEv2 negotiation at `t` because it holds one it considers
    /// in progress (IOS `SA is already in negotiation, hence not negotiating again`).
    void mark_held(std::string_view device, micros t);
    /// The peer of the latest IKEv2 debug line of the device that carried an SA id: ASA debug
    /// prints a message's payload dump and some platform lines without the id, right after it.
    [[nodiscard]] std::string_view debug_context_peer(std::string_view device) const;
    void set_debug_context(std::string_view device, std::string_view peer);

    /// Drops peers whose last event is older than `now - idle_expiry` (a full scan: call it every
    /// few seconds, not per event). Returns how many.
    std::size_t expire(micros now);
    /// The same with each device's own clock, `now_of(device)` (0: keep the device's peers).
    std::size_t expire(const std::function<micros(std::string_view)>& now_of);

    /// The peer an IOS connection id was last seen with on this device, or empty.
    [[nodiscard]] std::string_view conn_peer(std::string_view device, std::string_view conn) const;
    /// The device's peer when it has exactly one, else empty.
    [[nodiscard]] std::string_view only_peer(std::string_view device) const;
    void bind_conn(std::string_view device, std::string_view conn, std::string_view peer);

    /// Keeps a log line as evidence of `p`, a record of this table: copies it into the evidence
    /// store, in the arena of the peer's class, and keeps its handle in `p.evidence`. `start`
    /// pins it as the line that started the current negotiation.
    void add_evidence(peer_record& p, micros time, std::string_view line, bool start);
    /// Calls `f(const evidence_entry&)` for each of `p`'s evidence lines the store still holds,
    /// oldest first (the pinned start line, then the rotating ones). The entries' text is valid
    /// until the next add_evidence or upsert.
    template <typename F>
    void for_each_evidence(const peer_record& p, F&& f) const {
        p.evidence.for_each([&](evidence_ref r) {
            if (const std::optional<evidence_entry> e = evidence_.get(r)) {
                f(*e);
            }
        });
    }
    [[nodiscard]] const evidence_store& evidence() const noexcept { return evidence_; }

    /// Calls `f(const peer_record&)` for every peer (no particular order).
    template <typename F>
    void for_each(F&& f) const {
        for (const list& l : lists_) {
            for (std::uint32_t i = l.head; i != nil; i = slots_[i].next) {
                f(slots_[i].rec);
            }
        }
    }

    // Checkpoints (pipeline/device_snapshot; ike/table_checkpoint.cpp).
    /// Calls `f(const peer_record&, std::uint8_t lines)` for every peer with the number of lines
    /// that named it (its eviction class follows from it).
    template <typename F>
    void for_each_with_lines(F&& f) const {
        for (const list& l : lists_) {
            for (std::uint32_t i = l.head; i != nil; i = slots_[i].next) {
                f(slots_[i].rec, slots_[i].lines);
            }
        }
    }
    /// Calls `f(std::string_view conn, std::string_view peer)` for the device's IOS connection
    /// ids.
    void for_each_conn(std::string_view device,
                       const std::function<void(std::string_view, std::string_view)>& f) const;
    /// The latest peer created for the device (only_peer's memory), empty when none.
    [[nodiscard]] std::string_view last_peer(std::string_view device) const;
    /// Sets a device's flags and latest peer as a snapshot recorded them.
    void restore_device(std::string_view device, const device_flags& flags,
                        std::string_view last_peer);
    /// Adds a peer as a snapshot recorded it (`lines` lines named it); nullptr when the device
    /// cannot be registered. The caller fills in the record, keeping `device` and `peer`.
    peer_record* restore_peer(std::string_view device, std::string_view peer, std::uint8_t lines);
    /// Forgets a device, its peers and its connection ids (another instance owns it now).
    /// Returns how many peers went.
    std::size_t forget_device(std::string_view device);

    /// The eviction class of a peer in the table (nullopt when absent).
    [[nodiscard]] std::optional<peer_class> class_of(std::string_view device,
                                                     std::string_view peer) const;
    /// How many peers are in a class now.
    [[nodiscard]] std::size_t class_size(peer_class c) const noexcept {
        return lists_[static_cast<std::size_t>(c)].size;
    }

    [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }
    [[nodiscard]] const table_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const table_options& options() const noexcept { return options_; }
    void set_options(const table_options& options);

    /// Bytes held per peer, for the memory benchmark (record with its evidence handles, links,
    /// index node; not the evidence store).
    [[nodiscard]] static std::size_t bytes_per_peer_estimate() noexcept;

  private:
    static constexpr std::uint32_t nil = 0xFFFFFFFF;

    struct slot {
        peer_record rec;
        std::uint32_t prev = nil;
        std::uint32_t next = nil;
        std::uint32_t hash = 0;
        std::uint8_t lines = 0;  ///< lines that named the peer (saturates)
        peer_class cls = peer_class::single_line;
        bool referenced = false;  ///< updated since it last came to the end of its list
    };
    /// One class's peers, most recently (re)inserted first.
    struct list {
        std::uint32_t head = nil;
        std::uint32_t tail = nil;
        std::size_t size = 0;
    };
    struct device_entry {
        std::string name;
        std::uint32_t peers = 0;
        bool debug = false;
        bool isakmp_off = false;
        bool cleared = false;
        micros held_at = 0;
        inline_string<46> last_peer;   // the latest peer created
        inline_string<46> debug_peer;  // the peer of the latest IKEv2 debug line with an SA id
    };
    struct conn_key {
        std::uint32_t device = 0;
        inline_string<24> conn;
        friend bool operator==(const conn_key&, const conn_key&) = default;
    };
    struct conn_hash {
        std::size_t operator()(const conn_key& k) const noexcept;
    };

    [[nodiscard]] static std::uint32_t peer_hash_of(std::uint32_t device,
                                                    std::string_view peer) noexcept;
    [[nodiscard]] std::uint32_t intern(std::string_view device);
    [[nodiscard]] std::uint32_t lookup_device(std::string_view device) const;
    [[nodiscard]] std::uint32_t find_slot(std::uint32_t device, std::string_view peer,
                                          std::uint32_t hash) const;
    [[nodiscard]] list& list_of(std::uint32_t i) noexcept {
        return lists_[static_cast<std::size_t>(slots_[i].cls)];
    }
    void unlink(std::uint32_t i) noexcept;
    void push_front(std::uint32_t i) noexcept;
    void remove(std::uint32_t i);
    /// The next peer to evict (after giving referenced ones their second chance); nil if empty.
    [[nodiscard]] std::uint32_t victim() noexcept;
    /// Evicts the victim and counts it; returns its device id (nil when the table was empty).
    std::uint32_t evict_one();
    /// Moves a peer's evidence lines to the store's arena of its (new) class.
    void promote_evidence(peer_record& p, peer_class c);

    table_options options_;
    chunked_vector<slot, 7> slots_;  // 128 peers a chunk
    std::vector<std::uint32_t> free_;
    std::array<list, peer_class_count> lists_{};
    flat_index index_;
    std::vector<device_entry> devices_;
    std::vector<std::uint32_t> free_devices_;
    name_map<std::uint32_t> device_ids_;
    std::unordered_map<conn_key, inline_string<46>, conn_hash> conns_;
    evidence_store evidence_;
    table_stats stats_;
    std::uint32_t serials_ = 0;  // the serial of the latest record created
};

}  // namespace ikewatch::ike
