// Console prompts and the commands typed at them, as engineers paste them (lines from
// tests/cases/).

#include "parsers/console.hpp"

#include <gtest/gtest.h>

using namespace ikewatch::parsers;

TEST(Console, PromptsNameTheHostAndTheCommand) {
    const auto ios = parse_prompt("R1-VPN#show crypto isakmp sa");
    ASSERT_TRUE(ios);
    EXPECT_EQ(ios->host, "R1-VPN");
    EXPECT_EQ(ios->command, "show crypto isakmp sa");
    EXPECT_FALSE(ios->config_mode);

    const auto asa = parse_prompt("ASA/pri/act(config)# show crypto ipsec sa peer 93.184.216.34");
    ASSERT_TRUE(asa);
    EXPECT_EQ(asa->host, "ASA/pri/act");
    EXPECT_TRUE(asa->config_mode);
    EXPECT_EQ(asa->command, "show crypto ipsec sa peer 93.184.216.34");

    const auto bare = parse_prompt("spoke2#");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->host, "spoke2");
    EXPECT_TRUE(bare->command.empty());

    EXPECT_TRUE(parse_prompt("HQ#clear cry sa   "));
}

TEST(Console, OutputLinesAreNotPrompts) {
    EXPECT_FALSE(parse_prompt("Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete"));
    EXPECT_FALSE(parse_prompt("    #pkts encaps: 26, #pkts encrypt: 26, #pkts digest: 26"));
    EXPECT_FALSE(parse_prompt(" # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb"));
    EXPECT_FALSE(parse_prompt("IKE SA Proposal # 1, Transform # 1 acceptable"));
    EXPECT_FALSE(parse_prompt("172.16.0.1   E  NBMA Address: 203.0.113.2 priority = 0"));
}

TEST(Console, CommandsAreClassifiedWithTheirAbbreviations) {
    EXPECT_EQ(classify_command("show crypto isakmp sa"), console_block::isakmp_sa);
    EXPECT_EQ(classify_command("sh cry isa sa"), console_block::isakmp_sa);
    EXPECT_EQ(classify_command("show isakmp sa detail"), console_block::isakmp_sa);
    EXPECT_EQ(classify_command("sh cry ipse sa peer 203.0.113.2"), console_block::ipsec_sa);
    EXPECT_EQ(classify_command("show crypto ipsec sa | include pkts|current_peer"),
              console_block::ipsec_sa);
    EXPECT_EQ(classify_command("show crypto session detail"), console_block::crypto_session);
    EXPECT_EQ(classify_command("show dmvpn"), console_block::dmvpn);
    EXPECT_EQ(classify_command("show vpn-sessiondb detail l2l"), console_block::sessiondb);
    EXPECT_EQ(classify_command("show crypto ikev2 sa detailed"), console_block::ikev2_sa);
    EXPECT_EQ(classify_command("show ip route"), console_block::routes);
    EXPECT_EQ(classify_command("ping ip 40.10.1.1 source 30.3.1.1"), console_block::ping);
    EXPECT_EQ(classify_command("clear cry sa"), console_block::clear);
    EXPECT_EQ(classify_command("debug crypto isakmp"), console_block::debug);
    EXPECT_EQ(classify_command("show running-config"), console_block::ignored);
    EXPECT_EQ(classify_command("show crypto isakmp peer"), console_block::ignored);
    EXPECT_EQ(classify_command(""), console_block::none);
}
