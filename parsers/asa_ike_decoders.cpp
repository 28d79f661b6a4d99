// ASA / PIX / FTD IKEv1 messages. Each decoder gets the text after the `Group = …, IP = …`
// context (already applied to the event) and shows one real line it accepts.

#include <array>

#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"

namespace ikewatch::parsers::decoders {

using detail::address_after;
using detail::contains;
using detail::set_nat_detection;
using detail::starts;
using detail::word_after;

namespace {

struct payload_name {
    std::string_view name;
    std::uint16_t bit;
};

constexpr std::array<payload_name, 13> payload_names{{
    {"ATTR", payload::attr},
    {"CERT", payload::cert},
    {"CERT_REQ", payload::cert},
    {"DELETE", payload::del},
    {"HASH", payload::hash},
    {"ID", payload::id},
    {"KE", payload::ke},
    {"NAT-D", payload::nat_d},
    {"NONCE", payload::nonce},
    {"NOTIFY", payload::notify},
    {"SA", payload::sa},
    {"SIG", payload::sig},
    {"VENDOR", payload::vendor},
}};

// The names by first letter: the entries of payload_names whose name starts with it.
struct letter_range {
    std::uint8_t first = 0;
    std::uint8_t count = 0;
};
constexpr auto names_by_letter = [] {
    std::array<letter_range, 26> t{};
    for (std::size_t k = 0; k < payload_names.size(); ++k) {
        letter_range& r = t[static_cast<std::size_t>(payload_names[k].name[0] - 'A')];
        if (r.count == 0) {
            r.first = static_cast<std::uint8_t>(k);
        }
        ++r.count;
    }
    return t;
}();
// names_by_letter needs the names in order of their first letter.
static_assert([] {
    for (std::size_t k = 1; k < payload_names.size(); ++k) {
        if (payload_names[k - 1].name[0] > payload_names[k].name[0]) {
            return false;
        }
    }
    return true;
}());

// The bit of a payload name, or 0 for a name not tracked (`HDR`, `NONE`, …).
std::uint16_t payload_bit(std::string_view item) noexcept {
    if (item.empty() || !text::is_upper(item[0])) {
        return 0;
    }
    const letter_range r = names_by_letter[static_cast<std::size_t>(item[0] - 'A')];
    for (std::size_t k = r.first; k < std::size_t{r.first} + r.count; ++k) {
        if (payload_names[k].name == item) {
            return payload_names[k].bit;
        }
    }
    return 0;
}

std::uint16_t parse_payloads(std::string_view list) noexcept {
    std::uint16_t mask = 0;
    const std::size_t n = list.size();
    std::size_t i = 0;
    while (true) {
        // An item runs to ` + ` or the end of the list, its name to the first ` (` in it. One
        // pass over the characters finds both.
        std::size_t end = i;
        std::size_t cut = std::string_view::npos;
        for (; end < n; ++end) {
            if (list[end] != ' ' || end + 1 >= n) {
                continue;
            }
            if (list[end + 1] == '+' && end + 2 < n && list[end + 2] == ' ') {
                break;
            }
            if (list[end + 1] == '(' && cut == std::string_view::npos) {
                cut = end;
            }
        }
        const std::string_view item =
            text::trim(list.substr(i, (cut == std::string_view::npos ? end : cut) - i));
        mask = static_cast<std::uint16_t>(mask | payload_bit(item));
        if (end >= n) {
            return mask;
        }
        i = end + 3;
    }
}

// The parts of an `IKE_DECODE` line: its direction word, its message id, and the text after
// the word `payloads` (the list, after a colon).
struct decode_packet_parts {
    std::string_view dir;
    std::string_view msgid;
    std::uint64_t msgid_value = 0;
    bool has_list = false;
    std::string_view after_payloads;
};

// Each part found by a search of its own, wherever it is.
decode_packet_parts search_packet_parts(std::string_view text) noexcept {
    decode_packet_parts parts;
    parts.dir = word_after(text, "IKE_DECODE ", " ");
    parts.msgid = word_after(text, "msgid=", ") ");
    parts.msgid_value = text::hex_to_number(parts.msgid).value_or(0);
    if (const std::size_t at = text::find(text, "payloads"); at != std::string_view::npos) {
        parts.has_list = true;
        parts.after_payloads = text.substr(at + 8);
    }
    return parts;
}

// ASA's shape, `IKE_DECODE SENDING Message (msgid=1f) with payloads : …`, read where its parts
// are; false for any other text. The searches find the same parts in a line of that shape: what
// comes before each part cannot hold the words they look for.
bool read_packet_in_place(std::string_view text, decode_packet_parts& parts) noexcept {
    constexpr std::string_view lead = "IKE_DECODE ";
    constexpr std::string_view message = " Message (msgid=";
    constexpr std::string_view with = ") with payloads";
    if (!starts(text, lead)) {
        return false;
    }
    const std::size_t space = text.find(' ', lead.size());
    if (space == std::string_view::npos) {
        return false;
    }
    const std::string_view dir = text.substr(lead.size(), space - lead.size());
    if ((dir != "SENDING" && dir != "RECEIVED" && dir != "RESENDING") ||
        !starts(text.substr(space), message)) {
        return false;
    }
    const std::size_t id = space + message.size();
    std::size_t p = id;
    std::uint64_t value = 0;
    for (; p < text.size() && text::is_hex(text[p]); ++p) {
        const char c = text[p];
        const unsigned digit = text::is_digit(c)   ? static_cast<unsigned>(c - '0')
                               : text::is_upper(c) ? static_cast<unsigned>(c - 'A' + 10)
                                                   : static_cast<unsigned>(c - 'a' + 10);
        value = value << 4U | digit;
    }
    if (p == id || !starts(text.substr(p), with)) {
        return false;
    }
    parts.dir = dir;
    parts.msgid = text.substr(id, p - id);
    parts.msgid_value = parts.msgid.size() <= 16 ? value : 0;  // as hex_to_number reads it
    parts.has_list = true;
    parts.after_payloads = text.substr(p + with.size());
    return true;
}

ike_exchange classify(std::uint16_t p, std::uint32_t msgid) noexcept {
    const auto has = [p](std::uint16_t bits) { return (p & bits) == bits; };
    if (msgid != 0) {
        if ((p & (payload::sa | payload::nonce)) != 0) {
            return ike_exchange::quick;
        }
        if ((p & (payload::notify | payload::del | payload::attr)) != 0) {
            return ike_exchange::info;
        }
        return has(payload::hash) ? ike_exchange::quick : ike_exchange::none;
    }
    if (has(payload::sa | payload::ke | payload::nonce | payload::id)) {
        return has(payload::hash) ? ike_exchange::am2 : ike_exchange::am1;
    }
    if (has(payload::sa)) {
        return ike_exchange::mm_sa;
    }
    if (has(payload::ke | payload::nonce)) {
        return ike_exchange::mm_ke;
    }
    if (has(payload::id | payload::hash) ||
        (p & (payload::id | payload::sig)) == (payload::id | payload::sig)) {
        return ike_exchange::mm_auth;
    }
    if ((p & (payload::notify | payload::del)) != 0) {
        return ike_exchange::info;
    }
    if (has(payload::hash)) {
        return ike_exchange::am3;
    }
    return ike_exchange::none;
}

ike_role role_in(std::string_view text) noexcept {
    if (contains(text, "Initiator")) {
        return ike_role::initiator;
    }
    if (contains(text, "Responder")) {
        return ike_role::responder;
    }
    return ike_role::unknown;
}

void set_role(event& e, ike_role r) noexcept {
    e.role = r;
    if (r == ike_role::initiator) {
        e.set(field::role, "initiator");
    } else if (r == ike_role::responder) {
        e.set(field::role, "responder");
    }
}

std::string_view reason_after(std::string_view text) noexcept {
    const std::size_t at = text::find(text, "Reason: ");
    if (at == std::string_view::npos) {
        return {};
    }
    return text::trim(text.substr(at + 8));
}

std::string_view phase_digit(std::string_view text) noexcept {
    const std::size_t at = text::find(text, "Phase ");
    if (at != std::string_view::npos && at + 6 < text.size()) {
        return text.substr(at + 6, 1);
    }
    return {};
}

void set_phase(event& e, std::string_view digit) noexcept {
    if (digit == "1") {
        e.phase = 1;
        e.set(field::phase, "1");
    } else if (digit == "2") {
        e.phase = 2;
        e.set(field::phase, "2");
    }
}

// `IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA (1) + VENDOR (13) + NONE (0)
//  total length : 172`
void decode_packet(std::string_view text, event& e, bool in_place) noexcept {
    e.kind = event_kind::ike_packet;
    e.ike_version = 1;
    decode_packet_parts parts;
    if (!in_place || !read_packet_in_place(text, parts)) {
        parts = search_packet_parts(text);
    }
    if (parts.dir == "SENDING") {
        e.direction = ike_direction::sent;
        e.set(field::direction, "sent");
    } else if (parts.dir == "RECEIVED") {
        e.direction = ike_direction::received;
        e.set(field::direction, "received");
    } else if (parts.dir == "RESENDING") {
        e.direction = ike_direction::resent;
        e.set(field::direction, "resent");
    }
    if (!parts.msgid.empty()) {
        e.set(field::msgid, parts.msgid);
        e.ike_msgid = static_cast<std::uint32_t>(parts.msgid_value);
    }
    if (parts.has_list) {
        std::string_view list = parts.after_payloads;
        while (!list.empty() && (list.front() == ' ' || list.front() == ':')) {
            list.remove_prefix(1);
        }
        if (const std::size_t total = text::find(list, " total length");
            total != std::string_view::npos) {
            list = list.substr(0, total);
        }
        e.set(field::payloads, list);
        e.payloads = parse_payloads(list);
    }
    e.exchange = classify(e.payloads, e.ike_msgid);
    e.aggressive = e.exchange == ike_exchange::am1 || e.exchange == ike_exchange::am2 ||
                   e.exchange == ike_exchange::am3;
    e.set(field::exchange, to_string(e.exchange));
}

}  // namespace

void ike_decode_packet(std::string_view text, event& e) noexcept {
    decode_packet(text, e, true);
}

void ike_decode_packet_searched(std::string_view text, event& e) noexcept {
    decode_packet(text, e, false);
}

// `IKE Initiator: New Phase 1, Intf INSIDE, IKE Peer 22.22.22.22  local Proxy Address
//  172.16.200.0, remote Proxy Address 192.168.1.0,  Crypto map (MAP-VPN)`
void ike_initiator_start(std::string_view text, event& e) noexcept {
    const std::string_view phase = phase_digit(text);
    e.kind = phase == "2" ? event_kind::phase2_start : event_kind::phase1_start;
    e.ike_version = 1;
    set_phase(e, phase);
    set_role(e, ike_role::initiator);
    e.set(field::type, contains(text, "Rekey") ? "rekey" : "new");
    const std::string_view peer = address_after(text, "IKE Peer ");
    if (!peer.empty()) {
        e.set_peer(peer);
    }
    const std::string_view intf = word_after(text, "Intf ", ",");
    if (!intf.empty()) {
        e.set(field::interface, intf);
    }
    const std::string_view local = word_after(text, "local Proxy Address ", ",");
    if (!local.empty()) {
        e.set(field::proxy_local, local);
    }
    const std::string_view remote = word_after(text, "remote Proxy Address ", ",");
    if (!remote.empty()) {
        e.set(field::proxy_remote, remote);
    }
    const std::string_view map = word_after(text, "Crypto map (", ")");
    if (!map.empty()) {
        e.set(field::crypto_map, map);
    }
}

// `IKE AM Initiator FSM error history (struct &0xa087750)  <state>, <event>:  AM_DONE,
//  EV_ERROR-->AM_WAIT_MSG2, EV_RETRY-->AM_WAIT_MSG2, EV_TIMEOUT-->…`
// The history is newest first: after the terminal `*_DONE` state, the first state named is the
// one where the negotiation died.
void ike_fsm_history(std::string_view text, event& e) noexcept {
    e.kind = event_kind::fsm_history;
    e.ike_version = 1;
    const std::string_view mode = word_after(text, "IKE ", " ");
    if (mode == "MM") {
        e.set(field::mode, "main");
        set_phase(e, "1");
    } else if (mode == "AM") {
        e.set(field::mode, "aggressive");
        e.aggressive = true;
        set_phase(e, "1");
    } else if (mode == "QM") {
        e.set(field::mode, "quick");
        set_phase(e, "2");
    }
    set_role(e, role_in(text.substr(0, text::find(text, "FSM"))));
    std::size_t at = text::find(text, "<event>:");
    if (at == std::string_view::npos) {
        at = text::find(text, "):");
    }
    std::string_view history =
        at == std::string_view::npos ? std::string_view{} : text::trim(text.substr(at + 8));
    if (at != std::string_view::npos && text.substr(at, 2) == "):") {
        history = text::trim(text.substr(at + 2));
    }
    e.set(field::history, history);
    // Entries are `STATE, EVENT` joined by `-->`.
    std::string_view rest = history;
    bool timeouts = false;
    while (!rest.empty()) {
        const std::size_t arrow = text::find(rest, "-->");
        const std::string_view entry = rest.substr(0, arrow);
        const std::string_view state = text::trim(entry.substr(0, entry.find(',')));
        if (contains(entry, "EV_TIMEOUT") || contains(entry, "EV_RESEND_MSG")) {
            timeouts = true;
        }
        if (e.state_name.empty() && !state.empty() && !contains(state, "_DONE")) {
            e.state_name = state;
        }
        if (arrow == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(arrow + 3);
    }
    if (!e.state_name.empty()) {
        e.set(field::state, e.state_name);
    }
    if (timeouts) {
        e.set(field::failure, "timeout");
    }
}

// `Group = 22.22.22.22, IP = 22.22.22.22, PHASE 1 COMPLETED`
void ike_phase1_complete(std::string_view, event& e) noexcept {
    e.kind = event_kind::phase1_complete;
    e.ike_version = 1;
    set_phase(e, "1");
}

// `PHASE 2 COMPLETED (msgid=6abd3691)`
void ike_phase2_complete(std::string_view text, event& e) noexcept {
    e.kind = event_kind::phase2_complete;
    e.ike_version = 1;
    set_phase(e, "2");
    const std::string_view msgid = word_after(text, "msgid=", ")");
    if (!msgid.empty()) {
        e.set(field::msgid, msgid);
    }
}

// `Security negotiation complete for LAN-to-LAN Group (22.22.22.22)  Initiator, Inbound SPI =
//  0x850a79e0, Outbound SPI = 0x2cc7158d`
void ike_security_complete(std::string_view text, event& e) noexcept {
    e.kind = event_kind::phase2_negotiated;
    e.ike_version = 1;
    set_phase(e, "2");
    set_role(e, role_in(text));
    e.set(field::tunnel_type, contains(text, "for User") ? "ra" : "l2l");
    const std::string_view spi = word_after(text, "Inbound SPI = ", ", ");
    if (!spi.empty()) {
        e.set(field::spi, spi);
    }
}

// `IKE session establishment timed out [MM_WAIT_MSG2], aborting!`
void ike_session_timeout(std::string_view text, event& e) noexcept {
    e.kind = event_kind::negotiation_timeout;
    e.ike_version = 1;
    const std::string_view state = word_after(text, "[", "]");
    if (!state.empty()) {
        e.state_name = state;
        e.set(field::state, state);
    }
    if (contains(text, "initial contact")) {
        e.set(field::reason, "no answer to the first message");
    }
}

// `IKE lost contact with remote peer, deleting connection (keepalive type: DPD)`
void ike_lost_contact(std::string_view text, event& e) noexcept {
    e.kind = event_kind::peer_dead;
    e.ike_version = 1;
    const std::string_view type = word_after(text, "keepalive type: ", ")");
    if (!type.empty()) {
        e.set(field::type, type);
    }
}

// `Sending keep-alive of type DPD R-U-THERE-ACK (seq number 0x47e42d70)`
void ike_keepalive(std::string_view text, event& e) noexcept {
    e.kind = event_kind::dpd;
    e.ike_version = 1;
    e.set(field::direction, starts(text, "Sending") ? "sent" : "received");
    e.set(field::type, contains(text, "R-U-THERE-ACK") ? "R-U-THERE-ACK" : "R-U-THERE");
}

// `IP = 81.214.50.110, Keep-alives configured on but peer does not support keep-alives (type =
// None)`
void ike_keepalive_mismatch(std::string_view, event& e) noexcept {
    e.kind = event_kind::keepalive_mismatch;
    e.ike_version = 1;
}

// `IP = 192.168.157.61, Duplicate first packet detected. Ignoring packet.`
void ike_duplicate(std::string_view text, event& e) noexcept {
    e.kind = event_kind::duplicate_packet;
    e.ike_version = 1;
    const std::string_view phase = phase_digit(text);
    set_phase(e, phase.empty() ? "1" : phase);
    if (contains(text, "first packet")) {
        e.set(field::type, "first");
    }
}

// `Group = 206.54.167.110, IP = 206.54.167.110, Session is being torn down. Reason: crypto map
//  policy not found`
void ike_teardown(std::string_view text, event& e) noexcept {
    e.kind = event_kind::teardown;
    const std::string_view reason = reason_after(text);
    if (!reason.empty()) {
        e.set(field::reason, reason);
    }
}

// `Connection terminated for peer 78.188.164.121.  Reason: IPSec SA Idle Timeout  Remote Proxy
//  172.28.104.0, Local Proxy 0.0.0.0`
void ike_connection_terminated(std::string_view text, event& e) noexcept {
    e.kind = event_kind::connection_terminated;
    if (e.peer.empty()) {
        e.set_peer(address_after(text, "for peer "));
    }
    std::string_view reason = reason_after(text);
    if (const std::size_t rp = text::find(reason, "  Remote Proxy"); rp != std::string_view::npos) {
        reason = reason.substr(0, rp);
    }
    if (!reason.empty()) {
        e.set(field::reason, text::trim(reason));
    }
    const std::string_view remote = word_after(text, "Remote Proxy ", ",");
    if (!remote.empty()) {
        e.set(field::proxy_remote, remote);
    }
    const std::string_view local = word_after(text, "Local Proxy ", ", ");
    if (!local.empty()) {
        e.set(field::proxy_local, local);
    }
}

// `Rejecting IPSec tunnel: no matching crypto map entry for remote proxy
//  100.120.5.0/255.255.255.0/0/0 local proxy 10.0.16.0/255.255.255.0/0/0 on interface outside`
// also `Tunnel rejected: Crypto Map Policy not found for Src:…, Dst: …!` and 713222-713224.
void ike_crypto_map_reject(std::string_view text, event& e) noexcept {
    e.ike_version = 1;
    if (contains(text, "successful match")) {
        e.kind = event_kind::ike_info;
        return;
    }
    e.kind = event_kind::crypto_acl_mismatch;
    set_phase(e, "2");
    std::string_view remote = word_after(text, "remote proxy ", " ");
    std::string_view local = word_after(text, "local proxy ", " ");
    if (remote.empty()) {
        remote = word_after(text, "Dst: ", "!, ");
        local = word_after(text, "Src:", "!, ");
    }
    if (remote.empty()) {
        remote = word_after(text, "dst:", " ");
        local = word_after(text, "src:", " ");
    }
    if (!remote.empty()) {
        e.set(field::proxy_remote, remote);
    }
    if (!local.empty()) {
        e.set(field::proxy_local, local);
    }
    const std::string_view intf = word_after(text, "on interface ", " ");
    if (!intf.empty()) {
        e.set(field::interface, intf);
    }
    const std::string_view map = word_after(text, "map = ", ",");
    if (!map.empty()) {
        e.set(field::crypto_map, map);
    }
}

// `IKE Initiator unable to find policy: Intf 2, Src: 10.1.1.1, Dst: 203.0.113.5`
// `Tunnel Rejected: IKE peer does not match remote peer as defined in L2L policy …`
void ike_no_policy(std::string_view text, event& e) noexcept {
    e.kind = event_kind::no_crypto_policy;
    e.ike_version = 1;
    if (e.peer.empty()) {
        std::string_view peer = address_after(text, "Dst: ");
        if (peer.empty()) {
            peer = address_after(text, "Remote peer address: ");
        }
        e.set_peer(peer);
    }
}

// `Received non-routine Notify message: NO_PROPOSAL_CHOSEN (14)`
void ike_notify(std::string_view text, event& e) noexcept {
    e.kind = event_kind::notify;
    e.ike_version = 1;
    const std::string_view type = word_after(text, "Notify message: ", " (");
    if (!type.empty()) {
        e.set(field::notify, type);
    }
}

// `Phase 1 failure: Mismatched attribute types for class Encapsulation Mode: Rcv'd: UDP-Tunnel
//  Cfg'd: Tunnel`, and 713133/713134 `Mismatch: …`
void ike_attribute_mismatch(std::string_view text, event& e) noexcept {
    e.kind = event_kind::attribute_mismatch;
    e.ike_version = 1;
    const std::string_view phase = phase_digit(text);
    set_phase(e, phase.empty() ? (contains(text, "phase 2") ? "2" : "1") : phase);
    const std::string_view cls = word_after(text, "for class ", ":");
    if (!cls.empty()) {
        e.set(field::attribute, cls);
    }
    // `Rcv'd: Group 2 Cfg'd: Group 14`: values may contain spaces.
    if (const std::size_t r = text::find(text, "Rcv'd: "); r != std::string_view::npos) {
        std::string_view rcvd = text.substr(r + 7);
        const std::size_t c = text::find(rcvd, " Cfg'd: ");
        if (c != std::string_view::npos) {
            e.set(field::configured, text::trim(rcvd.substr(c + 8)));
            rcvd = rcvd.substr(0, c);
        }
        e.set(field::received, text::trim(rcvd));
    }
    if (contains(text, "UDP-Tunnel") || contains(text, "UDP-Transport")) {
        e.nat_t = true;
    }
}

// `Automatic NAT Detection Status:    Remote end is NOT behind a NAT device    This  end  IS
//  behind a NAT device`; 715057 `Auto-detected a NAT device with NAT-Traversal.`
void ike_nat_status(std::string_view text, event& e) noexcept {
    e.ike_version = 1;
    bool nat = false;
    if (contains(text, "Automatic NAT Detection")) {
        const std::size_t this_end = text::find(text, "This");
        const std::string_view remote = text.substr(0, this_end);
        const std::string_view local =
            this_end == std::string_view::npos ? std::string_view{} : text.substr(this_end);
        nat = (!contains(remote, "NOT") && contains(remote, "behind")) ||
              (!contains(local, "NOT") && contains(local, "behind"));
    } else if (contains(text, "Auto-detected a NAT device")) {
        nat = true;
    }
    set_nat_detection(e, nat);
}

// `IKE Initiator starting QM: msg id = 6abd3691`, `IKE Responder starting QM: msg id = 9e623096`
void ike_qm_start(std::string_view text, event& e) noexcept {
    e.kind = event_kind::phase2_start;
    e.ike_version = 1;
    set_phase(e, "2");
    set_role(e, role_in(text));
    const std::string_view msgid = word_after(text, "msg id = ", " ");
    if (!msgid.empty()) {
        e.set(field::msgid, msgid);
    }
}

// `No Group found matching 203.0.113.9 for Pre-shared key peer 203.0.113.9`,
// `Group 203.0.113.9 not found and BASE GROUP default preshared key not configured`,
// `Received ISAKMP Aggressive Mode message 1 with unknown tunnel group name vpn1`
void ike_group_missing(std::string_view text, event& e) noexcept {
    e.ike_version = 1;
    e.kind = contains(text, "using BASE GROUP") ? event_kind::tunnel_group_fallback
                                                : event_kind::tunnel_group_missing;
    if (contains(text, "Aggressive Mode")) {
        e.aggressive = true;
        e.set(field::mode, "aggressive");
    }
    if (e.peer.empty()) {
        e.set_peer(address_after(text, "Pre-shared key peer "));
    }
    std::string_view group = word_after(text, "No Group found matching ", " ");
    if (group.empty()) {
        group = word_after(text, "tunnel group name ", " ");
    }
    if (!group.empty()) {
        e.set(field::group, group);
    }
}

// `Sending IKE Delete With Reason message: No Reason Provided.`
void ike_delete_with_reason(std::string_view text, event& e) noexcept {
    e.kind = event_kind::ike_delete;
    e.ike_version = 1;
    e.set(field::direction, "sent");
    const std::string_view reason = word_after(text, "message: ", "");
    if (!reason.empty()) {
        e.set(field::reason, text::trim(reason));
    }
}

// `Pitcher: received a key acquire message, spi 0x0`; 713219 `Queuing KEY-ACQUIRE messages to
//  be processed when P1 SA is complete.`
void ike_key_acquire(std::string_view text, event& e) noexcept {
    e.ike_version = 1;
    if (contains(text, "key acquire") || contains(text, "KEY-ACQUIRE")) {
        e.kind = event_kind::key_acquire;
        if (contains(text, "Queuing")) {
            e.set(field::type, "queued");
        }
    } else {
        e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
    }
}

// `IP = 198.51.100.7 Maximum concurrent IKE negotiations exceeded!`
void ike_capacity(std::string_view text, event& e) noexcept {
    e.kind = event_kind::capacity_exceeded;
    e.ike_version = 1;
    e.set(field::reason, text::trim(text));
}

// `IPSec SA Proposal # 1, Transform # 1 acceptable  Matches global IPSec SA entry # 5`
void ike_proposal_accepted(std::string_view text, event& e) noexcept {
    e.kind = event_kind::proposal_accepted;
    e.ike_version = 1;
    set_phase(e, contains(text, "IPSec") || contains(text, "IPsec") ? "2" : "1");
}

// `Error processing payload: Payload ID: 14`, `Received packet with missing payload, Expected
//  payload: 8`, `Header invalid, missing SA payload! (next payload = 4)`
void ike_malformed(std::string_view text, event& e) noexcept {
    e.kind = event_kind::malformed_message;
    e.ike_version = 1;
    e.set(field::reason, text::trim(text));
}

// `Remote peer has failed user authentication - check configured username and password`
void ike_auth_failed(std::string_view text, event& e) noexcept {
    e.kind = event_kind::auth_failed;
    e.ike_version = 1;
    e.set(field::reason, text::trim(text));
}

// `Received Invalid SPI notify (SPI 0x1d67616f)!`
void ike_invalid_spi(std::string_view text, event& e) noexcept {
    e.kind = event_kind::invalid_spi;
    e.ike_version = 1;
    const std::string_view spi = word_after(text, "SPI ", ")");
    if (!spi.empty()) {
        e.set(field::spi, spi);
    }
}

// `IP = 22.22.22.22, constructing ISAKMP SA payload`
void ike_info_only(std::string_view, event& e) noexcept {
    e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
    if (!e.peer.empty()) {
        e.ike_version = e.ike_version == 0 ? 1 : e.ike_version;
    }
}

namespace {

enum class how : std::uint8_t { prefix, substring };

struct text_rule {
    std::string_view needle;
    how match;
    decode_fn decode;
};

void proposals_unacceptable(std::string_view text, event& e) noexcept {
    e.kind = event_kind::proposal_rejected;
    e.ike_version = 1;
    set_phase(e, contains(text, "IPSec") || contains(text, "IPsec") ? "2" : "1");
}

void tunnel_group_missing(std::string_view, event& e) noexcept {
    e.kind = event_kind::tunnel_group_missing;
    e.ike_version = 1;
}

void invalid_cookie(std::string_view, event& e) noexcept {
    e.kind = event_kind::invalid_cookie;
    e.ike_version = 1;
}

void no_matching_sa(std::string_view, event& e) noexcept {
    e.kind = event_kind::no_matching_sa;
    e.ike_version = 1;
}

void crypto_map_missing(std::string_view, event& e) noexcept {
    e.kind = event_kind::crypto_map_missing;
    e.ike_version = 1;
}

void qm_fsm_error(std::string_view text, event& e) noexcept {
    e.kind = event_kind::phase2_failed;
    e.ike_version = 1;
    set_phase(e, "2");
    e.set(field::reason, text::trim(text));
}

void tunnel_group_found(std::string_view text, event& e) noexcept {
    e.kind = event_kind::tunnel_group_found;
    e.ike_version = 1;
    const std::string_view group = word_after(text, "tunnel_group ", " ,");
    if (!group.empty()) {
        e.set(field::group, group);
    }
}

void info_failed(std::string_view text, event& e) noexcept {
    e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
    e.ike_version = 1;
    e.set(field::reason, text::trim(text));
}

// Ordered: the first rule whose needle matches decides. Prefix rules are checked against the
// text after the peer context; substring rules anywhere in it.
constexpr std::array<text_rule, 41> text_rules{{
    {"IKE_DECODE", how::prefix, ike_decode_packet},
    {"All IPSec SA proposals found unacceptable", how::substring, proposals_unacceptable},
    {"All IPsec SA proposals found unacceptable", how::substring, proposals_unacceptable},
    {"All SA proposals found unacceptable", how::substring, proposals_unacceptable},
    {"Can't find a valid tunnel group", how::substring, tunnel_group_missing},
    {"INVALID_COOKIE", how::substring, invalid_cookie},
    {"Received encrypted packet with no matching SA", how::substring, no_matching_sa},
    {"Information Exchange processing failed", how::prefix, info_failed},
    {"No crypto map bound to interface", how::prefix, crypto_map_missing},
    {"Rejecting IPSec tunnel", how::prefix, ike_crypto_map_reject},
    {"Rejecting IPsec tunnel", how::prefix, ike_crypto_map_reject},
    {"Tunnel rejected: Crypto Map Policy not found", how::prefix, ike_crypto_map_reject},
    {"Static Crypto Map", how::substring, ike_crypto_map_reject},
    {"Session is being torn down", how::prefix, ike_teardown},
    {"Header invalid", how::prefix, ike_malformed},
    {"Error processing payload", how::prefix, ike_malformed},
    {"QM FSM error", how::prefix, qm_fsm_error},
    {"Oakley proposal is acceptable", how::prefix, ike_proposal_accepted},
    {"IKE SA Proposal #", how::prefix, ike_proposal_accepted},
    {"IPSec SA Proposal #", how::prefix, ike_proposal_accepted},
    {"IPsec SA Proposal #", how::prefix, ike_proposal_accepted},
    {"Connection landed on tunnel_group", how::prefix, tunnel_group_found},
    {"PHASE 1 COMPLETED", how::prefix, ike_phase1_complete},
    {"PHASE 2 COMPLETED", how::prefix, ike_phase2_complete},
    {"IKE Initiator: ", how::prefix, ike_initiator_start},
    {"FSM error history", how::substring, ike_fsm_history},
    {"Security negotiation complete", how::prefix, ike_security_complete},
    {"IKE session establishment timed out", how::prefix, ike_session_timeout},
    {"IKE lost contact with remote peer", how::prefix, ike_lost_contact},
    {"packet detected", how::substring, ike_duplicate},
    {"Automatic NAT Detection Status", how::prefix, ike_nat_status},
    {"Received non-routine Notify message", how::prefix, ike_notify},
    {"Mismatched attribute types", how::substring, ike_attribute_mismatch},
    {"Keep-alives configured", how::prefix, ike_keepalive_mismatch},
    {"No Group found matching", how::prefix, ike_group_missing},
    {"not found and BASE GROUP", how::substring, ike_group_missing},
    {"using BASE GROUP", how::substring, ike_group_missing},
    {"IKE Initiator unable to find policy", how::prefix, ike_no_policy},
    {"Connection terminated for peer", how::prefix, ike_connection_terminated},
    {"starting QM", how::substring, ike_qm_start},
    {"Session disconnected", how::prefix, session_disconnected},
}};

}  // namespace

// Generic ids 713900–713906 (the id only encodes severity) and console lines without an id:
// `[IKEv1]: IP = 206.54.167.110, No crypto map bound to interface... dropping pkt`
void ike_by_text(std::string_view text, event& e) noexcept {
    for (const auto& r : text_rules) {
        const bool hit = r.match == how::prefix ? starts(text, r.needle) : contains(text, r.needle);
        if (hit) {
            r.decode(text, e);
            return;
        }
    }
    ike_info_only(text, e);
}

}  // namespace ikewatch::parsers::decoders
