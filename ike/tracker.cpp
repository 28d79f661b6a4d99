#include "ike/tracker.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "parsers/ikev2_failure.hpp"
#include "parsers/show_ipsec_reader.hpp"

namespace ikewatch::ike {

namespace {

using parsers::event;
using parsers::event_kind;
using parsers::field;
using parsers::ike_direction;
using parsers::ike_exchange;
using parsers::ike_role;

void enter(peer_record& p, p1_state s, micros t) noexcept {
    if (p.state != s) {
        p.state = s;
        p.since = t;
    }
    p.reported_state.clear();
    p.reported_unknown = false;
}

// A new phase-1 negotiation. The time-in-state clock is kept when the state does not change, so
// an initiator retrying every 30 s is still seen as stuck since its first attempt.
void start(peer_record& p, ike_role role, ike_mode mode, p1_state s, micros t) noexcept {
    p.role = role;
    p.mode = mode;
    p.status = p1_status::negotiating;
    p.retransmits = 0;
    p.peer_retransmits = 0;
    p.last_sent = ike_exchange::none;
    p.last_received = ike_exchange::none;
    p.replies = 0;
    p.declined = 0;
    p.accepted = 0;
    p.failure_rank = 0;
    p.failure_phase = 0;
    p.proxy_unmatched = false;
    ++p.negotiations;
    if (p.phase2 == p2_status::up) {
        p.phase2 = p2_status::none;
    }
    enter(p, s, t);
}

void fail(peer_record& p, const event& e) noexcept {
    if (p.status != p1_status::up) {
        p.status = p1_status::failed;
    }
    p.failure_phase = 1;
    p.last_failure = e.kind;
    p.last_failure_at = e.time;
}

void up(peer_record& p, micros t) noexcept;

// The status once the SA is gone: a tunnel that was up is down (and stays down), one that never
// came up failed.
p1_status gone(p1_status s) noexcept {
    return s == p1_status::up || s == p1_status::down ? p1_status::down : p1_status::failed;
}

// Quick mode runs inside an established phase 1, so a phase-2 failure proves phase 1 was up.
// An IKEv2 child SA refused inside IKE_AUTH proves nothing yet: the same exchange decides
// whether the IKE SA authenticates.
void fail_phase2(peer_record& p, const event& e) noexcept {
    if (p.status != p1_status::up && p.status != p1_status::down &&
        p.state != p1_state::v2_auth_wait) {
        up(p, e.time);
    }
    p.phase2 = p2_status::failed;
    p.p2_since = e.time;
    p.failure_phase = 2;
    p.last_failure = e.kind;
    p.last_failure_at = e.time;
}

// A failure of the phase the line names (phase 1 when it names none).
void fail_named_phase(peer_record& p, const event& e) noexcept {
    if (e.phase == 2) {
        fail_phase2(p, e);
    } else {
        fail(p, e);
    }
}

void phase2(peer_record& p, p2_status s, micros t) noexcept {
    if (p.phase2 != s) {
        p.phase2 = s;
        p.p2_since = t;
    }
}

void up(peer_record& p, micros t) noexcept {
    const p1_state active = p.ike_version == 2               ? p1_state::v2_up
                            : p.mode == ike_mode::aggressive ? p1_state::am_active
                                                             : p1_state::mm_active;
    if (!is_active(p.state)) {
        enter(p, active, t);
    }
    p.status = p1_status::up;
    p.retransmits = 0;
    p.failure_rank = 0;
}

// A failure class of this negotiation: the most specific one seen is kept.
void note_failure_class(peer_record& p, const event& e) noexcept {
    if (const auto f = e.get(field::failure)) {
        const auto rank = static_cast<std::uint8_t>(parsers::ikev2_failure_rank(*f));
        p.failure_rank = std::max(p.failure_rank, rank);
    }
}

// A state named by the device itself (IOS packet/show lines, FSM history, 713136).
void named_state(peer_record& p, std::string_view name, ike_role role, micros t) noexcept {
    if (const auto s = state_from_name(name, role)) {
        enter(p, *s, t);
        p.reported_state.assign(name);
        return;
    }
    // Unknown names (EzVPN `AM_TM_INIT_XAUTH_V6C`) are kept as printed.
    p.reported_state.assign(name);
    p.reported_unknown = true;
}

// A row of `show crypto isakmp sa`. A `(deleted)` row is a past attempt: it counts, and names
// the state only while nothing current is known (the table lists deleted rows first).
void apply_show_state(peer_record& p, const event& e) noexcept {
    if (e.role != ike_role::unknown) {
        p.role = e.role;
    }
    if (e.get(field::status) == std::optional<std::string_view>("deleted")) {
        if (p.deleted_attempts < 255) {
            ++p.deleted_attempts;
        }
        if (p.status == p1_status::idle || p.status == p1_status::failed) {
            named_state(p, e.state_name, p.role, e.time);
            p.status = p1_status::failed;
        }
        return;
    }
    named_state(p, e.state_name, p.role, e.time);
    if (is_active(p.state) && !p.reported_unknown) {
        p.status = p1_status::up;
    } else {
        p.status = p1_status::negotiating;
    }
}

// Debug state-machine steps of the exchanges that run on an established IKE SA: INFORMATIONAL
// (`INFO_I_BLD_INFO`, DPD and deletes) and CREATE_CHILD_SA (`CHILD_I_WAIT`, child SAs and
// rekeys). They do not name a state of the IKE SA; they prove it is up. A child exchange in
// progress is phase 2 negotiating (CHILD_WAIT in the docs); its end (`CHILD_*_DONE`) brings the
// child SA up.
bool established_sa_step(std::string_view name) noexcept {
    return text::starts_with(name, "INFO_") || text::starts_with(name, "CHILD_");
}

void apply_established_step(peer_record& p, std::string_view name, micros t) noexcept {
    // The INFORMATIONAL exchange of an SA being deleted does not bring it back.
    if (p.status != p1_status::up && p.status != p1_status::down) {
        up(p, t);
    }
    if (!text::starts_with(name, "CHILD_")) {
        return;
    }
    if (name.ends_with("_DONE")) {
        phase2(p, p2_status::up, t);
    } else if (p.phase2 != p2_status::up) {
        phase2(p, p2_status::negotiating, t);
    }
}

std::uint32_t saturated(std::uint64_t v) noexcept {
    return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v);
}

// Phase-2 facts of a snapshot replace the previous snapshot's.
void take_ipsec(peer_record& p, const parsers::ipsec_snapshot& s, micros t) noexcept {
    using sa = ipsec_sa;
    if (s.counters) {
        p.ipsec.counters = true;
        p.ipsec.encaps = saturated(s.encaps);
        p.ipsec.decaps = saturated(s.decaps);
        p.ipsec.send_errors = saturated(s.send_errors);
        p.ipsec.recv_errors = saturated(s.recv_errors);
    }
    if (s.nat_t) {
        p.nat_t = true;
    }
    // Packets that could not be sent and none encrypted: there is no SA to send them through
    // (an excerpt without the SPI lines says as much).
    const bool no_sa = s.sa == parsers::ipsec_snapshot::sa_state::none ||
                       (s.sa == parsers::ipsec_snapshot::sa_state::unknown && s.counters &&
                        s.encaps == 0 && s.send_errors > 0);
    if (no_sa && s.sa != parsers::ipsec_snapshot::sa_state::none) {
        p.ipsec.installed = sa::none;
        return;
    }
    switch (s.sa) {
        case parsers::ipsec_snapshot::sa_state::present:
            p.ipsec.installed = sa::present;
            phase2(p, p2_status::up, t);
            break;
        case parsers::ipsec_snapshot::sa_state::none:
            p.ipsec.installed = sa::none;
            if (p.phase2 == p2_status::up) {
                phase2(p, p2_status::down, t);
            }
            break;
        case parsers::ipsec_snapshot::sa_state::unknown:
            break;
    }
}

void apply_show_ipsec(peer_record& p, const event& e) noexcept {
    if (e.ipsec != nullptr) {
        take_ipsec(p, *e.ipsec, e.time);
    }
}

// A tunnel as a session listing shows it: `show crypto session` (UP-ACTIVE, UP-IDLE, UP-NO-IKE,
// DOWN-NEGOTIATING, DOWN), `show dmvpn` (DMVPN-UP; DMVPN-NHRP: NHRP not registered yet;
// DMVPN-IPSEC: phase 1 up, no IPsec SA; DMVPN-IKE: phase 1 not up), `show vpn-sessiondb l2l`.
void apply_show_session(peer_record& p, const event& e) noexcept {
    const std::string_view status = e.get(field::status).value_or("");
    p.session_status.assign(status);
    // DMVPN NHRP (registration pending) says nothing about IKE: a tunnel without protection
    // goes there straight away.
    const bool phase1_up = status == "UP-ACTIVE" || status == "UP-IDLE" || status == "UP" ||
                           status == "DMVPN-UP" || status == "DMVPN-IPSEC";
    if (phase1_up) {
        if (!is_active(p.state)) {
            up(p, e.time);
        }
        p.status = p1_status::up;
    } else if (status == "DOWN-NEGOTIATING" || status == "DMVPN-IKE") {
        if (p.status != p1_status::failed) {
            p.status = p1_status::negotiating;
        }
    }
    if (status == "DMVPN-IPSEC" || status == "UP-IDLE") {
        p.ipsec.installed = ipsec_sa::none;
    }
    if (e.ipsec != nullptr) {
        take_ipsec(p, *e.ipsec, e.time);
    }
}

// IOS `Old State = IKE_READY New State = IKE_I_MM1`: a step of main, aggressive or quick mode,
// phase 1 complete, or the SA destroyed.
void apply_state_change(peer_record& p, const event& e, bool& started) noexcept {
    const micros now = e.time;
    const std::string_view name = e.state_name;
    const auto old_state = e.get(field::old_state).value_or("");
    const ike_role role = text::istarts_with(name, "IKE_I_")   ? ike_role::initiator
                          : text::istarts_with(name, "IKE_R_") ? ike_role::responder
                                                               : p.role;
    if (text::istarts_with(name, "IKE_QM_")) {
        phase2(p, name == "IKE_QM_PHASE2_COMPLETE" ? p2_status::up : p2_status::negotiating, now);
    } else if (name == "IKE_DEST_SA") {
        p.status = gone(p.status);
    } else if (name == "IKE_P1_COMPLETE") {
        up(p, now);
    } else if (const auto s = state_from_name(name, role)) {
        if (old_state == "IKE_READY" || p.status != p1_status::negotiating) {
            start(p, role,
                  text::ifind(name, "_AM") != std::string_view::npos ? ike_mode::aggressive
                                                                     : ike_mode::main,
                  *s, now);
            started = true;
        } else {
            p.role = role;
            enter(p, *s, now);
        }
    }
}

// Milestones: negotiations starting and completing, SAs installed and removed, tunnels and
// sessions ending. False when `e` is not one.
bool apply_milestone(peer_record& p, const event& e, bool& started) noexcept {
    const micros now = e.time;
    switch (e.kind) {
        case event_kind::phase1_start: {
            const bool aggressive = e.aggressive;
            start(p, e.role == ike_role::unknown ? ike_role::initiator : e.role,
                  aggressive ? ike_mode::aggressive : ike_mode::main,
                  aggressive ? p1_state::am_wait_msg2 : p1_state::mm_wait_msg2, now);
            started = true;
            return true;
        }
        case event_kind::state_change:
            apply_state_change(p, e, started);
            return true;
        case event_kind::phase1_complete:
        case event_kind::tunnel_up:
            up(p, now);
            return true;
        case event_kind::phase2_start:
            if (p.phase2 != p2_status::up) {
                phase2(p, p2_status::negotiating, now);
            }
            return true;
        case event_kind::phase2_negotiated:
        case event_kind::phase2_complete:
        case event_kind::ipsec_sa_created:
            if (!is_active(p.state)) {
                up(p, now);
            }
            phase2(p, p2_status::up, now);
            return true;
        case event_kind::ipsec_sa_deleted:
        case event_kind::connection_terminated:
            if (p.phase2 == p2_status::up) {
                phase2(p, p2_status::down, now);
            }
            return true;
        case event_kind::session_disconnected:
            // Remote-access and SSL sessions have their own lifecycle; only LAN-to-LAN ends a
            // tunnel.
            if (e.get(field::tunnel_type).value_or("") == "l2l") {
                p.status = p1_status::down;
                phase2(p, p2_status::down, now);
                enter(p, p1_state::none, now);
            }
            return true;
        case event_kind::teardown:
        case event_kind::peer_dead:
            // The SA is gone either way; a tunnel that was up is down, one that never came up
            // failed.
            p.status = gone(p.status);
            if (p.phase2 == p2_status::up) {
                phase2(p, p2_status::down, now);
            }
            enter(p, p1_state::none, now);
            p.last_failure = e.kind;
            p.last_failure_at = now;
            return true;
        default:
            return false;
    }
}

// Failures, and the counters of the negotiation under way. False when `e` is neither.
bool apply_failure(peer_record& p, const event& e) noexcept {
    switch (e.kind) {
        case event_kind::fsm_history:
        case event_kind::negotiation_timeout:
            if (e.role != ike_role::unknown) {
                p.role = e.role;
            }
            if (e.aggressive) {
                p.mode = ike_mode::aggressive;
            } else if (p.mode == ike_mode::unknown && e.phase == 1) {
                p.mode = ike_mode::main;
            }
            if (!e.state_name.empty()) {
                named_state(p, e.state_name, p.role, e.time);
            }
            fail_named_phase(p, e);
            return true;
        case event_kind::proposal_rejected:
        case event_kind::mode_failure:
        case event_kind::attribute_mismatch:
            fail_named_phase(p, e);
            return true;
        case event_kind::tunnel_group_missing:
        case event_kind::invalid_cookie:
        case event_kind::no_matching_sa:
        case event_kind::malformed_message:
        case event_kind::auth_failed:
        case event_kind::crypto_map_missing:
        case event_kind::no_crypto_policy:
            fail(p, e);
            return true;
        case event_kind::crypto_acl_mismatch:
        case event_kind::phase2_failed:
            fail_phase2(p, e);
            return true;
        case event_kind::duplicate_packet:
            ++p.peer_retransmits;
            return true;
        case event_kind::proposal_declined:
            if (e.phase == 1 && p.declined < 255) {
                ++p.declined;
            }
            return true;
        case event_kind::proposal_accepted:
            if (e.phase == 1 && p.accepted < 255) {
                ++p.accepted;
            }
            return true;
        case event_kind::retransmit:
            ++p.retransmits;
            return true;
        case event_kind::tunnel_group_found:
            if (const auto g = e.get(field::group)) {
                p.group.assign(*g);
            }
            return true;
        default:
            return false;
    }
}

// Whether an IKEv2 failure of class `f` is about the child SA. Proposals refused once IKE_SA_INIT
// is done can only be the child SA's: the IKE SA's were agreed in IKE_SA_INIT, and IKE_AUTH
// carries the first child SA's (CREATE_CHILD_SA those of the next ones).
bool child_sa_failure(const peer_record& p, std::string_view f) noexcept {
    if (f == "traffic_selector" || f == "child_proposal") {
        return true;
    }
    // An SA that went down or failed leaves its state behind: a refusal after it belongs to the
    // next negotiation, whose first lines may not have been seen.
    return f == "proposal" &&
           ((p.state == p1_state::v2_auth_wait && p.status == p1_status::negotiating) ||
            (is_active(p.state) && p.status == p1_status::up));
}

// IKEv2 syslog and debug lines that move the state on their own (the exchanges and notifies
// have their own functions). False when `e` is not one.
bool apply_v2_event(peer_record& p, const event& e, bool& started) noexcept {
    const micros now = e.time;
    switch (e.kind) {
        case event_kind::ikev2_start:
            p.ike_version = 2;
            start(p, ike_role::responder, ike_mode::unknown, p1_state::v2_negotiating, now);
            started = true;
            return true;
        case event_kind::ikev2_up:
            p.ike_version = 2;
            up(p, now);
            return true;
        case event_kind::ikev2_failed:
            p.ike_version = 2;
            if (p.state == p1_state::none) {
                enter(p, p1_state::v2_negotiating, now);
            }
            note_failure_class(p, e);
            if (child_sa_failure(p, e.get(field::failure).value_or(""))) {
                fail_phase2(p, e);
            } else {
                fail(p, e);
            }
            return true;
        case event_kind::ikev2_down:
            p.ike_version = 2;
            p.status = gone(p.status);
            if (p.phase2 == p2_status::up) {
                phase2(p, p2_status::down, now);
            }
            p.last_failure = e.kind;
            p.last_failure_at = now;
            return true;
        case event_kind::ike_info:
            // ASA debug: the crypto-map lookup of the peer's traffic selectors, entry by entry;
            // the last word stands (`No proxy match … seq 10`, then `PROXY MATCH … seq 20`). An
            // entry without its ACL (`… is incomplete`) matches nothing.
            if (const auto lookup = e.get(field::type);
                lookup == std::optional<std::string_view>("no_proxy_match") ||
                lookup == std::optional<std::string_view>("map_incomplete") ||
                lookup == std::optional<std::string_view>("proxy_match")) {
                p.proxy_unmatched = *lookup != "proxy_match";
                return true;
            }
            return false;
        case event_kind::ikev2_state:
            p.ike_version = 2;
            if (e.role != ike_role::unknown) {
                p.role = e.role;
            }
            if (established_sa_step(e.state_name)) {
                apply_established_step(p, e.state_name, now);
            } else if (e.state_name == "EXIT" || e.state_name == "DELETE") {
                // One SA of the peer ends: where it stood stays the state, so that a failed
                // exchange still shows the step it stopped at. EXIT ends an aborted exchange.
                // DELETE says nothing of the peer's tunnel: it also removes the SA an IKE SA
                // rekey replaced, or the loser of two crossed negotiations.
                p.reported_state.assign(e.state_name);
                if (p.status == p1_status::negotiating && e.state_name == "EXIT") {
                    p.status = p1_status::failed;
                }
            } else if (!e.state_name.empty()) {
                named_state(p, e.state_name, p.role, now);
                if (is_active(p.state)) {
                    p.status = p1_status::up;
                } else if (p.status != p1_status::failed && is_waiting(p.state)) {
                    p.status = p1_status::negotiating;
                }
            }
            return true;
        default:
            return false;
    }
}

bool evidence_worthy(event_kind k) noexcept {
    return parsers::info(k).evidence;
}

}  // namespace

