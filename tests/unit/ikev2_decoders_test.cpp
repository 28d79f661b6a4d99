// IKEv2 syslog and debug decoders, on lines from the corpus and tests/cases.

#include <gtest/gtest.h>

#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;
using ikewatch::test::decode;
using ikewatch::test::value_of;

// tests/corpus/sekoia-and-misc-asa-ftd.log
TEST(Ikev2Syslog, SaUpAndNegotiationAborted) {
    const auto up = decode(
        "%FTD-5-750006: Local:2.2.2.2:4500 Remote:1.1.1.1:55543 Username:admin IKEv2 SA UP. "
        "Reason: New Connection Established");
    EXPECT_EQ(up.ev.kind, event_kind::ikev2_up);
    EXPECT_EQ(up.ev.peer.view(), "1.1.1.1");
    EXPECT_TRUE(up.ev.nat_t);
    EXPECT_EQ(value_of(up.ev, field::local_ip), "2.2.2.2");
    EXPECT_EQ(value_of(up.ev, field::reason), "New Connection Established");

    const auto ts = decode(
        "%ASA-4-750003: Local:2.2.2.2:500 Remote:HOSTNAME:500 Username:User1 IKEv2 Negotiation "
        "aborted due to ERROR: There was no IPSEC policy found for received TS");
    EXPECT_EQ(ts.ev.kind, event_kind::ikev2_failed);
    EXPECT_EQ(value_of(ts.ev, field::failure), "traffic_selector");
    EXPECT_EQ(value_of(ts.ev, field::phase), "2");
    EXPECT_EQ(value_of(ts.ev, field::user), "User1");
}

// tests/scenarios/S20-ikev2-auth-timeout.log and tests/corpus/elastic-integrations-cisco_asa.log
TEST(Ikev2Syslog, StartAndAuthTimeout) {
    const auto start = decode(
        "Apr 27 2020 02:03:03 dev01: %ASA-5-750002: Local:81.2.69.144:7777 "
        "Remote:192.168.2.2:7777 Username:admin Received a IKE_INIT_SA request");
    EXPECT_EQ(start.ev.kind, event_kind::ikev2_start);
    EXPECT_EQ(start.ev.exchange, ike_exchange::v2_sa_init);
    EXPECT_EQ(start.ev.role, ike_role::responder);
    EXPECT_EQ(start.ev.peer.view(), "192.168.2.2");

    const auto timeout = decode(
        "Apr  7 13:08:35 asa1.pofp.internal %ASA-4-750003: Local:9.8.7.6:500 Remote:2.3.4.5:500 "
        "Username:Unknown IKEv2 Negotiation aborted due to ERROR: Failed to receive the AUTH msg "
        "before the timer expired");
    EXPECT_EQ(value_of(timeout.ev, field::failure), "auth_timeout");
    EXPECT_EQ(timeout.ev.peer.view(), "2.3.4.5");
}

// tests/cases/asa-ikev2-proposal-mismatch-networkdirection.log
TEST(Ikev2Debug, AsaProtoLineCarriesItsSaId) {
    const auto d = decode("IKEv2-PROTO-1: (16): Failed to find a matching policy");
    EXPECT_EQ(d.ev.kind, event_kind::ikev2_failed);
    EXPECT_EQ(d.ev.ike_version, 2);
    EXPECT_EQ(d.ev.severity, 7);
    EXPECT_EQ(d.ev.conn_id.view(), "v2:16");
    EXPECT_EQ(value_of(d.ev, field::conn_id), "16");
    EXPECT_EQ(value_of(d.ev, field::failure), "proposal");
    EXPECT_TRUE(d.ev.peer.empty());
    // The detail lines around it are not failures.
    EXPECT_NE(decode("IKEv2-PROTO-1: (16): Received Policies:").ev.kind, event_kind::ikev2_failed);
}

