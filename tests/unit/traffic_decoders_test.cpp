#include <utility>

#include <cstddef>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "parsers/decode_helpers.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch::parsers;
using ikewatch::test::decode;
using ikewatch::test::value_of;

TEST(Traffic, AclDenyOfIkeNamesBothEndsAsPeerCandidates) {
    const auto d = decode(
        "<140>Oct 03 2023 16:40:40 fw : %ASA-4-106023: Deny udp src outside:203.0.113.7/500 "
        "dst outside:198.51.100.1/500 by access-group \"OUTSIDE_IN\" [0x0, 0x0]");
    EXPECT_EQ(d.ev.kind, event_kind::acl_deny);
    EXPECT_EQ(value_of(d.ev, field::protocol), "udp");
    EXPECT_EQ(value_of(d.ev, field::dst_port), "500");
    EXPECT_EQ(value_of(d.ev, field::acl), "OUTSIDE_IN");
    EXPECT_EQ(d.ev.peer.view(), "203.0.113.7");
    EXPECT_EQ(d.ev.peer2.view(), "198.51.100.1");
}

TEST(Traffic, AclDenyOfOtherTrafficHasNoPeer) {
    const auto d = decode(
        "%ASA-4-106023: Deny tcp src inside:111.11.11.1/2143 dst "
        "YYY:172.11.1.11/139 by access-group \"inside_inbound\"");
    EXPECT_EQ(d.ev.kind, event_kind::acl_deny);
    EXPECT_TRUE(d.ev.peer.empty());
    EXPECT_EQ(value_of(d.ev, field::src_interface), "inside");
}

TEST(Traffic, EspByProtocolNumber) {
    const auto d = decode(
        "%ASA-3-106010: Deny inbound protocol 50 src outside:203.0.113.9 dst "
        "outside:198.51.100.1");
    EXPECT_EQ(value_of(d.ev, field::protocol), "esp");
    EXPECT_EQ(d.ev.peer.view(), "203.0.113.9");
}

TEST(Traffic, FromToForms) {
    const auto d = decode(
        "%ASA-2-106006: Deny inbound UDP from 203.0.113.9/4500 to "
        "198.51.100.1/4500 on interface outside");
    EXPECT_EQ(value_of(d.ev, field::protocol), "udp");
    EXPECT_EQ(value_of(d.ev, field::interface), "outside");
    EXPECT_TRUE(d.ev.nat_t);
    const auto box = decode(
        "%ASA-3-710003: UDP access denied by ACL from 203.0.113.9/500 to "
        "outside:198.51.100.1/isakmp");
    EXPECT_EQ(value_of(box.ev, field::dst_port), "500");
}

TEST(Traffic, DiscardedEspAndJunkAddresses) {
    const auto esp = decode(
        "%PIX-7-710006: ESP request discarded from 78.188.39.118 to "
        "outside:92.45.66.150");
    EXPECT_EQ(esp.ev.kind, event_kind::request_discarded);
    EXPECT_EQ(esp.ev.peer.view(), "78.188.39.118");
    const auto junk = decode(
        "%PIX-7-710005: UDP request discarded from <public IP of 525>/4500 "
        "to outside:192.168.69.137/4500");
    EXPECT_TRUE(junk.ev.peer.empty());
    EXPECT_EQ(junk.ev.peer2.view(), "192.168.69.137");
}

TEST(Traffic, AccessListLoggingDeniedOnly) {
    const auto denied = decode(
        "%ASA-6-106100: access-list inside denied udp "
        "inside/172.29.2.101(1039) -> outside/192.168.2.10(53) hit-cnt 1");
    EXPECT_EQ(denied.ev.kind, event_kind::acl_deny);
    EXPECT_EQ(value_of(denied.ev, field::dst_port), "53");
    const auto permitted = decode(
        "%ASA-6-106100: access-list inside permitted udp "
        "inside/172.29.2.3(1065) -> outside/192.168.2.57(53) hit-cnt");
    EXPECT_EQ(permitted.ev.kind, event_kind::other);
}

