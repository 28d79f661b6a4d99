#include "daemon/checkpointer.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "pipeline/device_snapshot.hpp"

namespace ikewatch::daemon {

checkpointer::checkpointer(settings s, pipeline::sharded_pipeline& pipe, counters& stats,
                           std::function<bool()> flush_alerts)
    : settings_(std::move(s)),
      pipe_(pipe),
      stats_(stats),
      flush_alerts_(std::move(flush_alerts)),
      writer_(settings_.topic),
      reader_(settings_.topic) {}

bool checkpointer::open(std::string& error) {
    return writer_.open(error) && reader_.open(error);
}

bool checkpointer::admit(const kafka_batch::line& l, std::string_view device) {
    if (!covered_.empty()) {
        if (const auto c = covered_.find(device); c != covered_.end()) {
            if (c->second.at.first == l.topic && c->second.at.second == l.partition) {
                if (l.offset < c->second.offset) {
                    ++stats_.checkpoint_skipped_lines;
                    return false;  // the restored state has seen it
                }
                covered_.erase(c);
            }
        }
    }
    const auto r = routes_.find(device);
    if (r == routes_.end()) {
        routes_.emplace(std::string(device), partition_key{std::string(l.topic), l.partition});
    } else if (r->second.second != l.partition || r->second.first != l.topic) {
        r->second = {std::string(l.topic), l.partition};
    }
    return true;
}

void checkpointer::processed(const kafka_batch::line& l) {
    const auto p = processed_.find(partition_key{std::string(l.topic), l.partition});
    if (p != processed_.end()) {
        p->second = std::max(p->second, l.offset + 1);
    } else {
        processed_.emplace(partition_key{std::string(l.topic), l.partition}, l.offset + 1);
    }
}

bool checkpointer::start() {
    std::vector<std::string> devices = pipe_.take_changed();
    devices.insert(devices.end(), std::make_move_iterator(retry_.begin()),
                   std::make_move_iterator(retry_.end()));
    retry_.clear();
    std::sort(devices.begin(), devices.end());
    devices.erase(std::unique(devices.begin(), devices.end()), devices.end());
    // Only devices fed from Kafka have a partition to go to.
    std::erase_if(devices, [&](const std::string& d) { return !routes_.contains(d); });
    // The alerts of every record processed so far are in the alert log before any offset that
    // covers them can be committed.
    if (!flush_alerts_()) {
        retry_ = std::move(devices);
        return false;
    }
    flight_ = in_flight{};
    flight_.active = true;
    for (const auto& [at, offset] : processed_) {
        flight_.marks.push_back({{at.first, at.second}, offset});
    }
    for (pipeline::device_snapshot& s : pipe_.save_devices(devices)) {
        const partition_key& at = routes_.find(s.device)->second;
        s.topic = at.first;
        s.partition = at.second;
        // What it covers: the partition's records processed here, or, when none came since
        // the assignment, what its restored snapshot covered (-1: nothing known).
        if (const auto p = processed_.find(at); p != processed_.end()) {
            s.offset = p->second;
        } else if (const auto c = covered_.find(s.device); c != covered_.end()) {
            s.offset = c->second.offset;
        } else {
            s.offset = -1;
        }
        const std::string bytes = pipeline::encode_snapshot(s);
        std::string error;
        if (!writer_.write(s.device, s.partition, bytes, error)) {
            ++stats_.checkpoint_failures;
            spdlog::warn("checkpoint: device {} not written: {}", s.device, error);
            flight_.marks.clear();  // the offsets wait for the next checkpoint
            retry_.push_back(s.device);
            continue;
        }
        flight_.bytes += bytes.size();
        flight_.devices.push_back(std::move(s.device));
    }
    return true;
}

void checkpointer::finish(const checkpoint_writer::acks& a) {
    if (a.pending > 0) {
        return;  // still waiting
    }
    if (a.failed > 0) {
        ++stats_.checkpoint_failures;
        spdlog::warn(
            "checkpoint: {} of {} device snapshots not acknowledged ({}); they are written again "
            "and the input offsets wait",
            a.failed, flight_.devices.size(), a.first_error);
        retry_.insert(retry_.end(), flight_.devices.begin(), flight_.devices.end());
    } else {
        if (input_ != nullptr && !flight_.marks.empty()) {
            input_->store_offsets(flight_.marks);
        }
        ++stats_.checkpoints;
        stats_.checkpoint_records += flight_.devices.size();
        stats_.checkpoint_bytes += flight_.bytes;
    }
    flight_ = in_flight{};
}

void checkpointer::tick(micros steady_now) {
    reader_.serve_idle();
    if (flight_.active) {
        finish(writer_.take_acks());
    }
    if (!flight_.active && steady_now - last_start_ >= settings_.interval) {
        last_start_ = steady_now;
        start();
    }
}

void checkpointer::revoked(const std::vector<kafka_partition>& parts) {
    // The checkpoint in flight first, then one of everything since, both acknowledged before
    // the offsets are committed (after this hook) and another member reads the snapshots.
    if (flight_.active) {
        finish(writer_.take_acks(settings_.ack_wait));
    }
    if (flight_.active) {
        flight_ = in_flight{};  // never acknowledged: its offsets are not stored
    }
    if (start()) {
        finish(writer_.take_acks(settings_.ack_wait));
        if (flight_.active) {
            ++stats_.checkpoint_failures;
            spdlog::warn(
                "checkpoint: snapshots not acknowledged within {} s at revocation; the "
                "next owner restores older ones and reads the records since again",
                settings_.ack_wait / micros_per_second);
            flight_ = in_flight{};
        }
    }
    last_start_ = 0;
    // Another member owns these devices now: their timers must not fire here.
    std::size_t forgotten = 0;
    for (auto it = routes_.begin(); it != routes_.end();) {
        const bool gone = std::any_of(parts.begin(), parts.end(), [&](const kafka_partition& p) {
            return p.topic == it->second.first && p.partition == it->second.second;
        });
        if (gone) {
            pipe_.forget_device(it->first);
            covered_.erase(it->first);
            std::erase(retry_, it->first);
            it = routes_.erase(it);
            ++forgotten;
        } else {
            ++it;
        }
    }
    for (const kafka_partition& p : parts) {
        processed_.erase({p.topic, p.partition});
    }
    spdlog::info("checkpoint: {} devices handed over with their partitions", forgotten);
}

std::vector<std::string> checkpointer::read(const std::vector<kafka_partition>& parts) {
    std::set<std::int32_t> numbers;
    for (const kafka_partition& p : parts) {
        numbers.insert(p.partition);
    }
    std::vector<std::string> out;
    for (const std::int32_t n : numbers) {
        auto records = reader_.read(n, settings_.read_wait);
        if (!records) {
            ++stats_.checkpoint_read_failures;
            spdlog::error("checkpoint: {}; the devices of partition {} start without their state",
                          records.error(), n);
            continue;
        }
        for (std::string& r : records.value()) {
            out.push_back(std::move(r));
        }
    }
    return out;
}

void checkpointer::restore(const std::vector<kafka_partition>& parts,
                           const std::vector<std::string>& snapshots) {
    // The latest snapshot of each device wins (the topic is read oldest first).
    string_map<pipeline::device_snapshot> latest;
    for (const std::string& bytes : snapshots) {
        auto s = pipeline::decode_snapshot(bytes);
        if (!s) {
            ++stats_.checkpoint_refused;
            spdlog::warn("checkpoint: snapshot refused: {}", s.error());
            continue;
        }
        const bool ours = std::any_of(parts.begin(), parts.end(), [&](const kafka_partition& p) {
            return p.topic == s.value().topic && p.partition == s.value().partition;
        });
        if (ours) {
            std::string device = s.value().device;
            latest.insert_or_assign(std::move(device), std::move(s).value());
        }
    }
    std::size_t restored = 0;
    for (auto& [device, s] : latest) {
        std::string error;
        if (!pipe_.restore_device(s, error)) {
            ++stats_.checkpoint_refused;
            spdlog::warn("checkpoint: snapshot refused: {}", error);
            continue;
        }
        ++restored;
        ++stats_.checkpoint_restored;
        partition_key at{s.topic, s.partition};
        routes_.insert_or_assign(device, at);
        covered_.insert_or_assign(device, position{std::move(at), s.offset});
    }
    spdlog::info("checkpoint: {} devices restored for {} partitions", restored, parts.size());
}

}  // namespace ikewatch::daemon