// tests/cases/asa-ikev2-rekey-invalid-spi-flap-palo-alto-cscwc54984.log
TEST(Ikev2Debug, AsaPacketLinesNameThePeerExchangeAndNotify) {
    const auto from = decode(
        "Jul 25 22:35:53 IKEv2-PROTO-4: (229): Received Packet [From 203.0.113.1:500/To "
        "198.51.100.1:500/VRF i0:f0]");
    EXPECT_EQ(from.ev.conn_id.view(), "v2:229");
    EXPECT_EQ(from.ev.peer.view(), "203.0.113.1");
    EXPECT_EQ(value_of(from.ev, field::local_ip), "198.51.100.1");
    EXPECT_EQ(from.ev.direction, ike_direction::received);

    const auto exch = decode("(229): IKEv2 CREATE_CHILD_SA Exchange RESPONSE");
    EXPECT_EQ(exch.ev.kind, event_kind::ikev2_packet);
    EXPECT_EQ(exch.ev.exchange, ike_exchange::v2_child);
    EXPECT_TRUE(exch.ev.v2_response);
    EXPECT_EQ(exch.ev.conn_id.view(), "v2:229");

    const auto notify = decode("Jul 25 22:35:53 IKEv2-PROTO-4: (229): Sending INVALID_SPI notify");
    EXPECT_EQ(notify.ev.kind, event_kind::ikev2_notify);
    EXPECT_EQ(value_of(notify.ev, field::notify), "INVALID_SPI");
    EXPECT_EQ(notify.ev.direction, ike_direction::sent);

    const auto state = decode(
        "Jul 25 22:35:53 IKEv2-PROTO-7: (229): SM Trace-> SA: I_SPI=48A0D49E589D838C "
        "R_SPI=9A973412D4DFC9DF (I) MsgID = 00000001 CurState: READY Event: EV_SEND_INVALID_SPI");
    EXPECT_EQ(state.ev.kind, event_kind::ikev2_state);
    EXPECT_EQ(state.ev.state_name, "READY");
    EXPECT_EQ(state.ev.role, ike_role::initiator);

    // `error FALSE` means the PFKEY message itself went through: what it reports is ESP on an
    // SPI the IPsec layer has no SA for.
    const auto pfkey = decode(
        "Jul 25 22:35:53 IKEv2-PLAT-4: Received PFKEY Invalid SPI for SPI 0x8D5E4089, error FALSE");
    EXPECT_EQ(pfkey.ev.kind, event_kind::invalid_spi);
    EXPECT_EQ(value_of(pfkey.ev, field::spi), "0x8D5E4089");
    EXPECT_EQ(value_of(pfkey.ev, field::sa_direction), "inbound");
    EXPECT_EQ(pfkey.ev.ike_version, 2);
    const auto added =
        decode("IKEv2-PLAT-4: Received PFKEY add SA for SPI 0x92EC7FC4, error FALSE");
    EXPECT_NE(added.ev.kind, event_kind::invalid_spi);
    EXPECT_NE(added.ev.kind, event_kind::ikev2_failed);
}

// tests/cases/ftd-ikev2-711001-rekey-invalid-spi-flap-palo-alto-cscvx23833.log: debug output sent
// as syslog (`logging debug-trace`) is read as the debug line inside, under the FTD tag.
TEST(Ikev2Debug, DebugTraceSyslogCarriesTheDebugLine) {
    const auto pfkey = decode(
        "%FTD-5-711001: IKEv2-PLAT-4: Received PFKEY Invalid SPI for SPI 0x1E3EFDFE, error FALSE");
    EXPECT_EQ(pfkey.ev.kind, event_kind::invalid_spi);
    EXPECT_EQ(pfkey.ev.fam, family::ftd);
    EXPECT_EQ(pfkey.ev.msg_id, "711001");
    EXPECT_EQ(pfkey.ev.severity, 7);

    const auto child = decode(
        "%FTD-5-711001: IKEv2-PROTO-7: (3276): SM Trace-> SA: I_SPI=16E0EB3D1B795DA7 "
        "R_SPI=611FCB1009386D19 (I) MsgID = 0000000B CurState: CHILD_I_PROC Event: "
        "EV_OK_RECD_LOAD_IPSEC");
    EXPECT_EQ(child.ev.kind, event_kind::ikev2_state);
    EXPECT_EQ(child.ev.conn_id.view(), "v2:3276");
    EXPECT_EQ(child.ev.state_name, "CHILD_I_PROC");
    EXPECT_EQ(value_of(child.ev, field::exchange), "CREATE_CHILD_SA");

    // 711001 text that is not debug output stays an undecoded 711001 line; a tag nested in the
    // text is not unwrapped again.
    const auto plain = decode("%FTD-5-711001: IPSEC INFO: Destroying an IPSec timer");
    EXPECT_EQ(plain.ev.msg_id, "711001");
    const auto nested =
        decode("%ASA-7-711001: %ASA-7-711001: IKEv2-PLAT-4: Received PFKEY Invalid SPI");
    EXPECT_NE(nested.ev.kind, event_kind::invalid_spi);
}

