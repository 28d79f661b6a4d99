#include "ike/tracker.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parsers/show_sa_parser.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch;
using namespace ikewatch::ike;

namespace {

// Feeds lines through the real decoder and the tracker, one second apart.
class feed {
  public:
    explicit feed(table_options opt = {}) : tracker_(opt) {
        parsers::time_options t;
        t.assume_year = 2026;
        decoder_ = parsers::record_decoder(t);
    }
    transition line(const std::string& text) {
        lines_.push_back(text);
        decoder_.decode(lines_.back(), "fw01", now_, d_);
        now_ += micros_per_second;
        d_.ev.time = now_;
        return tracker_.apply(d_.ev);
    }
    const peer_record& peer(std::string_view addr) const {
        const peer_record* p = tracker_.table().find("fw01", addr);
        EXPECT_NE(p, nullptr) << addr;
        static const peer_record empty;
        return p ? *p : empty;
    }
    ike::tracker& tracker() { return tracker_; }
    micros now() const { return now_; }

  private:
    parsers::record_decoder decoder_;
    parsers::decoded d_;
    ike::tracker tracker_;
    std::vector<std::string> lines_{};
    micros now_ = 1'000 * micros_per_second;
};

std::string packet(const char* dir, const char* payloads, const char* msgid = "0") {
    return std::string("%ASA-7-713236: IP = 203.0.113.5, IKE_DECODE ") + dir +
           " Message (msgid=" + msgid + ") with payloads : HDR + " + payloads +
           " + NONE (0) total length : 100";
}

}  // namespace

TEST(Tracker, InitiatorStuckAtMsg4KeepsItsSinceAndCountsResends) {
    feed f;
    f.line(
        "%ASA-5-713041: IP = 203.0.113.5, IKE Initiator: New Phase 1, Intf outside, IKE Peer "
        "203.0.113.5  local Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  Crypto map "
        "(M)");
    f.line(packet("SENDING", "SA (1) + VENDOR (13)"));
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_wait_msg2);
    f.line(packet("RECEIVED", "SA (1)"));
    const auto t = f.line(packet("SENDING", "KE (4) + NONCE (10)"));
    EXPECT_TRUE(t.changed);
    EXPECT_EQ(t.old_state, p1_state::mm_wait_msg2);
    const micros entered = f.peer("203.0.113.5").since;
    f.line(packet("RESENDING", "KE (4) + NONCE (10)"));
    f.line(packet("RESENDING", "KE (4) + NONCE (10)"));
    const peer_record& p = f.peer("203.0.113.5");
    EXPECT_EQ(p.state, p1_state::mm_wait_msg4);
    EXPECT_EQ(p.state_ios(), "MM_SA_SETUP");
    EXPECT_EQ(p.role, parsers::ike_role::initiator);
    EXPECT_EQ(p.retransmits, 2u);
    EXPECT_EQ(p.since, entered);
    EXPECT_EQ(p.negotiations, 1u);
    EXPECT_EQ(p.status, p1_status::negotiating);
}

TEST(Tracker, ResponderWalksMsg3Msg5Active) {
    feed f;
    f.line(packet("RECEIVED", "SA (1)"));
    EXPECT_EQ(f.peer("203.0.113.5").role, parsers::ike_role::responder);
    f.line(packet("SENDING", "SA (1)"));
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_wait_msg3);
    f.line(packet("RECEIVED", "SA (1)"));  // MM1 again: our MM2 was lost
    EXPECT_EQ(f.peer("203.0.113.5").peer_retransmits, 1u);
    f.line(packet("RECEIVED", "KE (4) + NONCE (10)"));
    f.line(packet("SENDING", "KE (4) + NONCE (10)"));
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_wait_msg5);
    f.line(packet("RECEIVED", "ID (5) + HASH (8)"));
    f.line(packet("SENDING", "ID (5) + HASH (8)"));
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_active);
    EXPECT_EQ(f.peer("203.0.113.5").status, p1_status::up);
}

TEST(Tracker, RoleInferredMidStream) {
    feed f;
    // Joining after MM1/MM2: we receive KE first, so we answer MM3 as responder.
    f.line(packet("RECEIVED", "KE (4) + NONCE (10)"));
    f.line(packet("SENDING", "KE (4) + NONCE (10)"));
    EXPECT_EQ(f.peer("203.0.113.5").role, parsers::ike_role::responder);
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_wait_msg5);
}

