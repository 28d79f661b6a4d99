#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "ike/states.hpp"
#include "rules/codes.hpp"
#include "rules/load_errors.hpp"
#include "rules/loader.hpp"

using namespace ikewatch::rules;
using ikewatch::diagnostic;

namespace {

load_result load(const std::string& text, const std::string& name = "local.yaml") {
    return load_rules({{name, text}});
}

const char* minimal = R"(
rules:
  - id: T-1
    name: test
    code: peer-dead
    severity: high
    match:
      event: peer_dead
    title: "{device} {peer}"
    cause: "c"
    checks: ["x"]
)";

bool has(const load_result& r, const std::string& code, int line, int col = 0) {
    for (const diagnostic& d : r.problems) {
        if (d.code == code && d.line == line && (col == 0 || d.column == col)) {
            return true;
        }
    }
    return false;
}

std::string all(const load_result& r) {
    std::string out;
    for (const auto& d : r.problems) {
        out += d.to_string() + "\n";
    }
    return out;
}

}  // namespace

TEST(RuleLoader, MinimalRuleCompilesWithDefaults) {
    const auto r = load(minimal);
    ASSERT_TRUE(r.ok()) << all(r);
    ASSERT_EQ(r.rules->rules.size(), 1u);
    const rule& x = r.rules->rules[0];
    EXPECT_EQ(x.kind, rule::type::event);
    EXPECT_EQ(x.version, 1);
    EXPECT_EQ(x.conf, confidence::high);
    // A peer's failure clears when its phase 1 comes up.
    ASSERT_EQ(x.resolve.peer.size(), 1u);
    EXPECT_EQ(x.line, 3);
}

TEST(RuleLoader, EveryProblemIsReportedAtOnceWithItsPosition) {
    const auto r = load(R"(rules:
  - id: T-1
    name: one
    code: no-such-code
    severity: urgent
    colour: red
    match:
      state: MM_WAIT_MSG9
      for: 30 seconds
      peer: {flavour: x}
    title: "{device} {nonsense}"
    cause: "c"
    checks: []
  - id: T-1
    name: dup
    code: peer-dead
    severity: high
    match:
      event: [peer_dead, no_such_event]
      where: {no_such_field: 1, macro: missing}
      count: 2
    title: "t"
    cause: "c"
    checks: []
)");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r, "unknown-code", 4, 11)) << all(r);
    EXPECT_TRUE(has(r, "bad-severity", 5, 15)) << all(r);
    EXPECT_TRUE(has(r, "unknown-key", 6, 5)) << all(r);
    EXPECT_TRUE(has(r, "unknown-state", 8)) << all(r);
    EXPECT_TRUE(has(r, "bad-duration", 9, 12)) << all(r);
    EXPECT_TRUE(has(r, "unknown-field", 10)) << all(r);
    EXPECT_TRUE(has(r, "bad-placeholder", 11)) << all(r);
    EXPECT_TRUE(has(r, "duplicate-id", 14, 9)) << all(r);
    EXPECT_GE(r.problems.size(), 8u);
    for (const diagnostic& d : r.problems) {
        EXPECT_EQ(d.file, "local.yaml");
    }
}

TEST(RuleLoader, SecondRuleErrorsStillFoundWhenFirstIsBroken) {
    const auto r = load(R"(rules:
  - id: A
    name: a
    code: peer-dead
    severity: high
    match: {event: no_such_event}
    title: "t"
    cause: "c"
    checks: []
  - id: B
    name: b
    code: peer-dead
    severity: high
    match: {event: peer_dead, count: 3}
    title: "t"
    cause: "c"
    checks: []
)");
    EXPECT_TRUE(has(r, "unknown-event", 6)) << all(r);
    EXPECT_TRUE(has(r, "missing-key", 14)) << all(r);  // count without within
}

