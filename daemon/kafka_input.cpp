#include "daemon/kafka_input.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <string_view>

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "outputs/kafka_transport.hpp"

namespace ikewatch::daemon {

namespace {

constexpr std::size_t batch_records = 1000;
constexpr std::size_t batch_bytes = 4u << 20;
constexpr int poll_ms = 200;

std::vector<kafka_partition> partitions_of(const rd_kafka_topic_partition_list_t* list) {
    std::vector<kafka_partition> out;
    for (int i = 0; list != nullptr && i < list->cnt; ++i) {
        out.push_back({list->elems[i].topic, list->elems[i].partition});
    }
    return out;
}

std::string names_of(const std::vector<kafka_partition>& parts) {
    std::string out;
    for (const kafka_partition& p : parts) {
        out += (out.empty() ? "" : ",") + p.topic + "/" + std::to_string(p.partition);
    }
    return out;
}

}  // namespace

struct kafka_input::state {
    counters& stats;
    kafka_input::hooks& hooks;
    rd_kafka_t* rk = nullptr;
    micros last_error_log = 0;
    /// The group rebalances cooperatively (incremental assign and unassign). Known from the
    /// configuration: asking librdkafka (`rd_kafka_rebalance_protocol`, `rd_kafka_assignment`)
    /// from the rebalance callback waits on the group's thread, which may never answer while
    /// the consumer closes.
    bool cooperative = false;
    std::int64_t partitions = 0;  ///< owned, counted from the rebalances

    void count_partitions(std::int64_t n) {
        partitions = std::max<std::int64_t>(n, 0);
        stats.kafka_partitions = partitions;
    }

    // Consumer lag: the high watermark librdkafka last saw minus the position, summed over the
    // partitions owned. Both come from librdkafka's memory (no request to the brokers).
    void measure_lag() {
        rd_kafka_topic_partition_list_t* parts = nullptr;
        if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || parts == nullptr) {
            return;
        }
        std::int64_t lag = 0;
        if (rd_kafka_position(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < parts->cnt; ++i) {
                const auto& p = parts->elems[i];
                std::int64_t low = 0;
                std::int64_t high = 0;
                if (p.offset >= 0 &&
                    rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &low, &high) ==
                        RD_KAFKA_RESP_ERR_NO_ERROR &&
                    high > p.offset) {
                    lag += high - p.offset;
                }
            }
        }
        stats.kafka_lag = lag;
        rd_kafka_topic_partition_list_destroy(parts);
    }

    // Errors are logged at most every ten seconds (a cluster that is away repeats them).
    void log_error(const char* what) {
        ++stats.kafka_errors;
        const micros now = steady_micros();
        if (now - last_error_log >= 10 * micros_per_second) {
            last_error_log = now;
            spdlog::warn("kafka input: {}", what);
        }
    }
};

namespace {

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
    auto& s = *static_cast<kafka_input::state*>(opaque);
    ++s.stats.kafka_rebalances;
    const std::vector<kafka_partition> named = partitions_of(parts);
    const std::int64_t n = parts != nullptr ? parts->cnt : 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (s.hooks.assigned) {
            s.hooks.assigned(named);
        }
        if (s.cooperative) {
            if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) {
                s.log_error(rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
            } else {
                s.count_partitions(s.partitions + n);
            }
        } else if (rd_kafka_assign(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            s.count_partitions(n);
        }
        spdlog::info("kafka input: assigned {}", names_of(named));
    } else {
        // Every line handed over was processed (rebalances run between batches). The hook
        // may make their effects durable and store offsets; what was stored is committed
        // before another member takes the partitions.
        if (s.hooks.revoked) {
            s.hooks.revoked(named);
        }
        const rd_kafka_resp_err_t c = rd_kafka_commit(rk, nullptr, 0);
        if (c != RD_KAFKA_RESP_ERR_NO_ERROR && c != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            s.log_error(rd_kafka_err2str(c));
        }
        if (s.cooperative) {
            if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) {
                rd_kafka_error_destroy(e);
            } else {
                s.count_partitions(s.partitions - n);
            }
        } else {
            rd_kafka_assign(rk, nullptr);
            s.count_partitions(0);
        }
        spdlog::info("kafka input: revoked {}", names_of(named));
    }
}

void on_error(rd_kafka_t* /*rk*/, int /*err*/, const char* reason, void* opaque) {
    static_cast<kafka_input::state*>(opaque)->log_error(reason);
}