// tests/cases/asa-ikev2-peer-id-san-check-cisco-117337.log
TEST(Ikev2Debug, AsaFailureClassesAndStateOfAFailedExchange) {
    const auto peer_id = decode("IKEv2-PLAT-1: Peer ID check failed");
    EXPECT_EQ(value_of(peer_id.ev, field::failure), "identity");
    EXPECT_TRUE(peer_id.ev.conn_id.empty());

    const auto tg = decode("IKEv2-PLAT-3: (172) tg_name set to: 172.16.1.1");
    EXPECT_EQ(tg.ev.peer.view(), "172.16.1.1");
    EXPECT_EQ(tg.ev.conn_id.view(), "v2:172");

    // The summary says only that IKE_AUTH failed: the lowest class but one.
    const auto summary = decode("IKEv2-PROTO-3: (172): Auth exchange failed");
    EXPECT_EQ(summary.ev.kind, event_kind::ikev2_failed);
    EXPECT_EQ(value_of(summary.ev, field::failure), "auth_exchange");

    // AUTH_DONE beside EV_FAIL is not an established SA.
    const auto fail = decode(
        "IKEv2-PROTO-5: (172): SM Trace-> SA: I_SPI=833D2323FCB46093 R_SPI=F0B4D318DDDDB783 (I) "
        "MsgID = 00000001 CurState: AUTH_DONE Event: EV_FAIL");
    EXPECT_EQ(fail.ev.kind, event_kind::ikev2_state);
    EXPECT_TRUE(fail.ev.state_name.empty());
}

// tests/cases/ios-ikev2-cert-chain-untrusted-cisco-117337.log,
// ios-ikev2-profile-not-found-dn-cisco-117337.log
TEST(Ikev2Debug, IosSessionIdAndFailures) {
    const auto cert = decode(
        "2328321: Jun 8 19:14:38.059 GMT: IKEv2:(SESSION ID = 14607,SA ID = 68):Verify cert "
        "failed");
    EXPECT_EQ(cert.ev.fam, family::ios);
    EXPECT_EQ(cert.ev.conn_id.view(), "v2:s14607");
    EXPECT_EQ(value_of(cert.ev, field::failure), "auth_cert");

    const auto profile =
        decode("Nov 30 22:49:14.464: IKEv2:%Profile could not be found by peer certificate.");
    EXPECT_EQ(value_of(profile.ev, field::failure), "identity");

    const auto lookup = decode(
        "Nov 30 22:49:14.468: IKEv2:(SESSION ID = 172,SA ID = 1):: Failed to locate an item in "
        "the database");
    EXPECT_EQ(lookup.ev.conn_id.view(), "v2:s172");
    EXPECT_EQ(value_of(lookup.ev, field::failure), "config_lookup");
}

// tests/cases/ios-ikev2-simultaneous-init-ipsec-sa-install-failed-inv-spi-cscve08418.log
TEST(Ikev2Debug, IosErrorPrefix) {
    const auto d = decode(
        "IKEv2-ERROR:(SESSION ID = 263,SA ID = 5):: Creation/Installation of IPsec SA into IPsec "
        "DB failed");
    EXPECT_EQ(d.ev.kind, event_kind::ikev2_failed);
    EXPECT_EQ(d.ev.conn_id.view(), "v2:s263");
    EXPECT_EQ(value_of(d.ev, field::reason),
              "Creation/Installation of IPsec SA into IPsec DB failed");
}