bool tracker::tracks(event_kind k) noexcept {
    return parsers::info(k).tracks_peer;
}

void tracker::apply_asa_packet(peer_record& p, const event& e, bool& started) {
    const micros t = e.time;
    const bool sent = e.direction == ike_direction::sent;
    const bool resent = e.direction == ike_direction::resent;
    const bool negotiating = p.status == p1_status::negotiating;
    if (resent) {
        ++p.retransmits;
    }
    switch (e.exchange) {
        case ike_exchange::mm_sa:
            if (sent || (resent && !negotiating)) {
                if (p.role == ike_role::responder && negotiating &&
                    p.last_received == ike_exchange::mm_sa) {
                    enter(p, p1_state::mm_wait_msg3, t);  // responder answers MM1 with MM2
                } else if (p.role == ike_role::initiator && negotiating &&
                           p.last_sent == ike_exchange::none) {
                    p.mode = ike_mode::main;  // MM1 of the negotiation 713041 announced
                } else {
                    start(p, ike_role::initiator, ike_mode::main, p1_state::mm_wait_msg2, t);
                    started = true;
                }
            } else if (!resent) {
                if (p.role == ike_role::responder && negotiating &&
                    p.state == p1_state::mm_wait_msg3) {
                    ++p.peer_retransmits;  // MM1 again: our MM2 did not reach the initiator
                } else if (!(p.role == ike_role::initiator && negotiating &&
                             p.state == p1_state::mm_wait_msg2)) {
                    start(p, ike_role::responder, ike_mode::main, p1_state::none, t);
                    started = true;
                }
            }
            break;
        case ike_exchange::mm_ke:
            if (sent) {
                if (p.role == ike_role::unknown) {
                    p.role = p.last_received == ike_exchange::mm_ke ? ike_role::responder
                                                                    : ike_role::initiator;
                }
                enter(
                    p,
                    p.role == ike_role::responder ? p1_state::mm_wait_msg5 : p1_state::mm_wait_msg4,
                    t);
                p.status = p1_status::negotiating;
            } else if (!resent && p.role == ike_role::unknown) {
                p.role =
                    p.last_sent == ike_exchange::mm_ke ? ike_role::initiator : ike_role::responder;
            }
            break;
        case ike_exchange::mm_auth:
            if (p.role == ike_role::unknown) {
                p.role = (sent && p.last_received == ike_exchange::mm_auth) ||
                                 (!sent && !resent && p.last_sent != ike_exchange::mm_auth)
                             ? ike_role::responder
                             : ike_role::initiator;
            }
            if (sent) {
                if (p.role == ike_role::responder) {
                    up(p, t);  // MM6 sent: the responder is done
                } else {
                    enter(p, p1_state::mm_wait_msg6, t);
                    p.status = p1_status::negotiating;
                }
            } else if (!resent && p.role == ike_role::initiator) {
                up(p, t);  // MM6 received
            }
            break;
        case ike_exchange::am1:
            if (sent && p.role == ike_role::initiator && negotiating &&
                p.last_sent == ike_exchange::none) {
                p.mode = ike_mode::aggressive;  // AM1 of the negotiation 713041 announced
                enter(p, p1_state::am_wait_msg2, t);
            } else if (sent || (resent && !negotiating)) {
                start(p, ike_role::initiator, ike_mode::aggressive, p1_state::am_wait_msg2, t);
                started = true;
            } else if (!resent) {
                start(p, ike_role::responder, ike_mode::aggressive, p1_state::none, t);
                started = true;
            }
            break;
        case ike_exchange::am2:
            p.mode = ike_mode::aggressive;
            if (sent) {
                p.role = ike_role::responder;
                enter(p, p1_state::am_wait_msg3, t);
                p.status = p1_status::negotiating;
            }
            break;
        case ike_exchange::am3:
            p.mode = ike_mode::aggressive;
            if (!resent) {
                up(p, t);
            }
            break;
        case ike_exchange::quick:
            if (p.phase2 != p2_status::up) {
                phase2(p, p2_status::negotiating, t);
            }
            break;
        case ike_exchange::info:
        case ike_exchange::none:
        case ike_exchange::v2_sa_init:
        case ike_exchange::v2_auth:
        case ike_exchange::v2_child:
        case ike_exchange::v2_info:
            break;
    }
    if (sent || resent) {
        p.last_sent = e.exchange;
    } else {
        p.last_received = e.exchange;
        ++p.replies;
    }
}

