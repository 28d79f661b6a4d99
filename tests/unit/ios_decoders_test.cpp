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
