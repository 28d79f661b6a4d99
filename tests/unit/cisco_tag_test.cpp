#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "common/text.hpp"
#include "parsers/cisco_message.hpp"

using ikewatch::parsers::decode_cisco;
using ikewatch::parsers::family;

namespace {

std::string tag_line(const char* id) {
    return std::string("%ASA-6-") + id + ": Built x";
}

}  // namespace

// Every six-digit id reads back as itself, leading zeros and nines included.
TEST(CiscoTag, SixDigitIdsReadBack) {
    char id[8];
    for (unsigned n = 0; n <= 999'999; n += 997) {
        std::snprintf(id, sizeof id, "%06u", n);
        const std::string line = tag_line(id);
        const auto m = decode_cisco(line);
        ASSERT_EQ(m.fam, family::asa) << id;
        EXPECT_EQ(m.id, n) << id;
        EXPECT_EQ(m.msg_id, id);
    }
    EXPECT_EQ(decode_cisco(tag_line("999999")).id, 999'999U);
}

// A byte that is not a digit anywhere among the six never becomes part of a number: the
// characters on either side of '0'..'9', letters, spaces and bytes above 0x7F.
TEST(CiscoTag, AnyNonDigitAmongTheSixIsNoNumber) {
    for (std::size_t at = 0; at < 6; ++at) {
        for (const char bad : {'/', ':', 'A', ' ', '-', '\x80', '\xB5', '\xFF', '\x10'}) {
            std::string id = "302013";
            id[at] = bad;
            const std::string line = tag_line(id.c_str());
            const auto m = decode_cisco(line);
            if (m.id != 0) {
                EXPECT_TRUE(ikewatch::text::all_digits(m.msg_id)) << at << ' ' << int(bad);
            }
            EXPECT_NE(m.msg_id, "302013");
        }
    }
}

// The family of the common `%FAC-S-NNNNNN:` shape, read as one word: each family, and none for
// every one-letter change of a family's name.
TEST(CiscoTag, FamilyOfTheCommonShapeIsTheGeneralReadings) {
    EXPECT_EQ(decode_cisco("%ASA-6-302013: x").fam, family::asa);
    EXPECT_EQ(decode_cisco("%FTD-6-302013: x").fam, family::ftd);
    EXPECT_EQ(decode_cisco("%PIX-6-302013: x").fam, family::pix);
    EXPECT_EQ(decode_cisco("%FWSM-6-302013: x").fam, family::asa);
    for (const char* name : {"ASA", "FTD", "PIX"}) {
        for (std::size_t at = 0; at < 3; ++at) {
            for (const char c : {'a', 'Z', '0', '-', ' ', '\x80', '\xFF'}) {
                std::string fac = name;
                if (fac[at] == c) {
                    continue;
                }
                fac[at] = c;
                EXPECT_EQ(decode_cisco("%" + fac + "-6-302013: x").fam, family::none) << fac;
            }
        }
    }
}
