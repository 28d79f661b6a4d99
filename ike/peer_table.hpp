#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/flat_index.hpp"
#include "common/inline_string.hpp"
#include "common/name_map.hpp"
#include "common/time.hpp"
#include "ike/peer.hpp"

namespace ikewatch::ike {

struct table_options {
    std::size_t max_peers = 100'000;  ///< beyond this the least recently updated peer goes
    micros idle_expiry = 24 * 3600 * micros_per_second;  ///< peers silent this long are dropped
    std::size_t max_devices = 65'536;  ///< device names remembered (header hostnames are untrusted)
    std::size_t max_conn_ids = 65'536;  ///< IOS connection ids remembered across devices
};

struct table_stats {
    std::uint64_t evicted = 0;         ///< peers pushed out by max_peers (least recently updated)
    std::uint64_t expired = 0;         ///< peers removed after idle_expiry
    std::uint64_t device_dropped = 0;  ///< events refused because the device table was full
    std::uint64_t conn_ids_cleared = 0;
};

/// The (device, peer) table: bounded, with least-recently-updated eviction, so spoofed traffic
/// cannot exhaust memory. Recency is kept the CLOCK way (a peer updated since it was last near
/// the end of the list gets a second chance instead of being evicted), which costs nothing per
/// update. Devices are interned to small ids. Also remembers which peer each IOS connection id
/// (`(1001)`, `(0:2)`) belongs to.
class peer_table {
  public:
    explicit peer_table(table_options options = {});

    /// Finds the record, creating it when absent (evicting the least recently updated when
    /// full). Returns nullptr only when the device cannot be registered. The record counts as
    /// recently updated. The pointer stays valid until the next upsert.
    peer_record* upsert(std::string_view device, std::string_view peer, micros now, bool& created);

    [[nodiscard]] const peer_record* find(std::string_view device, std::string_view peer) const;

    [[nodiscard]] std::string_view device_name(std::uint32_t id) const noexcept;

    /// Whether the device has sent debug-level (7) IKE messages for any of its peers.
    [[nodiscard]] bool device_debug(std::string_view device) const;
    [[nodiscard]] bool device_debug(std::uint32_t id) const noexcept;
    void mark_debug(std::uint32_t id) noexcept;

    /// Drops peers whose last event is older than `now - idle_expiry` (a full scan: call it every
    /// few seconds, not per event). Returns how many.
    std::size_t expire(micros now);
    /// The same with each device's own clock, `now_of(device)` (0: keep the device's peers).
    std::size_t expire(const std::function<micros(std::string_view)>& now_of);

    /// The peer an IOS connection id was last seen with on this device, or empty.
    [[nodiscard]] std::string_view conn_peer(std::string_view device, std::string_view conn) const;
    void bind_conn(std::string_view device, std::string_view conn, std::string_view peer);

    /// Calls `f(const peer_record&)` for every peer (no particular order).
    template <typename F>
    void for_each(F&& f) const {
        for (std::uint32_t i = head_; i != nil; i = slots_[i].next) {
            f(slots_[i].rec);
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }
    [[nodiscard]] const table_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const table_options& options() const noexcept { return options_; }
    void set_options(const table_options& options);

    /// Bytes held per peer, for the memory benchmark (record, links, index node; no evidence).
    [[nodiscard]] static std::size_t bytes_per_peer_estimate() noexcept;

  private:
    static constexpr std::uint32_t nil = 0xFFFFFFFF;

    struct slot {
        peer_record rec;
        std::uint32_t prev = nil;
        std::uint32_t next = nil;
        std::uint32_t hash = 0;
        bool referenced = false;  ///< updated since it last came to the end of the list
    };
    struct device_entry {
        std::string name;
        std::uint32_t peers = 0;
        bool debug = false;
    };
    struct conn_key {
        std::uint32_t device = 0;
        inline_string<24> conn;
        friend bool operator==(const conn_key&, const conn_key&) = default;
    };
    struct conn_hash {
        std::size_t operator()(const conn_key& k) const noexcept;
    };

    [[nodiscard]] std::uint32_t intern(std::string_view device);
    [[nodiscard]] std::uint32_t lookup_device(std::string_view device) const;
    [[nodiscard]] std::uint32_t find_slot(std::uint32_t device, std::string_view peer,
                                          std::uint32_t hash) const;
    void unlink(std::uint32_t i) noexcept;
    void push_front(std::uint32_t i) noexcept;
    void remove(std::uint32_t i);
    void evict_one();

    table_options options_;
    std::vector<slot> slots_;
    std::vector<std::uint32_t> free_;
    std::uint32_t head_ = nil;
    std::uint32_t tail_ = nil;
    flat_index index_;
    std::vector<device_entry> devices_;
    std::vector<std::uint32_t> free_devices_;
    name_map<std::uint32_t> device_ids_;
    std::unordered_map<conn_key, inline_string<46>, conn_hash> conns_;
    table_stats stats_;
};

}  // namespace ikewatch::ike
