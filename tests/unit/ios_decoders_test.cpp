#include <gtest/gtest.h>

#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;
using ikewatch::test::decode;
using ikewatch::test::value_of;

TEST(Ios, CryptoMnemonics) {
    const auto no_sa = decode(
        "*Mar 1 00:31:55.431: %CRYPTO-4-IKMP_NO_SA: IKE message from "
        "10.1.1.1 has no SA and is not an initialization offer");
    EXPECT_EQ(no_sa.ev.kind, event_kind::no_matching_sa);
    EXPECT_EQ(no_sa.ev.fam, family::ios);
    EXPECT_EQ(no_sa.ev.msg_id, "CRYPTO-4-IKMP_NO_SA");
    EXPECT_EQ(no_sa.ev.peer.view(), "10.1.1.1");
    const auto bad = decode(
        "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 1.2.3.22 failed its "
        "sanity check or is malformed");
    EXPECT_EQ(bad.ev.kind, event_kind::malformed_message);
    const auto mode = decode(
        "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with "
        "peer at 10.0.0.9");
    EXPECT_EQ(mode.ev.kind, event_kind::mode_failure);
    EXPECT_EQ(mode.ev.phase, 2);
    const auto spi = decode(
        "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps rec'd IPSEC packet has invalid spi for "
        "destaddr=10.20.20.10, prot=50, spi=0x22642f0c(576990988), srcaddr=10.10.10.10");
    EXPECT_EQ(spi.ev.peer.view(), "10.10.10.10");
    EXPECT_EQ(value_of(spi.ev, field::spi), "0x22642f0c");
}

TEST(Ios, DebugPacketLinesGiveStateRoleAndConnection) {
    const auto d = decode(
        "*Oct 25 18:53:16.532: ISAKMP-PAK: (1001):sending packet to "
        "203.0.113.1 my_port 500 peer_port 500 (I) MM_KEY_EXCH");
    EXPECT_EQ(d.ev.kind, event_kind::ike_packet);
    EXPECT_EQ(d.ev.conn_id, "1001");
    EXPECT_EQ(d.ev.state_name, "MM_KEY_EXCH");
    EXPECT_EQ(d.ev.role, ike_role::initiator);
    EXPECT_EQ(d.ev.peer.view(), "203.0.113.1");
    const auto old_form = decode(
        "00:27:07: ISAKMP (0:2): received packet from 10.15.58.38 (I) "
        "MM_NO_STATE");
    EXPECT_EQ(old_form.ev.conn_id, "0:2");
    EXPECT_EQ(old_form.ev.direction, ike_direction::received);
}

TEST(Ios, StateChangeWithConsoleNoise) {
    const auto d = decode(
        "*Oct 25 18:53:16.545: ISAKMP: (1001):Old State = "
        "IKE_QM_IPSEC_INSTALL_AWAIT  New State = IKE_QM_PHASE2_COMPLETE.....");
    EXPECT_EQ(d.ev.kind, event_kind::state_change);
    EXPECT_EQ(d.ev.state_name, "IKE_QM_PHASE2_COMPLETE");
    EXPECT_EQ(value_of(d.ev, field::old_state), "IKE_QM_IPSEC_INSTALL_AWAIT");
}

TEST(Ios, FailureTexts) {
    const auto psk = decode(
        "*Oct 25 18:00:00.000: ISAKMP: (0):No pre-shared key with "
        "203.0.113.30!");
    EXPECT_EQ(psk.ev.kind, event_kind::tunnel_group_missing);
    EXPECT_EQ(psk.ev.peer.view(), "203.0.113.30");
    const auto p2 = decode(
        "ISAKMP:(1002):phase 2 SA policy not acceptable! (local 203.0.113.1 "
        "remote 203.0.113.10)");
    EXPECT_EQ(p2.ev.kind, event_kind::crypto_acl_mismatch);
    EXPECT_EQ(p2.ev.peer.view(), "203.0.113.10");
    const auto notify = decode("ISAKMP:(1001):processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3");
    EXPECT_EQ(notify.ev.kind, event_kind::proposal_rejected);
    EXPECT_EQ(notify.ev.phase, 2);
    const auto dup = decode("ISAKMP (0:0): phase 1 packet is a duplicate of a previous packet.");
    EXPECT_EQ(dup.ev.kind, event_kind::duplicate_packet);
    const auto qm = decode("ISAKMP:(1002):deleting node 12 error TRUE reason \"QM rejected\"");
    EXPECT_EQ(qm.ev.kind, event_kind::phase2_failed);
    EXPECT_EQ(value_of(qm.ev, field::reason), "QM rejected");
}

TEST(Ios, SetNewNodeToQmIdleIsNotAState) {
    const auto d = decode("*Oct 25 18:53:16.485: ISAKMP: (0):set new node 0 to QM_IDLE      ");
    EXPECT_EQ(d.ev.kind, event_kind::ike_info);
    EXPECT_TRUE(d.ev.state_name.empty());
}

