#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "parsers/event.hpp"

namespace ikewatch::ike {

/// Phase-1 state of one (device, peer) negotiation, named after the ASA states; each maps to the
/// PIX/IOS name a `show crypto isakmp sa` would print (see `ios_name`).
///
/// | state        | who waits            | ASA name      | PIX/IOS name  |
/// |--------------|----------------------|---------------|---------------|
/// | mm_wait_msg2 | initiator, MM1 sent  | MM_WAIT_MSG2  | MM_NO_STATE   |
/// | mm_wait_msg3 | responder, MM2 sent  | MM_WAIT_MSG3  | MM_SA_SETUP   |
/// | mm_wait_msg4 | initiator, MM3 sent  | MM_WAIT_MSG4  | MM_SA_SETUP   |
/// | mm_wait_msg5 | responder, MM4 sent  | MM_WAIT_MSG5  | MM_KEY_EXCH   |
/// | mm_wait_msg6 | initiator, MM5 sent  | MM_WAIT_MSG6  | MM_KEY_EXCH   |
/// | mm_active    | phase 1 up           | MM_ACTIVE     | QM_IDLE       |
/// | am_wait_msg2 | initiator, AM1 sent  | AM_WAIT_MSG2  | AG_NO_STATE   |
/// | am_wait_msg3 | responder, AM2 sent  | AM_WAIT_MSG3  | AG_INIT_EXCH  |
/// | am_active    | phase 1 up           | AM_ACTIVE     | QM_IDLE       |
/// | v2_negotiating | IKEv2, step unknown (informational logs) | NEGOTIATING | IN-NEG |
/// | v2_up        | IKEv2 SA up          | ESTABLISHED   | READY         |
/// | v2_sa_init_wait | initiator, IKE_SA_INIT request sent | SA_INIT_WAIT | IN-NEG |
/// | v2_auth_wait | IKE_AUTH pending: the initiator sent its request, or the responder answered
///                  IKE_SA_INIT and waits for it    | AUTH_WAIT | IN-NEG |
///
/// IKEv2 has no ASA or IOS waiting-state names of its own in `show` output (only IN-NEG and
/// READY, UP-ACTIVE on the ASA), so ikewatch names its steps itself; the state names of the
/// devices' debug state machine (I_WAIT_AUTH, R_WAIT_AUTH, AUTH_DONE …) map onto them.
enum class p1_state : std::uint8_t {
    none,
    mm_wait_msg2,
    mm_wait_msg3,
    mm_wait_msg4,
    mm_wait_msg5,
    mm_wait_msg6,
    mm_active,
    am_wait_msg2,
    am_wait_msg3,
    am_active,
    v2_negotiating,
    v2_up,
    v2_sa_init_wait,
    v2_auth_wait,
    count_
};

inline constexpr std::size_t p1_state_count = static_cast<std::size_t>(p1_state::count_);

/// Where the negotiation stands, independent of the message number.
enum class p1_status : std::uint8_t {
    idle,         ///< nothing seen yet, or the SA was cleared normally
    negotiating,  ///< messages are being exchanged
    up,           ///< phase 1 complete
    failed,       ///< the device gave up (error history, timeout, a failure message)
    down,         ///< a tunnel that was up went away (session end, DPD, teardown)
};

enum class p2_status : std::uint8_t { none, negotiating, up, failed, down };

enum class ike_mode : std::uint8_t { unknown, main, aggressive };

/// Whether pasted `show` output listed an IPsec SA for a peer.
enum class ipsec_sa : std::uint8_t { unknown, none, present };

[[nodiscard]] std::string_view asa_name(p1_state s) noexcept;
[[nodiscard]] std::string_view ios_name(p1_state s) noexcept;
[[nodiscard]] std::string_view to_string(p1_status s) noexcept;
[[nodiscard]] std::string_view to_string(p2_status s) noexcept;
[[nodiscard]] std::string_view to_string(ike_mode m) noexcept;
[[nodiscard]] std::string_view to_string(parsers::ike_role r) noexcept;
[[nodiscard]] std::string_view to_string(ipsec_sa s) noexcept;

/// True for states in which one side waits for the other.
[[nodiscard]] bool is_waiting(p1_state s) noexcept;
[[nodiscard]] bool is_active(p1_state s) noexcept;

/// A state named in a log line or in `show` output (`MM_WAIT_MSG4`, `MM_KEY_EXCH`, `AM_Active`,
/// FSM history names such as `MM_SND_MSG1`, IOS FSM names such as `IKE_I_MM3`), resolved with
/// the role when the name alone is ambiguous (IOS `MM_SA_SETUP` is MSG3 for a responder, MSG4
/// for an initiator; an unknown role is read as initiator). Case-insensitive. Returns nullopt for
/// names that do not map to a modelled state (they are kept as text by the tracker).
[[nodiscard]] std::optional<p1_state> state_from_name(std::string_view name,
                                                      parsers::ike_role role) noexcept;

/// Every name `state_from_name` resolves, in its table's order (for references and tests).
[[nodiscard]] std::vector<std::string_view> state_alias_names();

/// Parses a rule's state name: an ASA name or an IOS/PIX name (exact, case-insensitive).
/// IOS names can stand for several ASA states; `matches_name` compares against both.
[[nodiscard]] bool is_known_state_name(std::string_view name) noexcept;

/// True for the names PIX/IOS `show crypto isakmp sa` prints (MM_NO_STATE … QM_IDLE).
[[nodiscard]] bool is_ios_show_name(std::string_view name) noexcept;

/// True when `name` (either vocabulary) names state `s`.
[[nodiscard]] bool matches_name(p1_state s, std::string_view name) noexcept;

}  // namespace ikewatch::ike
