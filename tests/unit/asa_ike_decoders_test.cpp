#include <utility>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "parsers/decoders.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;
using ikewatch::test::decode;
using ikewatch::test::value_of;

TEST(AsaIke, DecodePacketMainModeFirstMessage) {
    const auto d = decode(
        "May 23 2010 13:15:25: %ASA-7-713236: IP = 22.22.22.22, IKE_DECODE SENDING Message "
        "(msgid=0) with payloads : HDR + SA (1) + VENDOR (13) + VENDOR (13) + NONE (0) total "
        "length : 172");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.ev.kind, event_kind::ike_packet);
    EXPECT_EQ(d.ev.peer.view(), "22.22.22.22");
    EXPECT_EQ(d.ev.direction, ike_direction::sent);
    EXPECT_EQ(d.ev.exchange, ike_exchange::mm_sa);
    EXPECT_EQ(d.ev.ike_msgid, 0u);
}

TEST(AsaIke, DecodePacketClassifiesEveryExchange) {
    struct row {
        const char* payloads;
        const char* msgid;
        ike_exchange want;
    };
    const row rows[] = {
        {"HDR + KE (4) + NONCE (10) + VENDOR (13) + NONE (0)", "0", ike_exchange::mm_ke},
        {"HDR + ID (5) + HASH (8) + IOS KEEPALIVE (128) + VENDOR (13) + NONE (0)", "0",
         ike_exchange::mm_auth},
        {"HDR + SA (1) + KE (4) + NONCE (10) + ID (5) + VENDOR (13) + NONE (0)", "0",
         ike_exchange::am1},
        {"HDR + SA (1) + KE (4) + NONCE (10) + ID (5) + HASH (8) + NONE (0)", "0",
         ike_exchange::am2},
        {"HDR + HASH (8) + NONE (0)", "0", ike_exchange::am3},
        {"HDR + HASH (8) + SA (1) + NONCE (10) + ID (5) + ID (5) + NONE (0)", "6abd3691",
         ike_exchange::quick},
        {"HDR + HASH (8) + NOTIFY (11) + NONE (0)", "c99e184c", ike_exchange::info},
        {"HDR + HASH (8) + NONE (0)", "6abd3691", ike_exchange::quick},
    };
    for (const row& r : rows) {
        const std::string line = std::string(
                                     "%ASA-7-713236: IP = 1.2.3.4, IKE_DECODE RESENDING "
                                     "Message (msgid=") +
                                 r.msgid + ") with payloads : " + r.payloads + " total length : 9";
        const auto d = decode(line);
        EXPECT_EQ(d.ev.exchange, r.want) << r.payloads;
        EXPECT_EQ(d.ev.direction, ike_direction::resent);
    }
}

namespace {

// The packet decoder's two readings of `text` give the same event.
void expect_same_packet_reading(const std::string& text) {
    event in_place;
    event searched;
    decoders::ike_decode_packet(text, in_place);
    decoders::ike_decode_packet_searched(text, searched);
    EXPECT_EQ(in_place.kind, searched.kind) << text;
    EXPECT_EQ(in_place.direction, searched.direction) << text;
    EXPECT_EQ(in_place.ike_msgid, searched.ike_msgid) << text;
    EXPECT_EQ(in_place.payloads, searched.payloads) << text;
    EXPECT_EQ(in_place.exchange, searched.exchange) << text;
    EXPECT_EQ(in_place.aggressive, searched.aggressive) << text;
    ASSERT_EQ(in_place.field_size(), searched.field_size()) << text;
    for (std::size_t i = 0; i < in_place.field_size(); ++i) {
        EXPECT_EQ(in_place.field_at(i), searched.field_at(i)) << text;
        EXPECT_EQ(in_place.value_at(i), searched.value_at(i)) << text;
    }
}

}  // namespace