TEST(RuleLoader, YamlSyntaxErrorHasAPosition) {
    const auto r = load("rules:\n  - id: [unclosed\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.problems[0].code, "yaml-syntax");
    EXPECT_GT(r.problems[0].line, 0);
}

TEST(RuleLoader, ListsMacrosAndCustomCodes) {
    const auto r = load(R"(
lists:
  waits: [MM_WAIT_MSG2, MM_WAIT_MSG4]
macros:
  ike: {protocol: udp, port: 500}
codes:
  my-code: "something of ours"
rules:
  - id: L-1
    name: l
    code: my-code
    severity: low
    match: {state: $waits, for: 5s}
    title: "t"
    cause: "c"
    checks: []
  - id: L-2
    name: m
    code: udp500-blocked
    severity: low
    match: {event: acl_deny, where: {macro: ike}}
    title: "t"
    cause: "c"
    checks: []
)");
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_TRUE(r.rules->rules[0].states.test(
        static_cast<std::size_t>(ikewatch::ike::p1_state::mm_wait_msg4)));
    EXPECT_EQ(r.rules->rules[1].where.size(), 2u);
    EXPECT_EQ(r.rules->custom_codes.count("my-code"), 1u);
}

TEST(RuleLoader, BuiltInCodesCannotBeRedefined) {
    const auto r = load("codes:\n  psk-mismatch: \"something else\"\n");
    EXPECT_TRUE(has(r, "duplicate-id", 2, 3)) << all(r);
}

TEST(RuleLoader, IosStateNamesStandForTheirAsaStates) {
    const auto r = load(R"(rules:
  - id: S-1
    name: s
    code: psk-mismatch
    severity: high
    match: {state: MM_KEY_EXCH, for: 30s}
    title: "t"
    cause: "c"
    checks: []
)");
    ASSERT_TRUE(r.ok()) << all(r);
    const auto& st = r.rules->rules[0].states;
    EXPECT_TRUE(st.test(static_cast<std::size_t>(ikewatch::ike::p1_state::mm_wait_msg5)));
    EXPECT_TRUE(st.test(static_cast<std::size_t>(ikewatch::ike::p1_state::mm_wait_msg6)));
    EXPECT_FALSE(st.test(static_cast<std::size_t>(ikewatch::ike::p1_state::mm_wait_msg4)));
}

namespace {

// The shipped pack, then a local file that disables one of its rules and overrides another.
std::vector<rule_source> pack_with_local_file() {
    std::vector<rule_source> sources = shipped_pack();
    sources.push_back({"local.yaml", R"(
disable: [IKW-LG-001]
overrides:
  - id: IKW-P1-030
    severity: critical
    match: {state: MM_WAIT_MSG4, for: 45s, peer: {role: initiator, status: negotiating}}
)"});
    return sources;
}

}  // namespace

TEST(RuleLoader, LocalFilesDisableAndOverrideShippedRules) {
    const auto r = load_rules(pack_with_local_file());
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(r.rules->find("IKW-LG-001"), nullptr);
    const rule* p = r.rules->find("IKW-P1-030");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->sev, severity::critical);
    EXPECT_EQ(p->for_, 45 * ikewatch::micros_per_second);
}

// Every rule of the shipped pack is found by its id, at its own position, through the index the
// loader builds; a set whose index was not built (or is stale) is still searched correctly.
TEST(RuleLoader, EveryRuleIsFoundByIdIndexedOrNot) {
    const auto r = load_rules(shipped_pack());
    ASSERT_TRUE(r.ok()) << all(r);
    const rule_set& set = *r.rules;
    ASSERT_EQ(set.by_id.size(), set.rules.size());
    rule_set unindexed;
    unindexed.rules = set.rules;
    for (std::size_t i = 0; i < set.rules.size(); ++i) {
        EXPECT_EQ(set.find_index(set.rules[i].id), i);
        EXPECT_EQ(set.find(set.rules[i].id), &set.rules[i]);
        EXPECT_EQ(unindexed.find_index(set.rules[i].id), i);
    }
    EXPECT_EQ(set.find("IKW-NOPE-000"), nullptr);
    EXPECT_EQ(set.find_index(""), std::string_view::npos);
    unindexed.index();
    unindexed.rules.pop_back();  // stale: the index has one more id than there are rules
    EXPECT_EQ(unindexed.find(set.rules.back().id), nullptr);
}

// Files read on several threads give the set, or the problems in their order, that one thread
// gives: the reading is shared out, the collecting stays in load order.
TEST(RuleLoader, ReadingOnSeveralThreadsGivesWhatOneGives) {
    const std::vector<rule_source> good = pack_with_local_file();
    std::vector<rule_source> broken = good;
    broken.push_back({"a.yaml", "rules: [ {id: X-1, name: n"});  // not YAML
    broken.push_back({"b.yaml", std::string("colour: blue\n") + minimal});
    broken.push_back({"c.yaml", minimal});  // T-1 again
    broken.push_back({"d.yaml", "overrides:\n  - id: NOPE-1\n    severity: low\n"});
    const auto ids = [](const load_result& r) {
        std::vector<std::string> out;
        for (const rule& x : r.rules->rules) {
            out.push_back(x.id + " " + std::string(to_string(x.sev)) + " " + x.code);
        }
        return out;
    };
    const auto problems = [](const load_result& r) {
        std::vector<std::string> out;
        for (const diagnostic& d : r.problems) {
            out.push_back(d.to_string());
        }
        return out;
    };
    const load_result one = load_rules(good);
    ASSERT_TRUE(one.ok()) << all(one);
    const load_result one_broken = load_rules(broken);
    ASSERT_GE(one_broken.problems.size(), 4U) << all(one_broken);
    for (const std::size_t threads : {2U, 3U, 16U}) {
        const load_result many = load_rules(good, threads);
        ASSERT_TRUE(many.ok()) << all(many);
        EXPECT_EQ(ids(many), ids(one)) << threads << " threads";
        EXPECT_EQ(many.rules->files, one.rules->files) << threads << " threads";
        EXPECT_EQ(problems(load_rules(broken, threads)), problems(one_broken))
            << threads << " threads";
    }
}

TEST(RuleLoader, OverridesOfUnknownRulesAreErrors) {
    const auto r = load("disable: [NOPE]\noverrides:\n  - {id: ALSO-NOPE, severity: low}\n");
    EXPECT_TRUE(has(r, "override-unknown-id", 1)) << all(r);
    EXPECT_TRUE(has(r, "override-unknown-id", 3)) << all(r);
}

// An override that is not a map (a bare word, a list) is a problem at its position, not a crash.
TEST(RuleLoader, OverridesThatAreNotMapsAreReported) {
    const auto r = load("overrides: [x, [y]]\n");
    EXPECT_TRUE(has(r, "missing-key", 1, 13)) << all(r);
    EXPECT_TRUE(has(r, "missing-key", 1, 16)) << all(r);
}

TEST(RuleLoader, ShippedPackLoadsAndCoversEveryDesignCode) {
    const auto r = load_rules(shipped_pack());
    ASSERT_TRUE(r.ok()) << all(r);
    for (const rule& x : r.rules->rules) {
        EXPECT_FALSE(x.checks.empty()) << x.id;
    }
    // Every built-in code is reported by a shipped rule or by a candidate rule (rules/candidates,
    // rules not yet seen firing on a real log).
    const auto with_candidates =
        ikewatch::rules::load_with_pack({std::string(IKEWATCH_SOURCE_DIR) + "/rules/candidates"});
    ASSERT_TRUE(with_candidates.ok()) << all(with_candidates);
    std::set<std::string> used;
    for (const rule& x : with_candidates.rules->rules) {
        used.insert(x.code);
        EXPECT_FALSE(x.checks.empty()) << x.id;
    }
    for (const code_info& c : builtin_codes()) {
        EXPECT_EQ(used.count(std::string(c.code)), 1u) << "no rule reports " << c.code;
    }
}

// `ikewatch explain` knows every state name the tracker reads, and the IKEv2 debug steps.
TEST(RuleLoader, EveryStateNameDevicesPrintIsExplained) {
    std::vector<std::string_view> names = ikewatch::ike::state_alias_names();
    names.insert(names.end(), {"CHILD_I_WAIT", "INFO_R_DONE", "READY", "IN-NEG", "UP-ACTIVE"});
    for (const std::string_view n : names) {
        const bool direct = !state_infos(n).empty();
        EXPECT_TRUE(direct || !state_infos(state_alias_of(n)).empty()) << n;
    }
}

TEST(RuleLoader, DispatchOnlyReachesRulesThatCanMatch) {
    const auto r = load_rules(shipped_pack());
    ASSERT_TRUE(r.ok());
    // Traffic lines that are not IKE meet no rule at all.
    EXPECT_TRUE(
        r.rules->by_event[static_cast<std::size_t>(ikewatch::parsers::event_kind::other)].empty());
    const auto& on_deny =
        r.rules->by_event[static_cast<std::size_t>(ikewatch::parsers::event_kind::acl_deny)];
    EXPECT_LT(on_deny.size(), 4u);
}

namespace {

std::string two_rules(const std::string& extra) {
    return R"(
rules:
  - id: A-1
    name: first
    code: peer-dead
    severity: high
    match: &m
      event: peer_dead
    title: "a"
    cause: "c"
    checks: ["x"]
  - id: A-2
    name: second
    code: peer-dead
    severity: low
    match: *m
    title: "b"
    cause: "c"
    checks: ["x"]
  - id: A-3
    name: third
    code: peer-dead
    severity: medium
    match:
      event: peer_dead
    title: "c"
    cause: "c"
    checks: ["x"]
)" + extra;
}

std::set<std::string> ids(const load_result& r) {
    std::set<std::string> out;
    for (const rule& x : r.rules->rules) {
        out.insert(x.id + ":" + x.name);
    }
    return out;
}

}  // namespace

