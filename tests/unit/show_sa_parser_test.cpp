#include "parsers/show_sa_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

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

}  // namespace

TEST(ShowSa, AsaBlockForm) {
    const auto rows = parse({"ASA-LAB1# show isakmp sa", "1   IKE Peer: 50.56.229.98",
                             "    Type    : L2L             Role    : initiator ",
                             "    Rekey   : no              State   : MM_ACTIVE <<annotation"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].device, "ASA-LAB1");
    EXPECT_EQ(rows[0].peer, "50.56.229.98");
    EXPECT_EQ(rows[0].state, "MM_ACTIVE");
    EXPECT_EQ(rows[0].role, ike_role::initiator);
}

TEST(ShowSa, AsaCollapsedOntoOneLine) {
    const auto rows =
        parse({"(ASA) 1 IKE Peer: 172.18.254.89 Type : user Role : responder Rekey : "
               "no State : MM_WAIT_MSG3"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].state, "MM_WAIT_MSG3");
    EXPECT_EQ(rows[0].role, ike_role::responder);
}

TEST(ShowSa, IosTableFindsTheLocalAddress) {
    const auto rows = parse({"Hub-RTR#show crypto isakmp sa", "IPv4 Crypto ISAKMP SA",
                             "dst             src             state          conn-id status",
                             "203.0.113.1     203.0.113.20    QM_IDLE           1002 ACTIVE",
                             "203.0.113.10    203.0.113.1     QM_IDLE           1001 ACTIVE",
                             "IPv6 Crypto ISAKMP SA"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].peer, "203.0.113.20");
    EXPECT_EQ(rows[0].role, ike_role::responder);
    EXPECT_EQ(rows[1].peer, "203.0.113.10");
    EXPECT_EQ(rows[1].role, ike_role::initiator);
}

TEST(ShowSa, IosCollapsedTableOnThePromptLine) {
    const auto rows =
        parse({"r3640# show crypto isakmp sa dst src state conn-id slot status "
               "192.1.1.40 192.1.1.20 QM_IDLE 1 0 ACTIVE"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].device, "r3640");
    EXPECT_EQ(rows[0].peer, "192.1.1.40");
    EXPECT_EQ(rows[0].state, "QM_IDLE");
}

TEST(ShowSa, AsaIkev2Table) {
    const auto rows =
        parse({"Tunnel-id Local                 Remote                 Status   Role",
               "  3686011 2001:db8:2:1::1/500   2001:db8:2:1::2/500    READY    INITIATOR",
               "Child sa: local selector  2001:db8:1:2::/0 - 2001:db8:1:2:ffff/65535",
               "          remote selector 2001:db8:3:2::/0 - 2001:db8:3:2:ffff/65535"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].peer, "2001:db8:2:1::2");
    EXPECT_EQ(rows[0].ike_version, 2);
}

TEST(ShowSa, MixedCaseAndUnknownStatesAreKept) {
    const auto rows =
        parse({"IKE Peer      Type  Dir   Rky  State      Encrypt Hash  Auth    Lifetime",
               "1 209.165.200.225 User  Resp  No   AM_Active  3des    SHA   preshrd 86400",
               "1   IKE Peer: {Public IP address of London ASA}",
               "    Type    : user            Role    : initiator",
               "    Rekey   : no              State   : AM_TM_INIT_XAUTH_V6C"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].state, "AM_Active");
    EXPECT_EQ(rows[0].role, ike_role::responder);
    EXPECT_EQ(rows[1].state, "AM_TM_INIT_XAUTH_V6C");
    EXPECT_EQ(rows[1].peer, "{Public IP address of London ASA}");
}

TEST(ShowSa, GarbageProducesNothing) {
    EXPECT_TRUE(
        parse({"IKE Peer:", "State :", "dst src state", "1 2 3 4 5 6", "#", "::::"}).empty());
}

// tests/cases/ios-show-selector-mismatch-r3vpn-lab.log: a failed ping is reported for each peer
// the session's show output named, also output pasted before the first prompt.
TEST(ShowSa, FailedPingIsReportedForThePeersShown) {
    const auto rows =
        parse({"   current_peer 192.0.2.1 port 500",
               "    #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0",
               "     current outbound spi: 0x0(0)",
               "R3-VPN#ping 10.10.10.1 source Loopback0 repeat 5", "Type escape sequence to abort.",
               "Sending 5, 100-byte ICMP Echos to 10.10.10.1, timeout is 2 seconds:",
               "Packet sent with a source address of 10.30.30.1 ", ".....",
               "Success rate is 0 percent (0/5)"});
    std::vector<const show_row*> pings;
    for (const auto& r : rows) {
        if (r.what == show_row::kind::ping_failed) {
            pings.push_back(&r);
        }
    }
    ASSERT_EQ(pings.size(), 1u);
    EXPECT_EQ(pings[0]->peer, "192.0.2.1");
    EXPECT_EQ(pings[0]->device, "");  // where the peer's output was read
    EXPECT_EQ(pings[0]->target, "10.10.10.1");
    EXPECT_EQ(pings[0]->source, "10.30.30.1");

    event e;
    to_event(*pings[0], "r3.log", e);
    EXPECT_EQ(e.kind, event_kind::ping_failed);
    EXPECT_EQ(e.get(field::dst_ip).value_or(""), "10.10.10.1");
}