// An IKEv2 message. Requests and responses of IKE_SA_INIT and IKE_AUTH move the negotiation:
//
//   initiator: SA_INIT request sent -> SA_INIT_WAIT; IKE_AUTH request sent -> AUTH_WAIT;
//              IKE_AUTH response received -> ESTABLISHED
//   responder: SA_INIT request received -> NEGOTIATING; SA_INIT response sent -> AUTH_WAIT;
//              IKE_AUTH response sent -> ESTABLISHED
//
// CREATE_CHILD_SA drives phase 2 (rekeys and extra child SAs); INFORMATIONAL (DPD, delete) moves
// nothing. A packet line that does not say its exchange only counts the peer's answers.
void tracker::apply_v2_packet(peer_record& p, const event& e, bool& started) {
    p.ike_version = 2;
    const micros t = e.time;
    const bool sent = e.direction == ike_direction::sent;
    const bool resent = e.direction == ike_direction::resent;
    const bool received = e.direction == ike_direction::received;
    if (resent) {
        ++p.retransmits;
    }
    if (received) {
        ++p.replies;
    }
    const bool response = e.v2_response;
    switch (e.exchange) {
        case ike_exchange::v2_sa_init:
            if (sent && !response && p.status != p1_status::negotiating) {
                start(p, ike_role::initiator, ike_mode::unknown, p1_state::v2_sa_init_wait, t);
                started = true;
            } else if (sent && !response) {
                enter(p, p1_state::v2_sa_init_wait, t);
            } else if (received && !response &&
                       !(p.status == p1_status::negotiating && p.role == ike_role::responder)) {
                start(p, ike_role::responder, ike_mode::unknown, p1_state::v2_negotiating, t);
                started = true;
            } else if (sent && response) {
                p.role = ike_role::responder;
                enter(p, p1_state::v2_auth_wait, t);
                p.status = p1_status::negotiating;
            }
            break;
        case ike_exchange::v2_auth:
            if ((sent || resent) && !response) {
                p.role = ike_role::initiator;
                enter(p, p1_state::v2_auth_wait, t);
                p.status = p1_status::negotiating;
            } else if ((sent && response) || (received && response)) {
                up(p, t);
                phase2(p, p2_status::up, t);  // the first child SA comes with IKE_AUTH
            }
            break;
        case ike_exchange::v2_child:
            if (!response && p.phase2 != p2_status::up) {
                phase2(p, p2_status::negotiating, t);
            } else if (response) {
                phase2(p, p2_status::up, t);
            }
            break;
        case ike_exchange::v2_info:
        case ike_exchange::none:
        default:
            break;
    }
    if (sent || resent) {
        p.last_sent = e.exchange;
    } else if (received) {
        p.last_received = e.exchange;
    }
}