// tests/cases/iosxe-healthy-ikev2-event-trace-genieparser.log: every line names both ends; the
// exchange lines also the role and the direction.
TEST(Ikev2EventTrace, ExchangeLinesAndSessionUp) {
    const auto sent = decode(
        "*Apr  4 00:17:00.436: SA ID:1 SESSION ID:2 Remote: 30.1.1.2/500 Local: 30.1.1.1/500  "
        "(I) Sending IKEv2 IKE_AUTH Exchange REQUEST");
    EXPECT_EQ(sent.ev.kind, event_kind::ikev2_packet);
    EXPECT_EQ(sent.ev.exchange, ike_exchange::v2_auth);
    EXPECT_FALSE(sent.ev.v2_response);
    EXPECT_EQ(sent.ev.direction, ike_direction::sent);
    EXPECT_EQ(sent.ev.role, ike_role::initiator);
    EXPECT_EQ(sent.ev.peer.view(), "30.1.1.2");
    EXPECT_EQ(value_of(sent.ev, field::local_ip), "30.1.1.1");
    EXPECT_EQ(sent.ev.conn_id.view(), "v2:s2");
    EXPECT_EQ(sent.ev.severity, 6);  // kept whether or not debug is on

    const auto answered = decode(
        "*Apr  4 00:17:00.848: SA ID:1 SESSION ID:3 Remote: 30.1.1.2/500 Local: 30.1.1.1/500  "
        "(R) Sending IKEv2 IKE_SA_INIT Exchange RESPONSE");
    EXPECT_EQ(answered.ev.exchange, ike_exchange::v2_sa_init);
    EXPECT_TRUE(answered.ev.v2_response);
    EXPECT_EQ(answered.ev.role, ike_role::responder);

    const auto up = decode(
        "*Apr  4 00:17:00.852: SA ID:1 SESSION ID:3 Remote: 30.1.1.2/500 Local: 30.1.1.1/500  "
        "Session with IKE ID PAIR(30.1.1.2 , 30.1.1.1) is UP");
    EXPECT_EQ(up.ev.kind, event_kind::ikev2_state);
    EXPECT_EQ(up.ev.state_name, "READY");
    EXPECT_EQ(up.ev.peer.view(), "30.1.1.2");
}

// tests/cases/asa-ikev2-*-caida.log: NAT discovery results, the crypto-map lookup of the peer's
// selectors, and notifies in ASA packet dumps.
TEST(Ikev2Debug, AsaNatDiscoveryProxyLookupAndDumpedNotifies) {
    const auto no_nat = decode("IKEv2-PROTO-2: (9): NAT not found");
    EXPECT_EQ(no_nat.ev.kind, event_kind::nat_detection);
    EXPECT_EQ(value_of(no_nat.ev, field::nat), "false");
    EXPECT_FALSE(no_nat.ev.nat_t);

    const auto miss = decode("IKEv2-PLAT-2: (27): Crypto Map: No proxy match on map VPN_MAP seq 1");
    EXPECT_EQ(miss.ev.kind, event_kind::ike_info);
    EXPECT_EQ(value_of(miss.ev, field::type), "no_proxy_match");
    EXPECT_EQ(value_of(miss.ev, field::crypto_map), "VPN_MAP");
    EXPECT_EQ(miss.ev.conn_id.view(), "v2:27");
    const auto hit = decode("IKEv2-PLAT-2: (19): PROXY MATCH on crypto map VPN_MAP seq 1");
    EXPECT_EQ(value_of(hit.ev, field::type), "proxy_match");
    // Without an SA id it still counts: the tracker gives it to a device's only peer.
    const auto incomplete =
        decode("IKEv2-PLAT-2: Crypto map VPN_MAP seq 1 is incomplete due to missing ACL");
    EXPECT_EQ(incomplete.ev.kind, event_kind::ike_info);
    EXPECT_EQ(value_of(incomplete.ev, field::type), "map_incomplete");
    EXPECT_EQ(value_of(incomplete.ev, field::crypto_map), "VPN_MAP");

    const auto parsed = decode(
        "IKEv2-PROTO-5: Parse Notify Payload: NO_PROPOSAL_CHOSEN NOTIFY(NO_PROPOSAL_CHOSEN)  Next "
        "payload: NONE, reserved: 0x0, length: 8");
    EXPECT_EQ(parsed.ev.kind, event_kind::ikev2_notify);
    EXPECT_EQ(value_of(parsed.ev, field::notify), "NO_PROPOSAL_CHOSEN");
    EXPECT_EQ(value_of(parsed.ev, field::direction), "received");
    EXPECT_EQ(value_of(parsed.ev, field::failure), "proposal");

    // Two debug lines run together: the notify ends where the second line begins.
    const auto built = decode(
        "IKEv2-PROTO-5: Construct Notify Payload: AUTHENTICATION_FAILEDIKEv2-PROTO-2: (9): "
        "Building packet for encryption.");
    EXPECT_EQ(built.ev.kind, event_kind::ikev2_notify);
    EXPECT_EQ(value_of(built.ev, field::notify), "AUTHENTICATION_FAILED");
    EXPECT_EQ(value_of(built.ev, field::direction), "sent");

    const auto method = decode(
        "IKEv2-PROTO-1: (9): Peer authentication method configured is mismatching with the method "
        "proposed by peer");
    EXPECT_EQ(value_of(method.ev, field::failure), "auth_method");
}

