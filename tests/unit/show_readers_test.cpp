// Pasted `show` output other than the ISAKMP tables: show crypto ipsec sa, show crypto session,
// show dmvpn, show vpn-sessiondb, the routing table, and prompts that say what follows. Lines
// from tests/cases/ (their sources are in each file's header).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parsers/show_sa_parser.hpp"

using namespace ikewatch::parsers;

namespace {

std::vector<show_row> parse(const std::vector<std::string>& lines) {
    show_sa_parser p;
    std::vector<show_row> out;
    for (const auto& l : lines) {
        for (const auto& r : p.feed(l)) {
            out.push_back(r);
        }
    }
    for (const auto& r : p.finish()) {
        out.push_back(r);
    }
    return out;
}

const show_row* find(const std::vector<show_row>& rows, show_row::kind k, std::string_view peer) {
    for (const show_row& r : rows) {
        if (r.what == k && r.peer == peer) {
            return &r;
        }
    }
    return nullptr;
}

}  // namespace

TEST(ShowIpsec, CountersAndThePeerTheyBelongTo) {
    // iosxe-show-dmvpn-spoke-esp-blocked-encaps-no-decaps-jp-dmvpn-lab.log
    const auto rows = parse({"IPv4 Crypto ISAKMP SA",
                             "dst             src             state          conn-id status",
                             "203.0.113.2     198.51.100.2    QM_IDLE           1030 ACTIVE", "",
                             "IPv6 Crypto ISAKMP SA", "   current_peer 203.0.113.2 port 500",
                             "    #pkts encaps: 26, #pkts encrypt: 26, #pkts digest: 26",
                             "    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0"});
    const show_row* ipsec = find(rows, show_row::kind::ipsec, "203.0.113.2");
    ASSERT_NE(ipsec, nullptr);
    EXPECT_TRUE(ipsec->ipsec.counters);
    EXPECT_EQ(ipsec->ipsec.encaps, 26u);
    EXPECT_EQ(ipsec->ipsec.decaps, 0u);
    // The ipsec output names the peer, so the table's local address is known: src.
    const show_row* isakmp = find(rows, show_row::kind::isakmp, "203.0.113.2");
    ASSERT_NE(isakmp, nullptr);
    EXPECT_EQ(isakmp->role, ike_role::initiator);
    EXPECT_EQ(isakmp->state, "QM_IDLE");
}

TEST(ShowIpsec, AsaPeerFilterErrorsAndSpi) {
    // asa-recv-errors-proxy-mismatch-tunnelsup.log
    const auto rows =
        parse({"ASA/pri/act(config)# show crypto ipsec sa peer 93.184.216.34",
               "peer address: 93.184.216.34",
               "    Crypto map tag: outside_map, seq num: 10, local addr: 11.11.11.11",
               "      current_peer: 93.184.216.34",
               "      #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0",
               "      #pkts decaps: 105, #pkts decrypt: 0, #pkts verify: 0",
               "      #send errors: 0, #recv errors: 105",
               "      local crypto endpt.: 11.11.11.11, remote crypto endpt.: 93.184.216.34",
               "      current outbound spi: D0E9F6C9"});
    const show_row* r = find(rows, show_row::kind::ipsec, "93.184.216.34");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->device, "ASA/pri/act");
    EXPECT_EQ(r->ipsec.decaps, 105u);
    EXPECT_EQ(r->ipsec.recv_errors, 105u);
    EXPECT_EQ(r->ipsec.local, "11.11.11.11");
    EXPECT_EQ(r->ipsec.sa, ipsec_snapshot::sa_state::present);
}

TEST(ShowIpsec, CountersWithoutTheirPeerLineGoToTheOnlyPeer) {
    // ios-show-transform-mismatch-qm-idle-no-spi-r1vpn-lab.log
    const auto rows =
        parse({"R1-VPN#show crypto isakmp sa", "IPv4 Crypto ISAKMP SA",
               "dst             src             state          conn-id status",
               "198.51.100.2    192.0.2.1       QM_IDLE           1010 ACTIVE", "",
               "IPv6 Crypto ISAKMP SA", "R1-VPN#show crypto ipsec sa",
               "    #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0",
               "    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0",
               "    #send errors 4, #recv errors 0", "     current outbound spi: 0x0(0)",
               "     inbound esp sas:", "R1-VPN#show ip ospf neighbor"});
    const show_row* r = find(rows, show_row::kind::ipsec, "198.51.100.2");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->ipsec.send_errors, 4u);
    EXPECT_EQ(r->ipsec.sa, ipsec_snapshot::sa_state::none);
}