TEST(AsaIke, PacketLineReadInPlaceAgreesWithTheSearchOnEveryShape) {
    const char* dirs[] = {"SENDING", "RECEIVED", "RESENDING", "SENT", "sending", ""};
    const char* messages[] = {" Message (msgid=", " Message msgid=", "  Message (msgid=",
                              " Message (msgid =", " Message (msgid=msgid="};
    const char* ids[] = {"0", "1f", "6abd3691", "ABCDEF01", "0x1f", "12345678901234567",
                         "",  "zz", "1 2",      "payloads", "fFfF"};
    const char* withs[] = {
        ") with payloads : ", ") with payloads: ", ")  with payloads : ", ") with payload : ", ") ",
        ") with payloads"};
    const char* lists[] = {"HDR + SA (1) + VENDOR (13) + NONE (0)",
                           "HDR + HASH (8) + NOTIFY (11) + NONE (0)", ""};
    const char* tails[] = {" total length : 172", "", " total length"};
    std::size_t checked = 0;
    for (const char* dir : dirs) {
        for (const char* message : messages) {
            for (const char* id : ids) {
                for (const char* with : withs) {
                    for (const char* list : lists) {
                        for (const char* tail : tails) {
                            expect_same_packet_reading(std::string("IKE_DECODE ") + dir + message +
                                                       id + with + list + tail);
                            ++checked;
                        }
                    }
                }
            }
        }
    }
    EXPECT_EQ(checked, 6U * 5 * 11 * 6 * 3 * 3);
}

TEST(AsaIke, PacketLineReadInPlaceAgreesWithTheSearchOnRandomEdits) {
    const std::string base =
        "IKE_DECODE RECEIVED Message (msgid=6abd3691) with payloads : HDR + HASH (8) + SA (1) "
        "+ NONCE (10) + ID (5) + ID (5) + NONE (0) total length : 172";
    const std::string alphabet = " ()=:+x0fF9aZ";
    std::mt19937 rng(7);
    for (int n = 0; n < 20'000; ++n) {
        std::string line = base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits && !line.empty(); ++k) {
            const std::size_t at = rng() % line.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0:
                    line[at] = c;
                    break;
                case 1:
                    line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
                    break;
                default:
                    line.erase(at, 1);
                    break;
            }
        }
        expect_same_packet_reading(line);
    }
}

TEST(AsaIke, DocumentationTypoStillDecodes) {
    const auto d = decode(
        "%ASA-7-713236: IKE_DECODE RECEIVED Message msgid=0) with payloads: HDR + HASH (8) + "
        "NOTIFY (11) + VENDOR (13) + VENDOR (13) + NONE (0)");
    EXPECT_EQ(d.ev.kind, event_kind::ike_packet);
    EXPECT_EQ(d.ev.direction, ike_direction::received);
    EXPECT_EQ(d.ev.exchange, ike_exchange::info);
}

TEST(AsaIke, InitiatorStartNamesPeerMapAndProxies) {
    const auto d = decode(
        "May 23 2010 13:15:25: %ASA-5-713041: IP = 22.22.22.22, IKE Initiator: New Phase 1, "
        "Intf INSIDE, IKE Peer 22.22.22.22  local Proxy Address 172.16.200.0, remote Proxy "
        "Address 192.168.1.0,  Crypto map (MAP-VPN)");
    EXPECT_EQ(d.ev.kind, event_kind::phase1_start);
    EXPECT_EQ(d.ev.role, ike_role::initiator);
    EXPECT_EQ(value_of(d.ev, field::crypto_map), "MAP-VPN");
    EXPECT_EQ(value_of(d.ev, field::interface), "INSIDE");
    EXPECT_EQ(value_of(d.ev, field::proxy_remote), "192.168.1.0");
}

