// The rule loader's stages one at a time: reading a file, collecting documents in load order,
// compiling what was collected.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/rule_collector.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/rule_reader.hpp"

using namespace ikewatch::rules;
using ikewatch::diagnostics;

namespace {

rule_document read(const std::string& name, const std::string& text) {
    diagnostics problems;
    auto doc = read_rule_document({name, text}, problems);
    EXPECT_TRUE(problems.empty());
    return doc ? *doc : rule_document{};
}

std::string rule_text(const std::string& id) {
    return "rules:\n  - {id: " + id +
           ", name: n, code: peer-dead, severity: high, match: {event: peer_dead}, title: t, "
           "cause: c, checks: [x]}\n";
}

}  // namespace

TEST(RuleReader, EmptyFileIsNoDocumentAndNoProblem) {
    diagnostics problems;
    EXPECT_FALSE(read_rule_document({"empty.yaml", ""}, problems));
    EXPECT_TRUE(problems.empty());
}

TEST(RuleReader, TextThatIsNotYamlIsReportedWithItsPosition) {
    diagnostics problems;
    EXPECT_FALSE(read_rule_document({"bad.yaml", "rules: [\n  - a\n"}, problems));
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].file, "bad.yaml");
    EXPECT_EQ(problems[0].code, "yaml-syntax");
    EXPECT_GT(problems[0].line, 0);
}

TEST(RuleReader, UnknownTopLevelKeyIsReportedAndTheEntriesKept) {
    diagnostics problems;
    const auto doc = read_rule_document({"f.yaml", "lists: {a: [1]}\nrulez: []\n"}, problems);
    ASSERT_TRUE(doc);
    EXPECT_TRUE(doc->lists.IsMap());
    EXPECT_FALSE(doc->rules);
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].code, "unknown-key");
    EXPECT_EQ(problems[0].line, 2);
    EXPECT_EQ(problems[0].column, 1);
}

TEST(RuleCollector, ListsSpliceOnlyListsDefinedBefore) {
    diagnostics problems;
    rule_collector collector(problems);
    collector.collect(read("f.yaml", "lists:\n  a: [1, 2]\n  b: [$a, 3]\n  c: [$d]\n  d: [4]\n"));
    const list_table& lists = collector.collected().lists;
    EXPECT_EQ(lists.at("b"), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_TRUE(lists.at("c").empty());
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].code, "unknown-list");
    EXPECT_EQ(problems[0].line, 4);
}

TEST(RuleCollector, LaterDocumentsOverrideAndDisableEarlierRules) {
    diagnostics problems;
    rule_collector collector(problems);
    collector.collect(read("pack.yaml", rule_text("A") + "  - {id: B}\n"));
    collector.collect(read("local.yaml", "disable: [B]\noverrides:\n  - {id: A, severity: low}\n"));
    EXPECT_TRUE(problems.empty());
    const auto& rules = collector.collected().rules;
    ASSERT_EQ(rules.size(), 2U);
    EXPECT_FALSE(rules[0].disabled);
    EXPECT_TRUE(rules[1].disabled);
    const raw_rule::value* severity = rules[0].get("severity");
    ASSERT_NE(severity, nullptr);
    EXPECT_EQ(severity->file, "local.yaml");
    EXPECT_EQ(severity->node.Scalar(), "low");
    EXPECT_EQ(rules[0].get("name")->file, "pack.yaml");
}

TEST(RuleCollector, DuplicateRuleIdIsRefusedAndTheFirstKept) {
    diagnostics problems;
    rule_collector collector(problems);
    collector.collect(read("a.yaml", rule_text("A")));
    collector.collect(read("b.yaml", rule_text("A")));
    ASSERT_EQ(collector.collected().rules.size(), 1U);
    EXPECT_EQ(collector.collected().rules[0].file, "a.yaml");
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].file, "b.yaml");
    EXPECT_EQ(problems[0].code, "duplicate-id");
}

TEST(RuleCompiler, DisabledRulesAreLeftOutAndOverriddenKeysReportedWhereTheyCameFrom) {
    diagnostics problems;
    rule_collector collector(problems);
    collector.collect(read("pack.yaml", rule_text("A") + "  - {id: B, enabled: false}\n"));
    collector.collect(read("local.yaml", "overrides:\n  - {id: A, severity: extreme}\n"));
    ASSERT_TRUE(problems.empty());
    const rule_set set = compile_rules(collector.collected(), problems);
    ASSERT_EQ(set.rules.size(), 1U);
    EXPECT_EQ(set.rules[0].id, "A");
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].file, "local.yaml");
    EXPECT_EQ(problems[0].line, 2);
    EXPECT_EQ(problems[0].code, "bad-severity");
}
