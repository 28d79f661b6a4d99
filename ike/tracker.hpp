#pragma once

#include <cstdint>
#include <functional>

#include "ike/peer_table.hpp"
#include "parsers/event.hpp"

namespace ikewatch::ike {

/// What applying one event did to a peer.
struct transition {
    const peer_record* peer = nullptr;  ///< nullptr when the event names no IKE peer
    bool created = false;
    bool changed = false;  ///< state, status or phase-2 status changed
    p1_state old_state = p1_state::none;
    p1_status old_status = p1_status::idle;
    p2_status old_phase2 = p2_status::none;
    micros old_since = 0;  ///< when the peer had entered its state, before the event
};

/// Rebuilds per-(device, peer) IKE state from events, strongest source first: 713236 payload
/// lists, 713041, 715065 error histories, IOS `Old State/New State` and packet lines, then
/// milestones (713119, 713120, 713049, 602303/602304, 113019 for LAN-to-LAN sessions) and the
/// failure messages. Pure: time comes from the events; `expire` takes the engine clock.
class tracker {
  public:
    explicit tracker(table_options options = {}) : table_(options) {}

    /// Applies one event. Events that name no IKE peer (traffic, logins) leave the table alone.
    transition apply(const parsers::event& e) {
        // Lines no decoder read further, most of a firewall's log, are settled without a call.
        return e.kind == parsers::event_kind::other ? transition{} : apply_read(e);
    }

    /// Drops peers idle for longer than the configured expiry.
    std::size_t expire(micros now) { return table_.expire(now); }
    std::size_t expire(const std::function<micros(std::string_view)>& now_of) {
        return table_.expire(now_of);
    }

    [[nodiscard]] const peer_table& table() const noexcept { return table_; }
    [[nodiscard]] peer_table& table() noexcept { return table_; }

    /// True when the kind can change IKE peer state (the others are for rules only).
    [[nodiscard]] static bool tracks(parsers::event_kind k) noexcept;

  private:
    transition apply_read(const parsers::event& e);
    /// The peer a line is about: named, or reached through its connection or SA id.
    std::string_view peer_of(const parsers::event& e);
    /// What every line tells about its peer: times, version, NAT-T, role, group, debug seen.
    void note_event(peer_record& p, const parsers::event& e);
    /// The state change the line's kind makes; true when it starts a negotiation.
    bool apply_kind(peer_record& p, const parsers::event& e);
    void apply_packet(peer_record& p, const parsers::event& e, bool& started);
    void apply_asa_packet(peer_record& p, const parsers::event& e, bool& started);
    void apply_v2_packet(peer_record& p, const parsers::event& e, bool& started);
    void apply_v2_notify(peer_record& p, const parsers::event& e);

    peer_table table_;
};

}  // namespace ikewatch::ike