// A notify payload. Refusals fail the exchange they answer: NO_PROPOSAL_CHOSEN in IKE_SA_INIT
// fails phase 1, in IKE_AUTH or CREATE_CHILD_SA the child SA; TS_UNACCEPTABLE fails the child
// SA; AUTHENTICATION_FAILED fails phase 1. INVALID_KE_PAYLOAD asks the initiator to retry with
// another group (the rules count them).
void tracker::apply_v2_notify(peer_record& p, const event& e) {
    p.ike_version = 2;
    note_failure_class(p, e);
    const std::string_view notify = e.get(field::notify).value_or("");
    const bool child = e.exchange == ike_exchange::v2_auth ||
                       e.exchange == ike_exchange::v2_child ||
                       child_sa_failure(p, e.get(field::failure).value_or(""));
    if (notify == "TS_UNACCEPTABLE" || (notify == "NO_PROPOSAL_CHOSEN" && child)) {
        fail_phase2(p, e);
    } else if (notify == "NO_PROPOSAL_CHOSEN" || notify == "AUTHENTICATION_FAILED") {
        fail(p, e);
    }
}

void tracker::apply_packet(peer_record& p, const event& e, bool& started) {
    if (e.exchange != ike_exchange::none) {
        apply_asa_packet(p, e, started);
        return;
    }
    // IOS: `sending packet to X (I) MM_NO_STATE` names the show state and the role.
    if (e.role != ike_role::unknown) {
        p.role = e.role;
    }
    const bool received = e.direction == ike_direction::received;
    if (e.state_name.empty()) {
        if (e.direction == ike_direction::received && p.status != p1_status::negotiating) {
            start(p, ike_role::responder, ike_mode::main, p1_state::none, e.time);  // NEW SA
            started = true;
        }
        return;
    }
    const auto s = state_from_name(e.state_name, p.role);
    if (s == p1_state::mm_wait_msg2 && e.direction == ike_direction::sent &&
        p.status != p1_status::negotiating) {
        start(p, p.role == ike_role::unknown ? ike_role::initiator : p.role, ike_mode::main,
              p1_state::mm_wait_msg2, e.time);
        started = true;
    }
    named_state(p, e.state_name, p.role, e.time);
    if (received && !started) {
        ++p.replies;
    }
    if (s && is_active(*s)) {
        if (p.status != p1_status::up) {
            p.status = p1_status::up;
        }
    } else if (s && is_waiting(*s)) {
        p.status = p1_status::negotiating;
    }
}

