// IOS / IOS-XE: %CRYPTO, access-list logging and login mnemonics, and `debug crypto isakmp` text.

#include <array>

#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"

namespace ikewatch::parsers::decoders {

using detail::address_after;
using detail::contains;
using detail::first_ipv4;
using detail::parse_paren_endpoint;
using detail::protocol_name;
using detail::set_flow;
using detail::set_nat_detection;
using detail::starts;
using detail::token_at;
using detail::word_after;

namespace {

void set_phase(event& e, std::uint8_t phase) noexcept {
    e.phase = phase;
    e.set(field::phase, phase == 1 ? "1" : "2");
}

void set_role_letter(event& e, char letter) noexcept {
    if (letter == 'I') {
        e.role = ike_role::initiator;
        e.set(field::role, "initiator");
    } else if (letter == 'R') {
        e.role = ike_role::responder;
        e.set(field::role, "responder");
    }
}

// IOS state tokens sometimes have console noise glued on (`QM_IDLE.....`, `…COMPLETE!!!!`).
std::string_view clean_state(std::string_view s) noexcept {
    s = text::trim(s);
    std::size_t n = 0;
    while (n < s.size() && (text::is_upper(s[n]) || text::is_digit(s[n]) || s[n] == '_')) {
        ++n;
    }
    return s.substr(0, n);
}

// `list 102 denied udp 10.0.6.56(3067) -> 172.36.4.7(500), 1 packet`
void access_log(std::string_view text, event& e) noexcept {
    std::size_t at = text::find(text, "list ");
    if (at == std::string_view::npos) {
        return;
    }
    std::size_t pos = at + 5;
    const std::string_view acl = token_at(text, pos);
    const std::string_view action = token_at(text, pos);
    if (action != "denied" && action != "deny") {
        return;
    }
    e.kind = event_kind::acl_deny;
    const std::string_view proto = token_at(text, pos);
    const std::string_view src = token_at(text, pos);
    const std::size_t arrow = text::find(text, "->", pos);
    detail::endpoint dst;
    if (arrow != std::string_view::npos) {
        std::size_t p = arrow + 2;
        dst = parse_paren_endpoint(token_at(text, p));
    }
    std::string_view dst_tok = dst.addr;
    if (!dst_tok.empty() && dst_tok.back() == ',') {
        dst.addr = dst_tok.substr(0, dst_tok.size() - 1);
    }
    set_flow(e, protocol_name(proto), parse_paren_endpoint(src), dst);
    e.set(field::acl, acl);
}

// `Login failed [user: admin] [Source: 10.2.55.3] [localport: 22] [Reason: Login Authentication
//  Failed] at 12:06:03 UTC Wed Mar 24 2021`
void sec_login(std::string_view text, event& e, bool failed) noexcept {
    e.kind = failed ? event_kind::login_failed : event_kind::login_success;
    const std::string_view user = word_after(text, "[user: ", "]");
    e.set(field::user, user);
    const std::string_view src = word_after(text, "[Source: ", "]");
    if (!src.empty()) {
        e.set(field::src_ip, src);
    }
    const std::string_view port = word_after(text, "[localport: ", "]");
    if (!port.empty()) {
        e.set(field::dst_port, port);
    }
    const std::string_view reason = word_after(text, "[Reason: ", "]");
    if (!reason.empty()) {
        e.set(field::reason, reason);
    }
}

// `User 'admin' authentication for SSH2 Session from 10.1.1.9 (tty = 0) using crypto cipher
//  'aes256-ctr', hmac 'hmac-sha1' Failed`
void ssh_userauth(std::string_view text, event& e) noexcept {
    e.kind = contains(text, "Failed") ? event_kind::login_failed : event_kind::login_success;
    e.set(field::user, word_after(text, "User '", "'"));
    const std::string_view src = address_after(text, "Session from ");
    if (!src.empty()) {
        e.set(field::src_ip, src);
    }
    e.set(field::dst_port, "22");
    e.set(field::service, "ssh");
}

// `%DMVPN-5-CRYPTO_SS:  Tunnel0: local address : 198.51.100.2 remote address : 203.0.113.2
// socket is UP`: the tunnel's IPsec protection to the peer came up (or went down).
// `%DMVPN-5-NHRP_NHS_DOWN: Tunnel0: Next Hop Server : (Tunnel: 172.16.0.1 NBMA: 203.0.113.2 )
// for (Tunnel: 172.16.0.2 NBMA: 198.51.100.2) is DOWN, Reason: NHRP Registration Failure(…)`:
// the NHRP peer (first NBMA address) went down, with the reason.
bool dmvpn(std::string_view mn, std::string_view text, event& e) noexcept {
    if (mn == "CRYPTO_SS") {
        const std::string_view remote = address_after(text, "remote address : ");
        if (remote.empty()) {
            return false;
        }
        e.set_peer(remote);
        e.kind = contains(text, "socket is UP") ? event_kind::ipsec_sa_created
                                                : event_kind::ipsec_sa_deleted;
        e.set(field::service, "dmvpn");
        const std::string_view local = address_after(text, "local address : ");
        if (!local.empty()) {
            e.set(field::local_ip, local);
        }
        return true;
    }
    if (text::istarts_with(mn, "NHRP_NH") && (text::ifind(mn, "_UP") != std::string_view::npos ||
                                              text::ifind(mn, "_DOWN") != std::string_view::npos)) {
        const std::string_view nbma = address_after(text, "NBMA: ");
        if (nbma.empty()) {
            return false;
        }
        e.set_peer(nbma);
        e.set(field::service, "dmvpn");
        if (text::ifind(mn, "_UP") != std::string_view::npos) {
            e.kind = event_kind::nhrp_up;
        } else {
            e.kind = event_kind::nhrp_down;
            const std::size_t at = text::find(text, "Reason: ");
            if (at != std::string_view::npos) {
                e.set(field::reason, text::trim(text.substr(at + 8)));
            }
        }
        return true;
    }
    return false;
}

}  // namespace

// `%CRYPTO-4-IKMP_NO_SA: IKE message from 10.1.1.1 has no SA and is not an initialization offer`
bool ios_mnemonic(const cisco_message& m, event& e) noexcept {
    const std::string_view mn = m.mnemonic;
    const std::string_view text = m.text;
    if (m.facility == "CRYPTO") {
        e.ike_version = 1;
        if (mn == "IKMP_NO_SA") {
            e.kind = event_kind::no_matching_sa;
            e.set_peer(address_after(text, "IKE message from "));
        } else if (mn == "IKMP_BAD_MESSAGE") {
            e.kind = event_kind::malformed_message;
            e.set_peer(address_after(text, "IKE message from "));
            e.set(field::failure, "sanity_check");
        } else if (mn == "IKMP_MODE_FAILURE") {
            e.kind = event_kind::mode_failure;
            e.set_peer(address_after(text, "peer at "));
            const std::string_view mode = word_after(text, "Processing of ", " ");
            if (text::iequals(mode, "Quick")) {
                e.set(field::mode, "quick");
                set_phase(e, 2);
            } else {
                e.aggressive = text::iequals(mode, "Aggressive");
                e.set(field::mode, e.aggressive ? "aggressive" : "main");
                set_phase(e, 1);
            }
        } else if (mn == "IKMP_AUTH_FAIL") {
            e.kind = event_kind::auth_failed;
            e.set_peer(address_after(text, "with host "));
        } else if (mn == "IKMP_SA_NOT_OFFERED") {
            e.kind = event_kind::attribute_mismatch;
            e.set_peer(address_after(text, "Remote peer "));
            const std::string_view attr = word_after(text, "attribute ", " ");
            if (!attr.empty()) {
                e.set(field::attribute, attr);
            }
            set_phase(e, 1);
        } else if (mn == "IKMP_SA_NOT_AUTH") {
            e.kind = event_kind::phase2_failed;
            e.set_peer(address_after(text, " from "));
            e.set(field::reason, "quick mode before phase 1 was authenticated");
            set_phase(e, 2);
        } else if (mn == "IKMP_NOT_ENCRYPTED") {
            e.kind = event_kind::malformed_message;
            e.set_peer(first_ipv4(text));
            e.set(field::failure, "not_encrypted");
        } else if (mn == "PKT_REPLAY_ERR") {
            e.kind = event_kind::ipsec_data_error;
            e.set(field::failure, "anti_replay");
        } else if (mn == "RECVD_PKT_INV_SPI") {
            e.kind = event_kind::invalid_spi;
            e.set_peer(address_after(text, "srcaddr="));
            const std::string_view spi = word_after(text, "spi=", "(,");
            if (!spi.empty()) {
                e.set(field::spi, spi);
            }
        } else if (mn == "RECVD_PKT_NOT_IPSEC") {
            // `Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= /203.0.113.2,
            // src_addr= 198.51.100.2, prot= 47`: the sender did not encrypt.
            e.kind = event_kind::cleartext_received;
            e.set_peer(address_after(text, "src_addr= "));
            std::string_view dst = word_after(text, "dest_addr= ", ", ");
            if (!dst.empty() && dst.front() == '/') {
                dst.remove_prefix(1);
            }
            if (!dst.empty()) {
                e.set(field::dst_ip, dst);
            }
            const std::string_view prot = word_after(text, "prot= ", " ,");
            if (!prot.empty()) {
                e.set(field::protocol, prot);
            }
        } else if (mn == "ISAKMP_ON_OFF") {
            e.kind = event_kind::isakmp_enabled;
            e.set(field::state, contains(text, "OFF") ? "OFF" : "ON");
        } else if (mn == "EZVPN_CONNECTION_UP") {
            e.kind = event_kind::tunnel_up;
            e.set_peer(address_after(text, "Server_public_addr="));
            const std::string_view group = word_after(text, "Group=", " ");
            if (!group.empty()) {
                e.set(field::group, group);
            }
        } else {
            const std::string_view peer = first_ipv4(text);
            if (peer.empty()) {
                return false;
            }
            e.kind = event_kind::ike_info;
            e.set_peer(peer);
        }
        return true;
    }
    if (m.facility == "DMVPN") {
        return dmvpn(mn, text, e);
    }
    if (contains(mn, "ACCESSLOG")) {
        access_log(text, e);
        return true;
    }
    if (m.facility == "SEC_LOGIN") {
        if (mn == "LOGIN_FAILED" || mn == "QUIET_MODE_ON") {
            sec_login(text, e, true);
            return true;
        }
        if (mn == "LOGIN_SUCCESS") {
            sec_login(text, e, false);
            return true;
        }
        return false;
    }
    if (m.facility == "SSH" && mn == "SSH2_USERAUTH") {
        ssh_userauth(text, e);
        return true;
    }
    return false;
}

namespace {

struct debug_line {
    std::string_view conn;
    std::string_view text;
};

// `ISAKMP-PAK: (1001):sending packet …`, `ISAKMP (0:2): beginning …`, `ISAKMP:(0):Old State …`
debug_line split_isakmp_prefix(std::string_view body) noexcept {
    debug_line d;
    std::size_t p = 6;  // after "ISAKMP"
    if (body.substr(p, 4) == "-PAK") {
        p += 4;
    } else if (body.substr(p, 6) == "-ERROR") {
        p += 6;
    }
    while (p < body.size() && (body[p] == ':' || body[p] == ' ')) {
        ++p;
    }
    if (p < body.size() && body[p] == '(') {
        const std::size_t close = body.find(')', p);
        if (close != std::string_view::npos && close - p < 24) {
            d.conn = body.substr(p + 1, close - p - 1);
            p = close + 1;
            while (p < body.size() && (body[p] == ':' || body[p] == ' ')) {
                ++p;
            }
        }
    }
    d.text = body.substr(p);
    return d;
}

// `(I) MM_NO_STATE` at the end of a packet line.
void packet_state(std::string_view text, event& e) noexcept {
    const std::size_t open = text.rfind(" (");
    if (open == std::string_view::npos || open + 4 > text.size() || text[open + 3] != ')') {
        return;
    }
    set_role_letter(e, text[open + 2]);
    const std::string_view state = clean_state(text.substr(open + 4));
    if (!state.empty() && state != "NEW") {
        e.state_name = state;
        e.set(field::state, state);
    }
}

void packet(std::string_view text, event& e, bool sent) noexcept {
    e.kind = event_kind::ike_packet;
    e.direction = sent ? ike_direction::sent : ike_direction::received;
    e.set(field::direction, sent ? "sent" : "received");
    e.set_peer(address_after(text, sent ? "packet to " : "packet from "));
    packet_state(text, e);
    if (contains(text, " 4500")) {
        e.nat_t = true;
        e.set(field::nat, "true");
    }
}

}  // namespace

// `*Oct 25 18:53:16.485: ISAKMP-PAK: (0):sending packet to 203.0.113.1 my_port 500 peer_port 500
//  (I) MM_NO_STATE`
void ios_debug(std::string_view body, event& e) noexcept {
    e.ike_version = 1;
    if (starts(body, "IPSEC(sa_request)")) {
        e.kind = event_kind::key_acquire;
        e.set_peer(address_after(body, "dest= "));
        return;
    }
    if (!starts(body, "ISAKMP")) {
        return;
    }
    const debug_line d = split_isakmp_prefix(body);
    const std::string_view t = d.text;
    if (!d.conn.empty()) {
        e.conn_id = d.conn;
        e.set(field::conn_id, d.conn);
    }
    e.kind = event_kind::ike_info;
    if (starts(t, "sending packet to ")) {
        packet(t, e, true);
    } else if (starts(t, "received packet from ")) {
        packet(t, e, false);
    } else if (starts(t, "Old State = ")) {
        e.kind = event_kind::state_change;
        const std::string_view old_state = clean_state(word_after(t, "Old State = ", " "));
        const std::string_view new_state = clean_state(word_after(t, "New State = ", " "));
        e.set(field::old_state, old_state);
        e.set(field::new_state, new_state);
        e.state_name = new_state;
    } else if (starts(t, "beginning Main Mode exchange") ||
               starts(t, "beginning Aggressive Mode exchange")) {
        e.kind = event_kind::phase1_start;
        e.aggressive = contains(t, "Aggressive");
        e.set(field::mode, e.aggressive ? "aggressive" : "main");
        set_role_letter(e, 'I');
        set_phase(e, 1);
    } else if (starts(t, "beginning Quick Mode exchange")) {
        e.kind = event_kind::phase2_start;
        set_phase(e, 2);
        const std::string_view mid = word_after(t, "M-ID of ", " ");
        if (!mid.empty()) {
            e.set(field::msgid, mid);
        }
    } else if (starts(t, "Created a peer struct for ")) {
        e.set_peer(address_after(t, "peer struct for "));
    } else if (starts(t, "found peer pre-shared key matching ")) {
        e.set_peer(address_after(t, "matching "));
    } else if (starts(t, "No pre-shared key with ")) {
        e.kind = event_kind::tunnel_group_missing;
        e.set_peer(address_after(t, "key with "));
        e.set(field::reason, "no pre-shared key");
    } else if (starts(t, "No Cert or pre-shared address key")) {
        e.kind = event_kind::tunnel_group_missing;
        e.set(field::reason, "no certificate or pre-shared key");
    } else if (contains(t, "phase 1 SA policy not acceptable")) {
        e.kind = event_kind::proposal_rejected;
        set_phase(e, 1);
        e.set_peer(address_after(t, "remote "));
    } else if (starts(t, "atts are acceptable")) {
        e.kind = event_kind::proposal_accepted;
        set_phase(e, contains(t, "Next payload") ? 1 : 2);
    } else if (starts(t, "atts are not acceptable")) {
        e.kind = event_kind::proposal_declined;
        set_phase(e, contains(t, "Next payload") ? 1 : 2);
        e.set(field::reason, "transform not acceptable");
    } else if (contains(t, "packet is a duplicate")) {
        e.kind = event_kind::duplicate_packet;
        set_phase(e, 1);
    } else if (starts(t, "retransmitting")) {
        e.kind = event_kind::retransmit;
        const std::string_view state = clean_state(word_after(t, "phase 1 ", " "));
        if (!state.empty()) {
            e.state_name = state;
            e.set(field::state, state);
        }
        set_phase(e, 1);
    } else if (starts(t, "processing NOTIFY ")) {
        const std::string_view type = word_after(t, "processing NOTIFY ", " ");
        e.set(field::notify, type);
        const std::string_view proto = word_after(t, "protocol ", " ");
        set_phase(e, proto == "1" ? 1 : 2);
        e.kind = contains(type, "PROPOSAL_NOT_CHOSEN") ? event_kind::proposal_rejected
                                                       : event_kind::notify;
        e.set(field::direction, "received");
    } else if (starts(t, "processing DELETE payload")) {
        e.kind = event_kind::ike_delete;
        e.set(field::direction, "received");
    } else if (starts(t, "IPSec policy invalidated proposal with error")) {
        const std::string_view code = word_after(t, "with error ", " ");
        e.kind = code == "32" ? event_kind::crypto_acl_mismatch : event_kind::proposal_rejected;
        e.set(field::reason, t);
        set_phase(e, 2);
    } else if (contains(t, "phase 2 SA policy not acceptable")) {
        e.kind = event_kind::crypto_acl_mismatch;
        set_phase(e, 2);
        e.set_peer(address_after(t, "remote "));
    } else if (starts(t, "deleting node ")) {
        if (contains(t, "error TRUE")) {
            e.kind = event_kind::phase2_failed;
            set_phase(e, 2);
            const std::string_view reason = word_after(t, "reason \"", "\"");
            e.set(field::reason, reason);
        }
    } else if (starts(t, "SA has been authenticated with ")) {
        e.set_peer(address_after(t, "authenticated with "));
        e.set(field::reason, "authenticated");
    } else if (const bool found = starts(t, "NAT found"); found || starts(t, "No NAT Found")) {
        set_nat_detection(e, found);
    } else if (starts(t, "SA has outstanding requests")) {
        e.set_peer(address_after(t, "remote "));
        if (contains(t, "port 4500")) {
            e.nat_t = true;
            e.set(field::nat, "true");
        }
    } else if (starts(t, "Successfully installed IPSEC SA")) {
        e.kind = event_kind::ipsec_sa_created;
        set_phase(e, 2);
        const std::string_view spi = word_after(t, "SPI:", ")");
        if (!spi.empty()) {
            e.set(field::spi, spi);
        }
    } else if (starts(t, "Trying to insert a peer ")) {
        // `Trying to insert a peer 203.0.113.10/203.0.113.1/500/,` = local/remote/port.
        const std::string_view spec = word_after(t, "insert a peer ", " ,");
        const std::size_t slash = spec.find('/');
        if (slash != std::string_view::npos) {
            const std::string_view remote = spec.substr(slash + 1);
            e.set_peer(remote.substr(0, remote.find('/')));
        }
    } else if (starts(t, "local port ")) {
        if (contains(t, "4500")) {
            e.nat_t = true;
            e.set(field::nat, "true");
        }
    }
    if (e.kind == event_kind::ike_info && e.peer.empty() && e.conn_id.empty()) {
        e.kind = event_kind::other;
    }
}

}  // namespace ikewatch::parsers::decoders