TEST(ShowSa, AnsweredPingOrOtherDevicesPeersReportNothing) {
    const auto rows = parse({"R1#show crypto ipsec sa", "   current_peer 192.0.2.1 port 500",
                             "     current outbound spi: 0x0(0)", "R1#ping 10.10.10.1",
                             "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/4 ms",
                             "R2#ping 10.10.10.1", "Success rate is 0 percent (0/5)"});
    for (const auto& r : rows) {
        EXPECT_NE(r.what, show_row::kind::ping_failed) << r.device << " " << r.peer;
    }
}

// IOS and newer ASA tables have an fvrf/ivrf column before the status; only the ASA's has a role.
TEST(ShowSa, Ikev2TablesWithVrfColumn) {
    const auto ios = parse({"R1#show crypto ikev2 sa", "IPv4 Crypto IKEv2 SA",
                            "Tunnel-id Local Remote fvrf/ivrf Status",
                            "1 172.16.1.1/500 172.16.1.2/500 none/none READY"});
    ASSERT_EQ(ios.size(), 1u);
    EXPECT_EQ(ios[0].peer, "172.16.1.2");
    EXPECT_EQ(ios[0].state, "READY");
    EXPECT_EQ(ios[0].role, ike_role::unknown);
    const auto asa = parse({"Tunnel-id Local Remote fvrf/ivrf Status Role",
                            "442665449 10.1.1.1/500 10.2.2.2/500 Global/Global READY RESPONDER"});
    ASSERT_EQ(asa.size(), 1u);
    EXPECT_EQ(asa[0].state, "READY");
    EXPECT_EQ(asa[0].role, ike_role::responder);
}

// IOS-XE prints IPv6 IKEv2 SAs with the addresses on lines of their own after the row.
TEST(ShowSa, Ikev2Ipv6RowsWithAddressLines) {
    const auto rows =
        parse({" IPv6 Crypto IKEv2  SA", "Tunnel-id    fvrf/ivrf              Status",
               "1          none/none             READY", "Local  2001:DB8:1101::131/500",
               "Remote  2001:DB8:1201::122/500", "      Life/Active Time: 86400/218 sec"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].peer, "2001:DB8:1201::122");
    EXPECT_EQ(rows[0].state, "READY");
    EXPECT_EQ(rows[0].ike_version, 2);
}

// IOS-XE `show crypto ikev2 sa detailed` (genieparser fixtures, tests/cases/iosxe-healthy-ikev2-
// sa-detailed-ivrf-natt-inside-genieparser.log and iosxe-healthy-ikev2-sa-detailed-manual-ppk-
// genieparser.log): the table row has no role; `Initiator of SA` in the SA's details gives it,
// and the row is given again with it.
TEST(ShowSa, Ikev2DetailedNamesTheRole) {
    const auto rows =
        parse({"Tunnel-id Local                 Remote                fvrf/ivrf            Status",
               "973       92.1.121.1/500        22.1.1.2/500          none/121             READY",
               "      Status Description: Negotiation done", "      NAT-T is not detected",
               "      Initiator of SA : Yes"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].role, ike_role::unknown);
    EXPECT_EQ(rows[1].peer, "22.1.1.2");
    EXPECT_EQ(rows[1].state, "READY");
    EXPECT_EQ(rows[1].role, ike_role::initiator);

    const auto responder =
        parse({"Tunnel-id Local                 Remote                fvrf/ivrf            Status ",
               "5         2.2.2.2/500           1.1.1.2/500           none/none            READY  ",
               "      Initiator of SA : No"});
    ASSERT_EQ(responder.size(), 2u);
    EXPECT_EQ(responder[1].peer, "1.1.1.2");
    EXPECT_EQ(responder[1].role, ike_role::responder);

    // A detail line before any row names no one.
    EXPECT_TRUE(
        parse({"Tunnel-id Local Remote fvrf/ivrf Status", "      Initiator of SA : Yes"}).empty());
}
