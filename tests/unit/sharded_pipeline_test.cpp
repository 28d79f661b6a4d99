#include "pipeline/sharded_pipeline.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/workload.hpp"
#include "rules/loader.hpp"

namespace ikewatch::pipeline {
namespace {

// What identifies an alert, without the wall-clock stamp.
std::string summary(const rules::alert& a) {
    std::ostringstream out;
    out << (a.action == rules::alert::action_t::raised ? "raised " : "resolved ") << a.code << ' '
        << a.rule_id << ' ' << a.key << ' ' << a.time << ' ' << a.state << ' ' << a.count;
    return out.str();
}

// Each device's alerts in the order they were emitted.
using per_device = std::map<std::string, std::vector<std::string>>;

struct run_result {
    per_device alerts;
    std::size_t peers = 0;
    std::uint64_t records = 0;
    std::size_t chunks_still_held = 0;  // when the lines were given held in chunks
};

pipeline_options options_with(rules::alert_sink& sink) {
    pipeline_options o;
    o.time.assume_year = 2026;
    o.rules = rules::load_with_pack({}).rules;
    o.sink = &sink;
    o.table.max_peers = 1'000'000;
    return o;
}

// Gives the lines `lines_per_chunk` at a time in one shared chunk (process_held), letting go
// of each chunk at once, so only the batches keep it. A freed chunk spoils its text first, so
// a record read after that would raise something else (and ASan would report it).
std::vector<std::weak_ptr<std::string>> give_held(const std::vector<std::string>& lines,
                                                  std::size_t lines_per_chunk,
                                                  sharded_pipeline& pipe) {
    std::vector<std::weak_ptr<std::string>> chunks;
    for (std::size_t first = 0; first < lines.size(); first += lines_per_chunk) {
        const std::size_t end = std::min(first + lines_per_chunk, lines.size());
        std::vector<std::size_t> at;
        std::string text;
        for (std::size_t i = first; i < end; ++i) {
            at.push_back(text.size());
            text += lines[i];
        }
        at.push_back(text.size());
        const std::shared_ptr<std::string> chunk(new std::string(std::move(text)),
                                                 [](std::string* c) {
                                                     c->assign(c->size(), '#');
                                                     delete c;
                                                 });
        chunks.push_back(chunk);
        for (std::size_t k = 0; k + 1 < at.size(); ++k) {
            pipe.process_held(std::string_view(*chunk).substr(at[k], at[k + 1] - at[k]), "mix.log",
                              0, chunk);
        }
    }
    return chunks;
}

// `lines_per_chunk` 0: each line is given to be copied (process).
run_result run(const std::vector<std::string>& lines, std::size_t workers, bool drain,
               sharded_pipeline::owner role = sharded_pipeline::owner::hands_on,
               std::size_t lines_per_chunk = 0) {
    rules::collecting_sink sink;
    sharded_pipeline pipe(options_with(sink), workers, {}, role);
    std::vector<std::weak_ptr<std::string>> chunks;
    if (lines_per_chunk == 0) {
        for (const std::string& l : lines) {
            pipe.process(l, "mix.log", 0);
        }
    } else {
        chunks = give_held(lines, lines_per_chunk, pipe);
    }
    pipe.finish("mix.log");
    if (drain) {
        pipe.drain();
    }
    pipe.wait_idle();
    pipe.collect();
    run_result r;
    for (const rules::alert& a : sink.alerts) {
        r.alerts[a.device].push_back(summary(a));
    }
    pipe.for_each_shard([&](const pipeline& p) {
        r.peers += p.tracker().table().size();
        r.records += p.decode_stats().records;
    });
    r.chunks_still_held = static_cast<std::size_t>(
        std::count_if(chunks.begin(), chunks.end(), [](const auto& c) { return !c.expired(); }));
    return r;
}

std::vector<std::string> workload(std::size_t lines) {
    bench::workload_options w;
    w.lines = lines;
    w.devices = 200;
    w.peers = 5'000;
    w.ike_share = 0.5;
    return bench::make_workload(w);
}

TEST(ShardedPipeline, EveryDeviceGetsTheAlertsOfOnePipelineInTheSameOrder) {
    const auto lines = workload(40'000);
    const run_result one = run(lines, 1, true);
    ASSERT_GT(one.alerts.size(), 20U) << "the mix must raise alerts on many devices";
    for (const std::size_t workers : {2U, 3U, 4U}) {
        const run_result many = run(lines, workers, true);
        EXPECT_EQ(many.records, lines.size()) << workers << " workers";
        EXPECT_EQ(many.peers, one.peers) << workers << " workers";
        EXPECT_EQ(many.alerts, one.alerts) << workers << " workers";
    }
}

TEST(ShardedPipeline, AnOwnerThatRunsAShardGivesEveryDeviceTheSameAlerts) {
    const auto lines = workload(40'000);
    const run_result one = run(lines, 1, true);
    ASSERT_GT(one.alerts.size(), 20U);
    for (const std::size_t workers : {2U, 3U}) {
        const run_result many = run(lines, workers, true, sharded_pipeline::owner::runs_a_shard);
        EXPECT_EQ(many.records, lines.size()) << workers << " threads";
        EXPECT_EQ(many.peers, one.peers) << workers << " threads";
        EXPECT_EQ(many.alerts, one.alerts) << workers << " threads";
    }
    EXPECT_EQ(run(lines, 2, false, sharded_pipeline::owner::runs_a_shard).alerts,
              run(lines, 1, false).alerts);
}

TEST(ShardedPipeline, AnOwnerThatRunsAShardTakesHalfAWorkersShareOfDevices) {
    const pipeline_options o;
    for (const std::size_t workers : {2U, 4U}) {
        const sharded_pipeline pipe(o, workers, {}, sharded_pipeline::owner::runs_a_shard);
        std::map<std::size_t, int> used;
        const int devices = 7'000;
        for (int i = 0; i < devices; ++i) {
            ++used[pipe.shard_of_device("fw" + std::to_string(i))];
        }
        ASSERT_EQ(used.size(), workers);
        // Shares of 1 / (2n - 1) and 2 / (2n - 1), each within 10 %.
        const double place = static_cast<double>(devices) / static_cast<double>(2 * workers - 1);
        EXPECT_NEAR(used[0], place, place * 0.1) << workers << " threads";
        for (std::size_t s = 1; s < workers; ++s) {
            EXPECT_NEAR(used[s], 2 * place, place * 0.2) << workers << " threads, shard " << s;
        }
        const std::string line = "<166>Sep 12 2026 10:00:00 fw42 : %ASA-6-302013: Built";
        EXPECT_EQ(pipe.shard_of(line, "10.0.0.1"), pipe.shard_of_device("fw42"));
    }
}

// Records held where they are (a reader's chunks) raise what copied ones do, and finished
// batches let go of their chunks.
TEST(ShardedPipeline, HeldRecordsRaiseWhatCopiedOnesDo) {
    const auto lines = workload(40'000);
    const run_result one = run(lines, 1, true);
    ASSERT_GT(one.alerts.size(), 20U);
    for (const std::size_t workers : {2U, 3U}) {
        const run_result many =
            run(lines, workers, true, sharded_pipeline::owner::runs_a_shard, 300);
        EXPECT_EQ(many.records, lines.size()) << workers << " threads";
        EXPECT_EQ(many.peers, one.peers) << workers << " threads";
        EXPECT_EQ(many.alerts, one.alerts) << workers << " threads";
        EXPECT_EQ(many.chunks_still_held, 0U) << workers << " threads";
    }
}

// Stopping the workers first lets the owner read every shard, and each worker has finished every
// record it was given, including those still waiting to be sent.
TEST(ShardedPipeline, StoppedWorkersHaveProcessedEveryRecord) {
    const auto lines = workload(5'000);
    rules::collecting_sink sink;
    sharded_pipeline pipe(options_with(sink), 3, {}, sharded_pipeline::owner::runs_a_shard);
    for (const std::string& l : lines) {
        pipe.process(l, "mix.log", 0);
    }
    pipe.stop_workers();
    pipe.stop_workers();  // a second call does nothing
    std::uint64_t records = 0;
    pipe.for_each_shard([&](const pipeline& p) { records += p.decode_stats().records; });
    EXPECT_EQ(records, lines.size());
}

TEST(ShardedPipeline, WithoutDrainOnlyTheLinesThemselvesRaise) {
    const auto lines = workload(20'000);
    EXPECT_EQ(run(lines, 2, false).alerts, run(lines, 1, false).alerts);
}

TEST(ShardedPipeline, ADeviceStaysOnOneShardWhateverTheSender) {
    const pipeline_options o;
    const sharded_pipeline pipe(o, 4);
    const std::string a = "<166>Sep 12 2026 10:00:00 fw01 : %ASA-6-302013: Built outbound TCP";
    const std::string b = "<166>Sep 12 2026 10:00:01 fw01 : %ASA-5-713041: IP = 192.0.2.1, x";
    EXPECT_EQ(pipe.shard_of(a, "10.0.0.1"), pipe.shard_of(b, "10.0.0.2"));
    // Without a host name the sender is the device.
    const std::string bare = "<166>%ASA-6-302013: Built outbound TCP connection";
    EXPECT_EQ(pipe.shard_of(bare, "10.0.0.7"), pipe.shard_of(bare, "10.0.0.7"));
    std::map<std::size_t, int> used;
    for (int i = 0; i < 64; ++i) {
        ++used[pipe.shard_of(bare, "10.0.0." + std::to_string(i))];
    }
    EXPECT_EQ(used.size(), 4U) << "senders spread over every shard";
}

TEST(ShardedPipeline, ShowOutputStaysWithItsSource) {
    std::ifstream in(std::string(IKEWATCH_SOURCE_DIR) +
                     "/tests/scenarios/S11-show-psk-mismatch.txt");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) {
        lines.push_back(l);
    }
    ASSERT_FALSE(lines.empty());
    rules::collecting_sink one_sink;
    rules::collecting_sink many_sink;
    std::size_t one_peers = 0;
    std::size_t many_peers = 0;
    for (const std::size_t workers : {1U, 3U}) {
        pipeline_options o;
        o.rules = rules::load_with_pack({}).rules;
        o.sink = workers == 1 ? &one_sink : &many_sink;
        sharded_pipeline pipe(std::move(o), workers);
        for (const std::string& l : lines) {
            pipe.process(l, "S11.txt", 0);
        }
        pipe.finish("S11.txt");
        pipe.drain();
        pipe.wait_idle();
        pipe.collect();
        pipe.for_each_shard([&](const pipeline& p) {
            (workers == 1 ? one_peers : many_peers) += p.tracker().table().size();
        });
    }
    EXPECT_GT(one_peers, 0U);
    EXPECT_EQ(many_peers, one_peers);
    ASSERT_EQ(many_sink.alerts.size(), one_sink.alerts.size());
    for (std::size_t i = 0; i < one_sink.alerts.size(); ++i) {
        EXPECT_EQ(summary(many_sink.alerts[i]), summary(one_sink.alerts[i]));
    }
}

TEST(ShardedPipeline, MaxPeersIsSharedOut) {
    rules::collecting_sink sink;
    pipeline_options o;
    o.table.max_peers = 1'000;
    sharded_pipeline pipe(std::move(o), 4);
    const auto lines = workload(60'000);
    for (const std::string& l : lines) {
        pipe.process(l, "mix.log", 0);
    }
    pipe.wait_idle();
    std::size_t peers = 0;
    pipe.for_each_shard([&](const pipeline& p) {
        EXPECT_LE(p.tracker().table().size(), 250U);
        peers += p.tracker().table().size();
    });
    EXPECT_LE(peers, 1'000U);
    EXPECT_GT(peers, 900U);
}

}  // namespace
}  // namespace ikewatch::pipeline
