#include "pipeline/sharded_pipeline.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/string_map.hpp"
#include "parsers/record_decoder.hpp"
#include "parsers/syslog_framer.hpp"

namespace ikewatch::pipeline {

namespace {

// A batch is handed over when it holds this many records or bytes; a worker queues this many
// batches before process() waits for it. About 16,000 records in flight per shard.
constexpr std::size_t batch_records = 512;
constexpr std::size_t batch_bytes = 256 * 1024;
constexpr std::size_t queue_batches = 32;

enum op : int { op_records, op_finish, op_drain, op_stop };

using framing_result = result<parsers::syslog_record, parsers::parse_error>;

// What a batch asks of its shard's pipeline after its records: nothing, finish or drain.
void run_op(pipeline& p, int kind, std::string_view source) {
    if (kind == op_finish) {
        p.finish(source);
    } else if (kind == op_drain) {
        p.drain();
    }
}

}  // namespace

// Records copied back to back with their sources, or held where they are; the worker reads them
// as views.
struct sharded_pipeline::batch {
    // `at` of a record read where it is, at `owner_text`, which `held` keeps.
    static constexpr std::uint32_t in_place = 0xFFFFFFFF;

    struct entry {
        entry(std::uint32_t at_, std::uint32_t size_, std::uint32_t source_at_,
              std::uint32_t source_size_, micros received_, const framing_result& framed_,
              const char* owner_text_)
            : at(at_),
              size(size_),
              source_at(source_at_),
              source_size(source_size_),
              received(received_),
              framed(framed_),
              owner_text(owner_text_) {}

        std::uint32_t at;
        std::uint32_t size;
        std::uint32_t source_at;
        std::uint32_t source_size;
        micros received;
        // frame_syslog(record), done once by the owner to route the record; its views still
        // point into the owner's record, at `owner_text`, until the worker rebases them (a
        // copied record's)
        framing_result framed;
        const char* owner_text;
    };
    int op = op_records;
    std::string bytes;
    std::vector<entry> entries;
    std::shared_ptr<const void> held;  // keeps the records read in place

    [[nodiscard]] std::string_view text(std::uint32_t at, std::uint32_t size) const {
        return std::string_view(bytes).substr(at, size);
    }
    void clear() {
        op = op_records;
        bytes.clear();
        entries.clear();
        held.reset();
    }
};

// One worker: its pipeline, its queue of batches, and the alerts it raised.
struct sharded_pipeline::shard final : rules::alert_sink {
    std::unique_ptr<pipeline> pipe;
    mutable std::mutex busy;  // held while the pipeline runs

    std::mutex queue_mutex;
    std::condition_variable has_work;
    std::condition_variable has_space;
    std::condition_variable idle;
    std::deque<std::unique_ptr<batch>> queue;
    std::vector<std::unique_ptr<batch>> spare;
    std::uint64_t sent = 0;
    std::uint64_t done = 0;
    std::unique_ptr<batch> filling = std::make_unique<batch>();  // owner thread only

    std::mutex alerts_mutex;
    std::vector<rules::alert> alerts;
    const std::function<void()>* alerts_waiting = nullptr;

    std::thread thread;