std::string_view tracker::peer_of(const event& e) {
    std::string_view peer = e.peer.view();
    if (!e.conn_id.empty()) {
        if (peer.empty()) {
            peer = table_.conn_peer(e.device, e.conn_id);
            // IOS assigns the connection id mid-negotiation; until then lines carry `(0)`.
            // IKEv2 SA ids (`v2:…`) are known from the first line.
            if (peer.empty() && e.conn_id != "0" && !e.conn_id.view().starts_with("v2:")) {
                peer = table_.conn_peer(e.device, "0");
            }
            // Debug pasted without the lines that name the peer: a device with one peer.
            if (peer.empty()) {
                peer = table_.only_peer(e.device);
            }
            if (!peer.empty()) {
                table_.bind_conn(e.device, e.conn_id, peer);
            }
        } else {
            table_.bind_conn(e.device, e.conn_id, peer);
        }
    }
    // IKEv2 debug lines without an SA id (`IKEv2-PLAT-1: Peer ID check failed`, payload dumps):
    // a device with one peer, else the peer of the latest line that had one, which they follow.
    if (peer.empty() && e.conn_id.empty() && e.ike_version == 2 && e.msg_number == 0) {
        peer = table_.only_peer(e.device);
        if (peer.empty()) {
            peer = table_.debug_context_peer(e.device);
        }
    } else if (!peer.empty() && e.conn_id.view().starts_with("v2:")) {
        table_.set_debug_context(e.device, peer);
    }
    return peer;
}

