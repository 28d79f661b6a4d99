// `ikewatch test-rules DIR`: golden rule tests. Each DIR/*.yaml names a log excerpt and the
// alerts it must produce, with their times:
//
//   log_file: ../scenarios/S05-tunnel-group-missing.log   # or `log: |` with the lines inline
//   reference_time: 2026-06-01T12:00:00Z                  # time of lines without one
//   year: 2026                                             # year of lines without one
//   drain: true                                            # fire pending timers at the end
//   exact: true                                            # no other alerts allowed
//   expect:
//     - {action: raised, rule: IKW-P1-031, code: tunnel-group-or-psk-missing,
//        device: fw01, peer: 203.0.113.5, at: "2026-06-01T12:00:30.000Z"}

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "cli/commands.hpp"
#include "cli/time_flags.hpp"
#include "parsers/record_splitter.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/loader.hpp"

namespace ikewatch::cli {

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p, bool& ok) {
    std::ifstream in(p, std::ios::binary);
    ok = static_cast<bool>(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string field_of(const rules::alert& a, const std::string& key) {
    if (key == "action") {
        return a.action == rules::alert::action_t::raised ? "raised" : "resolved";
    }
    if (key == "rule") {
        return a.rule_id;
    }
    if (key == "code") {
        return a.code;
    }
    if (key == "device") {
        return a.device;
    }
    if (key == "peer" || key == "key") {
        return a.key;
    }
    if (key == "at") {
        return rfc3339(a.time);
    }
    if (key == "severity") {
        return std::string(rules::to_string(a.sev));
    }
    if (key == "confidence") {
        return std::string(rules::to_string(a.conf));
    }
    if (key == "state") {
        return a.state;
    }
    if (key == "count") {
        return std::to_string(a.count);
    }
    if (key == "message_contains") {
        return a.message;
    }
    return "<unknown key " + key + ">";
}

bool matches(const rules::alert& a, const YAML::Node& want) {
    for (const auto& kv : want) {
        const std::string key = kv.first.Scalar();
        const std::string value = kv.second.Scalar();
        const std::string got = field_of(a, key);
        if (key == "message_contains" ? got.find(value) == std::string::npos : got != value) {
            return false;
        }
    }
    return true;
}

std::string describe(const rules::alert& a) {
    return field_of(a, "at") + " " + field_of(a, "action") + " " + a.rule_id + " " + a.code + " " +
           a.device + " " + a.key;
}

constexpr const char* test_keys[] = {"log",   "log_file", "rules",  "reference_time", "year",
                                     "drain", "exact",    "expect", "description"};
constexpr const char* expect_keys[] = {"action",     "rule",  "code",  "device",
                                       "peer",       "key",   "at",    "severity",
                                       "confidence", "state", "count", "message_contains"};

// A problem with the test file itself: the key, with its line.
std::string shape_problem(const YAML::Node& t) {
    const auto known = [](const auto& list, const std::string& k) {
        return std::find(std::begin(list), std::end(list), k) != std::end(list);
    };
    const auto where = [](const YAML::Node& n) { return ":" + std::to_string(n.Mark().line + 1); };
    if (!t.IsMap()) {
        return "a test is a map";
    }
    for (const auto& kv : t) {
        if (!known(test_keys, kv.first.Scalar())) {
            return where(kv.first) + ": unknown key '" + kv.first.Scalar() + "'";
        }
    }
    if (t["rules"] && !t["rules"].IsSequence()) {
        return where(t["rules"]) + ": 'rules' is a list of paths";
    }
    if (const auto expect = t["expect"]) {
        if (!expect.IsSequence()) {
            return where(expect) + ": 'expect' is a list of alerts";
        }
        for (const auto& want : expect) {
            if (!want.IsMap()) {
                return where(want) + ": an expected alert is a map";
            }
            for (const auto& kv : want) {
                if (!known(expect_keys, kv.first.Scalar()) || !kv.second.IsScalar()) {
                    return where(kv.first) + ": bad expected-alert key '" + kv.first.Scalar() + "'";
                }
            }
        }
    }
    return "";
}

bool run_case_checked(const fs::path& file, const YAML::Node& t,
                      const std::vector<std::string>& extra_rules, bool verbose,
                      std::set<std::string>& tested);

// Runs one test file; prints what differs; returns true when it passes. Adds the rule ids the
// file expects alerts from to `tested`.
bool run_case(const fs::path& file, const std::vector<std::string>& extra_rules, bool verbose,
              std::set<std::string>& tested) {
    const std::string name = file.filename().string();
    try {
        const YAML::Node t = YAML::LoadFile(file.string());
        if (const std::string problem = shape_problem(t); !problem.empty()) {
            std::cout << "FAIL " << name << problem << '\n';
            return false;
        }
        return run_case_checked(file, t, extra_rules, verbose, tested);
    } catch (const YAML::Exception& e) {
        std::cout << "FAIL " << name << ": " << e.what() << '\n';
        return false;
    }
}

bool run_case_checked(const fs::path& file, const YAML::Node& t,
                      const std::vector<std::string>& extra_rules, bool verbose,
                      std::set<std::string>& tested) {
    const std::string name = file.filename().string();
    std::string log;
    std::string source = file.stem().string();
    if (const auto lf = t["log_file"]) {
        const fs::path p = file.parent_path() / lf.Scalar();
        bool ok = false;
        log = read_file(p, ok);
        if (!ok) {
            std::cout << "FAIL " << name << ": cannot read " << p.string() << '\n';
            return false;
        }
        source = p.filename().string();
    } else if (const auto l = t["log"]) {
        log = l.Scalar();
    } else {
        std::cout << "FAIL " << name << ": needs 'log' or 'log_file'\n";
        return false;
    }
    std::vector<std::string> rule_paths = extra_rules;
    if (const auto r = t["rules"]) {
        for (const auto& p : r) {
            rule_paths.push_back((file.parent_path() / p.Scalar()).string());
        }
    }
    const rules::load_result loaded = rules::load_with_pack(rule_paths);
    if (!loaded.ok()) {
        std::cout << "FAIL " << name << ": rule set refused\n";
        for (const auto& d : loaded.problems) {
            std::cout << "    " << d.to_string() << '\n';
        }
        return false;
    }
    time_flags flags;
    flags.reference_time =
        t["reference_time"] ? t["reference_time"].Scalar() : "2026-06-01T12:00:00Z";
    flags.year = t["year"] ? t["year"].as<int>() : 0;
    pipeline::pipeline_options popt;
    std::string error;
    micros reference = 0;
    if (!to_time_options(flags, popt.time, error) || !reference_time(flags, reference, error)) {
        std::cout << "FAIL " << name << ": " << error << '\n';
        return false;
    }
    rules::collecting_sink sink;
    popt.rules = loaded.rules;
    popt.sink = &sink;
    popt.replay = true;
    popt.table.idle_expiry = std::numeric_limits<micros>::max() / 2;
    pipeline::pipeline pipe(std::move(popt));
    parsers::record_splitter(true).split(
        log, [&](std::string_view r) { pipe.process(r, source, reference); });
    pipe.finish(source);
    if (!t["drain"] || t["drain"].as<bool>()) {
        pipe.drain();
    }
    const bool exact = !t["exact"] || t["exact"].as<bool>();
    std::vector<bool> used(sink.alerts.size(), false);
    bool pass = true;
    std::ostringstream why;
    if (const auto expect = t["expect"]) {
        for (const auto& want : expect) {
            if (want["rule"]) {
                tested.insert(want["rule"].Scalar());
            }
            bool found = false;
            for (std::size_t i = 0; i < sink.alerts.size() && !found; ++i) {
                if (!used[i] && matches(sink.alerts[i], want)) {
                    used[i] = true;
                    found = true;
                }
            }
            if (!found) {
                pass = false;
                why << "    missing: " << YAML::Dump(want) << '\n';
            }
        }
    }
    if (exact) {
        for (std::size_t i = 0; i < sink.alerts.size(); ++i) {
            if (!used[i]) {
                pass = false;
                why << "    unexpected: " << describe(sink.alerts[i]) << '\n';
            }
        }
    }
    std::cout << (pass ? "PASS " : "FAIL ") << name << '\n';
    if (!pass || verbose) {
        std::cout << why.str();
        if (!pass || verbose) {
            for (const rules::alert& a : sink.alerts) {
                std::cout << "    got: " << describe(a) << '\n';
            }
        }
    }
    return pass;
}

}  // namespace

int run_test_rules(const test_rules_options& options) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(options.dir, ec)) {
        if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") {
            files.push_back(e.path());
        }
    }
    if (ec) {
        std::cerr << "ikewatch test-rules: " << options.dir << ": " << ec.message() << '\n';
        return exit_usage;
    }
    std::sort(files.begin(), files.end());
    std::size_t failed = 0;
    std::set<std::string> tested;
    for (const fs::path& f : files) {
        failed += run_case(f, options.rules, options.verbose, tested) ? 0U : 1U;
    }
    std::cout << files.size() - failed << " passed, " << failed << " failed\n";
    std::size_t untested = 0;
    if (options.every_rule) {
        // Every shipped rule must be shown raising on some real excerpt.
        const rules::load_result pack = rules::load_with_pack({});
        for (const rules::rule& r : pack.rules->rules) {
            if (tested.count(r.id) == 0) {
                std::cout << "UNTESTED " << r.id << " (" << r.file << ")\n";
                ++untested;
            }
        }
    }
    return failed == 0 && untested == 0 && !files.empty() ? exit_ok : exit_findings;
}

}  // namespace ikewatch::cli