    void emit(const rules::alert& a) override {
        bool first = false;
        {
            const std::lock_guard lock(alerts_mutex);
            first = alerts.empty();
            alerts.push_back(a);
        }
        if (first && alerts_waiting != nullptr && *alerts_waiting) {
            (*alerts_waiting)();
        }
    }
};

sharded_pipeline::sharded_pipeline(pipeline_options options, std::size_t workers,
                                   std::function<void()> alerts_waiting, owner role)
    : sink_(options.sink),
      alerts_waiting_(std::move(alerts_waiting)),
      threaded_(workers > 1),
      owner_runs_first_(threaded_ && role == owner::runs_a_shard) {
    const std::size_t n = workers > 1 ? workers : 1;
    options.table.max_peers = (options.table.max_peers + n - 1) / n;
    options.table.evidence_bytes /= n;
    for (std::size_t i = 0; i < n; ++i) {
        auto s = std::make_unique<shard>();
        pipeline_options o = options;
        if (threaded_ && o.sink != nullptr) {
            o.sink = s.get();
        }
        s->alerts_waiting = &alerts_waiting_;
        s->pipe = std::make_unique<pipeline>(std::move(o));
        shards_.push_back(std::move(s));
    }
    if (threaded_) {
        for (std::size_t i = first_worker(); i < shards_.size(); ++i) {
            shard& one = *shards_[i];
            one.thread = std::thread([this, &one] { work(one); });
        }
    }
}

sharded_pipeline::~sharded_pipeline() {
    join_workers();
}

void sharded_pipeline::stop_workers() {
    flush();
    join_workers();
}

void sharded_pipeline::join_workers() {
    if (!threaded_ || !shards_[first_worker()]->thread.joinable()) {
        return;
    }
    for (std::size_t i = first_worker(); i < shards_.size(); ++i) {
        shard& s = *shards_[i];
        auto stop = std::make_unique<batch>();
        stop->op = op_stop;
        {
            const std::lock_guard lock(s.queue_mutex);
            s.queue.push_back(std::move(stop));
        }
        s.has_work.notify_one();
    }
    for (std::size_t i = first_worker(); i < shards_.size(); ++i) {
        shards_[i]->thread.join();
    }
}

namespace {

// A device's shard by its name's hash. When the owner runs shard 0 the hash picks one of
// 2n - 1 places: shard 0 has one, every worker's shard two.
std::size_t shard_by_hash(std::size_t hash, std::size_t shards, bool owner_runs_first) noexcept {
    if (!owner_runs_first) {
        return hash % shards;
    }
    const std::size_t place = hash % (2 * shards - 1);
    return place == 0 ? 0 : (place + 1) / 2;
}

}  // namespace

std::size_t sharded_pipeline::shard_of_device(std::string_view device) const {
    return shard_by_hash(string_hash{}(device), shards_.size(), owner_runs_first_);
}

std::size_t sharded_pipeline::shard_of(std::string_view record, std::string_view source) const {
    return shard_of_device(device_of(parsers::frame_syslog(record), source));
}

void sharded_pipeline::process(std::string_view record, std::string_view source, micros received) {
    process_framed(record, framer_(record), source, received);
}

std::string_view sharded_pipeline::device_of(const framing_result& framed,
                                             std::string_view source) noexcept {
    return framed ? parsers::device_name(framed.value(), source) : source;
}

void sharded_pipeline::process_held(std::string_view record, std::string_view source,
                                    micros received, const std::shared_ptr<const void>& hold) {
    route(record, framer_(record), source, received, &hold);
}

void sharded_pipeline::process_framed(std::string_view record, const framing_result& framed,
                                      std::string_view source, micros received) {
    route(record, framed, source, received, nullptr);
}

void sharded_pipeline::route(std::string_view record, const framing_result& framed,
                             std::string_view source, micros received,
                             const std::shared_ptr<const void>* hold) {
    if (!threaded_) {
        shards_.front()->pipe->process_framed(record, framed, source, received);
        return;
    }
    // The shard of the device the decoder will name (the source when the record does not frame).
    const std::size_t index = shard_of_device(device_of(framed, source));
    shard& s = *shards_[index];
    if (index == 0 && owner_runs_first_) {
        // Only the owner's thread touches its shard: no lock.
        s.pipe->process_framed(record, framed, source, received);
        return;
    }
    const bool in_place = hold != nullptr && *hold != nullptr;
    batch* b = s.filling.get();
    const std::size_t copied = in_place ? 0 : record.size();
    if (b->entries.size() >= batch_records ||
        (!b->entries.empty() && (b->bytes.size() + copied + source.size() > batch_bytes ||
                                 (in_place && b->held != nullptr && b->held != *hold)))) {
        send(s);
        b = s.filling.get();
    }
    std::uint32_t at = batch::in_place;
    if (in_place) {
        if (b->held == nullptr) {
            b->held = *hold;
        }
    } else {
        at = static_cast<std::uint32_t>(b->bytes.size());
        b->bytes.append(record);
    }
    // Consecutive records from one source share its copy.
    std::uint32_t source_at = 0;
    if (!b->entries.empty() &&
        same_key(b->text(b->entries.back().source_at, b->entries.back().source_size), source)) {
        source_at = b->entries.back().source_at;
    } else {
        source_at = static_cast<std::uint32_t>(b->bytes.size());
        b->bytes.append(source);
    }
    b->entries.emplace_back(at, static_cast<std::uint32_t>(record.size()), source_at,
                            static_cast<std::uint32_t>(source.size()), received, framed,
                            record.data());
}

void sharded_pipeline::send(shard& s) {
    std::unique_lock lock(s.queue_mutex);
    s.has_space.wait(lock, [&] { return s.queue.size() < queue_batches; });
    s.queue.push_back(std::move(s.filling));
    ++s.sent;
    if (!s.spare.empty()) {
        s.filling = std::move(s.spare.back());
        s.spare.pop_back();
    } else {
        s.filling = std::make_unique<batch>();
    }
    lock.unlock();
    s.has_work.notify_one();
}

void sharded_pipeline::flush() {
    if (!threaded_) {
        return;
    }
    for (auto& s : shards_) {
        if (!s->filling->entries.empty()) {
            send(*s);
        }
    }
}

void sharded_pipeline::send_op(int kind, std::string_view source) {
    flush();
    if (owner_runs_first_) {
        run_op(*shards_.front()->pipe, kind, source);
    }
    for (std::size_t i = first_worker(); i < shards_.size(); ++i) {
        shard& s = *shards_[i];
        s.filling->op = kind;
        s.filling->bytes.assign(source);
        send(s);
    }
}

void sharded_pipeline::finish(std::string_view source) {
    if (!threaded_) {
        shards_.front()->pipe->finish(source);
        return;
    }
    send_op(op_finish, source);
}

void sharded_pipeline::drain() {
    if (!threaded_) {
        shards_.front()->pipe->drain();
        return;
    }
    send_op(op_drain, {});
}

void sharded_pipeline::wait_idle() {
    if (!threaded_) {
        return;
    }
    flush();
    for (auto& s : shards_) {
        std::unique_lock lock(s->queue_mutex);
        s->idle.wait(lock, [&] { return s->done == s->sent; });
    }
}

std::size_t sharded_pipeline::collect() {
    if (!threaded_ || sink_ == nullptr) {
        return 0;
    }
    std::size_t n = 0;
    std::vector<rules::alert> taken;
    for (auto& s : shards_) {
        {
            const std::lock_guard lock(s->alerts_mutex);
            taken.swap(s->alerts);
        }
        for (const rules::alert& a : taken) {
            sink_->emit(a);
        }
        n += taken.size();
        taken.clear();
    }
    return n;
}

void sharded_pipeline::work(shard& s) {
    for (;;) {
        std::unique_ptr<batch> b;
        {
            std::unique_lock lock(s.queue_mutex);
            s.has_work.wait(lock, [&] { return !s.queue.empty(); });
            b = std::move(s.queue.front());
            s.queue.pop_front();
        }
        s.has_space.notify_one();
        if (b->op == op_stop) {
            return;
        }
        {
            const std::lock_guard lock(s.busy);
            for (batch::entry& e : b->entries) {
                const bool copied = e.at != batch::in_place;
                const std::string_view record =
                    copied ? b->text(e.at, e.size) : std::string_view(e.owner_text, e.size);
                const std::string_view source = b->text(e.source_at, e.source_size);
                if (copied && e.framed) {
                    e.framed->rebase(std::string_view(e.owner_text, e.size), record);
                }
                s.pipe->process_framed(record, e.framed, source, e.received);
            }
            run_op(*s.pipe, b->op, b->bytes);
        }
        b->clear();  // lets go of what it held, outside the lock
        {
            const std::lock_guard lock(s.queue_mutex);
            ++s.done;
            s.spare.push_back(std::move(b));
        }
        s.idle.notify_all();
    }
}

void sharded_pipeline::for_each_shard(const std::function<void(const pipeline&)>& f) const {
    for (const auto& s : shards_) {
        const std::lock_guard lock(s->busy);
        f(*s->pipe);
    }
}

void sharded_pipeline::for_each_shard_mut(const std::function<void(pipeline&)>& f) {
    for (auto& s : shards_) {
        const std::lock_guard lock(s->busy);
        f(*s->pipe);
    }
}

void sharded_pipeline::tick(micros wall_now) {
    for_each_shard_mut([&](pipeline& p) { p.tick(wall_now); });
}

std::size_t sharded_pipeline::expire(micros wall_now) {
    std::size_t n = 0;
    for_each_shard_mut([&](pipeline& p) { n += p.expire(wall_now); });
    return n;
}

void sharded_pipeline::set_rules(const std::shared_ptr<const rules::rule_set>& rules) {
    for_each_shard_mut([&](pipeline& p) { p.set_rules(rules); });
}

void sharded_pipeline::set_time_options(const parsers::time_options& options) {
    for_each_shard_mut([&](pipeline& p) { p.set_time_options(options); });
}

std::vector<std::string> sharded_pipeline::take_changed() {
    wait_idle();
    std::vector<std::string> out;
    for_each_shard_mut([&](pipeline& p) {
        std::vector<std::string> one = p.take_changed();
        out.insert(out.end(), std::make_move_iterator(one.begin()),
                   std::make_move_iterator(one.end()));
    });
    return out;
}

std::vector<device_snapshot> sharded_pipeline::save_devices(
    const std::vector<std::string>& devices) {
    wait_idle();
    std::vector<std::vector<std::string>> by_shard(shards_.size());
    for (const std::string& d : devices) {
        by_shard[shard_of_device(d)].push_back(d);
    }
    std::vector<device_snapshot> out;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (by_shard[i].empty()) {
            continue;
        }
        const std::lock_guard lock(shards_[i]->busy);
        std::vector<device_snapshot> one = shards_[i]->pipe->save_devices(by_shard[i]);
        out.insert(out.end(), std::make_move_iterator(one.begin()),
                   std::make_move_iterator(one.end()));
    }
    return out;
}

bool sharded_pipeline::restore_device(const device_snapshot& s, std::string& error) {
    wait_idle();
    shard& sh = *shards_[shard_of_device(s.device)];
    const std::lock_guard lock(sh.busy);
    return sh.pipe->restore_device(s, error);
}

void sharded_pipeline::forget_device(std::string_view device) {
    wait_idle();
    shard& sh = *shards_[shard_of_device(device)];
    const std::lock_guard lock(sh.busy);
    sh.pipe->forget_device(device);
}

std::size_t sharded_pipeline::rule_count() const {
    std::size_t n = 0;
    const shard& s = *shards_.front();
    const std::lock_guard lock(s.busy);
    if (const rules::engine* e = s.pipe->engine()) {
        n = e->rules().rules.size();
    }
    return n;
}

}  // namespace ikewatch::pipeline