TEST(Tracker, FsmHistorySetsWhereItDiedAndFails) {
    feed f;
    f.line(
        "%ASA-7-715065: IP = 203.0.113.5, IKE MM Initiator FSM error history (struct "
        "&0x1)  <state>, <event>:  MM_DONE, EV_ERROR-->MM_WAIT_MSG4, EV_TIMEOUT-->"
        "MM_WAIT_MSG4, NullEvent-->MM_SND_MSG3");
    const peer_record& p = f.peer("203.0.113.5");
    EXPECT_EQ(p.state, p1_state::mm_wait_msg4);
    EXPECT_EQ(p.status, p1_status::failed);
    EXPECT_EQ(p.last_failure, parsers::event_kind::fsm_history);
}

TEST(Tracker, LowLevelMilestonesWithoutDebug) {
    feed f;
    f.line("%ASA-5-713119: Group = 203.0.113.5, IP = 203.0.113.5, PHASE 1 COMPLETED");
    EXPECT_EQ(f.peer("203.0.113.5").state, p1_state::mm_active);
    EXPECT_FALSE(f.peer("203.0.113.5").debug_seen);
    f.line("%ASA-5-713120: Group = 203.0.113.5, IP = 203.0.113.5, PHASE 2 COMPLETED (msgid=1)");
    EXPECT_EQ(f.peer("203.0.113.5").phase2, p2_status::up);
    // A remote-access session ending does not end a tunnel; a LAN-to-LAN one does.
    f.line(
        "%ASA-4-113019: Group = G, Username = u, IP = 203.0.113.5, Session disconnected. "
        "Session Type: SSL, Duration: 0h:01m:00s, Bytes xmt: 1, Bytes rcv: 1, Reason: Idle");
    EXPECT_EQ(f.peer("203.0.113.5").status, p1_status::up);
    f.line(
        "%ASA-4-113019: Group = 203.0.113.5, Username = 203.0.113.5, IP = 203.0.113.5, "
        "Session disconnected. Session Type: LAN-to-LAN, Duration: 0h:32m:16s, Bytes xmt: 1, "
        "Bytes rcv: 1, Reason: User Requested");
    EXPECT_EQ(f.peer("203.0.113.5").status, p1_status::down);
    EXPECT_EQ(f.peer("203.0.113.5").phase2, p2_status::down);
}

TEST(Tracker, PhaseTwoFailureImpliesPhaseOneUp) {
    feed f;
    f.line(
        "[IKEv1]: Group = 203.0.113.5, IP = 203.0.113.5, Rejecting IPSec tunnel: no matching "
        "crypto map entry for remote proxy 10.9.0.0/255.255.255.0/0/0 local proxy "
        "10.1.0.0/255.255.255.0/0/0 on interface outside");
    EXPECT_EQ(f.peer("203.0.113.5").status, p1_status::up);
    EXPECT_EQ(f.peer("203.0.113.5").phase2, p2_status::failed);
}

TEST(Tracker, IosConnectionIdsReachTheirPeer) {
    feed f;
    f.line("ISAKMP: (0):Created a peer struct for 203.0.113.1, peer port 500");
    f.line("ISAKMP: (0):Old State = IKE_READY  New State = IKE_I_MM1");
    EXPECT_EQ(f.peer("203.0.113.1").state, p1_state::mm_wait_msg2);
    // The id is assigned mid-negotiation; lines without an address still reach the peer.
    const auto t = f.line("ISAKMP: (1001):Old State = IKE_I_MM4  New State = IKE_I_MM5");
    ASSERT_NE(t.peer, nullptr);
    EXPECT_EQ(t.peer->peer.view(), "203.0.113.1");
    EXPECT_EQ(f.peer("203.0.113.1").state, p1_state::mm_wait_msg6);
    f.line("ISAKMP: (1001):Old State = IKE_I_MM6  New State = IKE_P1_COMPLETE");
    EXPECT_EQ(f.peer("203.0.113.1").status, p1_status::up);
}

TEST(Tracker, UnknownShowStatesAreKept) {
    feed f;
    parsers::event e;
    parsers::show_row row;
    row.device = "asa";
    row.peer = "203.0.113.7";
    row.state = "AM_TM_INIT_XAUTH_V6C";
    row.role = parsers::ike_role::initiator;
    parsers::to_event(row, "fw01", e);
    e.time = f.now();
    f.tracker().apply(e);
    const peer_record* p = f.tracker().table().find("asa", "203.0.113.7");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->state_asa(), "AM_TM_INIT_XAUTH_V6C");
    EXPECT_EQ(p->state_ios(), "AM_TM_INIT_XAUTH_V6C");
}