TEST(ShowSessions, CryptoSessionDmvpnAndSessiondb) {
    // ios-healthy-show-crypto-session-genieparser.log
    auto rows =
        parse({"Crypto session current status", "", "Interface: Tunnel13",
               "Session status: UP-ACTIVE     ", "Peer: 11.0.1.1 port 500 ", "  Session ID: 0  ",
               "  IKEv1 SA: local 11.0.1.2/500 remote 11.0.1.1/500 Active ",
               "  IPSEC FLOW: permit 47 host 11.0.1.2 host 11.0.1.1 ",
               "        Active SAs: 2, origin: crypto map"});
    const show_row* s = find(rows, show_row::kind::session, "11.0.1.1");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->status, "UP-ACTIVE");
    EXPECT_EQ(s->ipsec.sa, ipsec_snapshot::sa_state::present);

    // iosxe-healthy-ikev2-mldsa-sa-session-detail-juliogomez-pqc.log: no `Peer:` line; the IKEv2
    // SA line names the remote end.
    rows = parse({"Interface: Tunnel0", "Profile: MLDSA-PROFILE", "Session status: UP-ACTIVE",
                  "  IKEv2 SA: local 10.0.12.1/500 remote 10.0.23.2/500 Active",
                  "          Capabilities:DFUQ connid:2 lifetime:23:59:04"});
    s = find(rows, show_row::kind::session, "10.0.23.2");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->status, "UP-ACTIVE");
    EXPECT_EQ(s->ike_version, 2);

    // iosxe-show-dmvpn-spoke-esp-blocked-encaps-no-decaps-jp-dmvpn-lab.log
    rows = parse({" # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb",
                  " ----- --------------- --------------- ----- -------- -----",
                  "     1 203.0.113.2          172.16.0.1  NHRP 00:01:10     S"});
    s = find(rows, show_row::kind::session, "203.0.113.2");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->status, "DMVPN-NHRP");

    // asa-healthy-show-vpn-sessiondb-detail-l2l-ntc-templates.log: the session's byte counts,
    // not the per-SA ones that follow.
    rows = parse({"Connection   : 172.16.0.1",
                  "Index        : 1                      IP Addr      : 172.16.0.1",
                  "Protocol     : IPSecLAN2LAN           Encryption   : AES256",
                  "Bytes Tx     : 48484156               Bytes Rx     : 875049248",
                  "  Bytes Tx     : 46865224               Bytes Rx     : 2639672"});
    s = find(rows, show_row::kind::session, "172.16.0.1");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->ipsec.encaps, 48484156u);
    EXPECT_EQ(s->ipsec.decaps, 875049248u);
}

TEST(ShowIsakmp, DeletedRowsComeFirstAndAPairTellsNothingAboutTheLocalSide) {
    // ios-show-psk-mismatch-mm-key-exch-r1vpn-lab.log: every row is the same pair of
    // addresses, so the current row's src (the initiator) is taken as local at the end.
    const auto rows =
        parse({"R1-VPN#show crypto isakmp sa",
               "192.0.2.1       198.51.100.2    MM_NO_STATE       1003 ACTIVE (deleted)",
               "198.51.100.2    192.0.2.1       MM_KEY_EXCH       1004 ACTIVE",
               "198.51.100.2    192.0.2.1       MM_NO_STATE       1002 ACTIVE (deleted)"});
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_TRUE(rows[0].deleted);
    EXPECT_TRUE(rows[1].deleted);
    EXPECT_FALSE(rows[2].deleted);
    EXPECT_EQ(rows[2].state, "MM_KEY_EXCH");
    for (const show_row& r : rows) {
        EXPECT_EQ(r.peer, "198.51.100.2");
    }
}

TEST(ShowConsole, ConfigurationIsNotOutput) {
    // iosxe-phase2-policy-not-acceptable-natt-hub-cml-ipsec-lab.log
    const auto rows = parse({"Hub-RTR(config)#ip route 192.168.3.0 255.255.255.0 203.0.113.30",
                             "203.0.113.1     203.0.113.30    QM_IDLE           1003 ACTIVE"});
    EXPECT_TRUE(rows.empty());
}

TEST(ShowConsole, ClearCryptoIsAFactOfTheDevice) {
    // iosxe-healthy-natt-responder-hq-console-capture.log
    const auto rows = parse({"HQ#clear cry sa   "});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].what, show_row::kind::cleared);
    EXPECT_EQ(rows[0].device, "HQ");
}

TEST(ShowRoutes, APeerWithoutARouteIsARow) {
    // The routing table in the IOS form (connected routes, no gateway of last resort); the peer
    // is known from the crypto session listed before it.
    const auto rows =
        parse({"R1# show crypto session", "Interface: GigabitEthernet0/1", "Session status: DOWN",
               "Peer: 25.2.2.2 port 500", "R1# show ip route", "Gateway of last resort is not set",
               "", "C        15.1.1.0/24 is directly connected, GigabitEthernet0/1",
               "L        15.1.1.1/32 is directly connected, GigabitEthernet0/1", "R1#"});
    EXPECT_NE(find(rows, show_row::kind::no_route, "25.2.2.2"), nullptr);

    const auto routed = parse({"R1# show crypto session", "Interface: GigabitEthernet0/1",
                               "Session status: DOWN", "Peer: 25.2.2.2 port 500",
                               "R1# show ip route", "S*    0.0.0.0/0 [1/0] via 15.1.1.5", "R1#"});
    EXPECT_EQ(find(routed, show_row::kind::no_route, "25.2.2.2"), nullptr);
}
