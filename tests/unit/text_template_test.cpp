#include "rules/text_template.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/peer_fields.hpp"

using namespace ikewatch;
using namespace ikewatch::rules;

namespace {

using source = placeholder::source;

// Fills each placeholder with the names of what it reads: `peer:state+event:state`,
// `event:user`, a fact's number, or nothing.
std::string render_sources(const text_template& t) {
    std::string out;
    t.render_into(out, [](const placeholder& p, std::string& o) {
        if (p.from != source::fields) {
            o += "fact" + std::to_string(static_cast<int>(p.from));
            return true;
        }
        if (p.peer != nullptr) {
            o += "peer:" + std::string(p.peer->name);
        }
        if (p.event) {
            o += p.peer != nullptr ? "+" : "";
            o += "event:" + std::string(parsers::to_string(*p.event));
        }
        if (p.not_logged) {
            o += ":not_logged";
        }
        return p.peer != nullptr || p.event;
    });
    return out;
}

}  // namespace

TEST(Placeholder, FactsComeBeforeFieldsOfTheSameName) {
    EXPECT_EQ(find_placeholder("device")->from, source::device);
    EXPECT_EQ(find_placeholder("peer")->from, source::key);
    EXPECT_EQ(find_placeholder("key")->from, source::key);
    EXPECT_EQ(find_placeholder("for")->from, source::for_time);
    EXPECT_EQ(find_placeholder("confidence")->from, source::confidence);
    // The alert's version when there is a peer; the peer's field is kept for the rest.
    const auto version = find_placeholder("ike_version");
    ASSERT_TRUE(version);
    EXPECT_EQ(version->from, source::ike_version);
    EXPECT_EQ(version->peer, find_peer_field("ike_version"));
}

TEST(Placeholder, FieldsAreLookedUpOnceWithTheirFallbacks) {
    const auto state = find_placeholder("state");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->from, source::fields);
    EXPECT_EQ(state->peer, find_peer_field("state"));
    const auto user = find_placeholder("user");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->peer, nullptr);
    EXPECT_EQ(user->event, parsers::field::user);
    const auto group = find_placeholder("group");
    ASSERT_TRUE(group);
    EXPECT_NE(group->peer, nullptr);
    EXPECT_EQ(group->event, parsers::field::group);
    EXPECT_TRUE(group->not_logged);
    EXPECT_FALSE(user->not_logged);
    EXPECT_FALSE(find_placeholder("no_such_name"));
    EXPECT_FALSE(find_placeholder(""));
}

TEST(TextTemplate, SplitsLiteralsBracesAndPlaceholders) {
    text_template t;
    std::string error;
    ASSERT_TRUE(text_template::compile("{{a}} {state} at {device}, {user}}}", t, error));
    EXPECT_EQ(render_sources(t), "{a} peer:state+event:state at fact0, event:user}");
    EXPECT_EQ(t.render_unfilled(), "{a} (unknown) at (unknown), (unknown)}");
    EXPECT_TRUE(t.unknown_names().empty());
    ASSERT_TRUE(text_template::compile("plain", t, error));
    EXPECT_EQ(t.render_unfilled(), "plain");
    ASSERT_TRUE(text_template::compile("", t, error));
    EXPECT_TRUE(t.empty());
}

TEST(TextTemplate, KeepsNamesNothingFillsForTheLoaderToReport) {
    text_template t;
    std::string error;
    ASSERT_TRUE(text_template::compile("{nope} {peer} {nope2}", t, error));
    EXPECT_EQ(t.unknown_names(), (std::vector<std::string>{"nope", "nope2"}));
    EXPECT_EQ(render_sources(t), "(unknown) fact1 (unknown)");
}

TEST(TextTemplate, RejectsUnbalancedBraces) {
    text_template t;
    std::string error;
    EXPECT_FALSE(text_template::compile("{open", t, error));
    EXPECT_NE(error.find("unclosed"), std::string::npos) << error;
    EXPECT_FALSE(text_template::compile("close}", t, error));
    EXPECT_NE(error.find("unmatched"), std::string::npos) << error;
    EXPECT_FALSE(text_template::compile("{a b}", t, error));
    EXPECT_NE(error.find("bad placeholder"), std::string::npos) << error;
}