TEST(AsaIke, FsmHistoryFindsWhereTheNegotiationDied) {
    const auto d = decode(
        "172.16.200.253:514 : local7.debug %PIX-7-715065: IP = 78.187.139.180, IKE AM Initiator "
        "FSM error history (struct &0xa087750)  <state>, <event>:  AM_DONE, EV_ERROR-->"
        "AM_WAIT_MSG2, EV_RETRY-->AM_WAIT_MSG2, EV_TIMEOUT-->AM_WAIT_MSG2, NullEvent-->"
        "AM_SND_MSG1, EV_SND_MSG-->AM_SND_MSG1, EV_START_TMR-->AM_SND_MSG1, EV_RESEND_MSG-->"
        "AM_WAIT_MSG2, EV_RETRY");
    EXPECT_EQ(d.ev.kind, event_kind::fsm_history);
    EXPECT_EQ(d.ev.state_name, "AM_WAIT_MSG2");
    EXPECT_TRUE(d.ev.aggressive);
    EXPECT_EQ(d.ev.role, ike_role::initiator);
    EXPECT_EQ(value_of(d.ev, field::failure), "timeout");
}

TEST(AsaIke, PeerComesFromIpNeverFromGroup) {
    const auto d = decode(
        "%PIX-5-713049: Group = hassan, Username = hassan, IP = 81.213.182.130, Security "
        "negotiation complete for User (hassan)  Responder, Inbound SPI = 0x24d9b204, Outbound "
        "SPI = 0xf4491cfd");
    EXPECT_EQ(d.ev.peer.view(), "81.213.182.130");
    EXPECT_EQ(value_of(d.ev, field::group), "hassan");
    EXPECT_EQ(value_of(d.ev, field::user), "hassan");
    EXPECT_EQ(value_of(d.ev, field::tunnel_type), "ra");
    EXPECT_EQ(d.ev.role, ike_role::responder);
}

TEST(AsaIke, GenericIdsDecodeByText) {
    EXPECT_EQ(decode("%ASA-5-713904: IP = 1.2.3.4, Received an un-encrypted INVALID_COOKIE "
                     "notify message, dropping")
                  .ev.kind,
              event_kind::invalid_cookie);
    EXPECT_EQ(decode("%PIX-5-713904: IP = 78.186.68.163, Received encrypted packet with no "
                     "matching SA, dropping")
                  .ev.kind,
              event_kind::no_matching_sa);
    const auto p2 = decode(
        "%ASA-6-713905: Group = g, IP = 192.168.1.1, All IPSec SA proposals "
        "found unacceptable!");
    EXPECT_EQ(p2.ev.kind, event_kind::proposal_rejected);
    EXPECT_EQ(p2.ev.phase, 2);
    const auto tg = decode(
        "%ASA-3-713902: Group = 1.2.3.4, IP = 1.2.3.4, Can't find a valid "
        "tunnel group, aborting...!");
    EXPECT_EQ(tg.ev.kind, event_kind::tunnel_group_missing);
}

TEST(AsaIke, ConsoleLinesWithoutIds) {
    const auto p1 = decode(
        "[IKEv1 DEBUG]: Group = 206.54.167.110, IP = 206.54.167.110, All SA "
        "proposals found unacceptable");
    EXPECT_EQ(p1.ev.kind, event_kind::proposal_rejected);
    EXPECT_EQ(p1.ev.phase, 1);
    EXPECT_EQ(p1.ev.severity, 7);
    const auto map = decode(
        "Feb 16 13:36:40 [IKEv1]: IP = 206.54.167.110, No crypto map bound to interface... "
        "dropping pkt");
    EXPECT_EQ(map.ev.kind, event_kind::crypto_map_missing);
    EXPECT_EQ(map.ev.peer.view(), "206.54.167.110");
    const auto acl = decode(
        "Feb 16 14:13:46 [IKEv1]: Group = 206.54.167.110, IP = 206.54.167.110, Rejecting IPSec "
        "tunnel: no matching crypto map entry for remote proxy 100.120.5.0/255.255.255.0/0/0 "
        "local proxy 10.0.16.0/255.255.255.0/0/0 on interface outside");
    EXPECT_EQ(acl.ev.kind, event_kind::crypto_acl_mismatch);
    EXPECT_EQ(value_of(acl.ev, field::proxy_remote), "100.120.5.0/255.255.255.0/0/0");
    EXPECT_EQ(value_of(acl.ev, field::interface), "outside");
}