TEST(RuleLoader, DisableRemovesOnlyThatRule) {
    const auto r = load_rules({{"base.yaml", two_rules("")}, {"local.yaml", "disable: [A-1]\n"}});
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(ids(r), (std::set<std::string>{"A-2:second", "A-3:third"}));
}

TEST(RuleLoader, OverrideOfAnAnchoredKeyLeavesTheOtherRuleAlone) {
    const auto r = load_rules({{"base.yaml", two_rules("")}, {"local.yaml", R"(
overrides:
  - id: A-1
    match:
      event: keepalive_mismatch
)"}});
    ASSERT_TRUE(r.ok()) << all(r);
    for (const rule& x : r.rules->rules) {
        const bool dpd = x.events.test(
            static_cast<std::size_t>(ikewatch::parsers::event_kind::keepalive_mismatch));
        EXPECT_EQ(dpd, x.id == "A-1") << x.id;
    }
}

TEST(RuleLoader, EnabledIsABooleanAndStateTakesNoOperator) {
    auto r = load_rules({{"base.yaml", two_rules("")},
                         {"local.yaml", "overrides:\n  - id: A-3\n    enabled: no\n"}});
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(ids(r), (std::set<std::string>{"A-1:first", "A-2:second"}));
    r = load_rules({{"base.yaml", two_rules("")},
                    {"local.yaml", "overrides:\n  - id: A-3\n    enabled: banana\n"}});
    EXPECT_TRUE(has(r, "bad-type", 3, 14)) << all(r);
    r = load(R"(
rules:
  - id: S-1
    name: s
    code: peer-dead
    severity: high
    match: {state: {ne: MM_ACTIVE}, for: 30s}
    title: "t"
    cause: "c"
    checks: ["x"]
)");
    EXPECT_TRUE(has(r, "bad-type", 7)) << all(r);
}

TEST(RuleLoader, CodesDeclaredOnceAndDurationsBounded) {
    auto r = load_rules(
        {{"a.yaml", "codes:\n  my-code: one\n"}, {"b.yaml", "codes:\n  my-code: two\n"}});
    EXPECT_TRUE(has(r, "duplicate-id", 2, 3)) << all(r);
    r = load(std::string(minimal) + "    suppress: 99999999999999d\n");
    EXPECT_TRUE(has(r, "bad-duration", 12)) << all(r);
}

TEST(RuleLoader, CorrelationIsPerPeerOrPerDevice) {
    const auto with_key = [](const std::string& key) {
        return load(R"(
rules:
  - id: W-1
    name: w
    code: phase2-failed
    severity: high
    match:
      event: invalid_spi
      key: )" + key +
                    R"(
      with: {event: ikev2_state, within: 30s}
    title: "t"
    cause: "c"
    checks: []
)");
    };
    EXPECT_TRUE(with_key("peer").ok());
    EXPECT_TRUE(with_key("device").ok());
    const auto by_field = with_key("src_ip");
    EXPECT_TRUE(has(by_field, "bad-match", 10)) << all(by_field);
}

// The rule reference's table of validation errors lists every load error code, and no other.
TEST(RuleLoader, ReferenceListsEveryLoadErrorCode) {
    std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) + "/docs/rules.md");
    ASSERT_TRUE(in) << "docs/rules.md";
    std::set<std::string> documented;
    bool in_table = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "## Validation errors") {
            in_table = true;
        } else if (in_table && line.starts_with("## ")) {
            break;
        } else if (in_table && line.starts_with("| `")) {
            documented.insert(line.substr(3, line.find('`', 3) - 3));
        }
    }
    std::set<std::string> codes;
    for (const std::string_view name : ikewatch::names_table<ikewatch::rules::load_error>()) {
        codes.emplace(name);
    }
    EXPECT_EQ(documented, codes);
}
