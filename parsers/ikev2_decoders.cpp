// IKEv2 syslog messages: ASA/FTD 750xxx (IKEv2 SAs), 751xxx (peer configuration and remote
// access), 752xxx (Tunnel Manager), and IOS/IOS-XE `%IKEV2-n-MNEMONIC`. The 750xxx/751xxx
// messages carry `Local:` and `Remote:` endpoints and no MM_* states; the 752xxx ones name a
// crypto map entry, not a peer. Failure classes: ikev2_failure.hpp.

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"
#include "parsers/ikev2_failure.hpp"
#include "parsers/ikev2_fields.hpp"

namespace ikewatch::parsers::decoders {

using detail::contains;
using detail::starts;
using detail::word_after;
namespace f = ikev2_failure;

namespace {

// The token after `key` and an optional `:` (`Local:2.2.2.2:500`, `Remote: 10.0.0.2:500`,
// `Remote 10.0.0.2:500` as the guide prints 751014).
std::string_view token_after(std::string_view text, std::string_view key) noexcept {
    const std::size_t at = text::find(text, key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view rest = text.substr(at + key.size());
    if (!rest.empty() && rest.front() == ':') {
        rest.remove_prefix(1);
    }
    rest = text::ltrim(rest);
    return rest.substr(0, rest.find_first_of(" \n"));
}

// Reads `Local:A:P Remote:B:Q Username:U ` and returns the message text after it (and after
// a leading `IKEv2 `). Sets the peer, local address, NAT-T and user.
std::string_view peer_context(std::string_view text, event& e) noexcept {
    const std::string_view local = token_after(text, "Local");
    const std::string_view remote = token_after(text, "Remote");
    if (!remote.empty()) {
        ikev2::set_endpoints(e, ikev2::split_endpoint(local), ikev2::split_endpoint(remote));
    }
    std::string_view rest = text;
    if (const std::size_t u = text::find(text, "Username:"); u != std::string_view::npos) {
        rest = text::ltrim(text.substr(u + 9));
        const std::size_t end = rest.find(' ');
        const std::string_view user = rest.substr(0, end);
        if (!user.empty()) {
            e.set(field::user, user);
        }
        rest = end == std::string_view::npos ? std::string_view{} : text::ltrim(rest.substr(end));
    } else if (!remote.empty()) {
        const std::size_t at = text::find(text, remote);
        rest = text::ltrim(text.substr(at + remote.size()));
    }
    if (starts(rest, "IKEv2 ")) {
        rest.remove_prefix(6);
    }
    return rest;
}

// `local traffic selector = Address Range: 10.1.1.0-10.1.1.255 Protocol: 0 Port Range: …`
void traffic_selectors(std::string_view text, event& e) noexcept {
    const std::string_view local =
        word_after(text, "local traffic selector = Address Range: ", " ;");
    const std::string_view remote =
        word_after(text, "remote traffic selector = Address Range: ", " ;");
    if (!local.empty()) {
        e.set(field::proxy_local, local);
    }
    if (!remote.empty()) {
        e.set(field::proxy_remote, remote);
    }
}

void capacity(event& e, std::string_view type, std::string_view reason) noexcept {
    e.kind = event_kind::capacity_exceeded;
    e.set(field::type, type);
    e.set(field::failure, ikev2_failure::overload);
    if (!reason.empty()) {
        e.set(field::reason, reason);
    }
}

void set_role(event& e, ike_role role) noexcept {
    e.role = role;
    e.set(field::role, role == ike_role::initiator ? "initiator" : "responder");
}

// 750007/750014 and IOS SA_DOWN: why the SA went away, in a few words.
std::string_view down_type(std::string_view reason) noexcept {
    if (text::ifind(reason, "DPD") != std::string_view::npos ||
        text::ifind(reason, "dead") != std::string_view::npos ||
        text::ifind(reason, "peer lost") != std::string_view::npos ||
        text::ifind(reason, "keepalive") != std::string_view::npos) {
        return "dpd";
    }
    if (text::ifind(reason, "initial contact") != std::string_view::npos) {
        return "initial_contact";
    }
    if (text::ifind(reason, "delete") != std::string_view::npos) {
        return "peer_delete";
    }
    if (text::ifind(reason, "admin") != std::string_view::npos ||
        text::ifind(reason, "clear") != std::string_view::npos) {
        return "admin";
    }
    if (text::ifind(reason, "idle") != std::string_view::npos) {
        return "idle";
    }
    return {};
}

void sa_down(event& e, std::string_view reason) noexcept {
    e.kind = event_kind::ikev2_down;
    if (!reason.empty()) {
        e.set(field::reason, reason);
    }
    const std::string_view type = down_type(reason);
    if (!type.empty()) {
        e.set(field::type, type);
    }
}

// `Map Tag = outside_map.  Map Sequence Number = 10.` (also `Map Tag= outside_map.`)
void map_entry(std::string_view text, event& e) noexcept {
    std::string_view tag = token_after(text, "Map Tag");
    if (!tag.empty() && tag.front() == '=') {
        tag = token_after(text, "Map Tag =");
        if (tag.empty()) {
            tag = token_after(text, "Map Tag=");
        }
    }
    while (!tag.empty() && (tag.back() == '.' || tag.back() == ',')) {
        tag.remove_suffix(1);
    }
    if (!tag.empty()) {
        e.set(field::crypto_map, tag);
    }
}

// Some releases name the peer a Tunnel Manager message is about.
void tunnel_manager_peer(std::string_view text, event& e) noexcept {
    for (std::string_view key : {"Peer = ", "Peer: ", "peer = ", "peer: ", "Peer IP: "}) {
        const std::string_view a = detail::address_after(text, key);
        if (!a.empty() && ip_address::parse(a)) {
            e.set_peer(a);
            return;
        }
    }
}

// `IKEv1` / `IKEv2` named in the text (`… KEY_ACQUIRE message to IKEv2.`, `IKEv2 was
// unsuccessful …`).
std::uint8_t version_named(std::string_view text) noexcept {
    const std::size_t at = text::find(text, "IKEv");
    if (at == std::string_view::npos || at + 4 >= text.size()) {
        return 0;
    }
    return text[at + 4] == '2' ? 2 : text[at + 4] == '1' ? 1 : 0;
}

}  // namespace

// `%ASA-5-750006: Local:2.2.2.2:4500 Remote:1.1.1.1:55543 Username:admin IKEv2 SA UP. Reason:
//  New Connection Established`
void ikev2_sa_message(std::string_view text, event& e) noexcept {
    e.ike_version = 2;
    if (e.msg_number == 750011 || e.msg_number == 750012) {
        // `Tunnel Rejected: Selected IKEv2 encryption algorithm (AES-GCM-128) is not strong
        // enough to secure proposed IPSEC encryption algorithm (AES-GCM-256).` (no peer)
        const std::string_view ike = word_after(text, "encryption algorithm (", ")");
        const std::size_t ipsec_at = text::find(text, "IPSEC encryption algorithm (");
        const std::string_view ipsec = ipsec_at == std::string_view::npos
                                           ? std::string_view{}
                                           : word_after(text.substr(ipsec_at), "algorithm (", ")");
        if (!ike.empty()) {
            e.set(field::configured, ike);
        }
        if (!ipsec.empty()) {
            e.set(field::received, ipsec);
        }
        e.set(field::attribute, "encryption");
        if (e.msg_number == 750011) {
            ikev2::set_failure(e, text::trim(text), f::child_proposal);
        } else {
            e.kind = event_kind::ike_info;
            e.set(field::reason, text::trim(text));
        }
        return;
    }
    if (e.msg_number == 750013) {
        // `IKEv2 SA (iSPI 0x… rRSP 0x…) Peer Moved: Previous 192.0.2.1:500/198.51.100.1:500.
        //  Updated 192.0.2.9:4500/198.51.100.1:4500` (MOBIKE): the peer is the new address.
        const std::string_view updated = token_after(text, "Updated");
        const std::string_view previous = token_after(text, "Previous");
        const auto remote_of = [](std::string_view pair) {
            std::string_view remote = pair.substr(0, pair.find('/'));
            return ikev2::split_endpoint(remote);
        };
        if (!updated.empty()) {
            const ikev2::endpoint now = remote_of(updated);
            e.set_peer(now.addr);
            e.nat_t = now.port == "4500";
        }
        if (!previous.empty()) {
            e.set_peer2(remote_of(previous).addr);
        }
        e.kind = event_kind::ike_info;
        e.set(field::type, "peer_moved");
        return;
    }
    const std::string_view rest = peer_context(text, e);
    switch (e.msg_number) {
        case 750001:
            // `Received request to request an IPsec tunnel; local traffic selector = …`: a child
            // SA is wanted (new tunnel or rekey).
            e.kind = event_kind::phase2_start;
            e.phase = 2;
            e.set(field::phase, "2");
            traffic_selectors(rest, e);
            break;
        case 750002:
            // `Received a IKE_INIT_SA request`
            e.kind = event_kind::ikev2_start;
            e.exchange = ike_exchange::v2_sa_init;
            e.direction = ike_direction::received;
            e.set(field::exchange, to_string(ike_exchange::v2_sa_init));
            e.set(field::direction, "received");
            set_role(e, ike_role::responder);
            break;
        case 750003: {
            // `Negotiation aborted due to ERROR: Failed to locate an item in the database`
            const std::string_view reason = ikev2::reason_after(rest, "ERROR:");
            ikev2::set_failure(e, reason.empty() ? text::trim(rest) : reason);
            break;
        }
        case 750004:
            // `Sending COOKIE challenge to throttle possible DoS`
            capacity(e, "cookie", text::trim(rest));
            e.set(field::notify, "COOKIE");
            e.set(field::direction, "sent");
            break;
        case 750005:
            // `IPsec rekey collision detected. I am lowest nonce initiator, deleting SA with
            //  inbound SPI 0x…`: one of two crossing child SAs goes, the tunnel stays.
            e.kind = event_kind::ike_info;
            e.set(field::type, "rekey_collision");
            if (const std::string_view spi = word_after(rest, "inbound SPI ", " ,.");
                !spi.empty()) {
                e.set(field::spi, spi);
            }
            break;
        case 750006:
            e.kind = event_kind::ikev2_up;
            if (const std::string_view r = ikev2::reason_after(rest, "Reason:"); !r.empty()) {
                e.set(field::reason, r);
            }
            break;
        case 750007:
            // `SA DOWN. Reason: …`
            sa_down(e, ikev2::reason_after(rest, "Reason:"));
            break;
        case 750008:
            // `SA rejected due to system resource low`
            capacity(e, "resources", text::trim(rest));
            break;
        case 750009: {
            // `SA request rejected due to CAC limit reached: Rejection reason: …`
            const std::string_view r = ikev2::reason_after(rest, "Rejection reason:");
            capacity(e, "cac", r.empty() ? text::trim(rest) : r);
            break;
        }
        case 750010:
            // `IKEv2 local throttle-request queue depth threshold of 10 reached; increase the
            //  window size on peer … for better performance`
            capacity(e, "throttle", text::trim(rest));
            break;
        case 750014:
            // `IKEv2 Session aborted. Reason: Initial Contact received for Local ID: …`: the peer
            // restarted and the old SA is gone.
            sa_down(e, ikev2::reason_after(rest, "Reason:"));
            break;
        case 750015: {
            // `IKEv2 deleting IPSec SA. Reason: invalid SPI notification received for SPI 0x…;`
            e.kind = event_kind::invalid_spi;
            e.set(field::notify, "INVALID_SPI");
            e.set(field::direction, "received");
            const std::string_view spi = word_after(rest, "for SPI ", " ;,");
            if (!spi.empty()) {
                e.set(field::spi, spi);
            }
            traffic_selectors(rest, e);
            break;
        }
        default:
            e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
            break;
    }
}

// `%ASA-3-751009: Local:10.0.0.1:500 Remote:10.0.0.2:500 Username:10.0.0.2 Unable to find
//  tunnel group for peer.` (guide wording)
void ikev2_peer_message(std::string_view text, event& e) noexcept {
    e.ike_version = 2;
    const std::string_view rest = peer_context(text, e);
    const std::string_view line = text::trim(rest.substr(0, rest.find('\n')));
    switch (e.msg_number) {
        case 751001:
            // `Failed to complete Diffie-Hellman operation. Error: …`
            ikev2::set_failure(e, line, f::other);
            break;
        case 751002:  // No preshared key or trustpoint configured for self in tunnel group …
        case 751004:  // No remote authentication method configured for peer in tunnel group …
        case 751009:  // Unable to find tunnel group for peer.
        case 751010:  // Unable to determine self-authentication method. No crypto map setting…
            ikev2::set_failure(e, line, f::peer_config);
            if (const std::string_view g = ikev2::reason_after(rest, "tunnel group "); !g.empty()) {
                e.set(field::group, g);
            }
            break;
        case 751003:
            // `Need to send a DPD message to peer`
            e.kind = event_kind::dpd;
            e.direction = ike_direction::sent;
            e.set(field::direction, "sent");
            break;
        case 751005:  // AnyConnect client reconnect authentication failed. Session ID: …
        case 751011:  // Failed user authentication. Error: …
            ikev2::set_failure(e, line, f::auth);
            break;
        case 751006:
            // `Certificate authentication failed. Error: …`
            ikev2::set_failure(e, line, f::auth_cert);
            break;
        case 751008:  // Group=…, Tunnel-group: … not found
        case 751012:  // Failure occurred during Configuration Mode processing. Error: …
        case 751017:  // Configuration Error …
            ikev2::set_failure(e, line);
            break;
        case 751015: {
            // `SA request rejected by CAC. Reason: …`
            const std::string_view r = ikev2::reason_after(rest, "Reason:");
            capacity(e, "cac", r.empty() ? line : r);
            break;
        }
        case 751018:
            // `Terminating the VPN connection attempt from <group>. Reason: This connection is
            //  group locked to <group>.` (no endpoints)
            ikev2::set_failure(e, text::trim(text), f::other);
            break;
        case 751019:  // Failed to obtain an <type> license. Maximum license limit … exceeded.
        case 751020:  // … remote access connection failed. … without an AnyConnect Premium …
            capacity(e, "license", line);
            break;
        case 751022:
            // `Tunnel rejected: Crypto Map Policy not found for remote traffic selector
            //  a/b/p/q/proto local traffic selector …!`
            ikev2::set_failure(e, line, f::traffic_selector);
            if (const std::string_view r = word_after(rest, "remote traffic selector ", " !");
                !r.empty()) {
                e.set(field::proxy_remote, r);
            }
            if (const std::string_view l = word_after(rest, "local traffic selector ", " !");
                !l.empty()) {
                e.set(field::proxy_local, l);
            }
            break;
        case 751025:
            // `Group:GroupPolicy_SAML IPv4 Address=172.16.58.30 … assigned to session`
            e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
            if (const std::string_view g = word_after(rest, "Group:", " "); !g.empty()) {
                e.set(field::group, g);
            }
            break;
        case 751027:
            // `IKEv2 Received INVALID_SELECTORS Notification from peer. Peer received a packet
            //  (SPI=0x…). …`
            ikev2::set_notify(e, "INVALID_SELECTORS", ike_direction::received);
            if (const std::string_view spi = word_after(rest, "SPI=", ")"); !spi.empty()) {
                e.set(field::spi, spi);
            }
            break;
        case 751007:  // Configured attribute not supported for IKEv2. Attribute: …
        case 751013:  // Failed to process Configuration Payload request for attribute …
        case 751014:  // Warning Configuration Payload request for attribute … could not be …
        case 751016:  // L2L peer initiated a tunnel with the same outer and inner addresses …
        case 751021:  // … encryption is not supported with this version of the AnyConnect Client
        case 751023:  // Unknown client connection
        case 751024:  // IKEv2 IPv6 User Filter tempipv6 configured. …
        case 751026:  // IKEv2 Client OS: …
        case 751028:  // IKEv2 Overriding configured keepalive values …
        default:
            e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
            if (!line.empty()) {
                e.set(field::reason, line);
            }
            break;
    }
}

// `%ASA-3-752015: Tunnel Manager has failed to establish an L2L SA.  All configured IKE
//  versions failed to establish the tunnel. Map Tag= outside_map.  Map Sequence Number = 10.`
void ikev2_tunnel_manager(std::string_view text, event& e) noexcept {
    const std::string_view line = text::trim(text.substr(0, text.find('\n')));
    const std::uint8_t version = version_named(line);
    e.ike_version = version;
    map_entry(line, e);
    tunnel_manager_peer(line, e);
    switch (e.msg_number) {
        case 752003:  // Tunnel Manager dispatching a KEY_ACQUIRE message to IKEv{1,2}. Map Tag …
        case 752004:
        case 752013:  // … to IKEv{1,2} after a failed attempt. Map Tag …
        case 752014:
            e.kind = event_kind::key_acquire;
            if (contains(line, "after a failed attempt")) {
                e.set(field::type, "retry");
            }
            break;
        case 752005:
            // `Tunnel Manager failed to dispatch a KEY_ACQUIRE message. Memory may be low.`
            capacity(e, "resources", line);
            break;
        case 752006: {
            // `Tunnel Manager failed to dispatch a KEY_ACQUIRE message. Probable
            //  mis-configuration of the crypto map or tunnel-group. Map Tag = … SRC Addr: …
            //  port: … Dst Addr: … port: …` (the addresses are the traffic's, not the peer's)
            e.kind = event_kind::no_crypto_policy;
            e.set(field::reason, "probable misconfiguration of the crypto map or tunnel-group");
            const std::string_view src = detail::address_after(line, "SRC Addr: ");
            const std::string_view dst = detail::address_after(line, "Dst Addr: ");
            if (!src.empty()) {
                e.set(field::src_ip, src);
            }
            if (!dst.empty()) {
                e.set(field::dst_ip, dst);
            }
            break;
        }
        case 752012:
            // `IKEv2 was unsuccessful at setting up a tunnel. Map Tag = …`
            if (version == 2) {
                ikev2::set_failure(e, line, f::other);
            } else {
                e.kind = event_kind::ike_info;
                e.set(field::reason, line);
            }
            break;
        case 752015:
            // All configured IKE versions failed: the L2L tunnel did not come up.
            ikev2::set_failure(e, line, f::other);
            e.set(field::type, "all_versions_failed");
            break;
        case 752016:
            // `IKEv2 was successful at setting up a tunnel. Map Tag = …`
            e.kind = version == 2 ? event_kind::ikev2_up : event_kind::ike_info;
            break;
        case 752017:
            // `IKEv2 Backup L2L tunnel initiation denied on interface outside matching crypto
            //  map outside_map, sequence number 10. Unsupported configuration.`
            ikev2::set_failure(e, line, f::other);
            if (const std::string_view ifc = word_after(line, "on interface ", " ,");
                !ifc.empty()) {
                e.set(field::interface, ifc);
            }
            if (const std::string_view map = word_after(line, "crypto map ", " ,"); !map.empty()) {
                e.set(field::crypto_map, map);
            }
            break;
        case 752001:  // Tunnel Manager received invalid parameter to remove record.
        case 752002:  // Tunnel Manager Removed entry. Map Tag = …
        case 752007:  // … failed to dispatch a KEY_ACQUIRE message. Entry already in Tunnel …
        case 752008:  // Duplicate entry already in Tunnel Manager.
        case 752009:  // IKEv2 Doesn't support Multiple Peers
        case 752010:  // IKEv2 Doesn't have a proposal specified
        case 752011:  // IKEv1 Doesn't have a transform set specified
        default:
            e.kind = event_kind::ike_info;
            e.set(field::reason, line);
            break;
    }
}

// `%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: Failed to receive the AUTH msg before
//  the timer expired` (Cisco's wording; IOS names the endpoints as `Local:A/P Remote:B/P` when
//  it names them)
bool ikev2_ios_mnemonic(const cisco_message& m, event& e) noexcept {
    const std::string_view mn = m.mnemonic;
    const std::string_view text = m.text;
    e.ike_version = 2;
    const std::string_view remote = token_after(text, "Remote");
    if (!remote.empty()) {
        const std::string_view local = token_after(text, "Local");
        ikev2::set_endpoints(e, ikev2::split_endpoint(local), ikev2::split_endpoint(remote));
    }
    const std::string_view line = text::trim(text.substr(0, text.find('\n')));
    if (mn == "NEG_ABORT") {
        const std::string_view reason = ikev2::reason_after(text, "ERROR:");
        ikev2::set_failure(e, reason.empty() ? line : reason);
    } else if (mn == "SA_UP") {
        e.kind = event_kind::ikev2_up;
    } else if (mn == "SA_DOWN") {
        sa_down(e, ikev2::reason_after(text, "Reason:"));
    } else if (mn == "RECV_CONNECTION_REQUEST") {
        // `Received a IKE_INIT_SA request`
        e.kind = event_kind::ikev2_start;
        e.exchange = ike_exchange::v2_sa_init;
        e.direction = ike_direction::received;
        e.set(field::exchange, to_string(ike_exchange::v2_sa_init));
        e.set(field::direction, "received");
        set_role(e, ike_role::responder);
    } else if (mn == "OSAL_INITIATE_TUNNEL") {
        // `Received request to establish an IPsec tunnel; local traffic selector = …`
        e.kind = event_kind::phase2_start;
        e.phase = 2;
        e.set(field::phase, "2");
        traffic_selectors(text, e);
    } else if (contains(mn, "COOKIE") ||
               text::ifind(text, "COOKIE challenge") != std::string_view::npos) {
        capacity(e, "cookie", line);
    } else if (m.severity >= 0 && m.severity <= 3) {
        ikev2::set_failure(e, line);
    } else {
        e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
        if (!line.empty()) {
            e.set(field::reason, line);
        }
    }
    return true;
}

}  // namespace ikewatch::parsers::decoders