TEST(Tracker, TrafficAndLoginsDoNotCreatePeers) {
    feed f;
    f.line(
        "%ASA-4-106023: Deny udp src outside:203.0.113.5/500 dst outside:198.51.100.1/500 by "
        "access-group \"IN\"");
    f.line(
        "%ASA-6-605004: Login denied from 192.0.2.1/2222 to outside:198.51.100.1/ssh for user "
        "\"root\"");
    EXPECT_EQ(f.tracker().table().size(), 0u);
}

TEST(Tracker, EvidenceKeepsTheStartAndTheLatestLines) {
    feed f;
    f.line(
        "%ASA-5-713041: IP = 203.0.113.5, IKE Initiator: New Phase 1, Intf outside, IKE Peer "
        "203.0.113.5  local Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  Crypto map "
        "(M)");
    for (int i = 0; i < 20; ++i) {
        f.line(packet("RESENDING", "SA (1) + VENDOR (13)"));
    }
    const peer_record& p = f.peer("203.0.113.5");
    EXPECT_EQ(p.evidence.size(), evidence_refs::slots);
    std::vector<std::string> seen;
    f.tracker().table().for_each_evidence(
        p, [&](const evidence_entry& l) { seen.emplace_back(l.text); });
    ASSERT_EQ(seen.size(), evidence_refs::slots);
    EXPECT_NE(seen.front().find("713041"), std::string::npos);
    EXPECT_NE(seen.back().find("RESENDING"), std::string::npos);
}

// tests/cases/asa-ikev2-rekey-invalid-spi-flap-palo-alto-cscwc54984.log: the packet line names
// the peer under SA id 229; the address-less lines of that SA reach it.
TEST(Tracker, Ikev2DebugLinesReachTheirPeerThroughTheSaId) {
    feed f;
    f.line(
        "Jul 25 22:35:53 IKEv2-PROTO-4: (229): Received Packet [From 203.0.113.1:500/To "
        "198.51.100.1:500/VRF i0:f0]");
    const auto t = f.line(
        "Jul 25 22:35:53 IKEv2-PROTO-7: (229): SM Trace-> SA: I_SPI=48A0D49E589D838C "
        "R_SPI=9A973412D4DFC9DF (I) MsgID = 00000001 CurState: READY Event: EV_SEND_INVALID_SPI");
    ASSERT_NE(t.peer, nullptr);
    EXPECT_EQ(t.peer->peer.view(), "203.0.113.1");
    const peer_record& p = f.peer("203.0.113.1");
    EXPECT_EQ(p.ike_version, 2);
    EXPECT_EQ(p.state, p1_state::v2_up);
    EXPECT_EQ(p.role, parsers::ike_role::initiator);
}

// INFORMATIONAL and CREATE_CHILD_SA steps run on an established IKE SA: they bring it up and
// drive the child SA, and never show as the IKE SA's state.
TEST(Tracker, Ikev2ChildAndInformationalStepsNameNoIkeState) {
    feed f;
    f.line(
        "Jul 25 22:35:53 IKEv2-PROTO-4: (229): Received Packet [From 203.0.113.1:500/To "
        "198.51.100.1:500/VRF i0:f0]");
    f.line(
        "Jul 25 22:35:53 IKEv2-PROTO-7: (229): SM Trace-> SA: I_SPI=48A0D49E589D838C "
        "R_SPI=9A973412D4DFC9DF (I) MsgID = 00000002 CurState: INFO_I_BLD_INFO Event: "
        "EV_CHK_INFO_TYPE");
    const peer_record& p = f.peer("203.0.113.1");
    EXPECT_EQ(p.state, p1_state::v2_up);
    EXPECT_EQ(p.status, p1_status::up);
    EXPECT_EQ(p.state_asa(), "ESTABLISHED");
    EXPECT_EQ(p.state_ios(), "READY");
    f.line(
        "Jul 25 22:35:54 IKEv2-PROTO-7: (229): SM Trace-> SA: I_SPI=48A0D49E589D838C "
        "R_SPI=9A973412D4DFC9DF (I) MsgID = 00000003 CurState: CHILD_I_WAIT Event: "
        "EV_RECV_CREATE_CHILD");
    EXPECT_EQ(p.phase2, p2_status::negotiating);
    f.line(
        "Jul 25 22:35:54 IKEv2-PROTO-7: (229): SM Trace-> SA: I_SPI=48A0D49E589D838C "
        "R_SPI=9A973412D4DFC9DF (I) MsgID = 00000003 CurState: CHILD_I_DONE Event: "
        "EV_OK");
    EXPECT_EQ(p.phase2, p2_status::up);
    EXPECT_EQ(p.state_ios(), "READY");
}

