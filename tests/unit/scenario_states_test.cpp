// Every shared scenario (tests/scenarios/, lines from the corpus) ends in the state its source
// reports (corpus SCENARIOS.md).

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parsers/record_splitter.hpp"
#include "pipeline/pipeline.hpp"
#include "tests/unit/test_support.hpp"

using namespace ikewatch;
using namespace ikewatch::ike;

namespace {

struct run {
    pipeline::pipeline pipe;
    std::string source;

    explicit run(const std::string& name) : pipe(options()), source(name) {
        std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) + "/tests/scenarios/" + name);
        std::stringstream ss;
        ss << in.rdbuf();
        text_ = ss.str();
        parsers::record_splitter(true).split(text_, [&](std::string_view r) {
            pipe.process(r, source, 1'780'000'000 * micros_per_second);
        });
        pipe.finish(source);
    }
    const peer_record& peer(std::string_view device, std::string_view addr) const {
        const peer_record* p = pipe.tracker().table().find(device, addr);
        EXPECT_NE(p, nullptr) << device << " " << addr;
        static const peer_record none;
        return p ? *p : none;
    }

  private:
    static pipeline::pipeline_options options() {
        pipeline::pipeline_options o;
        o.time.assume_year = 2026;
        o.table.idle_expiry = 1LL << 60;
        return o;
    }
    std::string text_;
};

}  // namespace

TEST(Scenarios, S00HealthyAsaInitiator) {
    run r("S00-asa-initiator-healthy.log");
    const auto& p = r.peer(r.source, "22.22.22.22");
    EXPECT_EQ(p.state, p1_state::mm_active);
    EXPECT_EQ(p.role, parsers::ike_role::initiator);
    EXPECT_EQ(p.phase2, p2_status::up);
}

TEST(Scenarios, S00bHealthyIosInitiatorEndsQmIdle) {
    run r("S00b-ios-initiator-healthy.log");
    const auto& p = r.peer(r.source, "203.0.113.1");
    EXPECT_EQ(p.state_ios(), "QM_IDLE");
    EXPECT_EQ(p.phase2, p2_status::up);
}

TEST(Scenarios, S00cHealthyResponderAtSyslogLevel) {
    run r("S00c-asa-responder-syslog.log");
    const auto& p = r.peer(r.source, "46.37.188.24");
    EXPECT_EQ(p.status, p1_status::up);
    EXPECT_EQ(p.role, parsers::ike_role::responder);
    EXPECT_EQ(p.phase2, p2_status::up);
    EXPECT_FALSE(p.debug_seen);
}

TEST(Scenarios, FailuresEndFailedWithTheirCause) {
    struct expect {
        const char* file;
        const char* device;
        const char* peer;
        parsers::event_kind cause;
    };
    const expect cases[] = {
        {"S05-tunnel-group-missing.log", nullptr, "31.204.98.143",
         parsers::event_kind::malformed_message},
        {"S06-crypto-map-not-applied.log", nullptr, "206.54.167.110",
         parsers::event_kind::crypto_map_missing},
        {"S07-phase1-proposal-mismatch.log", nullptr, "206.54.167.110",
         parsers::event_kind::proposal_rejected},
        {"S13-ios-sanity-check.log", nullptr, "1.2.3.22", parsers::event_kind::malformed_message},
        {"S18-ios-sa-out-of-sync.log", nullptr, "10.10.10.10", parsers::event_kind::no_matching_sa},
        {"S20-ikev2-auth-timeout.log", "asa1.pofp.internal", "2.3.4.5",
         parsers::event_kind::ikev2_failed},
    };
    for (const auto& c : cases) {
        run r(c.file);
        const auto& p = r.peer(c.device ? c.device : r.source, c.peer);
        EXPECT_EQ(p.status, p1_status::failed) << c.file;
        EXPECT_EQ(p.last_failure, c.cause) << c.file;
    }
}

TEST(Scenarios, S05RecordsTheMissingTunnelGroup) {
    run r("S05-tunnel-group-missing.log");
    const auto& p = r.peer(r.source, "31.204.98.143");
    EXPECT_EQ(p.group.view(), "31.204.98.143");
}

TEST(Scenarios, S08PhaseOneUpPhaseTwoRejected) {
    run r("S08-crypto-acl-mismatch.log");
    const auto& p = r.peer(r.source, "206.54.167.110");
    EXPECT_EQ(p.phase2, p2_status::failed);
    EXPECT_EQ(p.last_failure, parsers::event_kind::crypto_acl_mismatch);
}

TEST(Scenarios, S09IosInitiatorStillInMainMode) {
    run r("S09-ios-initiator-main-mode.log");
    const auto& p = r.peer(r.source, "10.15.58.38");
    EXPECT_EQ(p.state_ios(), "MM_NO_STATE");
    EXPECT_EQ(p.role, parsers::ike_role::initiator);
}

TEST(Scenarios, S10ResponderRejectsIosInitiatorWaits) {
    run r("S10-proposal-mismatch-responder.log");
    EXPECT_EQ(r.peer(r.source, "172.18.254.89").status, p1_status::failed);
    EXPECT_EQ(r.peer(r.source, "1.1.1.102").state_ios(), "MM_NO_STATE");
}

TEST(Scenarios, S11ShowOutputPeerStuckInKeyExchange) {
    run r("S11-show-psk-mismatch.txt");
    EXPECT_EQ(r.peer("ASA", "195.110.91.242").state_ios(), "MM_KEY_EXCH");
    EXPECT_EQ(r.peer("ASA", "62.23.139.254").state, p1_state::mm_active);
}

TEST(Scenarios, S12AggressiveInitiatorDiedAtMsg2) {
    run r("S12-pix-aggressive-no-answer.log");
    const auto& p = r.peer("172.16.200.253", "78.187.139.180");
    EXPECT_EQ(p.state, p1_state::am_wait_msg2);
    EXPECT_EQ(p.mode, ike_mode::aggressive);
    EXPECT_EQ(p.status, p1_status::failed);
}

TEST(Scenarios, S17HasNoPeerAddress) {
    run r("S17-asa-ipsec-sa-deleted.log");
    EXPECT_EQ(r.pipe.tracker().table().size(), 0u);
}

TEST(Scenarios, S19EzvpnStatesKeptAsPrinted) {
    run r("S19-show-ezvpn-xauth.txt");
    EXPECT_EQ(r.peer(r.source, "{Public IP address of London ASA}").state_asa(),
              "AM_TM_INIT_XAUTH_V6C");
}

TEST(Scenarios, ConstructedResponderAndAggressive) {
    run resp("C01-asa-responder-main-mode.log");
    EXPECT_EQ(resp.peer(resp.source, "203.0.113.9").state, p1_state::mm_active);
    run aggr("C02-asa-aggressive-initiator.log");
    EXPECT_EQ(aggr.peer(aggr.source, "198.51.100.20").state, p1_state::am_active);
}