TEST(AsaIke, TeardownAndTimeoutCarryReasonAndState) {
    const auto t = decode(
        "Group = 206.54.167.110, IP = 206.54.167.110, Session is being torn "
        "down. Reason: crypto map policy not found");
    EXPECT_EQ(t.ev.kind, event_kind::teardown);
    EXPECT_EQ(value_of(t.ev, field::reason), "crypto map policy not found");
    const auto to = decode(
        "%ASA-5-713136: IP = 1.2.3.4, IKE session establishment timed out "
        "[MM_WAIT_MSG4], aborting!");
    EXPECT_EQ(to.ev.kind, event_kind::negotiation_timeout);
    EXPECT_EQ(to.ev.state_name, "MM_WAIT_MSG4");
}

TEST(AsaIke, NatDetectionReadsBothEnds) {
    const auto d = decode(
        "%ASA-6-713172: Group = 212.9.5.245, IP = 212.9.5.245, Automatic NAT Detection Status:"
        "    Remote end is NOT behind a NAT device    This  end  IS  behind a NAT device");
    EXPECT_EQ(d.ev.kind, event_kind::nat_detection);
    EXPECT_TRUE(d.ev.nat_t);
    const auto none = decode(
        "%ASA-6-713172: IP = 1.2.3.4, Automatic NAT Detection Status: "
        "Remote end is NOT behind a NAT device This end is NOT behind a NAT "
        "device");
    EXPECT_FALSE(none.ev.nat_t);
}

TEST(AsaIke, AttributeMismatchNamesNatTClass) {
    const auto d = decode(
        "%ASA-5-713257: IP = 1.2.3.4, Phase 1 failure: Mismatched attribute "
        "types for class Encapsulation Mode: Rcv'd: UDP-Tunnel Cfg'd: Tunnel");
    EXPECT_EQ(d.ev.kind, event_kind::attribute_mismatch);
    EXPECT_EQ(value_of(d.ev, field::received), "UDP-Tunnel");
    EXPECT_EQ(value_of(d.ev, field::configured), "Tunnel");
    EXPECT_TRUE(d.ev.nat_t);
}

TEST(AsaIke, SessionDisconnectedKnowsTunnelType) {
    const auto l2l = decode(
        "%PIX-4-113019: Group = 78.188.164.121, Username = 78.188.164.121, IP = 78.188.164.121, "
        "Session disconnected. Session Type: IPSecLAN2LAN, Duration: 4h:19m:29s, Bytes xmt: 1, "
        "Bytes rcv: 2, Reason: Idle Timeout");
    EXPECT_EQ(value_of(l2l.ev, field::tunnel_type), "l2l");
    EXPECT_EQ(value_of(l2l.ev, field::reason), "Idle Timeout");
    const auto ssl = decode(
        "<164>Feb 19 2024 16:29:38: %FTD-4-113019: Group = VPN, Username = abcd, IP = "
        "10.0.100.30, Session disconnected. Session Type: SSL, Duration: 1h:24m:30s, Bytes xmt: "
        "1, Bytes rcv: 2, Reason: User Requested");
    EXPECT_EQ(value_of(ssl.ev, field::tunnel_type), "ra");
}

TEST(AsaIke, IpsecSaPeerFromUser) {
    const auto d = decode(
        "<166>Sep 29 2022 15:00:15 hosty : %FTD-6-602304: IPSEC: An inbound LAN-to-LAN SA (SPI= "
        "0xEAEE970F) between 192.168.0.38 and 192.168.0.139 (user= 192.168.0.38) has been "
        "deleted.");
    EXPECT_EQ(d.ev.kind, event_kind::ipsec_sa_deleted);
    EXPECT_EQ(d.ev.peer.view(), "192.168.0.38");
    EXPECT_EQ(value_of(d.ev, field::local_ip), "192.168.0.139");
}

