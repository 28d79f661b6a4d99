// The JSON the web page draws, from corpus logs replayed through the real pipeline and rule
// pack: groups and their order, counts and filters, the ladder of both ends of one tunnel.

#include "outputs/page_json.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parsers/console.hpp"
#include "parsers/record_splitter.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

using namespace ikewatch;

namespace {

class replayed {
  public:
    replayed() {
        rules_ = rules::load_with_pack({}).rules;
        pipeline::pipeline_options o;
        o.time.assume_year = 2026;
        o.table.idle_expiry = 1LL << 60;
        o.rules = rules_;
        o.sink = &sink_;
        o.replay = true;
        pipe_ = std::make_unique<pipeline::pipeline>(std::move(o));
    }
    /// Replays a file as device `device` (in a replay the source names a device).
    /// Replays a file as `device`; with `without_prompts`, console prompt lines (which would
    /// name the device after the prompt's host) are left out.
    void add(const std::string& file, const std::string& device, bool without_prompts = false) {
        std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) + "/tests/" + file);
        std::stringstream ss;
        ss << in.rdbuf();
        texts_.push_back(ss.str());
        parsers::record_splitter(true).split(texts_.back(), [&](std::string_view r) {
            if (!(without_prompts && parsers::parse_prompt(r))) {
                pipe_->process(r, device, 1'780'000'000 * micros_per_second);
            }
        });
        pipe_->finish(device);
    }
    [[nodiscard]] outputs::shard_visitor shards() const {
        return [this](const std::function<void(const outputs::shard_view&)>& f) {
            const outputs::device_now_fn now_of = [&](std::string_view d) {
                return pipe_->device_now(d);
            };
            f(outputs::shard_view{pipe_->tracker().table(), pipe_->engine(), now_of});
        };
    }

  private:
    std::shared_ptr<const rules::rule_set> rules_;
    rules::collecting_sink sink_;
    std::unique_ptr<pipeline::pipeline> pipe_;
    std::vector<std::string> texts_;
};

}  // namespace

TEST(PageJson, PercentDecoding) {
    EXPECT_EQ(outputs::percent_decode("2001%3Adb8%3A%3A2", false), "2001:db8::2");
    EXPECT_EQ(outputs::percent_decode("a+b%2Fc", true), "a b/c");
    EXPECT_EQ(outputs::percent_decode("a+b", false), "a+b");
    EXPECT_EQ(outputs::percent_decode("%G1", false), std::nullopt);
    EXPECT_EQ(outputs::percent_decode("%4", false), std::nullopt);
}

TEST(PageJson, QueryString) {
    const auto q = outputs::parse_fleet_query(
        "q=psk&group=stuck&device=fw%2Fhq&code=psk-mismatch&has_alert=1&limit=5000&offset=x&z=1");
    EXPECT_EQ(q.q, "psk");
    EXPECT_EQ(q.group, ike::peer_group::stuck);
    EXPECT_EQ(q.device, "fw/hq");
    EXPECT_EQ(q.code, "psk-mismatch");
    EXPECT_TRUE(q.has_alert);
    EXPECT_EQ(q.limit, outputs::fleet_query::max_limit);
    EXPECT_EQ(q.offset, 0U);
    EXPECT_EQ(outputs::parse_fleet_query("group=bogus").group, std::nullopt);
}