// Lines from tests/cases/asa-ikev2-transform-set-mismatch-responder-caida.log and
// asa-ikev2-ts-crypto-acl-mismatch-responder-caida.log: once IKE_SA_INIT is done, refused
// proposals are the child SA's, and a crypto-map lookup that matched no entry is kept with them.
TEST(Tracker, Ikev2ProposalsRefusedInIkeAuthFailTheChildSa) {
    const std::string packet_line =
        "IKEv2-PROTO-2: (19): Received Packet [From 20.20.20.1:500/To 30.30.30.1:500/VRF i0:f0]";
    const std::string verify_auth =
        "IKEv2-PROTO-5: (19): SM Trace-> SA: I_SPI=8B54A15A627B9C8A R_SPI=D86FA512E26B1066 (R) "
        "MsgID = 00000001 CurState: R_VERIFY_AUTH Event: EV_PROC_SA_TS";
    {
        feed f;
        f.line(packet_line);
        f.line(verify_auth);
        f.line("IKEv2-PLAT-2: (19): PROXY MATCH on crypto map VPN_MAP seq 1");
        f.line("IKEv2-PROTO-1: (19): Failed to find a matching policy");
        const peer_record& p = f.peer("20.20.20.1");
        EXPECT_EQ(p.phase2, p2_status::failed);
        EXPECT_EQ(p.failure_phase, 2);
        EXPECT_FALSE(p.proxy_unmatched);
    }
    {
        feed f;
        f.line(packet_line);
        f.line(verify_auth);
        f.line("IKEv2-PLAT-2: (19): Crypto Map: No proxy match on map VPN_MAP seq 1");
        EXPECT_TRUE(f.peer("20.20.20.1").proxy_unmatched);
        f.line("IKEv2-PROTO-1: (19): Failed to find a matching policy");
        EXPECT_EQ(f.peer("20.20.20.1").failure_phase, 2);
        EXPECT_TRUE(f.peer("20.20.20.1").proxy_unmatched);
    }
    {
        // Before IKE_SA_INIT is done the same words are about the IKE SA.
        feed f;
        f.line(packet_line);
        f.line(
            "IKEv2-PROTO-5: (19): SM Trace-> SA: I_SPI=8B54A15A627B9C8A R_SPI=0000000000000000 "
            "(R) MsgID = 00000000 CurState: R_INIT Event: EV_RECV_INIT");
        f.line("IKEv2-PROTO-1: (19): Failed to find a matching policy");
        const peer_record& p = f.peer("20.20.20.1");
        EXPECT_EQ(p.status, p1_status::failed);
        EXPECT_EQ(p.failure_phase, 1);
        EXPECT_NE(p.phase2, p2_status::failed);
    }
}

// tests/cases/asa-ikev2-auth-method-mismatch-responder-caida.log: the state machine's EXIT ends
// a failed exchange where it stopped; DELETE takes down an SA that was up.
TEST(Tracker, Ikev2ExitAndDeleteEndTheSaWhereItStood) {
    feed f;
    f.line("IKEv2-PROTO-2: (9): Received Packet [From 20.20.20.1:500/To 30.30.30.1:500/VRF i0:f0]");
    f.line(
        "IKEv2-PROTO-5: (9): SM Trace-> SA: I_SPI=B8A8A3EF521F1036 R_SPI=8C1B73A1ACA358BA (R) "
        "MsgID = 00000001 CurState: R_VERIFY_AUTH Event: EV_CHK_AUTH_TYPE");
    f.line(
        "IKEv2-PROTO-5: (9): SM Trace-> SA: I_SPI=B8A8A3EF521F1036 R_SPI=8C1B73A1ACA358BA (R) "
        "MsgID = 00000001 CurState: EXIT Event: EV_ABORT");
    const peer_record& p = f.peer("20.20.20.1");
    EXPECT_EQ(p.state, p1_state::v2_auth_wait);
    EXPECT_EQ(p.status, p1_status::failed);
    EXPECT_FALSE(p.reported_unknown);

    // DELETE ends one SA, not the peer's tunnel: an IKE SA rekey deletes the SA it replaced, and
    // crossed negotiations delete their loser.
    f.line(
        "IKEv2-PROTO-5: (9): SM Trace-> SA: I_SPI=B8A8A3EF521F1036 R_SPI=8C1B73A1ACA358BA (R) "
        "MsgID = 00000001 CurState: READY Event: EV_R_OK");
    EXPECT_EQ(p.status, p1_status::up);
    f.line(
        "IKEv2-PROTO-5: (7): SM Trace-> SA: I_SPI=27354E58B4E16A54 R_SPI=0869000CD1148461 (R) "
        "MsgID = 00000002 CurState: DELETE Event: EV_FREE_SA");
    EXPECT_EQ(p.status, p1_status::up);

    feed crossed;
    crossed.line(
        "IKEv2-PROTO-2: (9): Received Packet [From 20.20.20.1:500/To 30.30.30.1:500/VRF i0:f0]");
    crossed.line(
        "IKEv2-PROTO-5: (9): SM Trace-> SA: I_SPI=B8A8A3EF521F1036 R_SPI=8C1B73A1ACA358BA (R) "
        "MsgID = 00000001 CurState: R_WAIT_AUTH Event: EV_NO_EVENT");
    crossed.line(
        "IKEv2-PROTO-5: (9): SM Trace-> SA: I_SPI=B8A8A3EF521F1036 R_SPI=8C1B73A1ACA358BA (R) "
        "MsgID = 00000001 CurState: DELETE Event: EV_DELETE");
    EXPECT_EQ(crossed.peer("20.20.20.1").status, p1_status::negotiating);
}