TEST(IkeV2, FailureReasonsAreClassified) {
    const auto d = decode(
        "Apr  7 13:08:35 asa1.pofp.internal %ASA-4-750003: Local:9.8.7.6:500 Remote:2.3.4.5:500 "
        "Username:Unknown IKEv2 Negotiation aborted due to ERROR: Failed to receive the AUTH msg "
        "before the timer expired");
    EXPECT_EQ(d.ev.kind, event_kind::ikev2_failed);
    EXPECT_EQ(d.ev.peer.view(), "2.3.4.5");
    EXPECT_EQ(d.ev.device, "asa1.pofp.internal");
    EXPECT_EQ(value_of(d.ev, field::failure), "auth_timeout");
    EXPECT_EQ(decode("%FTD-4-750003 Local:2.2.2.2:500 Remote:1.1.1.1:500 Username:U IKEv2 "
                     "Negotiation aborted due to ERROR: There was no IPSEC policy found for "
                     "received TS")
                  .ev.get(field::failure)
                  .value_or(""),
              "traffic_selector");
}

TEST(IkeV2, Ipv6EndpointsKeepThePortApart) {
    const auto d = decode(
        "<166>Aug 20 2026 08:57:55 asa-vpn-01 : %ASA-6-751025: "
        "Local:2001:db8::1:4500 Remote:2001:db8::2:50470 Username:e IKEv2 "
        "Group:G IPv4 Address=1.1.1.1 IPv6 address=2001:db8::1234 assigned");
    EXPECT_EQ(d.ev.peer.view(), "2001:db8::2");
    EXPECT_EQ(d.ev.ike_version, 2);
}

TEST(AsaIke, PayloadListsOfAnyShapeReadAsTheirItems) {
    // Items are split at ` + ` and named up to their first ` (`: lists built at random from the
    // characters that matter, decoded, against that rule applied with plain string searches.
    const std::pair<std::string_view, std::uint16_t> names[] = {
        {"SA", payload::sa},      {"KE", payload::ke},         {"NONCE", payload::nonce},
        {"ID", payload::id},      {"HASH", payload::hash},     {"NOTIFY", payload::notify},
        {"DELETE", payload::del}, {"VENDOR", payload::vendor}, {"NAT-D", payload::nat_d},
        {"CERT", payload::cert},  {"CERT_REQ", payload::cert}, {"SIG", payload::sig},
        {"ATTR", payload::attr},
    };
    const auto expected = [&](std::string_view list) {
        std::uint16_t mask = 0;
        while (true) {
            const std::size_t sep = list.find(" + ");
            std::string_view item = list.substr(0, sep);
            item = item.substr(0, item.find(" ("));
            while (!item.empty() && item.front() == ' ') {
                item.remove_prefix(1);
            }
            while (!item.empty() && item.back() == ' ') {
                item.remove_suffix(1);
            }
            for (const auto& [name, bit] : names) {
                if (item == name) {
                    mask = static_cast<std::uint16_t>(mask | bit);
                }
            }
            if (sep == std::string_view::npos) {
                return mask;
            }
            list.remove_prefix(sep + 3);
        }
    };
    const std::string_view pieces[] = {"SA",  "KE", "NONCE", "VENDOR", "NAT-D", "CERT_REQ",
                                       "HDR", " ",  "+",     "(",      ")",     " + ",
                                       " (",  "13", "X",     "ID"};
    std::mt19937 rng(11);
    std::size_t with_bits = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string list;
        const int parts = static_cast<int>(rng() % 12);
        for (int i = 0; i < parts; ++i) {
            list += pieces[rng() % std::size(pieces)];
        }
        const auto d = decode(
            "May 23 2010 13:15:25: %ASA-7-713236: IP = 22.22.22.22, IKE_DECODE SENDING Message "
            "(msgid=0) with payloads : " +
            list + " total length : 172");
        ASSERT_TRUE(d.ok);
        // The decoder takes the list from after the colon's spaces to ` total length`.
        std::string_view given = list;
        while (!given.empty() && (given.front() == ' ' || given.front() == ':')) {
            given.remove_prefix(1);
        }
        ASSERT_EQ(d.ev.payloads, expected(given)) << '"' << list << '"';
        with_bits += d.ev.payloads != 0 ? 1 : 0;
    }
    EXPECT_GT(with_bits, 2000U);
}