// librdkafka's own log lines (from its threads) are for debugging; errors come through on_error.
void on_log(const rd_kafka_t* /*rk*/, int /*level*/, const char* facility, const char* text) {
    spdlog::debug("kafka input: {}: {}", facility, text);
}

}  // namespace

void kafka_batch::add(std::string_view text, std::string_view key, std::string_view topic,
                      std::int32_t partition, std::int64_t offset) {
    // Batches hold a few topics at most.
    std::size_t t = 0;
    while (t < topics_.size() && topics_[t] != topic) {
        ++t;
    }
    if (t == topics_.size()) {
        topics_.emplace_back(topic);
    }
    entries_.push_back({bytes_.size(), text.size(), bytes_.size() + text.size(), key.size(), t,
                        partition, offset});
    bytes_.append(text);
    bytes_.append(key);
}

std::vector<kafka_batch::line> kafka_batch::lines() const {
    std::vector<line> out;
    out.reserve(entries_.size());
    const std::string_view all = bytes_;
    for (const entry& e : entries_) {
        out.push_back({all.substr(e.text_at, e.text_size), all.substr(e.key_at, e.key_size),
                       topics_[e.topic], e.partition, e.offset});
    }
    return out;
}

kafka_poison judge_record(std::string_view value, std::string_view key,
                          std::size_t max_message) noexcept {
    if (value.size() > max_message || key.size() > 255) {
        return kafka_poison::oversized;
    }
    const auto binary = [](std::string_view s, bool line_breaks) {
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if ((c < 0x20 && c != '\t' && !(line_breaks && (c == '\n' || c == '\r'))) ||
                c == 0x7f) {
                return true;
            }
        }
        return false;
    };
    return binary(value, true) || binary(key, false) ? kafka_poison::binary : kafka_poison::none;
}

kafka_input::kafka_input(boost::asio::io_context& io, kafka_input_settings settings,
                         batch_handler handler, counters& stats, hooks h)
    : io_(io),
      settings_(std::move(settings)),
      handler_(std::move(handler)),
      stats_(stats),
      hooks_(std::move(h)),
      state_(std::make_unique<state>(state{stats_, hooks_})) {}

kafka_input::~kafka_input() {
    stop();
    close();
}

bool kafka_input::open(std::string& error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The daemon's settings, then the operator's properties, then what the offsets' handling
    // needs and no property may change.
    bool ok = outputs::set_kafka_property(conf, "bootstrap.servers", settings_.brokers, error) &&
              outputs::set_kafka_property(conf, "group.id", settings_.group, error) &&
              outputs::set_kafka_property(conf, "client.id", "ikewatchd", error) &&
              outputs::set_kafka_property(conf, "auto.offset.reset", "earliest", error);
    for (const auto& [name, value] : settings_.properties) {
        ok = ok && outputs::set_kafka_property(conf, name, value, error);
    }
    ok = ok && outputs::set_kafka_property(conf, "enable.auto.commit", "true", error) &&
         outputs::set_kafka_property(conf, "enable.auto.offset.store", "false", error) &&
         outputs::set_kafka_property(conf, "enable.partition.eof", "false", error);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    // The protocol follows from the assignors, which must all be of one kind.
    std::array<char, 256> strategy{};
    std::size_t strategy_size = strategy.size();
    state_->cooperative =
        rd_kafka_conf_get(conf, "partition.assignment.strategy", strategy.data(), &strategy_size) ==
            RD_KAFKA_CONF_OK &&
        std::string_view(strategy.data()).find("cooperative-sticky") != std::string_view::npos;
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_opaque(conf, state_.get());
    char errstr[512] = {};
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        error = std::string("kafka input: ") + errstr;
        return false;
    }
    state_->rk = rk;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(static_cast<int>(settings_.topics.size()));
    for (const std::string& t : settings_.topics) {
        rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = std::string("kafka input: subscribe: ") + rd_kafka_err2str(err);
        rd_kafka_destroy(rk);
        state_->rk = nullptr;
        return false;
    }
    return true;
}

void kafka_input::run() {
    if (state_->rk != nullptr && !thread_.joinable()) {
        thread_ = std::thread([this] { poll_loop(); });
    }
}

void kafka_input::stop() {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
}