// Cisco defect CSCvd69373 (tests/cases/ios-ikev2-frag-rekey-stale-session-down-negotiating-
// cscvd69373.log): the router's refusal to start a negotiation names no peer; it is a fact of the
// device, and it starts nothing.
TEST(Tracker, HeldIkev2NegotiationIsAFactOfTheDevice) {
    feed f;
    const transition t = f.line("IKEv2:SA is already in negotiation, hence not negotiating again");
    EXPECT_EQ(t.peer, nullptr);
    EXPECT_EQ(f.tracker().table().flags_of("fw01").held_at, f.now());
    EXPECT_EQ(f.tracker().table().size(), 0U);
}

// Two peers on one ASA: a payload-dump line without SA id belongs to the SA of the line before
// it (tests/cases/asa-ikev2-transform-set-mismatch-initiator-caida.log, with a second peer).
TEST(Tracker, Ikev2DumpLinesFollowTheLatestSaId) {
    feed f;
    f.line("IKEv2-PROTO-2: (7): Received Packet [From 40.40.40.1:500/To 20.20.20.1:500/VRF i0:f0]");
    f.line(
        "IKEv2-PROTO-2: (15): Received Packet [From 30.30.30.1:500/To 20.20.20.1:500/VRF i0:f0]");
    f.line(
        "IKEv2-PROTO-5: (15): SM Trace-> SA: I_SPI=8B54A15A627B9C8A R_SPI=D86FA512E26B1066 (I) "
        "MsgID = 00000001 CurState: I_WAIT_AUTH Event: EV_RECV_AUTH");
    const transition t = f.line(
        "IKEv2-PROTO-5: Parse Notify Payload: NO_PROPOSAL_CHOSEN NOTIFY(NO_PROPOSAL_CHOSEN)  Next "
        "payload: NONE, reserved: 0x0, length: 8");
    ASSERT_NE(t.peer, nullptr);
    EXPECT_EQ(t.peer->peer.view(), "30.30.30.1");
    EXPECT_EQ(f.peer("30.30.30.1").phase2, p2_status::failed);
    EXPECT_EQ(f.peer("40.40.40.1").phase2, p2_status::none);
}

// After an SA went down, a refusal belongs to the next negotiation, even when its first lines
// were not seen (syslog only).
TEST(Tracker, Ikev2RefusalAfterTheSaWentDownIsPhaseOne) {
    feed f;
    f.line(
        "%ASA-5-750006: Local:30.30.30.1:500 Remote:40.40.40.1:500 Username:40.40.40.1 IKEv2 SA "
        "UP. Reason: New Connection Established");
    f.line(
        "%ASA-5-750007: Local:30.30.30.1:500 Remote:40.40.40.1:500 Username:40.40.40.1 IKEv2 SA "
        "DOWN. Reason: peer reset");
    f.line(
        "%ASA-4-750003: Local:30.30.30.1:500 Remote:40.40.40.1:500 Username:40.40.40.1 IKEv2 "
        "Negotiation aborted due to ERROR: Received no proposal chosen notify");
    const peer_record& p = f.peer("40.40.40.1");
    EXPECT_EQ(p.failure_phase, 1);
    EXPECT_NE(p.phase2, p2_status::failed);
}