TEST(PageJson, FleetStuckFirstCountsIgnoreTheGroupFilter) {
    replayed r;
    r.add("scenarios/S00-asa-initiator-healthy.log", "fw-branch");
    r.add("cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log", "fw-hq");
    outputs::page_context ctx;
    ctx.seq = 7;
    const auto all = outputs::fleet_json(r.shards(), {}, ctx);
    EXPECT_EQ(all["schema"], 1);
    EXPECT_EQ(all["seq"], 7);
    EXPECT_EQ(all["total"], 2);
    EXPECT_EQ(all["counts"]["stuck"], 1);
    EXPECT_EQ(all["counts"]["established"], 1);
    ASSERT_EQ(all["peers"].size(), 2U);
    const auto& first = all["peers"][0];
    EXPECT_EQ(first["device"], "fw-hq");
    EXPECT_EQ(first["ike"]["group"], "stuck");
    EXPECT_EQ(first["ike"]["state"], "MM_WAIT_MSG4");
    EXPECT_EQ(first["ike"]["state_ios"], "MM_SA_SETUP");
    EXPECT_EQ(first["ike"]["in_state_ms"], 8000);
    EXPECT_EQ(first["alert"]["code"], "tunnel-group-or-psk-missing");
    EXPECT_EQ(all["sources"]["devices"], 2);

    outputs::fleet_query q;
    q.group = ike::peer_group::established;
    const auto est = outputs::fleet_json(r.shards(), q, ctx);
    ASSERT_EQ(est["peers"].size(), 1U);
    EXPECT_EQ(est["peers"][0]["device"], "fw-branch");
    EXPECT_EQ(est["counts"]["stuck"], 1);
    q = {};
    q.q = "sa_setup";  // the IOS name, case-insensitive
    EXPECT_EQ(outputs::fleet_json(r.shards(), q, ctx)["matched"], 1);
    q = {};
    q.has_alert = true;
    EXPECT_EQ(outputs::fleet_json(r.shards(), q, ctx)["matched"], 1);
    q = {};
    q.limit = 1;
    q.offset = 1;
    const auto page2 = outputs::fleet_json(r.shards(), q, ctx);
    ASSERT_EQ(page2["peers"].size(), 1U);
    EXPECT_EQ(page2["peers"][0]["device"], "fw-branch");
}

TEST(PageJson, PeerViewLadderWaitingAndTimeline) {
    replayed r;
    r.add("cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log", "fw-hq");
    const auto v = outputs::peer_page_json(r.shards(), "fw-hq", "233.22.22.233", {});
    ASSERT_TRUE(v.has_value());
    const auto& l = (*v)["ladder"];
    EXPECT_EQ(l["exchange"], "main");
    EXPECT_EQ(l["us"], "i");
    EXPECT_EQ(l["detail"], "steps");
    EXPECT_EQ(l["steps"][2]["seen"], "rejected");
    EXPECT_EQ(l["steps"][2]["rejected_by"], "peer");
    EXPECT_EQ(l["steps"][2]["resends"], 1);
    EXPECT_EQ(l["steps"][3]["seen"], "missing");
    EXPECT_EQ(l["steps"][3]["expected_since"], "2010-06-10T17:36:05.000Z");
    EXPECT_EQ(l["waiting"]["for"], "MM4");
    EXPECT_EQ(l["waiting"]["last_sent"], "MM3");
    EXPECT_EQ(l["waiting"]["for_ms"], 8000);
    EXPECT_EQ(l["waiting"]["active"], false);  // INVALID_COOKIE ended it
    EXPECT_EQ((*v)["now"], "2010-06-10T17:36:13.000Z");
    EXPECT_GE((*v)["timeline"].size(), 2U);
    EXPECT_EQ((*v)["diagnoses"][0]["diagnosis"]["code"], "tunnel-group-or-psk-missing");
    EXPECT_FALSE(outputs::peer_page_json(r.shards(), "fw-hq", "192.0.2.1", {}).has_value());
}

TEST(PageJson, BothEndsOfOneTunnel) {
    // Two routers, each named by its address (as syslog without host names is), log the same
    // negotiation.
    replayed r;
    r.add("cases/iosxe-healthy-natt-initiator-site-a-console-capture.log", "103.1.1.1", true);
    r.add("cases/iosxe-healthy-natt-responder-hq-console-capture.log", "61.128.1.1", true);
    const auto v = outputs::peer_page_json(r.shards(), "103.1.1.1", "61.128.1.1", {});
    ASSERT_TRUE(v.has_value());
    ASSERT_TRUE((*v)["other_side"].is_object());
    EXPECT_EQ((*v)["other_side"]["device"], "61.128.1.1");
    EXPECT_EQ((*v)["other_side"]["role"], "r");
    const auto& steps = (*v)["ladder"]["steps"];
    EXPECT_EQ(steps[2]["seen"], "sent");
    EXPECT_EQ(steps[2]["other"]["seen"], "received");
    EXPECT_EQ(steps[5]["other"]["seen"], "sent");
}

TEST(PageJson, CoarseLadderSaysWhichLineShowsTheSteps) {
    replayed r;
    r.add("scenarios/S00c-asa-responder-syslog.log", "fw-remote");
    const auto v = outputs::peer_page_json(r.shards(), "fw-remote", "46.37.188.24", {});
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ((*v)["ladder"]["detail"], "coarse");
    EXPECT_NE((*v)["ladder"]["coarse"]["fix"].dump().find("logging class vpn trap debugging"),
              std::string::npos);
}