// tests/cases/asa-ikev2-transform-set-mismatch-initiator-caida.log: the platform debug's
// connection status, on the line after an empty `IKEv2-PLAT-2:` or alone. UP only names the peer
// (the state machine's lines, or 750006, bring the SA up); DOWN takes it down.
TEST(Ikev2Debug, AsaConnectionStatusNamesThePeer) {
    const auto up = decode(
        "IKEv2-PLAT-2:\nCONNECTION STATUS: UP... peer: 30.30.30.1:500, phase1_id: 30.30.30.1");
    EXPECT_EQ(up.ev.kind, event_kind::ike_info);
    EXPECT_EQ(up.ev.peer.view(), "30.30.30.1");
    const auto registered =
        decode("CONNECTION STATUS: REGISTERED... peer: 30.30.30.1:500, phase1_id: 30.30.30.1");
    EXPECT_EQ(registered.ev.kind, event_kind::ike_info);
    EXPECT_EQ(registered.ev.peer.view(), "30.30.30.1");
    EXPECT_EQ(registered.ev.ike_version, 2);
    const auto down =
        decode("CONNECTION STATUS: DOWN... peer: 30.30.30.1:500, phase1_id: 30.30.30.1");
    EXPECT_EQ(down.ev.kind, event_kind::ikev2_down);
    EXPECT_EQ(down.ev.peer.view(), "30.30.30.1");
}

// Cisco defect CSCvd69373: IOS refuses to start a negotiation while it holds one.
TEST(Ikev2Debug, IosHeldNegotiation) {
    const auto held = decode("IKEv2:SA is already in negotiation, hence not negotiating again");
    EXPECT_EQ(held.ev.kind, event_kind::key_acquire);
    EXPECT_EQ(value_of(held.ev, field::type), "held");
    EXPECT_EQ(held.ev.ike_version, 2);
    EXPECT_TRUE(held.ev.peer.empty());
}

// tests/cases/asa-healthy-ikev2-responder-caida.log: messages run together on one line belong to
// the first; the certificate lookup printed in every negotiation without certificates is no
// failure.
TEST(Ikev2Debug, RunTogetherLinesAndBenignLookups) {
    const auto glued = decode(
        "(2):    AES-CBC(2):    SHA256(2):    SHA256(2):    DH_GROUP_2048_MODP/Group "
        "14IKEv2-PROTO-5: Construct Vendor Specific Payload: DELETE-REASONIKEv2-PLAT-2: (2): "
        "Failed to retrieve trusted issuers hashes or none available");
    EXPECT_NE(glued.ev.kind, event_kind::ikev2_failed);
    const auto alone =
        decode("IKEv2-PLAT-2: (2): Failed to retrieve trusted issuers hashes or none available");
    EXPECT_NE(alone.ev.kind, event_kind::ikev2_failed);
    // tests/cases/asa-ikev2-transform-set-mismatch-initiator-caida.log, as the SA is deleted.
    const auto bookkeeping = decode(
        "IKEv2-PLAT-1: Failed to remove peer correlation entry from cikePeerCorrTable.  Local Type "
        "= 0.  Local Address = 0.0.0.0.  Remote Type = 0.  Remote Address = 0.0.0.0.  Correlation "
        "Peer Index = 0. IPSEC Tunnel Index = 0.");
    EXPECT_NE(bookkeeping.ev.kind, event_kind::ikev2_failed);
}