TEST(Traffic, UdpConnectionOnlyForIkePorts) {
    EXPECT_EQ(decode("%ASA-4-302016: Teardown UDP connection 1 for OUTSIDE:67.43.156.13/500 to "
                     "identity:216.160.83.61/500 duration 92:24:20 bytes 4671944")
                  .ev.kind,
              event_kind::udp_connection);
    EXPECT_EQ(decode("%ASA-6-302016: Teardown UDP connection 1 for outside:10.0.0.1/53 to "
                     "inside:10.0.0.2/5353 duration 0:00:00 bytes 1")
                  .ev.kind,
              event_kind::other);
    // Port 4500 counts as 500 does; a port that only contains 500 (51500) does not.
    const auto natt = decode(
        "%ASA-6-302015: Built inbound UDP connection 1 for outside:203.0.113.7/4500 "
        "(203.0.113.7/4500) to identity:198.51.100.1/4500 (198.51.100.1/4500)");
    EXPECT_EQ(natt.ev.kind, event_kind::udp_connection);
    EXPECT_EQ(value_of(natt.ev, field::src_port), "4500");
    EXPECT_EQ(decode("%ASA-6-302015: Built outbound UDP connection 2 for outside:8.8.8.8/53 "
                     "(8.8.8.8/53) to inside:10.0.0.5/51500 (10.0.0.5/51500)")
                  .ev.kind,
              event_kind::other);
}

TEST(Traffic, RouteFailureNamesDestination) {
    const auto d = decode(
        "%PIX-6-110002: Failed to locate egress interface for UDP from "
        "outside:172.16.200.4/10771 to 231.223.174.143/32238");
    EXPECT_EQ(d.ev.kind, event_kind::route_failure);
    EXPECT_EQ(d.ev.peer.view(), "231.223.174.143");
}

TEST(Traffic, ManagementLogins) {
    const auto ssh = decode(
        "%ASA-6-605004: Login denied from 192.168.2.10/32597 to "
        "outside:192.168.2.14/ssh for user \"root\"");
    EXPECT_EQ(ssh.ev.kind, event_kind::login_failed);
    EXPECT_EQ(value_of(ssh.ev, field::src_ip), "192.168.2.10");
    EXPECT_EQ(value_of(ssh.ev, field::user), "root");
    EXPECT_EQ(value_of(ssh.ev, field::dst_port), "22");
    const auto aaa = decode(
        "<166>Aug 28 2023 15:35:01 fw : %ASA-6-113005: AAA user authentication Rejected : reason "
        "= Invalid password : server = 81.2.69.144 : user = a2bcde : user IP = 81.2.69.143");
    EXPECT_EQ(aaa.ev.kind, event_kind::login_failed);
    EXPECT_EQ(value_of(aaa.ev, field::src_ip), "81.2.69.143");
    EXPECT_EQ(value_of(aaa.ev, field::user), "a2bcde");
    EXPECT_EQ(value_of(aaa.ev, field::reason), "Invalid password");
}

// 106023 is read in its usual order, word after word; other orders are found by searching.
TEST(Traffic, AclDenyEndpointsInAnyOrder) {
    const auto usual = decode(
        "%ASA-4-106023: Deny icmp src outside:151.80.47.231 dst outside:116.6.127.112 (type 3, "
        "code 2) by access-group \"OUTSIDE_IN\" [0x0, 0x0]");
    EXPECT_EQ(value_of(usual.ev, field::protocol), "icmp");
    EXPECT_EQ(value_of(usual.ev, field::src_ip), "151.80.47.231");
    EXPECT_EQ(value_of(usual.ev, field::dst_ip), "116.6.127.112");
    EXPECT_EQ(value_of(usual.ev, field::acl), "OUTSIDE_IN");
    const auto swapped = decode(
        "%ASA-4-106023: Deny udp dst outside:198.51.100.1/4500 src outside:203.0.113.7/4500 "
        "by access-group \"OUTSIDE_IN\"");
    EXPECT_EQ(value_of(swapped.ev, field::src_ip), "203.0.113.7");
    EXPECT_EQ(value_of(swapped.ev, field::dst_ip), "198.51.100.1");
    EXPECT_EQ(value_of(swapped.ev, field::dst_port), "4500");
    EXPECT_EQ(value_of(swapped.ev, field::acl), "OUTSIDE_IN");
    // Words one space apart are matched in place; wider spacing is read token by token, to the
    // same fields.
    const std::pair<field, const char*> fields[] = {
        {field::protocol, "udp"},       {field::src_interface, "outside"},
        {field::src_ip, "203.0.113.7"}, {field::dst_ip, "198.51.100.1"},
        {field::dst_port, "500"},       {field::acl, "OUTSIDE_IN"},
    };
    for (const char* line :
         {"%ASA-4-106023: Deny udp src outside:203.0.113.7/500 dst outside:198.51.100.1/500 by "
          "access-group \"OUTSIDE_IN\"",
          "%ASA-4-106023: Deny  udp  src   outside:203.0.113.7/500  dst outside:198.51.100.1/500  "
          "by  access-group \"OUTSIDE_IN\""}) {
        const auto d = decode(line);
        for (const auto& [f, value] : fields) {
            EXPECT_EQ(value_of(d.ev, f), value) << line;
        }
        EXPECT_EQ(d.ev.peer.view(), "203.0.113.7") << line;
    }
    const auto unclosed = decode(
        "%ASA-4-106023: Deny tcp src outside:203.0.113.7/80 dst inside:10.0.0.1/80 by "
        "access-group \"OUTSIDE_IN");
    EXPECT_EQ(value_of(unclosed.ev, field::acl), "OUTSIDE_IN");
    const auto truncated = decode("%ASA-4-106023: Deny tcp src");
    EXPECT_EQ(truncated.ev.kind, event_kind::acl_deny);
    EXPECT_FALSE(truncated.ev.get(field::src_ip).has_value());
}

