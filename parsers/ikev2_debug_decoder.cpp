// IKEv2 debug text: ASA/FTD `debug crypto ikev2 protocol|platform` and IOS/IOS-XE
// `debug crypto ikev2`. Prefixes:
//
//   ASA   "IKEv2-PROTO-" LEVEL ": " [ "(" SA-ID "):" ] TEXT
//         "IKEv2-PLAT-" LEVEL ": " [ "(" SA-ID ")" [":"] ] TEXT
//         "(" SA-ID "):" TEXT                      ; continuation of a packet report
//   IOS   "IKEv2:" [ "(SESSION ID = " N ",SA ID = " M "):" [":"] ] TEXT
//         "IKEv2-" WORD ":" [ same session prefix ] TEXT   ; IKEv2-ERROR:, IKEv2-INTERNAL:, …
//         "Initiator SPI : " … | "IKEv2 " EXCHANGE " Exchange " ("REQUEST"|"RESPONSE")
//
// Most lines name no address: the SA id (`v2:229`) or IOS session id (`v2:s172`) in `conn_id`
// ties them to the peer that `Received Packet [From A:P/To B:Q]` or `Sending Packet [To …]`
// named under the same id.

#include <algorithm>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"
#include "parsers/ikev2_failure.hpp"
#include "parsers/ikev2_fields.hpp"

