// Conditions on a peer's number, flag and name fields are answered from the number the field
// holds, without rendering it as text. These tests hold that answer to the one the text gives,
// for every such field, every comparison and operands written in many ways.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ike/peer.hpp"
#include "rules/conditions.hpp"
#include "rules/peer_fields.hpp"

using namespace ikewatch;
using namespace ikewatch::rules;

namespace {

// The field the text-only copy renders (a plain function pointer cannot capture it).
const peer_field* rendered = nullptr;

std::optional<std::string_view> render(const ike::peer_record& p, const device_facts& d) {
    static field_buffer buf;
    return rendered->get(p, d, buf);
}

// The same field read only as text: no number to compare, so matches() takes the text path.
peer_field text_only(const peer_field& f) {
    peer_field copy = f;
    copy.read_text = &render;
    copy.read_number = nullptr;
    return copy;
}

// A record whose every number field holds `n` (cut to the member's width) and whose every name
// and flag field holds the `n`th value of its kind.
ike::peer_record record_with(std::uint32_t n) {
    ike::peer_record p;
    const auto u8 = static_cast<std::uint8_t>(n);
    p.retransmits = p.peer_retransmits = p.replies = p.negotiations = p.events = n;
    p.ipsec.encaps = p.ipsec.decaps = p.ipsec.send_errors = p.ipsec.recv_errors = n;
    p.declined = p.accepted = p.failure_rank = p.failure_phase = p.deleted_attempts = u8;
    p.ike_version = static_cast<std::uint8_t>(n % 3);
    p.ipsec.counters = n % 2 == 0;
    p.nat_t = p.debug_seen = p.proxy_unmatched = n % 2 == 1;
    p.role = static_cast<parsers::ike_role>(n % 3);
    p.mode = static_cast<ike::ike_mode>(n % 3);
    p.status = static_cast<ike::p1_status>(n % 5);
    p.phase2 = static_cast<ike::p2_status>(n % 5);
    p.ipsec.installed = static_cast<ike::ipsec_sa>(n % 3);
    return p;
}

}  // namespace

TEST(PeerConditions, NumbersFlagsAndNamesAnswerAsTheirTextDoes) {
    const std::vector<std::vector<std::string>> operands = {
        {"0"},    {"1"},     {"2"},         {"02"},        {"2.0"},          {" 2"},
        {"1e1"},  {"10"},    {"abc"},       {"1", "3"},    {"4294967295"},   {"-1"},
        {"true"}, {"false"}, {"initiator"}, {"RESPONDER"}, {"up", "failed"}, {"nego"},
        {"main"}, {""},      {"none"},      {"present"},   {"1.5"},          {"+1"},
    };
    const std::vector<op> ops = {op::eq, op::ne,  op::in,     op::not_in,   op::gt,    op::gte,
                                 op::lt, op::lte, op::exists, op::contains, op::prefix};
    const std::vector<std::uint32_t> numbers = {0, 1, 2, 3, 4, 10, 255, 4294967295U};
    std::vector<device_facts> devices;
    devices.reserve(16);
    for (int bits = 0; bits < 16; ++bits) {
        devices.push_back({(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0});
    }

    std::size_t compared = 0;
    std::size_t held = 0;
    for (const peer_field& f : peer_fields()) {
        if (f.read_number == nullptr) {
            continue;
        }
        rendered = &f;
        const peer_field slow_field = text_only(f);
        for (const op o : ops) {
            for (const auto& values : operands) {
                for (const bool expect : {true, false}) {
                    peer_predicate fast;
                    fast.field = &f;
                    fast.comparison = o;
                    fast.values = values;
                    fast.expect = expect;
                    fast.prepare();
                    peer_predicate slow = fast;
                    slow.field = &slow_field;
                    slow.prepare();
                    for (const std::uint32_t n : numbers) {
                        const ike::peer_record p = record_with(n);
                        for (const device_facts& d : devices) {
                            const bool want = slow.matches(&p, d);
                            ASSERT_EQ(fast.matches(&p, d), want)
                                << f.name << " op " << static_cast<int>(o) << " value "
                                << (values.empty() ? "" : values.front()) << " expect " << expect
                                << " peer value " << n;
                            held += want ? 1 : 0;
                            ++compared;
                        }
                    }
                    // No peer: only the device's own facts, or `exists: false`, can hold.
                    for (const device_facts& d : devices) {
                        ASSERT_EQ(fast.matches(nullptr, d), slow.matches(nullptr, d)) << f.name;
                    }
                }
            }
        }
    }
    // Both answers came up often: the comparison was not between two constant answers.
    EXPECT_GT(compared, 100'000U);
    EXPECT_GT(held, compared / 10);
    EXPECT_LT(held, compared - compared / 10);
}

TEST(PeerConditions, FieldsRenderAsRulesAndPlaceholdersShowThem) {
    ike::peer_record p = record_with(1);
    p.role = parsers::ike_role::initiator;
    p.retransmits = 3;
    p.nat_t = true;
    p.ipsec.counters = false;
    p.ike_version = 0;
    const device_facts d{.debug_seen = true};
    field_buffer buf;
    EXPECT_EQ(find_peer_field("role")->get(p, d, buf), "initiator");
    EXPECT_EQ(find_peer_field("retransmits")->get(p, d, buf), "3");
    EXPECT_EQ(find_peer_field("nat_t")->get(p, d, buf), "true");
    EXPECT_EQ(find_peer_field("device_debug_seen")->get(p, d, buf), "true");
    EXPECT_EQ(find_peer_field("device_isakmp_off")->get(p, d, buf), "false");
    EXPECT_EQ(find_peer_field("encaps")->get(p, d, buf), std::nullopt);  // not shown
    EXPECT_EQ(find_peer_field("ike_version")->get(p, d, buf), "1");      // 0 reads as IKEv1
}