TEST(Ios, AccessLogAndLogins) {
    const auto acl = decode(
        "Sep  1 10:25:29 10.10.10.1 %SEC-6-IPACCESSLOGP: list 102 denied "
        "udp 10.0.6.56(500) -> 172.36.4.7(500), 1 packet");
    EXPECT_EQ(acl.ev.kind, event_kind::acl_deny);
    EXPECT_EQ(acl.ev.device, "10.10.10.1");
    EXPECT_EQ(value_of(acl.ev, field::dst_ip), "172.36.4.7");
    EXPECT_EQ(acl.ev.peer.view(), "10.0.6.56");
    const auto ok = decode(
        "*May 11 19:38:27.371 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success "
        "[user: autotest] [Source: 172.16.123.215] [localport: 22] at 19:38:27");
    EXPECT_EQ(ok.ev.kind, event_kind::login_success);
    EXPECT_EQ(value_of(ok.ev, field::src_ip), "172.16.123.215");
    const auto ssh = decode(
        "%SSH-5-SSH2_USERAUTH: User 'admin' authentication for SSH2 Session "
        "from 10.1.1.9 (tty = 0) using crypto cipher 'aes256-ctr', hmac "
        "'hmac-sha1' Failed");
    EXPECT_EQ(ssh.ev.kind, event_kind::login_failed);
    EXPECT_EQ(value_of(ssh.ev, field::user), "admin");
}

TEST(Ios, LetterSeverities) {
    const auto d = decode("<188>%SNMP-W-SNMPAUTHFAIL: Access attempted by unauthorized XXX");
    EXPECT_EQ(d.ev.severity, 4);
    EXPECT_EQ(d.ev.msg_id, "SNMP-W-SNMPAUTHFAIL");
}

// Lines from tests/cases/ (DMVPN lab run, GRE-over-IPsec notes, ASA tunnelsup post).
TEST(Ios, DmvpnCryptoSocketAndNhrp) {
    const auto up = decode(
        "*Sep 21 07:25:12.208: %DMVPN-5-CRYPTO_SS:  Tunnel0: local address : 198.51.100.2 remote "
        "address : 203.0.113.2 socket is UP");
    EXPECT_EQ(up.ev.kind, event_kind::ipsec_sa_created);
    EXPECT_EQ(up.ev.peer.view(), "203.0.113.2");
    EXPECT_EQ(value_of(up.ev, field::local_ip), "198.51.100.2");
    EXPECT_EQ(value_of(up.ev, field::service), "dmvpn");
    const auto down = decode(
        "*Sep 21 07:25:05.061: %DMVPN-5-CRYPTO_SS:  Tunnel0: local address : 198.51.100.2 remote "
        "address : 203.0.113.2 socket is DOWN");
    EXPECT_EQ(down.ev.kind, event_kind::ipsec_sa_deleted);
    const auto nhs = decode(
        "*Sep 21 07:25:19.497: %DMVPN-5-NHRP_NHS_DOWN: Tunnel0: Next Hop Server : (Tunnel: "
        "172.16.0.1 NBMA: 203.0.113.2 ) for (Tunnel: 172.16.0.2 NBMA: 198.51.100.2) is DOWN, "
        "Reason: NHRP Registration Failure(NHRP: no error)");
    EXPECT_EQ(nhs.ev.kind, event_kind::nhrp_down);
    EXPECT_EQ(nhs.ev.peer.view(), "203.0.113.2");
    EXPECT_EQ(value_of(nhs.ev, field::reason), "NHRP Registration Failure(NHRP: no error)");
    const auto nhc = decode(
        "*Sep 21 07:41:08.205: %DMVPN-5-NHRP_NHC_UP: Tunnel0: Next Hop Client : (Tunnel: "
        "172.16.0.3 NBMA: 198.51.100.6) for (Tunnel: 172.16.0.1 NBMA: 203.0.113.2) is UP");
    EXPECT_EQ(nhc.ev.kind, event_kind::nhrp_up);
    EXPECT_EQ(nhc.ev.peer.view(), "198.51.100.6");
}

TEST(Ios, UnencryptedPacketNamesItsSender) {
    const auto gre = decode(
        "*Sep 21 07:17:18.037: %CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet. "
        "(ip) vrf/dest_addr= /203.0.113.2, src_addr= 198.51.100.2, prot= 47");
    EXPECT_EQ(gre.ev.kind, event_kind::cleartext_received);
    EXPECT_EQ(gre.ev.peer.view(), "198.51.100.2");
    EXPECT_EQ(value_of(gre.ev, field::dst_ip), "203.0.113.2");
    EXPECT_EQ(value_of(gre.ev, field::protocol), "47");
    // Pasted without its `%`.
    const auto bare = decode(
        "CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.168.15.1 failed its sanity check "
        "or is malformed");
    EXPECT_EQ(bare.ev.kind, event_kind::malformed_message);
    EXPECT_EQ(bare.ev.peer.view(), "192.168.15.1");
}

TEST(Ios, RefusedTransformIsDeclinedNotRejected) {
    const auto d = decode("ISAKMP:(0):atts are not acceptable. Next payload is 0");
    EXPECT_EQ(d.ev.kind, event_kind::proposal_declined);
    EXPECT_EQ(d.ev.phase, 1);
}

TEST(Asa, DecryptedOutsideThePolicy) {
    const auto d = decode(
        "Jan 19 2015 20:00:43: %ASA-4-402116: IPSEC: Received an ESP packet (SPI= 0x76F99C4C, seq"
        "uence number= 0x2D) from 93.184.216.34 (user= 93.184.216.34) to 11.11.11.11.  The decaps"
        "ulated inner packet doesn't match the negotiated policy in the SA.  The packet specifies"
        " its destination as 10.10.10.11, its source as 10.14.155.11, and its protocol as icmp.  "
        "The SA specifies its local proxy as 10.10.10.11/255.255.255.255/ip/0 and its remote_prox"
        "y as 192.168.60.60/255.255.255.255/ip/0.");
    EXPECT_EQ(d.ev.kind, event_kind::ipsec_data_error);
    EXPECT_EQ(d.ev.peer.view(), "93.184.216.34");
    EXPECT_EQ(value_of(d.ev, field::failure), "policy_mismatch");
}