void tracker::note_event(peer_record& p, const event& e) {
    if (e.time > p.last_event) {
        p.last_event = e.time;
    }
    ++p.events;
    p.last_kind = e.kind;
    p.untimed = e.basis == parsers::time_basis::reference;
    // An answer from the peer, even a refusal, proves it is reachable.
    if (e.kind == event_kind::invalid_cookie || e.kind == event_kind::no_matching_sa ||
        (e.kind == event_kind::notify && e.direction != ike_direction::sent)) {
        ++p.replies;
    }
    if (e.ike_version != 0) {
        p.ike_version = e.ike_version;
    }
    if (e.nat_t) {
        p.nat_t = true;
    }
    if (e.severity == 7) {
        p.debug_seen = true;
        table_.mark_debug(p.device);
    }
    if (p.role == ike_role::unknown && e.role != ike_role::unknown) {
        p.role = e.role;
    }
    if (const auto g = e.get(field::group); g && !g->empty()) {
        p.group.assign(*g);
    }
}

bool tracker::apply_kind(peer_record& p, const event& e) {
    bool started = false;
    switch (e.kind) {
        case event_kind::ike_packet:
            apply_packet(p, e, started);
            return started;
        case event_kind::ikev2_packet:
            apply_v2_packet(p, e, started);
            return started;
        case event_kind::ikev2_notify:
            apply_v2_notify(p, e);
            return false;
        case event_kind::show_state:
            apply_show_state(p, e);
            return false;
        case event_kind::show_ipsec:
            apply_show_ipsec(p, e);
            return false;
        case event_kind::show_session:
            apply_show_session(p, e);
            return false;
        default:
            break;
    }
    if (!apply_milestone(p, e, started) && !apply_failure(p, e)) {
        apply_v2_event(p, e, started);
    }
    return started;
}

