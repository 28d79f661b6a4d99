#include "ike/ladder.hpp"

#include <algorithm>
#include <limits>

#include "common/string_map.hpp"
#include "common/text.hpp"
#include "ike/peer.hpp"

namespace ikewatch::ike {

namespace {

using parsers::event;
using parsers::event_kind;
using parsers::field;
using parsers::ike_direction;
using parsers::ike_exchange;
using parsers::ike_role;

constexpr std::size_t none_slot = ladder_slots;

std::uint32_t offset_ms(micros base, micros t) noexcept {
    const micros d = (t - base) / 1000;
    if (d <= 0) {
        return 0;
    }
    return d >= std::numeric_limits<std::uint32_t>::max()
               ? std::numeric_limits<std::uint32_t>::max()
               : static_cast<std::uint32_t>(d);
}

void reset_quick(ladder_record& l) noexcept {
    for (std::size_t s = ladder_qm_first; s < ladder_slots; ++s) {
        l.at_ms[s] = 0;
        l.sightings[s] = 0;
        l.resends[s] = 0;
        l.seen[s] = 0;
    }
    l.qm_msgid = 0;
}

void reset(ladder_record& l, ladder_exchange x, micros t) noexcept {
    l.base = t;
    l.exchange = x;
    for (std::size_t s = 0; s < ladder_qm_first; ++s) {
        l.at_ms[s] = 0;
        l.sightings[s] = 0;
        l.resends[s] = 0;
        l.seen[s] = 0;
    }
    reset_quick(l);
}

std::uint8_t bump(std::uint8_t n) noexcept {
    return n == 255 ? n : static_cast<std::uint8_t>(n + 1);
}

// Records one sighting of `slot`. `how` is sent, received or resent; `packet`: from a packet
// line (a state line only confirms the step, it does not count a message).
void mark(ladder_record& l, std::size_t slot, ike_direction how, micros t, bool packet) noexcept {
    if (slot >= ladder_slots) {
        return;
    }
    if (l.base == 0) {
        l.base = t;
    }
    std::uint8_t& seen = l.seen[slot];
    const bool first = (seen & (step_seen::sent | step_seen::received)) == 0;
    if (first) {
        l.at_ms[slot] = offset_ms(l.base, t);
    }
    const bool sent = how == ike_direction::sent || how == ike_direction::resent;
    // IOS logs a retransmission as the same packet line again; ASA says RESENDING.
    const bool again =
        how == ike_direction::resent ||
        (packet && sent && (seen & step_seen::packet) != 0 && (seen & step_seen::sent) != 0);
    seen = static_cast<std::uint8_t>(seen | (sent ? step_seen::sent : step_seen::received));
    if (packet) {
        if ((seen & step_seen::packet) == 0 && l.sightings[slot] > 0 && !again) {
            // The state line came first; this packet line is the same message.
            seen = static_cast<std::uint8_t>(seen | step_seen::packet);
            return;
        }
        seen = static_cast<std::uint8_t>(seen | step_seen::packet);
        l.sightings[slot] = bump(l.sightings[slot]);
        if (again) {
            seen = static_cast<std::uint8_t>(seen | step_seen::resent);
            l.resends[slot] = bump(l.resends[slot]);
        }
    } else if (l.sightings[slot] == 0) {
        l.sightings[slot] = 1;
    }
}

// The slot of a message from its number (1-based) and exchange.
std::size_t p1_slot(int number) noexcept {
    return number >= 1 && number <= 6 ? static_cast<std::size_t>(number - 1) : none_slot;
}

// Whether the logging device, in `role`, sends slot `slot` of phase 1.
bool we_send(ladder_exchange x, std::size_t slot, ike_role role) noexcept {
    return sent_by_initiator(x, slot) == (role != ike_role::responder);
}

// ASA 713236: the payload set names the exchange, the direction and the role the message.
std::size_t asa_slot(const peer_record& p, const event& e) noexcept {
    const bool sent = e.direction != ike_direction::received;
    const bool initiator = p.role != ike_role::responder;
    const auto pair = [&](int first) {  // MM1/2, MM3/4, MM5/6
        return p1_slot(sent == initiator ? first : first + 1);
    };
    switch (e.exchange) {
        case ike_exchange::mm_sa:
            return pair(1);
        case ike_exchange::mm_ke:
            return pair(3);
        case ike_exchange::mm_auth:
            return pair(5);
        case ike_exchange::am1:
            return 0;
        case ike_exchange::am2:
            return 1;
        case ike_exchange::am3:
            return 2;
        default:
            return none_slot;
    }
}

// IOS `sending packet to X (I) MM_SA_SETUP`: the state the router was in when it sent or got the
// message fixes the number (an initiator sends MM3 and receives MM4 in MM_SA_SETUP).
std::size_t ios_slot(const ladder_record& l, ike_role role, bool sent,
                     std::string_view state) noexcept {
    int k = -1;
    if (text::iequals(state, "MM_NO_STATE") || state.empty()) {
        k = 0;
    } else if (text::iequals(state, "MM_SA_SETUP")) {
        k = 1;
    } else if (text::iequals(state, "MM_KEY_EXCH")) {
        k = 2;
    } else if (text::iequals(state, "MM_KEY_AUTH") || text::iequals(state, "QM_IDLE")) {
        k = 3;
    }
    if (k < 0) {
        return none_slot;
    }
    if (role != ike_role::responder) {
        return k <= 2 ? p1_slot(2 * k + (sent ? 1 : 2)) : none_slot;
    }
    if (!sent) {
        return k <= 2 ? p1_slot(2 * k + 1) : none_slot;
    }
    // A responder sends MM4 and MM6 both in MM_KEY_EXCH (older releases MM6 in QM_IDLE).
    if (k == 2 && (l.seen[4] & step_seen::received) == 0) {
        return p1_slot(4);
    }
    return k >= 2 ? p1_slot(6) : p1_slot(2);
}

// IOS aggressive mode: AG_NO_STATE / AG_INIT_EXCH / AG_AUTH do not fix the number; the order
// does (the initiator sends AM1 and AM3, the responder AM2).
std::size_t ios_aggressive_slot(const ladder_record& l, ike_role role, bool sent) noexcept {
    const bool initiator = role != ike_role::responder;
    if (sent == initiator) {
        return (l.seen[0] & (step_seen::sent | step_seen::received)) == 0 ? 0 : 2;
    }
    return 1;
}

// The next quick-mode slot in the order messages came (QM1 from the exchange's initiator).
std::size_t next_quick(const ladder_record& l, bool sent, bool resent) noexcept {
    std::size_t last = none_slot;
    for (std::size_t s = ladder_qm_first; s < ladder_slots; ++s) {
        if ((l.seen[s] & (step_seen::sent | step_seen::received)) != 0) {
            last = s;
        }
    }
    if (resent) {
        return last == none_slot ? ladder_qm_first : last;
    }
    if (last == none_slot) {
        return ladder_qm_first;
    }
    // The same direction again without a reply is the same message (IOS logs no RESENDING).
    const bool last_sent = (l.seen[last] & step_seen::sent) != 0;
    if (last_sent == sent) {
        return last;
    }
    return last + 1 < ladder_slots ? last + 1 : last;
}

void quick_message(ladder_record& l, std::uint32_t msgid, ike_direction how, micros t,
                   bool packet) noexcept {
    if (msgid != 0 && msgid != l.qm_msgid) {
        reset_quick(l);
        l.qm_msgid = msgid;
    }
    const bool sent = how != ike_direction::received;
    const std::size_t slot = next_quick(l, sent, how == ike_direction::resent);
    if (slot == ladder_qm_first && !l.any_quick() && !sent) {
        l.seen[slot] = static_cast<std::uint8_t>(l.seen[slot] | step_seen::by_peer);
    }
    mark(l, slot, how, t, packet);
}

ladder_exchange exchange_of(const peer_record& p) noexcept {
    if (p.ike_version == 2) {
        return ladder_exchange::ikev2;
    }
    return p.mode == ike_mode::aggressive ? ladder_exchange::aggressive : ladder_exchange::main;
}

// The latest slot seen in a range.
std::size_t latest(const ladder_record& l, std::size_t from, std::size_t to) noexcept {
    std::size_t last = none_slot;
    for (std::size_t s = from; s < to; ++s) {
        if ((l.seen[s] & (step_seen::sent | step_seen::received)) != 0) {
            last = s;
        }
    }
    return last;
}

void reject_latest(ladder_record& l, bool phase2) noexcept {
    const std::size_t s =
        phase2 ? latest(l, ladder_qm_first, ladder_slots) : latest(l, 0, ladder_qm_first);
    if (s != none_slot) {
        l.seen[s] = static_cast<std::uint8_t>(l.seen[s] | step_seen::rejected);
    }
}

// IOS `New State = IKE_I_MM3`, `IKE_R_AM2`, `IKE_QM_I_QM1`, `IKE_QM_R_QM2`, `IKE_P1_COMPLETE`.
void ios_state(peer_record& p, std::string_view name, micros t) noexcept {
    ladder_record& l = p.ladder;
    const auto dir = [](bool we_sent) {
        return we_sent ? ike_direction::sent : ike_direction::received;
    };
    if (text::istarts_with(name, "IKE_QM_")) {
        const std::string_view rest = name.substr(7);
        if ((text::istarts_with(rest, "I_QM") || text::istarts_with(rest, "R_QM")) &&
            rest.size() == 5 && rest[4] >= '1' && rest[4] <= '3') {
            const bool initiator = rest[0] == 'I' || rest[0] == 'i';
            const int n = rest[4] - '0';
            // QM1 and QM3 come from the quick-mode initiator, QM2 from the responder.
            const bool we_sent = (n != 2) == initiator;
            mark(l, ladder_qm_first + static_cast<std::size_t>(n - 1), dir(we_sent), t, false);
        } else if (text::iequals(rest, "PHASE2_COMPLETE")) {
            const bool we_started = (l.seen[ladder_qm_first] & step_seen::sent) != 0;
            mark(l, ladder_qm_first + 2, dir(we_started), t, false);
        }
        return;
    }
    if (text::iequals(name, "IKE_P1_COMPLETE")) {
        const std::size_t last = phase1_steps(l.exchange);
        if (last > 0 && (l.seen[last - 1] & (step_seen::sent | step_seen::received)) == 0 &&
            l.any_phase1()) {
            mark(l, last - 1, dir(we_send(l.exchange, last - 1, p.role)), t, false);
        }
        return;
    }
    // IKE_I_MM3 / IKE_R_AM2: the message has been sent or received.
    if (name.size() != 9 ||
        !(text::istarts_with(name, "IKE_I_") || text::istarts_with(name, "IKE_R_"))) {
        return;
    }
    const std::string_view mode = name.substr(6, 2);
    const int n = name[8] - '0';
    const ladder_exchange x = text::iequals(mode, "AM")   ? ladder_exchange::aggressive
                              : text::iequals(mode, "MM") ? ladder_exchange::main
                                                          : ladder_exchange::none;
    if (x == ladder_exchange::none || n < 1 || n > static_cast<int>(phase1_steps(x))) {
        return;
    }
    if (l.exchange != x) {
        reset(l, x, t);
    }
    const ike_role role =
        name[4] == 'I' || name[4] == 'i' ? ike_role::initiator : ike_role::responder;
    const auto slot = static_cast<std::size_t>(n - 1);
    mark(l, slot, dir(we_send(x, slot, role)), t, false);
}

void record_change(ladder_record& l, const peer_record& p, micros t) noexcept {
    if (l.history_size == 0) {
        l.history_base = t;
    }
    const std::size_t at = l.history_next;
    const micros d = (t - l.history_base) / micros_per_second;
    l.history_at_s[at] = d <= 0 ? 0
                         : d >= std::numeric_limits<std::uint32_t>::max()
                             ? std::numeric_limits<std::uint32_t>::max()
                             : static_cast<std::uint32_t>(d);
    l.history_state[at] = p.state;
    l.history_status[at] = static_cast<std::uint8_t>(static_cast<unsigned>(p.status) |
                                                     (static_cast<unsigned>(p.phase2) << 4U));
    l.history_next = static_cast<std::uint8_t>((at + 1) % ladder_record::history);
    if (l.history_size < ladder_record::history) {
        ++l.history_size;
    }
}

void tag(ladder_record& l, std::string_view raw, std::size_t slot) noexcept {
    const std::string_view kept = text::utf8_prefix(text::trim(raw), evidence_store::line_bytes);
    // Read a word at a time, as every IKE line is hashed. Device snapshots keep these hashes
    // (`tag_hash`): one written when lines were hashed byte by byte restores with hashes that no
    // longer match, and its lines show without their steps.
    l.tag_hash[l.tag_next] = string_hash32(kept);
    l.tag_slot[l.tag_next] = static_cast<std::uint8_t>(slot + 1);
    l.tag_next = static_cast<std::uint8_t>((l.tag_next + 1) % ladder_record::tags);
}

// 715065 / 713136 without message-level lines: the state the negotiation died in proves the
// messages before it; EV_RESEND_MSG entries count the resends of the last one we sent.
void infer_from_state(peer_record& p, const event& e, micros t) noexcept {
    ladder_record& l = p.ladder;
    const auto waited = waited_slot(p.state);
    if (!waited || l.any_phase1() || e.phase == 2) {
        return;
    }
    l.exchange =
        p.mode == ike_mode::aggressive ? ladder_exchange::aggressive : ladder_exchange::main;
    if (l.base == 0) {
        l.base = t;
    }
    std::size_t last_ours = none_slot;
    for (std::size_t s = 0; s < *waited; ++s) {
        const bool ours = we_send(l.exchange, s, p.role);
        l.seen[s] = static_cast<std::uint8_t>(step_seen::inferred |
                                              (ours ? step_seen::sent : step_seen::received));
        if (ours) {
            last_ours = s;
        }
    }
    const std::string_view history = e.get(field::history).value_or("");
    std::size_t resends = 0;
    for (std::size_t at = text::find(history, "EV_RESEND_MSG"); at != std::string_view::npos;
         at = text::find(history, "EV_RESEND_MSG", at + 1)) {
        ++resends;
    }
    if (last_ours != none_slot && resends > 0) {
        l.seen[last_ours] = static_cast<std::uint8_t>(l.seen[last_ours] | step_seen::resent);
        l.resends[last_ours] = static_cast<std::uint8_t>(std::min<std::size_t>(resends, 255));
    }
}

bool phase1_failure(event_kind k) noexcept {
    switch (k) {
        case event_kind::tunnel_group_missing:
        case event_kind::invalid_cookie:
        case event_kind::no_matching_sa:
        case event_kind::malformed_message:
        case event_kind::auth_failed:
        case event_kind::proposal_rejected:
        case event_kind::attribute_mismatch:
        case event_kind::mode_failure:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::optional<std::size_t> waited_slot(p1_state s) noexcept {
    switch (s) {
        case p1_state::mm_wait_msg2:
        case p1_state::am_wait_msg2:
            return 1;
        case p1_state::mm_wait_msg3:
        case p1_state::am_wait_msg3:
            return 2;
        case p1_state::mm_wait_msg4:
            return 3;
        case p1_state::mm_wait_msg5:
            return 4;
        case p1_state::mm_wait_msg6:
            return 5;
        default:
            return std::nullopt;
    }
}

std::string_view to_string(ladder_exchange x) noexcept {
    switch (x) {
        case ladder_exchange::main:
            return "main";
        case ladder_exchange::aggressive:
            return "aggressive";
        case ladder_exchange::ikev2:
            return "ikev2";
        case ladder_exchange::none:
            break;
    }
    return "none";
}

std::size_t phase1_steps(ladder_exchange x) noexcept {
    switch (x) {
        case ladder_exchange::main:
            return 6;
        case ladder_exchange::aggressive:
            return 3;
        case ladder_exchange::ikev2:
            return 4;
        case ladder_exchange::none:
            break;
    }
    return 0;
}

std::string_view step_name(ladder_exchange x, std::size_t slot) noexcept {
    static constexpr std::array<std::string_view, 6> mm{"MM1", "MM2", "MM3", "MM4", "MM5", "MM6"};
    static constexpr std::array<std::string_view, 3> am{"AM1", "AM2", "AM3"};
    static constexpr std::array<std::string_view, 4> v2{"SA_INIT req", "SA_INIT resp", "AUTH req",
                                                        "AUTH resp"};
    static constexpr std::array<std::string_view, 3> qm{"QM1", "QM2", "QM3"};
    if (slot >= ladder_qm_first && slot < ladder_slots) {
        return qm[slot - ladder_qm_first];
    }
    if (slot >= phase1_steps(x)) {
        return "";
    }
    return x == ladder_exchange::aggressive ? am[slot]
           : x == ladder_exchange::ikev2    ? v2[slot]
                                            : mm[slot];
}

bool sent_by_initiator(ladder_exchange x, std::size_t slot) noexcept {
    if (slot >= ladder_qm_first) {
        return slot != ladder_qm_first + 1;
    }
    (void)x;
    // MM1/3/5, AM1/3, SA_INIT and AUTH requests: the even slots.
    return slot % 2 == 0;
}

micros ladder_record::time_of(std::size_t slot) const noexcept {
    if (slot >= ladder_slots || (seen[slot] & (step_seen::sent | step_seen::received)) == 0) {
        return 0;
    }
    return base + static_cast<micros>(at_ms[slot]) * 1000;
}

bool ladder_record::any_phase1() const noexcept {
    return latest(*this, 0, ladder_qm_first) != none_slot;
}

bool ladder_record::any_quick() const noexcept {
    return latest(*this, ladder_qm_first, ladder_slots) != none_slot;
}

void observe_ladder(peer_record& p, const event& e, bool started,
                    const ladder_before& before) noexcept {
    ladder_record& l = p.ladder;
    const micros t = e.time;
    if (const auto local = e.get(field::local_ip)) {
        if (const auto a = ip_address::parse(*local)) {
            l.local = *a;
        }
    }
    if (started) {
        reset(l, exchange_of(p), 0);
    }
    std::size_t moved = none_slot;
    const auto moved_to = [&](std::size_t slot, ike_direction how, bool packet) {
        mark(l, slot, how, t, packet);
        moved = slot;
    };
    switch (e.kind) {
        case event_kind::ike_packet: {
            const bool sent = e.direction != ike_direction::received;
            if (e.exchange == ike_exchange::quick) {
                quick_message(l, e.ike_msgid, e.direction, t, true);
                moved = latest(l, ladder_qm_first, ladder_slots);
                break;
            }
            if (e.exchange == ike_exchange::info) {
                break;
            }
            const ladder_exchange x = exchange_of(p);
            if (l.exchange != x && !l.any_phase1()) {
                l.exchange = x;
            }
            if (e.exchange != ike_exchange::none) {
                moved_to(asa_slot(p, e), e.direction, true);
                break;
            }
            // IOS: QM_IDLE after phase 1 is up is quick mode.
            if (text::iequals(e.state_name, "QM_IDLE") && before.status == p1_status::up) {
                quick_message(l, 0, e.direction, t, true);
                moved = latest(l, ladder_qm_first, ladder_slots);
                break;
            }
            if (text::istarts_with(e.state_name, "AG_")) {
                l.exchange = ladder_exchange::aggressive;
                moved_to(ios_aggressive_slot(l, p.role, sent), e.direction, true);
                break;
            }
            moved_to(ios_slot(l, p.role, sent, e.state_name), e.direction, true);
            break;
        }
        case event_kind::state_change:
            ios_state(p, e.state_name, t);
            break;
        case event_kind::phase2_start:
            if (const auto id = e.get(field::msgid)) {
                const auto n = static_cast<std::uint32_t>(text::hex_to_number(*id).value_or(0));
                if (n != 0 && n != l.qm_msgid) {
                    reset_quick(l);
                    l.qm_msgid = n;
                }
            }
            break;
        case event_kind::fsm_history:
        case event_kind::negotiation_timeout:
            infer_from_state(p, e, t);
            break;
        case event_kind::ikev2_start:
            // 750002: an IKE_SA_INIT request arrived (a new negotiation, we answer).
            reset(l, ladder_exchange::ikev2, t);
            moved_to(0, ike_direction::received, true);
            break;
        case event_kind::ikev2_up:
            if (l.exchange == ladder_exchange::ikev2 && l.any_phase1()) {
                for (std::size_t s = 0; s < 4; ++s) {
                    if ((l.seen[s] & (step_seen::sent | step_seen::received)) == 0) {
                        mark(l, s,
                             we_send(l.exchange, s, p.role) ? ike_direction::sent
                                                            : ike_direction::received,
                             t, false);
                    }
                }
            }
            break;
        case event_kind::ikev2_failed:
            if (l.exchange == ladder_exchange::none) {
                l.exchange = ladder_exchange::ikev2;
            }
            reject_latest(l, false);
            break;
        default:
            if (phase1_failure(e.kind) && e.phase != 2) {
                reject_latest(l, false);
            } else if (e.kind == event_kind::crypto_acl_mismatch ||
                       e.kind == event_kind::phase2_failed ||
                       (phase1_failure(e.kind) && e.phase == 2)) {
                reject_latest(l, true);
            }
            break;
    }
    if (moved != none_slot && !e.raw.empty()) {
        tag(l, e.raw, moved);
    }
    if (p.state != before.state || p.status != before.status || p.phase2 != before.phase2) {
        record_change(l, p, t);
    }
}

std::optional<std::size_t> evidence_step(const ladder_record& l, std::string_view line) noexcept {
    const std::uint32_t h = string_hash32(line);
    // Newest first: a line logged twice (a resend) belongs to its latest step.
    for (std::size_t i = 0; i < ladder_record::tags; ++i) {
        const std::size_t at = (l.tag_next + ladder_record::tags - 1 - i) % ladder_record::tags;
        if (l.tag_slot[at] != 0 && l.tag_hash[at] == h) {
            return static_cast<std::size_t>(l.tag_slot[at] - 1);
        }
    }
    return std::nullopt;
}

std::string_view to_string(peer_group g) noexcept {
    switch (g) {
        case peer_group::stuck:
            return "stuck";
        case peer_group::down:
            return "down";
        case peer_group::negotiating:
            return "negotiating";
        case peer_group::established:
            return "established";
    }
    return "down";
}

std::optional<peer_group> peer_group_from(std::string_view name) noexcept {
    for (const peer_group g :
         {peer_group::stuck, peer_group::down, peer_group::negotiating, peer_group::established}) {
        if (name == to_string(g)) {
            return g;
        }
    }
    return std::nullopt;
}

peer_group group_of(p1_status s, p2_status p2) noexcept {
    switch (s) {
        case p1_status::failed:
            return peer_group::stuck;
        case p1_status::negotiating:
            return peer_group::negotiating;
        case p1_status::up:
            return p2 == p2_status::failed ? peer_group::stuck : peer_group::established;
        case p1_status::down:
        case p1_status::idle:
            break;
    }
    return peer_group::down;
}

peer_group group_of(const peer_record& p, bool problem_alert) noexcept {
    const peer_group g = group_of(p.status, p.phase2);
    if (problem_alert && g != peer_group::down) {
        return peer_group::stuck;
    }
    return g;
}

}  // namespace ikewatch::ike