namespace ikewatch::parsers::decoders {

using detail::starts;

namespace {

struct debug_prefix {
    std::string_view id;      ///< ASA SA id or IOS session id, digits; empty when the line has none
    bool session = false;     ///< `id` is an IOS session id
    std::string_view text;    ///< the message after the prefix
    std::string_view remote;  ///< event trace: the peer's `address/port`
    std::string_view local;   ///< event trace: the device's own `address/port`
    ike_role role = ike_role::unknown;  ///< event trace: `(I)` or `(R)` before the text
};

// IOS-XE event trace (`show monitor event-trace crypto ikev2 event all`): every line names the
// SA, the session and both ends, then the role for exchange lines:
// `SA ID:1 SESSION ID:2 Remote: 30.1.1.2/500 Local: 30.1.1.1/500  (I) Sending IKEv2 …`
void event_trace_prefix(std::string_view s, debug_prefix& d) noexcept {
    d.id = detail::word_after(s, "SESSION ID:", " ");
    d.session = !d.id.empty();
    d.remote = detail::word_after(s, "Remote: ", " ");
    d.local = detail::word_after(s, "Local: ", " ");
    const std::size_t at = text::find(s, "Local: ");
    std::string_view rest = text::ltrim(s.substr(at + 7));
    rest = text::ltrim(rest.substr(std::min(rest.size(), rest.find(' '))));
    if (starts(rest, "(I) ") || starts(rest, "(R) ")) {
        d.role = rest[1] == 'I' ? ike_role::initiator : ike_role::responder;
        rest.remove_prefix(4);
    }
    d.text = text::trim(rest);
}

// `(229):` / `(229) ` at the start of `s`: the digits, and `s` moved past the prefix.
std::string_view paren_id(std::string_view& s) noexcept {
    std::size_t p = 1;
    while (p < s.size() && text::is_digit(s[p]) && p < 12) {
        ++p;
    }
    if (s.empty() || s[0] != '(' || p == 1 || p >= s.size() || s[p] != ')') {
        return {};
    }
    const std::string_view id = s.substr(1, p - 1);
    s.remove_prefix(p + 1);
    if (!s.empty() && s[0] == ':') {
        s.remove_prefix(1);
    }
    return id;
}

// `(SESSION ID = 172,SA ID = 1):` then an optional second `:`.
std::string_view session_id(std::string_view& s) noexcept {
    if (!starts(s, "(SESSION ID = ")) {
        return {};
    }
    const std::size_t close = s.find(')');
    if (close == std::string_view::npos) {
        return {};
    }
    std::string_view digits = s.substr(14, close - 14);
    digits = digits.substr(0, digits.find(','));
    s.remove_prefix(close + 1);
    while (!s.empty() && s[0] == ':') {
        s.remove_prefix(1);
    }
    return digits;
}

// `IKEv2 CREATE_CHILD_SA Exchange RESPONSE`: the exchange and whether it answers.
void exchange_line(std::string_view t, event& e) noexcept {
    const std::string_view name = t.substr(6, t.find(' ', 6) - 6);
    e.kind = event_kind::ikev2_packet;
    e.exchange = ikev2::exchange_named(name);
    e.v2_response = text::find(t, "Exchange RESPONSE") != std::string_view::npos;
    if (e.exchange != ike_exchange::none) {
        e.set(field::exchange, to_string(e.exchange));
    }
}

debug_prefix split_prefix(std::string_view body) noexcept {
    debug_prefix d;
    std::string_view s = body;
    if (detail::ikev2_event_trace(s)) {
        event_trace_prefix(s, d);
        return d;
    }
    if (!s.empty() && s[0] == '(') {
        d.id = paren_id(s);
    } else if (starts(s, "IKEv2-PROTO-") || starts(s, "IKEv2-PLAT-")) {
        const std::size_t colon = s.find(':');
        s = text::ltrim(colon == std::string_view::npos ? std::string_view{} : s.substr(colon + 1));
        d.id = paren_id(s);
    } else if (starts(s, "IKEv2")) {
        const std::size_t colon = s.find(':');
        if (colon != std::string_view::npos && colon < 20) {
            s.remove_prefix(colon + 1);
            d.id = session_id(s);
            d.session = !d.id.empty();
        }
    }
    d.text = text::trim(s.substr(0, s.find('\n')));
    // `IKEv2-PLAT-2:` alone, its message on the next line (`CONNECTION STATUS: UP… peer: …`).
    if (d.text.empty() && s.find('\n') != std::string_view::npos) {
        const std::string_view next = s.substr(s.find('\n') + 1);
        d.text = text::trim(next.substr(0, next.find('\n')));
    }
    while (!d.text.empty() && d.text.front() == '%') {
        d.text = text::ltrim(d.text.substr(1));
    }
    return d;
}

// `[From 203.0.113.1:500/To 198.51.100.1:500/VRF i0:f0]`, `[To 10.0.0.2:500/From …]`
void packet_endpoints(std::string_view t, event& e) noexcept {
    const std::string_view from = detail::word_after(t, "From ", "/]");
    const std::string_view to = detail::word_after(t, "To ", "/]");
    const bool sent = text::find(t, "[To ") != std::string_view::npos;
    ikev2::set_endpoints(e, ikev2::split_endpoint(sent ? from : to),
                         ikev2::split_endpoint(sent ? to : from));
    e.direction = sent ? ike_direction::sent : ike_direction::received;
    e.set(field::direction, sent ? "sent" : "received");
}

// `RECV PKT [CREATE_CHILD_SA] [203.0.113.1]:500->[198.51.100.1]:500 InitSPI=0x… MID=00000008`
void platform_packet(std::string_view t, bool received, event& e) noexcept {
    const std::string_view exch = detail::word_after(t, "PKT [", "]");
    const std::size_t arrow = text::find(t, "->");
    if (arrow == std::string_view::npos) {
        return;
    }
    std::size_t b = t.rfind(' ', arrow);
    b = b == std::string_view::npos ? 0 : b + 1;
    const std::string_view src = t.substr(b, arrow - b);
    const std::string_view dst_all = t.substr(arrow + 2);
    const std::string_view dst = dst_all.substr(0, dst_all.find(' '));
    ikev2::set_endpoints(e, ikev2::split_endpoint(received ? dst : src),
                         ikev2::split_endpoint(received ? src : dst));
    // The line does not say request or response: it names the peer, the exchange lines move
    // the state.
    e.kind = event_kind::ike_info;
    if (!exch.empty()) {
        e.set(field::exchange, exch);
    }
    e.set(field::direction, received ? "received" : "sent");
}

// ASA debug often runs messages together on one line (`… DH_GROUP_2048_MODP/Group 14IKEv2-PROTO-5:
// Construct …IKEv2-PLAT-2: (2): Failed to retrieve trusted issuers hashes …`): only the first is
// this line's, the others would lend it words they say.
std::string_view first_message(std::string_view t) noexcept {
    std::size_t cut = t.size();
    for (std::string_view prefix : {"IKEv2-PROTO-", "IKEv2-PLAT-"}) {
        const std::size_t at = t.find(prefix, 1);
        cut = std::min(cut, at == std::string_view::npos ? t.size() : at);
    }
    return text::trim(t.substr(0, cut));
}

// Phrases that report a failed negotiation. Diagnostic detail lines (`Received Policies:`,
// `Proposal 1: …`) and success texts are not failures.
bool failure_text(std::string_view t) noexcept {
    if (text::ifind(t, "error false") != std::string_view::npos) {
        return false;  // `Received PFKEY … error FALSE`
    }
    // Printed in every negotiation without certificates, by a unit not in a failover pair, and
    // when an SA is deleted (SNMP bookkeeping).
    if (starts(t, "Failed to retrieve trusted issuers hashes") ||
        starts(t, "Detected unsupported failover version") ||
        starts(t, "Failed to remove peer correlation entry")) {
        return false;
    }
    for (std::string_view w : {"fail", "not found", "could not be found", "unsupported",
                               "unable to", "mismatch", "timed out", "retransmissions exhausted",
                               "max retransmission", "no proposal chosen", "platform errors"}) {
        if (text::ifind(t, w) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

// `Auth exchange failed`, `Verify auth failed`, `Verification of peer's authentication data
// FAILED`: the summary lines of a refused IKE_AUTH.
bool generic_auth_failure(std::string_view t) noexcept {
    return text::istarts_with(t, "Auth exchange failed") ||
           text::istarts_with(t, "Verify auth failed") ||
           text::istarts_with(t, "Verification of peer's authentication data FAILED");
}

// `SM Trace-> SA: I_SPI=… R_SPI=… (I) MsgID = 1 CurState: I_PROC_AUTH Event: EV_AUTH_FAIL`
void sm_trace(std::string_view t, event& e) noexcept {
    e.kind = event_kind::ikev2_state;
    if (text::find(t, "(I)") != std::string_view::npos) {
        e.role = ike_role::initiator;
        e.set(field::role, "initiator");
    } else if (text::find(t, "(R)") != std::string_view::npos) {
        e.role = ike_role::responder;
        e.set(field::role, "responder");
    }
    const std::string_view state = detail::word_after(t, "CurState: ", " ");
    const std::string_view ev = detail::word_after(t, "Event: ", " ");
    if (!ev.empty()) {
        e.set(field::type, ev);
    }
    // `CurState: AUTH_DONE Event: EV_FAIL` is the end of a failed exchange, not its success: a
    // completed state named beside a failure event is not entered. A step named beside one
    // (`I_PROC_AUTH Event: EV_AUTH_FAIL`) is where the exchange stopped.
    const bool failure = text::ifind(ev, "FAIL") != std::string_view::npos;
    const bool completed = state == "READY" || state.ends_with("_DONE");
    if (!state.empty() && !(failure && completed)) {
        e.state_name = state;
        e.set(field::state, state);
    }
    // `CHILD_I_PROC`, `CHILD_R_DONE`, …: the steps of a CREATE_CHILD_SA exchange (a child SA or
    // a rekey).
    if (starts(state, "CHILD_")) {
        e.set(field::exchange, "CREATE_CHILD_SA");
    }
}

// `Received PFKEY Invalid SPI for SPI 0x8D5E4089, error FALSE`: the IPsec layer got ESP for an
// SPI it has no SA for, and IKE will tell the peer (INVALID_SPI).
bool pfkey_invalid_spi(std::string_view t, event& e) noexcept {
    if (!starts(t, "Received PFKEY Invalid SPI")) {
        return false;
    }
    e.kind = event_kind::invalid_spi;
    e.direction = ike_direction::received;
    std::string_view spi = detail::word_after(t, "for SPI ", ", ");
    if (!spi.empty()) {
        e.set(field::spi, spi);
    }
    e.set(field::sa_direction, "inbound");
    return true;
}

// `Sending INVALID_SPI notify`, `Received NO_PROPOSAL_CHOSEN notify`, `Processing notify
// INVALID_KE_PAYLOAD` (only RFC 7296 error types become notify events).
bool notify_line(std::string_view t, event& e) noexcept {
    // ASA packet dumps: `Parse Notify Payload: NO_PROPOSAL_CHOSEN NOTIFY(…) …` in a message
    // received, `Construct Notify Payload: AUTHENTICATION_FAILED` in one being built.
    const bool sending = starts(t, "Sending ") || starts(t, "Construct Notify Payload: ");
    const bool receiving = starts(t, "Received ") || starts(t, "Processing notify ") ||
                           starts(t, "Parse Notify Payload: ");
    if (!sending && !receiving) {
        return false;
    }
    std::string_view rest = t.substr(t.find(' ') + 1);
    if (starts(rest, "notify ")) {
        rest.remove_prefix(7);
    } else if (starts(rest, "Notify Payload: ")) {
        rest.remove_prefix(16);
    }
    const std::string_view name = rest.substr(0, rest.find(' '));
    if (!ikev2::error_notify(name)) {
        return false;
    }
    ikev2::set_notify(e, name, sending ? ike_direction::sent : ike_direction::received);
    return true;
}

// ASA `debug crypto ikev2 platform`, on a line of its own after an empty `IKEv2-PLAT-2:`:
// `CONNECTION STATUS: UP... peer: 20.20.20.1:500, phase1_id: 20.20.20.1` (then REGISTERED, and
// DOWN when the IKE SA goes). UP names the peer only: the state machine's lines bring the SA up,
// and an ASA that also logs 750006 would count each bring-up twice.
void connection_status(std::string_view t, event& e) noexcept {
    const std::string_view status = detail::word_after(t, "CONNECTION STATUS: ", ". ");
    ikev2::set_endpoints(e, {}, ikev2::split_endpoint(detail::word_after(t, "peer: ", ", ")));
    if (status == "DOWN") {
        e.kind = event_kind::ikev2_down;
    }
}

}  // namespace

// `IKEv2-PROTO-1: (16): Failed to find a matching policy`
// `IKEv2:(SESSION ID = 172,SA ID = 1):: Failed to locate an item in the database`
void ikev2_debug(std::string_view body, event& e) noexcept {
    e.ike_version = 2;
    const debug_prefix d = split_prefix(body);
    if (!d.id.empty()) {
        e.conn_id.assign(d.session ? "v2:s" : "v2:", d.id);
        e.set(field::conn_id, d.id);
    }
    const std::string_view t = first_message(d.text);
    e.kind = event_kind::ike_info;
    if (!d.remote.empty()) {
        ikev2::set_endpoints(e, ikev2::split_endpoint(d.local), ikev2::split_endpoint(d.remote));
    }
    if (d.role != ike_role::unknown) {
        e.role = d.role;
        e.set(field::role, d.role == ike_role::initiator ? "initiator" : "responder");
    }
    if (starts(t, "Received Packet [") || starts(t, "Sending Packet [")) {
        // The exchange follows on its own line (`IKEv2 IKE_AUTH Exchange REQUEST`).
        packet_endpoints(t, e);
    } else if (starts(t, "RECV PKT [") || starts(t, "SENT PKT [")) {
        platform_packet(t, starts(t, "RECV"), e);
    } else if (starts(t, "IKEv2 ") && text::find(t, " Exchange ") != std::string_view::npos) {
        // `IKEv2 CREATE_CHILD_SA Exchange RESPONSE`: the exchange and whether it answers.
        exchange_line(t, e);
    } else if (!d.remote.empty() && (starts(t, "Sending IKEv2 ") || starts(t, "Received IKEv2 ")) &&
               text::find(t, " Exchange ") != std::string_view::npos) {
        // Event trace: `(I) Sending IKEv2 IKE_AUTH Exchange REQUEST`, direction included.
        const bool sent = t[0] == 'S';
        exchange_line(t.substr(t.find(' ') + 1), e);
        e.direction = sent ? ike_direction::sent : ike_direction::received;
        e.set(field::direction, sent ? "sent" : "received");
    } else if (!d.remote.empty() && starts(t, "Session with IKE ID PAIR") &&
               t.ends_with(" is UP")) {
        e.kind = event_kind::ikev2_state;
        e.state_name = "READY";
        e.set(field::state, "READY");
    } else if (starts(t, "SM Trace->")) {
        sm_trace(t, e);
    } else if (pfkey_invalid_spi(t, e)) {
        // set by pfkey_invalid_spi
    } else if (notify_line(t, e)) {
        // set by notify_line
    } else if (const bool unmatched = starts(t, "Crypto Map: No proxy match on map ");
               unmatched || starts(t, "PROXY MATCH on crypto map ")) {
        // The crypto-map lookup of the peer's traffic selectors, one entry per line:
        // `Crypto Map: No proxy match on map VPN_MAP seq 1`, `PROXY MATCH on crypto map VPN_MAP
        // seq 1`. A miss is no failure yet: a later entry may match.
        e.set(field::type, unmatched ? "no_proxy_match" : "proxy_match");
        const std::string_view map =
            detail::word_after(t, unmatched ? "on map " : "crypto map ", " ");
        if (!map.empty()) {
            e.set(field::crypto_map, map);
        }
    } else if (starts(t, "Crypto map ") &&
               text::find(t, " is incomplete") != std::string_view::npos) {
        // `Crypto map VPN_MAP seq 1 is incomplete due to missing ACL`: an entry that can match
        // no selectors.
        e.set(field::type, "map_incomplete");
        e.set(field::crypto_map, detail::word_after(t, "Crypto map ", " "));
        e.set(field::reason, t);
    } else if (starts(t, "CONNECTION STATUS: ")) {
        connection_status(t, e);
    } else if (starts(t, "SA is already in negotiation")) {
        // IOS `SA is already in negotiation, hence not negotiating again`: traffic asked for a
        // tunnel and the router holds a negotiation it considers in progress. Names no peer.
        e.kind = event_kind::key_acquire;
        e.set(field::type, "held");
    } else if (starts(t, "NAT not found")) {
        // The result of NAT discovery in IKE_SA_INIT (`Checking NAT discovery`), not a failure.
        detail::set_nat_detection(e, false);
    } else if (starts(t, "NAT ") && (text::ifind(t, "found") != std::string_view::npos ||
                                     text::ifind(t, "detected") != std::string_view::npos)) {
        // `NAT OUTSIDE found`, `NAT detected float to init port 4500, …`
        detail::set_nat_detection(e, true);
    } else if (starts(t, "Peer ID check started") || starts(t, "Peer ID check: failed")) {
        // Steps of the check; `Peer ID check failed` is the result.
        e.kind = event_kind::ike_info;
    } else if (generic_auth_failure(t)) {
        // Printed after the specific reason (peer ID, certificate, key), or alone: it says only
        // that IKE_AUTH failed, and ranks below any line that names the cause.
        ikev2::set_failure(e, t, ikev2_failure::auth_exchange);
    } else if (failure_text(t)) {
        ikev2::set_failure(e, t);
    } else if (const std::string_view tg = detail::word_after(t, "tg_name set to: ", " ");
               !tg.empty() && ip_address::parse(tg)) {
        // ASA LAN-to-LAN tunnel groups are named by the peer's address.
        e.set_peer(tg);
        e.set(field::group, tg);
    }
    // A line without address or SA id still counts when it says something of its own (the
    // crypto-map lookup): the tracker gives it to a device's only peer.
    if (e.kind == event_kind::ike_info && e.peer.empty() && e.conn_id.empty() &&
        !e.get(field::type)) {
        e.kind = event_kind::other;
    }
}

}  // namespace ikewatch::parsers::decoders
