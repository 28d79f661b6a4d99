#include "pipeline/device_snapshot.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/workload.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"
#include "tests/unit/test_support.hpp"

namespace ikewatch::pipeline {
namespace {

// Each device's alerts in the order they were emitted (devices keep their own order; which
// device's timers a drain fires first is not part of the contract).
using per_device = std::map<std::string, std::vector<std::string>>;

// Everything an alert says but the wall-clock stamp.
std::string summary(const rules::alert& a) {
    std::ostringstream out;
    out << (a.action == rules::alert::action_t::raised ? "raised " : "resolved ") << a.id << " t"
        << a.time << " r" << a.raised_at << " l" << a.last_seen << " n" << a.count << ' ' << a.code
        << " c" << static_cast<int>(a.conf) << " [" << a.message << "] [" << a.cause << "] "
        << a.state << '/' << a.state_ios << ' ' << a.role << ' ' << a.mode << ' ' << a.status << ' '
        << a.phase2 << ' ' << a.phase << " s" << a.state_since << " x" << a.retransmits << ' '
        << a.nat_t << ' ' << a.group;
    for (const std::string& c : a.checks) {
        out << " check[" << c << ']';
    }
    for (const rules::evidence_line& l : a.evidence) {
        out << " ev[" << l.time << ' ' << l.text << ']';
    }
    return out.str();
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        // Comments and blank lines are the test file's, not the log's.
        if (!line.empty() && line.front() != '#') {
            lines.push_back(line);
        }
    }
    return lines;
}

std::shared_ptr<const rules::rule_set> pack() {
    static const auto rules = rules::load_with_pack({}).rules;
    return rules;
}

pipeline_options options(rules::alert_sink& sink,
                         std::shared_ptr<const rules::rule_set> rules = pack()) {
    pipeline_options o;
    o.time.assume_year = 2026;
    o.rules = std::move(rules);
    o.sink = &sink;
    o.track_changes = true;
    return o;
}

constexpr micros reference = 1'780'000'000 * micros_per_second;

per_device by_device(const std::vector<const rules::collecting_sink*>& sinks) {
    per_device out;
    for (const auto* sink : sinks) {
        for (const rules::alert& a : sink->alerts) {
            out[a.device].push_back(summary(a));
        }
    }
    return out;
}

// The first difference between two runs, readably.
std::string difference(const per_device& a, const per_device& b) {
    for (const auto& [device, alerts] : a) {
        const auto other = b.find(device);
        if (other == b.end()) {
            return "device " + device + " missing after the restore";
        }
        for (std::size_t i = 0; i < std::max(alerts.size(), other->second.size()); ++i) {
            const std::string x = i < alerts.size() ? alerts[i] : "(none)";
            const std::string y = i < other->second.size() ? other->second[i] : "(none)";
            if (x != y) {
                return device + " alert " + std::to_string(i) + ":\n  whole:    " + x +
                       "\n  restored: " + y;
            }
        }
    }
    return a.size() == b.size() ? "" : "extra devices after the restore";
}

per_device uninterrupted(const std::vector<std::string>& lines, std::string_view source,
                         const std::shared_ptr<const rules::rule_set>& rules = pack()) {
    rules::collecting_sink sink;
    pipeline p(options(sink, rules));
    for (const std::string& l : lines) {
        p.process(l, source, reference);
    }
    p.finish(source);
    p.drain();
    return by_device({&sink});
}

// The first `cut` lines on one pipeline; every device it changed snapshotted, encoded, decoded
// and restored into a fresh pipeline that reads the rest.
per_device interrupted(const std::vector<std::string>& lines, std::string_view source,
                       std::size_t cut, std::size_t* restored = nullptr,
                       std::size_t* cbor_bytes = nullptr, std::size_t* json_bytes = nullptr,
                       const std::shared_ptr<const rules::rule_set>& rules = pack()) {
    rules::collecting_sink before;
    rules::collecting_sink after;
    std::vector<std::string> bytes;
    {
        pipeline first(options(before, rules));
        for (std::size_t i = 0; i < cut; ++i) {
            first.process(lines[i], source, reference);
        }
        for (const device_snapshot& s : first.save_devices(first.take_changed())) {
            bytes.push_back(encode_snapshot(s));
            if (cbor_bytes != nullptr && json_bytes != nullptr) {
                *cbor_bytes += bytes.back().size();
                *json_bytes +=
                    s.state.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size();
            }
        }
    }
    pipeline second(options(after, rules));
    for (const std::string& b : bytes) {
        auto s = decode_snapshot(b);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
        if (!s.ok()) {
            continue;
        }
        std::string error;
        EXPECT_TRUE(second.restore_device(s.value(), error)) << error;
    }
    if (restored != nullptr) {
        *restored = bytes.size();
    }
    for (std::size_t i = cut; i < lines.size(); ++i) {
        second.process(lines[i], source, reference);
    }
    second.finish(source);
    second.drain();
    return by_device({&before, &after});
}

std::vector<std::string> scenario_files() {
    std::vector<std::string> out;
    for (const char* dir : {"/tests/scenarios", "/tests/cases"}) {
        for (const auto& e :
             std::filesystem::directory_iterator(std::string(IKEWATCH_SOURCE_DIR) + dir)) {
            if (e.path().extension() == ".log") {
                out.push_back(e.path().string());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Cut points near a third, a half and two thirds of the file, each moved on to the first line
// after which the reading holds no state of its own (pasted output, a console prompt):
// snapshots are of devices, and the daemon takes them between syslog lines.
std::vector<std::size_t> cuts(const std::vector<std::string>& lines, std::string_view source) {
    rules::collecting_sink sink;
    pipeline p(options(sink));
    std::vector<bool> clean(lines.size() + 1, true);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        p.process(lines[i], source, reference);
        clean[i + 1] = !p.inside_pasted_output();
    }
    std::vector<std::size_t> out;
    for (const std::size_t want : {lines.size() / 3, lines.size() / 2, lines.size() * 2 / 3}) {
        std::size_t at = want;
        while (at < lines.size() && !clean[at]) {
            ++at;
        }
        if (at > 0 && at < lines.size() && (out.empty() || out.back() != at)) {
            out.push_back(at);
        }
    }
    return out;
}

TEST(DeviceSnapshot, RestoredHalfwayGivesTheAlertsOfAnUninterruptedReplay) {
    std::size_t files = 0;
    std::size_t with_alerts = 0;
    std::size_t restored_total = 0;
    for (const std::string& path : scenario_files()) {
        const std::vector<std::string> lines = read_lines(path);
        if (lines.size() < 4) {
            continue;
        }
        const std::string source = std::filesystem::path(path).filename().string();
        const std::vector<std::size_t> at = cuts(lines, source);
        if (at.empty()) {
            continue;  // a console capture: pasted output from start to end
        }
        const per_device whole = uninterrupted(lines, source);
        ++files;
        with_alerts += whole.empty() ? 0U : 1U;
        for (const std::size_t cut : at) {
            std::size_t restored = 0;
            EXPECT_EQ(difference(whole, interrupted(lines, source, cut, &restored)), "")
                << path << " cut after line " << cut;
            restored_total += restored;
        }
    }
    std::cout << files << " files cut, " << with_alerts << " with alerts, " << restored_total
              << " device snapshots restored\n";
    EXPECT_GE(files, 35U);
    EXPECT_GE(with_alerts, 25U) << "the scenarios must raise alerts";
    EXPECT_GT(restored_total, files) << "the snapshots must hold devices";
}

// An alert's quiet-period timer that a repeat moved keeps, across a restore, its place among
// timers due at the same instant: the resolve comes before a time-in-state diagnosis scheduled
// after the repeat, as in the uninterrupted run.
TEST(DeviceSnapshot, AMovedQuietPeriodKeepsItsPlaceAcrossARestore) {
    const auto loaded = rules::load_rules({{"t.yaml", R"(
codes:
  test-code: "a code for tests"
rules:
)" + test::quiet_rule_item() + R"(  - id: LONG
    name: l
    code: test-code
    severity: high
    match: {state: MM_WAIT_MSG2, for: 4m}
    title: "t"
    cause: "c"
    checks: []
)"}});
    ASSERT_TRUE(loaded.ok());
    const auto at = [](const std::string& hms, const std::string& body) {
        return "<167>Jun 01 2026 " + hms + " fw : " + body;
    };
    const std::vector<std::string> lines = {
        test::peer_lost_line("10:00:00"),  // raised; its timer is due at 10:05:00
        test::peer_lost_line("10:01:00"),  // a repeat: quiet until 10:06:00
        // A negotiation left waiting from 10:02:00: its 4-minute timer is due at 10:06:00 too,
        // set after the repeat.
        at("10:02:00",
           "%ASA-7-713236: IP = 198.51.100.7, IKE_DECODE SENDING Message (msgid=0) with payloads "
           ": HDR + SA (1) + NONE (0) total length : 88"),
        at("10:03:00",
           "%ASA-6-302013: Built outbound TCP connection 1 for a:1.1.1.1/1 "
           "(1.1.1.1/1) to b:2.2.2.2/2 (2.2.2.2/2)"),
        at("10:09:00",
           "%ASA-6-302013: Built outbound TCP connection 2 for a:1.1.1.1/1 "
           "(1.1.1.1/1) to b:2.2.2.2/2 (2.2.2.2/2)"),
    };
    const per_device whole = uninterrupted(lines, "fw", loaded.rules);
    ASSERT_EQ(whole.at("fw").size(), 3U);
    EXPECT_NE(whole.at("fw")[1].find("resolved QUIET/"), std::string::npos) << whole.at("fw")[1];
    for (std::size_t cut = 1; cut < lines.size(); ++cut) {
        EXPECT_EQ(difference(whole, interrupted(lines, "fw", cut, nullptr, nullptr, nullptr,
                                                loaded.rules)),
                  "")
            << "cut after line " << cut;
    }
}

TEST(DeviceSnapshot, ManyDevicesMixedLines) {
    bench::workload_options w;
    w.lines = 20'000;
    w.devices = 50;
    w.peers = 800;
    w.ike_share = 0.6;
    const std::vector<std::string> lines = bench::make_workload(w);
    const per_device whole = uninterrupted(lines, "mix.log");
    ASSERT_GT(whole.size(), 30U);
    std::size_t restored = 0;
    std::size_t cbor = 0;
    std::size_t json = 0;
    EXPECT_EQ(
        difference(whole, interrupted(lines, "mix.log", lines.size() / 2, &restored, &cbor, &json)),
        "");
    ASSERT_GE(restored, 40U);
    std::cout << restored << " devices, snapshot bytes per device: " << cbor / restored
              << " (CBOR), " << json / restored << " (the same as JSON text)\n";
}

device_snapshot one_snapshot() {
    rules::collecting_sink sink;
    pipeline p(options(sink));
    for (const std::string& l : read_lines(std::string(IKEWATCH_SOURCE_DIR) +
                                           "/tests/scenarios/S05-tunnel-group-missing.log")) {
        p.process(l, "S05", reference);
    }
    std::vector<device_snapshot> all = p.save_devices(p.take_changed());
    EXPECT_FALSE(all.empty());
    return all.empty() ? device_snapshot{} : all.front();
}

TEST(DeviceSnapshot, RefusesWhatIsNoSnapshotOfThisVersion) {
    const auto garbage = decode_snapshot("this is not CBOR at all");
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().find("not a device snapshot"), std::string::npos);
    EXPECT_FALSE(decode_snapshot("").ok());

    std::string other;
    nlohmann::json::to_cbor(nlohmann::json{{"format", "something-else"}, {"version", 1}}, other);
    EXPECT_FALSE(decode_snapshot(other).ok());

    std::string future;
    nlohmann::json::to_cbor(nlohmann::json{{"format", device_snapshot::format},
                                           {"version", 99},
                                           {"device", "fw"},
                                           {"state", nlohmann::json::object()}},
                            future);
    const auto v = decode_snapshot(future);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.error().find("version 99"), std::string::npos) << v.error();

    device_snapshot s = one_snapshot();
    s.topic = "syslog";
    s.partition = 3;
    s.offset = 42;
    const auto back = decode_snapshot(encode_snapshot(s));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back.value().device, s.device);
    EXPECT_EQ(back.value().topic, "syslog");
    EXPECT_EQ(back.value().partition, 3);
    EXPECT_EQ(back.value().offset, 42);
    EXPECT_EQ(back.value().state, s.state);
}

TEST(DeviceSnapshot, AMalformedStateIsRefusedAndTheDeviceStartsAfresh) {
    const device_snapshot good = one_snapshot();
    ASSERT_FALSE(good.state.at("peers").empty());
    rules::collecting_sink sink;
    pipeline p(options(sink));
    std::string error;

    device_snapshot bad = good;
    bad.state["peers"][0]["state"] = 200;  // no such state
    EXPECT_FALSE(p.restore_device(bad, error));
    EXPECT_NE(error.find("out of range"), std::string::npos) << error;
    EXPECT_EQ(p.tracker().table().size(), 0U) << "nothing of a refused snapshot stays";

    bad = good;
    bad.state["peers"] = "many";
    EXPECT_FALSE(p.restore_device(bad, error));
    bad = good;
    bad.state.erase("flags");
    EXPECT_FALSE(p.restore_device(bad, error));
    EXPECT_EQ(p.tracker().table().size(), 0U);

    ASSERT_TRUE(p.restore_device(good, error)) << error;
    EXPECT_EQ(p.tracker().table().size(), good.state.at("peers").size());
}

TEST(DeviceSnapshot, EveryTruncationOrFlippedByteIsRefusedOrRestoredWithoutACrash) {
    const std::string bytes = encode_snapshot(one_snapshot());
    rules::collecting_sink sink;
    pipeline p(options(sink));
    std::size_t refused = 0;
    const auto attempt = [&](std::string_view b) {
        const auto s = decode_snapshot(b);
        std::string error;
        if (!s.ok() || !p.restore_device(s.value(), error)) {
            ++refused;
        }
    };
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        attempt(std::string_view(bytes).substr(0, n));
    }
    EXPECT_EQ(refused, bytes.size()) << "every truncated snapshot is refused";
    for (std::size_t i = 0; i < bytes.size(); i += 7) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
        attempt(flipped);
    }
}

// How many of a pipeline's evidence lines its ladders tie to the step that logged them.
std::size_t tagged_lines(const pipeline& p) {
    std::size_t tagged = 0;
    const ike::peer_table& table = p.tracker().table();
    table.for_each([&](const ike::peer_record& r) {
        table.for_each_evidence(r, [&](const ike::evidence_entry& line) {
            tagged += ike::evidence_step(r.ladder, line.text).has_value() ? 1U : 0U;
        });
    });
    return tagged;
}

// A ladder keeps a hash of each line it took a step from; restored, it still ties the peer's
// evidence lines to their steps (the page shows them so).
TEST(DeviceSnapshot, ARestoredLadderStillTiesEvidenceLinesToTheirSteps) {
    rules::collecting_sink sink;
    pipeline first(options(sink));
    for (const std::string& l :
         read_lines(std::string(IKEWATCH_SOURCE_DIR) +
                    "/tests/cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log")) {
        first.process(l, "case", reference);
    }
    const std::size_t tagged = tagged_lines(first);
    EXPECT_GT(tagged, 2U);
    pipeline second(options(sink));
    for (const device_snapshot& s : first.save_devices(first.take_changed())) {
        const auto decoded = decode_snapshot(encode_snapshot(s));
        ASSERT_TRUE(decoded.ok()) << decoded.error();
        std::string error;
        ASSERT_TRUE(second.restore_device(decoded.value(), error)) << error;
    }
    EXPECT_EQ(tagged_lines(second), tagged);
}

TEST(DeviceSnapshot, ForgetDropsEverythingOfTheDevice) {
    rules::collecting_sink sink;
    pipeline p(options(sink));
    for (const std::string& l : read_lines(std::string(IKEWATCH_SOURCE_DIR) +
                                           "/tests/scenarios/S05-tunnel-group-missing.log")) {
        p.process(l, "S05", reference);
    }
    std::vector<std::string> devices = p.take_changed();
    ASSERT_FALSE(devices.empty());
    for (const std::string& d : devices) {
        p.forget_device(d);
    }
    EXPECT_EQ(p.tracker().table().size(), 0U);
    EXPECT_EQ(p.engine()->active_count(), 0U);
    EXPECT_EQ(p.engine()->timer_count(), 0U);
    const std::size_t emitted = sink.alerts.size();
    p.drain();
    EXPECT_EQ(sink.alerts.size(), emitted) << "no timer of a forgotten device fires";
}

}  // namespace
}  // namespace ikewatch::pipeline
