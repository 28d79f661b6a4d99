// IPsec SA and VPN session messages (ASA / PIX / FTD).

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"

namespace ikewatch::parsers::decoders {

using detail::address_after;
using detail::contains;
using detail::word_after;

// `IPSEC: An outbound LAN-to-LAN SA (SPI= 0x2CC7158D) between 24.251.95.213 and 22.22.22.22
//  (user= 22.22.22.22) has been created.`
void ipsec_sa(std::string_view text, event& e) noexcept {
    e.kind = contains(text, "has been deleted") ? event_kind::ipsec_sa_deleted
                                                : event_kind::ipsec_sa_created;
    e.set(field::phase, "2");
    e.phase = 2;
    const bool inbound = contains(text, "An inbound");
    e.set(field::sa_direction, inbound ? "inbound" : "outbound");
    const bool l2l = contains(text, "LAN-to-LAN");
    e.set(field::tunnel_type, l2l ? "l2l" : "ra");
    const std::string_view spi = word_after(text, "SPI= ", ")");
    if (!spi.empty()) {
        e.set(field::spi, spi);
    }
    const std::string_view first = address_after(text, "between ");
    const std::string_view second = address_after(text, " and ");
    const std::string_view user = word_after(text, "(user= ", ")");
    if (!user.empty()) {
        e.set(field::user, user);
    }
    // The order of the two addresses differs between releases; for LAN-to-LAN the user is the
    // tunnel group, which is the peer's address.
    if (!user.empty() && (user == first || user == second) && ip_address::parse(user)) {
        e.set_peer(user);
        e.set(field::local_ip, user == first ? second : first);
    } else {
        e.set_peer(second);
        if (!first.empty()) {
            e.set(field::local_ip, first);
        }
    }
}

// `Group = 78.188.164.121, Username = 78.188.164.121, IP = 78.188.164.121, Session disconnected.
//  Session Type: IPSecLAN2LAN, Duration: 4h:19m:29s, Bytes xmt: 1591776, Bytes rcv: 65821500,
//  Reason: Idle Timeout`
void session_disconnected(std::string_view text, event& e) noexcept {
    e.kind = event_kind::session_disconnected;
    const std::string_view type = word_after(text, "Session Type: ", ",");
    if (!type.empty()) {
        e.set(field::session_type, type);
        const bool l2l = contains(type, "LAN") || contains(type, "L2L");
        e.set(field::tunnel_type, l2l ? "l2l" : (type == "IKEv2" ? "ikev2" : "ra"));
    }
    const std::string_view duration = word_after(text, "Duration: ", ",");
    if (!duration.empty()) {
        e.set(field::duration, duration);
    }
    const std::string_view reason = word_after(text, "Reason: ", "");
    if (!reason.empty()) {
        e.set(field::reason, text::trim(reason));
    }
}

// `IPSEC: Received an ESP packet (SPI= 0x1B86506B, sequence number= 0x28B) from 68.18.122.4
//  (user= Bangalo) to 10.10.1.1 that failed anti-replay checking.`
void ipsec_data_error(std::string_view text, event& e) noexcept {
    e.kind = event_kind::ipsec_data_error;
    const std::string_view from = address_after(text, ") from ");
    e.set_peer(from.empty() ? address_after(text, " from ") : from);
    if (contains(text, "anti-replay")) {
        e.set(field::failure, "anti_replay");
    } else if (contains(text, "failed authentication")) {
        e.set(field::failure, "authentication");
    } else if (contains(text, "non-IPSec")) {
        e.set(field::failure, "not_ipsec");
    } else if (contains(text, "doesn't match the negotiated policy")) {
        // 402116: the decrypted packet's addresses are outside the SA's proxy identities.
        e.set(field::failure, "policy_mismatch");
    }
}

}  // namespace ikewatch::parsers::decoders
