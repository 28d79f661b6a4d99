#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/ip_address.hpp"
#include "common/time.hpp"
#include "ike/states.hpp"
#include "parsers/event.hpp"

namespace ikewatch::ike {

struct peer_record;

/// The exchange a peer's message ladder draws.
enum class ladder_exchange : std::uint8_t { none, main, aggressive, ikev2 };

[[nodiscard]] std::string_view to_string(ladder_exchange x) noexcept;

/// Step slots of a ladder. Phase 1 uses slots 0..5: MM1..MM6 in main mode, AM1..AM3 in
/// aggressive mode, IKE_SA_INIT request/response and IKE_AUTH request/response in IKEv2. Quick
/// mode (QM1..QM3) uses slots 6..8 once phase 1 is up.
inline constexpr std::size_t ladder_slots = 9;
inline constexpr std::size_t ladder_qm_first = 6;

/// How many phase-1 steps an exchange has (0 for none).
[[nodiscard]] std::size_t phase1_steps(ladder_exchange x) noexcept;

/// The step's name: `MM3`, `AM2`, `SA_INIT req`, `QM1`.
[[nodiscard]] std::string_view step_name(ladder_exchange x, std::size_t slot) noexcept;

/// Who sends a step: true for the initiator (of phase 1; of the quick-mode exchange for QM).
[[nodiscard]] bool sent_by_initiator(ladder_exchange x, std::size_t slot) noexcept;

/// What the logging device saw of one step (bits of `ladder_record::seen`).
namespace step_seen {
inline constexpr std::uint8_t sent = 1U << 0;      ///< it sent the message
inline constexpr std::uint8_t received = 1U << 1;  ///< it received the message
inline constexpr std::uint8_t resent = 1U << 2;    ///< it sent the message again
inline constexpr std::uint8_t rejected = 1U << 3;  ///< a failure message followed this step
inline constexpr std::uint8_t packet = 1U << 4;    ///< a packet line (not only a state line)
inline constexpr std::uint8_t by_peer = 1U << 5;   ///< QM slots: the peer started quick mode
inline constexpr std::uint8_t inferred = 1U << 6;  ///< not logged itself: a later state proves it
}  // namespace step_seen

/// The phase-1 slot a waiting state waits for (MM_WAIT_MSG4: slot 3, MM4), if it is one.
[[nodiscard]] std::optional<std::size_t> waited_slot(p1_state s) noexcept;

/// The message ladder of a peer's current negotiation, as its device logged it, and a short
/// history of its state changes: what the web page draws. Fixed size (about 200 bytes), kept
/// inside `peer_record`; times are offsets so the record stays small.
///
/// Sources: ASA 713236 payload lists (sent, received, RESENDING), IOS packet lines (the state
/// named in `(I) MM_SA_SETUP` fixes the message number) and IOS `Old State/New State` lines,
/// the IKEv2 milestones (750002, 750006, 750003) and the failure messages (which mark the last
/// step seen as rejected). A new phase-1 negotiation starts a new ladder; a new quick-mode
/// message id starts new quick-mode steps.
struct ladder_record {
    micros base = 0;  ///< time of the first step of the current negotiation (0: none yet)
    std::array<std::uint32_t, ladder_slots> at_ms{};     ///< first sighting, ms after `base`
    std::array<std::uint8_t, ladder_slots> sightings{};  ///< sends, resends and receipts
    std::array<std::uint8_t, ladder_slots> resends{};    ///< of which resends
    std::array<std::uint8_t, ladder_slots> seen{};       ///< step_seen bits
    ladder_exchange exchange = ladder_exchange::none;
    std::uint32_t qm_msgid = 0;  ///< message id of the quick-mode exchange drawn (0: unknown)
    ip_address local;            ///< the device's own address towards the peer, when logged

    /// Which evidence lines moved which step: a hash of the line as the evidence ring keeps it
    /// (see `evidence_step`), for the last `tags` lines that did.
    static constexpr std::size_t tags = 8;
    std::array<std::uint32_t, tags> tag_hash{};
    std::array<std::uint8_t, tags> tag_slot{};  ///< slot + 1; 0: unused
    std::uint8_t tag_next = 0;

    /// The last `history` state changes (phase-1 state, status and phase-2 status).
    static constexpr std::size_t history = 12;
    micros history_base = 0;                            ///< time of the first change kept
    std::array<std::uint32_t, history> history_at_s{};  ///< seconds after `history_base`
    std::array<p1_state, history> history_state{};
    std::array<std::uint8_t, history> history_status{};  ///< p1_status | p2_status << 4
    std::uint8_t history_next = 0;
    std::uint8_t history_size = 0;

    /// Time of the first sighting of a slot (0 when not seen).
    [[nodiscard]] micros time_of(std::size_t slot) const noexcept;
    [[nodiscard]] bool any_phase1() const noexcept;
    [[nodiscard]] bool any_quick() const noexcept;
    /// Calls `f(time, state, p1_status, p2_status)` for each state change kept, oldest first.
    template <typename F>
    void for_each_change(F&& f) const {
        for (std::size_t i = 0; i < history_size; ++i) {
            const std::size_t at = (history_next + history - history_size + i) % history;
            f(history_base + static_cast<micros>(history_at_s[at]) * micros_per_second,
              history_state[at], static_cast<p1_status>(history_status[at] & 0x0FU),
              static_cast<p2_status>(history_status[at] >> 4U));
        }
    }
};

/// What a peer looked like before the tracker applied an event.
struct ladder_before {
    p1_state state = p1_state::none;
    p1_status status = p1_status::idle;
    p2_status phase2 = p2_status::none;
};

/// Updates `p.ladder` from one event the tracker has just applied to `p` (its role, mode and
/// state already updated). `started`: the event began a new phase-1 negotiation.
void observe_ladder(peer_record& p, const parsers::event& e, bool started,
                    const ladder_before& before) noexcept;

/// The slot an evidence line moved (by its text as the evidence ring keeps it), if any.
[[nodiscard]] std::optional<std::size_t> evidence_step(const ladder_record& l,
                                                       std::string_view line) noexcept;

/// The fleet view's four groups, defined once here: `/api/fleet` chips, filters and sort order
/// all use it.
enum class peer_group : std::uint8_t { stuck, down, negotiating, established };

[[nodiscard]] std::string_view to_string(peer_group g) noexcept;
[[nodiscard]] std::optional<peer_group> peer_group_from(std::string_view name) noexcept;

/// `stuck`: the negotiation failed, phase 2 failed, or a diagnosis above `info` is active while
/// the tunnel is not down; `down`: a tunnel that was up went away (or nothing is negotiating);
/// `negotiating`: messages are being exchanged and nothing is diagnosed yet; `established`:
/// phase 1 (and phase 2, if any) up. `problem_alert`: an alert above `info` is active for the
/// peer.
[[nodiscard]] peer_group group_of(const peer_record& p, bool problem_alert) noexcept;

/// The group a state-history entry stands for (no alerts are known for the past).
[[nodiscard]] peer_group group_of(p1_status s, p2_status p2) noexcept;

}  // namespace ikewatch::ike