void kafka_input::close() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = closing_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
    if (state_->rk != nullptr) {
        // Commits the stored offsets (the revocation does it) and leaves the group.
        rd_kafka_consumer_close(state_->rk);
        rd_kafka_destroy(state_->rk);
        state_->rk = nullptr;
        stats_.kafka_partitions = 0;
    }
}

void kafka_input::store_offsets(const std::vector<kafka_offset>& offsets) {
    if (state_->rk == nullptr || offsets.empty()) {
        return;
    }
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const kafka_offset& o : offsets) {
        rd_kafka_topic_partition_list_add(list, o.at.topic.c_str(), o.at.partition)->offset =
            o.offset;
    }
    // Partitions no longer owned are refused (their new owner commits them); nothing to do.
    (void)rd_kafka_offsets_store(state_->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
}

bool kafka_input::on_loop(std::function<void()> f) {
    if (io_.get_executor().running_in_this_thread()) {
        f();
        return true;
    }
    auto done = std::make_shared<bool>(false);
    std::unique_lock lock(mutex_);
    if (closing_) {
        return false;
    }
    boost::asio::post(io_, [this, f = std::move(f), done] {
        f();
        {
            const std::lock_guard ran(mutex_);
            *done = true;
        }
        done_cv_.notify_all();
    });
    done_cv_.wait(lock, [&] { return *done || closing_; });
    return *done;
}

bool kafka_input::hand_over(const std::shared_ptr<kafka_batch>& batch) {
    std::unique_lock lock(mutex_);
    if (closing_) {
        return false;
    }
    const std::uint64_t n = ++handed_;
    // The loop runs the batch, then says so; a loop that has stopped never will, and close()
    // releases the wait.
    boost::asio::post(io_, [this, batch, n] {
        handler_(*batch);
        {
            const std::lock_guard done(mutex_);
            ran_ = n;
        }
        done_cv_.notify_all();
    });
    done_cv_.wait(lock, [&] { return ran_ >= n || closing_; });
    return ran_ >= n;
}

void kafka_input::poll_loop() {
    rd_kafka_t* rk = state_->rk;
    micros last_lag = 0;
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        auto batch = std::make_shared<kafka_batch>();
        rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(8);
        std::size_t records = 0;
        int timeout = poll_ms;
        while (records < batch_records && batch->bytes() < batch_bytes) {
            rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, timeout);
            if (m == nullptr) {
                break;
            }
            timeout = 0;  // what is already fetched joins the batch, nothing more is waited for
            if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    state_->log_error(rd_kafka_message_errstr(m));
                }
                rd_kafka_message_destroy(m);
                continue;
            }
            ++records;
            ++stats_.kafka_records;
            stats_.kafka_bytes += m->len;
            const std::string_view value(static_cast<const char*>(m->payload), m->len);
            const std::string_view key(static_cast<const char*>(m->key), m->key_len);
            switch (judge_record(value, key, settings_.max_message)) {
                case kafka_poison::oversized:
                    ++stats_.kafka_poison_oversized;
                    break;
                case kafka_poison::binary:
                    ++stats_.kafka_poison_binary;
                    break;
                case kafka_poison::none: {
                    // One line per record; a record of several lines gives each.
                    std::string_view rest = value;
                    while (!rest.empty()) {
                        const std::size_t lf = rest.find('\n');
                        std::string_view line = rest.substr(0, lf);
                        rest =
                            lf == std::string_view::npos ? std::string_view{} : rest.substr(lf + 1);
                        if (!line.empty() && line.back() == '\r') {
                            line.remove_suffix(1);
                        }
                        if (!line.empty()) {
                            batch->add(line, key, rd_kafka_topic_name(m->rkt), m->partition,
                                       m->offset);
                        }
                    }
                    break;
                }
            }
            // Skipped or processed, the record's offset is stored with its batch.
            rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(m->rkt), m->partition)
                ->offset = m->offset + 1;
            rd_kafka_message_destroy(m);
        }
        bool stored = true;
        if (batch->size() > 0) {
            stored = hand_over(batch);
        }
        if (stored && offsets->cnt > 0 && !settings_.defer_offsets) {
            // The last entry of a partition carries its highest offset: it is stored last.
            rd_kafka_offsets_store(rk, offsets);
        }
        rd_kafka_topic_partition_list_destroy(offsets);
        if (!stored) {
            break;
        }
        if (const micros now = steady_micros(); now - last_lag >= micros_per_second) {
            last_lag = now;
            state_->measure_lag();
        }
    }
}

}  // namespace ikewatch::daemon