TEST(Traffic, ProtocolsByNameAndNumber) {
    const std::pair<const char*, const char*> cases[] = {
        {"6", "tcp"},   {"17", "udp"},  {"50", "esp"},    {"51", "ah"},
        {"AH", "ah"},   {"47", "gre"},  {"1", "icmp"},    {"ICMP", "icmp"},
        {"Udp", "udp"}, {"103", "103"}, {"sctp", "sctp"},
    };
    for (const auto& [in, out] : cases) {
        // The event's fields point into the line: it must outlive them.
        const std::string line = std::string("%ASA-3-106010: Deny inbound protocol ") + in +
                                 " src outside:203.0.113.9 dst outside:198.51.100.1";
        const auto d = decode(line);
        EXPECT_EQ(value_of(d.ev, field::protocol), out) << in;
    }
}

// Fields set twice keep the later value; a field never set reads as absent, also after a reset.
TEST(Traffic, EventFieldsReplaceAndReset) {
    event e;
    EXPECT_FALSE(e.get(field::acl).has_value());
    e.set(field::acl, "A");
    e.set(field::protocol, "udp");
    e.set(field::acl, "B");
    EXPECT_EQ(e.get(field::acl), "B");
    EXPECT_EQ(e.field_size(), 2U);
    e.clear();
    EXPECT_FALSE(e.get(field::acl).has_value());
    EXPECT_EQ(e.field_size(), 0U);
    e.set(field::acl, "C");
    EXPECT_EQ(e.get(field::acl), "C");
}

TEST(Traffic, EndpointInOnePassReadsAsTheTokenAndItsParts) {
    using ikewatch::parsers::detail::endpoint;
    using ikewatch::parsers::detail::endpoint_at;
    using ikewatch::parsers::detail::parse_endpoint;
    using ikewatch::parsers::detail::token_at;
    const std::string alphabet = "  :/(1a.)";
    std::mt19937 rng(3);
    std::size_t checked = 0;
    for (std::size_t n = 0; n <= 70; ++n) {
        for (int round = 0; round < 40; ++round) {
            std::string s(n, ' ');
            for (char& c : s) {
                c = alphabet[rng() % alphabet.size()];
            }
            for (std::size_t from = 0; from <= n; from += 1 + rng() % 5) {
                for (const bool with_iface : {true, false}) {
                    std::size_t want_pos = from;
                    const endpoint want = parse_endpoint(token_at(s, want_pos), with_iface);
                    std::size_t pos = from;
                    const endpoint got = endpoint_at(s, pos, with_iface);
                    EXPECT_EQ(pos, want_pos) << '"' << s << "\" from " << from;
                    EXPECT_EQ(got.iface, want.iface) << '"' << s << "\" from " << from;
                    EXPECT_EQ(got.addr, want.addr) << '"' << s << "\" from " << from;
                    EXPECT_EQ(got.port, want.port) << '"' << s << "\" from " << from;
                    ++checked;
                }
            }
        }
    }
    EXPECT_GT(checked, 10'000U);
}

TEST(Traffic, ProtocolNamesInAnyCaseAndByNumber) {
    using ikewatch::parsers::detail::protocol_name;
    EXPECT_EQ(protocol_name("UDP"), "udp");
    EXPECT_EQ(protocol_name("Tcp"), "tcp");
    EXPECT_EQ(protocol_name("eSP"), "esp");
    EXPECT_EQ(protocol_name("GRE"), "gre");
    EXPECT_EQ(protocol_name("17"), "udp");
    EXPECT_EQ(protocol_name("50"), "esp");
    EXPECT_EQ(protocol_name("6"), "tcp");
    EXPECT_EQ(protocol_name("ICMP"), "icmp");
    EXPECT_EQ(protocol_name("AH"), "ah");
    // Anything else is kept as written.
    EXPECT_EQ(protocol_name("udq"), "udq");
    EXPECT_EQ(protocol_name("U@P"), "U@P");
    EXPECT_EQ(protocol_name("sctp"), "sctp");
    EXPECT_EQ(protocol_name(""), "");
}
