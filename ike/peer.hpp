#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/inline_string.hpp"
#include "common/time.hpp"
#include "ike/evidence_store.hpp"
#include "ike/ladder.hpp"
#include "ike/states.hpp"
#include "parsers/event.hpp"

namespace ikewatch::ike {

/// The log lines that explain a peer's state, as handles into its table's evidence_store (the
/// lines themselves are held once per table, in a bounded space: see peer_table::add_evidence
/// and peer_table::for_each_evidence). The line that started the current negotiation is pinned
/// in `refs[0]`; the others rotate through `refs[1…]`. A handle whose line the store has
/// overwritten finds nothing: the peer then shows fewer lines, never another peer's.
struct evidence_refs {
    static constexpr std::size_t slots = 8;

    std::array<evidence_ref, slots> refs{};  ///< [0]: the pinned start line; [1…]: rotating
    std::uint8_t next = 0;                   ///< next rotating slot, counted from refs[1]
    std::uint8_t count = 0;                  ///< rotating lines written (at most slots - 1)
    std::uint8_t tier = 0;  ///< the store's arena of this peer's lines (its table class)

    /// Adds a line's handle; `start` pins it as the negotiation's first line and drops the
    /// rotating ones.
    void add(evidence_ref r, bool start) noexcept;

    /// Calls `f(evidence_ref&)` oldest first: the pinned start line, then the rotating ones.
    template <typename F>
    void for_each(F&& f) {
        visit(*this, f);
    }
    template <typename F>
    void for_each(F&& f) const {
        visit(*this, f);
    }
    /// Handles held (some may name lines the store no longer has).
    [[nodiscard]] std::size_t size() const noexcept {
        return (refs[0].empty() ? std::size_t{0} : std::size_t{1}) + count;
    }

  private:
    template <typename Self, typename F>
    static void visit(Self& self, F& f) {
        if (!self.refs[0].empty()) {
            f(self.refs[0]);
        }
        constexpr std::size_t ring = slots - 1;
        for (std::size_t i = 0; i < self.count; ++i) {
            f(self.refs[1 + (self.next + ring - self.count + i) % ring]);
        }
    }
};

/// Everything known about one (device, peer) pair. Fixed size: its evidence lines are handles into
/// its table's evidence_store.
struct peer_record {
    std::uint32_t device = 0;  ///< interned device id (peer_table::device_name)
    /// Where the table keeps the record: with `serial`, a way back to it that needs no names
    /// (peer_table::at).
    std::uint32_t slot = 0xFFFFFFFF;
    /// Numbers the records its table created: a record that took over a slot is told from the
    /// one that had it before (peer_table::at).
    std::uint32_t serial = 0;
    inline_string<46> peer;  ///< remote IKE address (or IKEv2 host name)

    std::uint8_t ike_version = 0;
    p1_state state = p1_state::none;
    p1_status status = p1_status::idle;
    p2_status phase2 = p2_status::none;
    parsers::ike_role role = parsers::ike_role::unknown;
    ike_mode mode = ike_mode::unknown;
    bool nat_t = false;
    bool debug_seen = false;  ///< a level-7 IKE message (713236/715065/IOS debug) was seen
    /// The latest event carried no time, nor did any line of its device (replay): how long the
    /// peer has been in its state is unknown.
    bool untimed = false;

    /// Phase-2 facts from pasted `show` output (the latest snapshot): packets encrypted and
    /// decrypted, errors, whether an IPsec SA is installed.
    struct ipsec_facts {
        std::uint32_t encaps = 0;  // saturating
        std::uint32_t decaps = 0;
        std::uint32_t send_errors = 0;
        std::uint32_t recv_errors = 0;
        ipsec_sa installed = ipsec_sa::unknown;
        bool counters = false;
    };
    ipsec_facts ipsec;
    std::uint8_t deleted_attempts = 0;  ///< `(deleted)` rows of `show crypto isakmp sa`
    inline_string<20> session_status;   ///< `show crypto session` / DMVPN state, as printed

    inline_string<32> reported_state;  ///< state as the device last named it (`show`, 713136, IOS)
    bool reported_unknown = false;     ///< `reported_state` is a name we do not model
    inline_string<48> group;           ///< tunnel group

    micros since = 0;  ///< when `state` was entered
    micros first_seen = 0;
    micros last_event = 0;  ///< time of the last event for this peer
    micros p2_since = 0;
    std::uint32_t retransmits = 0;       ///< our resends in the current negotiation
    std::uint32_t peer_retransmits = 0;  ///< the peer's duplicates of its first message
    std::uint32_t replies = 0;           ///< IKE messages received in the current negotiation
    std::uint32_t negotiations = 0;      ///< phase-1 negotiations started
    std::uint8_t declined = 0;           ///< phase-1 transforms refused in the current negotiation
    std::uint8_t accepted = 0;           ///< phase-1 transforms accepted in the current negotiation
    /// The most specific IKEv2 failure class of the current negotiation
    /// (`parsers::ikev2_failure_rank`: 3 names the cause, 0 when none failed).
    std::uint8_t failure_rank = 0;
    /// The phase the current negotiation's latest failure is about: 1 the IKE SA, 2 the IPsec
    /// (child) SA, 0 none yet.
    std::uint8_t failure_phase = 0;
    /// ASA IKEv2 debug: the crypto-map lookup of the current negotiation's traffic selectors
    /// found no entry (`No proxy match on map …` or an incomplete entry, and no `PROXY MATCH`
    /// after it).
    bool proxy_unmatched = false;
    std::uint32_t events = 0;

    parsers::ike_exchange last_sent = parsers::ike_exchange::none;      ///< last IKE message sent
    parsers::ike_exchange last_received = parsers::ike_exchange::none;  ///< … and received
    parsers::event_kind last_kind = parsers::event_kind::other;
    parsers::event_kind last_failure = parsers::event_kind::other;
    micros last_failure_at = 0;

    evidence_refs evidence;

    // Web page: the message ladder and state history, kept by observe_ladder (ike/ladder.hpp).
    ladder_record ladder;

    /// The IOS/PIX name for display: the one the device reported when it used that vocabulary
    /// (or a name we do not model), else the mapped one.
    [[nodiscard]] std::string_view state_ios() const noexcept;
    /// The ASA name for display (or the reported name when we do not model it).
    [[nodiscard]] std::string_view state_asa() const noexcept;
};

}  // namespace ikewatch::ike