transition tracker::apply_read(const event& e) {
    transition t;
    if (e.kind == event_kind::isakmp_enabled) {
        table_.set_isakmp(e.device, e.get(field::state) != std::optional<std::string_view>("OFF"));
        return t;
    }
    if (e.kind == event_kind::sa_cleared) {
        table_.mark_cleared(e.device);
        return t;
    }
    if (e.kind == event_kind::key_acquire &&
        e.get(field::type) == std::optional<std::string_view>("held")) {
        // A fact of the device: the line names no peer and starts nothing.
        table_.mark_held(e.device, e.time);
        return t;
    }
    if (!tracks(e.kind)) {
        return t;
    }
    const std::string_view peer = peer_of(e);
    if (peer.empty()) {
        return t;
    }
    // `peer` may point into the connection map, which upsert can change: copy it first.
    const inline_string<46> peer_copy(peer);
    peer_record* rec = table_.upsert(e.device, peer_copy.view(), e.time, t.created);
    if (rec == nullptr) {
        return t;
    }
    peer_record& p = *rec;
    t.peer = rec;
    t.old_state = p.state;
    t.old_since = p.since;
    t.old_status = p.status;
    t.old_phase2 = p.phase2;
    note_event(p, e);
    const bool started = apply_kind(p, e);
    // Web page: the message ladder (ike/ladder.hpp) sees every event the tracker applied.
    observe_ladder(p, e, started, {t.old_state, t.old_status, t.old_phase2});
    if (evidence_worthy(e.kind) && !e.raw.empty()) {
        table_.add_evidence(p, e.time, text::trim(e.raw), started);
    }
    t.changed = p.state != t.old_state || p.status != t.old_status || p.phase2 != t.old_phase2;
    return t;
}

}  // namespace ikewatch::ike
