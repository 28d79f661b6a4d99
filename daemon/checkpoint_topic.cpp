#include "daemon/checkpoint_topic.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include <librdkafka/rdkafka.h>

#include "common/clock.hpp"
#include "outputs/kafka_transport.hpp"

namespace ikewatch::daemon {

namespace {

// The consumer's properties that a producer or a group-less reader also takes (security,
// timeouts); the rest (group and offset handling) are the input's alone.
bool shared_property(const std::string& name) {
    return name.starts_with("security.") || name.starts_with("sasl.") || name.starts_with("ssl.") ||
           name.starts_with("socket.") || name == "client.rack" || name.starts_with("reconnect.") ||
           name.starts_with("topic.metadata.") || name == "metadata.max.age.ms";
}

// librdkafka's own log lines (from its threads) are for debugging only.
void quiet_log(const rd_kafka_t* /*rk*/, int /*level*/, const char* /*fac*/, const char* /*buf*/) {}

rd_kafka_conf_t* base_conf(const checkpoint_topic_settings& s, std::string& error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    bool ok = outputs::set_kafka_property(conf, "bootstrap.servers", s.brokers, error) &&
              outputs::set_kafka_property(conf, "client.id", "ikewatchd-checkpoint", error);
    for (const auto& [name, value] : s.properties) {
        if (shared_property(name)) {
            ok = ok && outputs::set_kafka_property(conf, name, value, error);
        }
    }
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return nullptr;
    }
    rd_kafka_conf_set_log_cb(conf, quiet_log);
    return conf;
}

int ms_until(micros deadline, int most) {
    return static_cast<int>(
        std::clamp<micros>((deadline - steady_micros()) / 1000, 1, static_cast<micros>(most)));
}

// The records of one assigned partition from offset `next` up to `high`, polled until
// `deadline`.
result<std::vector<std::string>, std::string> fetch_range(rd_kafka_t* rk, std::int32_t partition,
                                                          std::int64_t next, std::int64_t high,
                                                          micros deadline) {
    std::vector<std::string> out;
    while (next < high) {
        if (steady_micros() >= deadline) {
            return failure<std::string>{"read to offset " + std::to_string(next) + " of " +
                                        std::to_string(high) + " within the time allowed"};
        }
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, ms_until(deadline, 200));
        if (m == nullptr) {
            continue;
        }
        // A record fetched for an earlier read may still be queued: only this partition counts.
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->partition == partition &&
            m->offset >= next) {
            out.emplace_back(static_cast<const char*>(m->payload), m->len);
            next = m->offset + 1;
        }
        rd_kafka_message_destroy(m);
    }
    return out;
}

}  // namespace

struct checkpoint_writer::state {
    rd_kafka_t* rk = nullptr;
    std::size_t pending = 0;
    std::size_t failed = 0;
    std::string first_error;
};

namespace {

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
    auto& s = *static_cast<checkpoint_writer::state*>(opaque);
    --s.pending;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (s.failed++ == 0) {
            s.first_error = rd_kafka_err2str(m->err);
        }
    }
}

}  // namespace

checkpoint_writer::checkpoint_writer(checkpoint_topic_settings settings)
    : settings_(std::move(settings)), state_(std::make_unique<state>()) {}

checkpoint_writer::~checkpoint_writer() {
    if (state_->rk != nullptr) {
        // What was not acknowledged by now is not waited for: its offsets were never stored.
        rd_kafka_flush(state_->rk, 2000);
        rd_kafka_destroy(state_->rk);
    }
}

bool checkpoint_writer::open(std::string& error) {
    rd_kafka_conf_t* conf = base_conf(settings_, error);
    if (conf == nullptr) {
        return false;
    }
    // Every in-sync replica has a snapshot before it counts; retries keep order and write no
    // duplicates. A snapshot not acknowledged within 30 s counts as failed: its devices are
    // written again at the next checkpoint.
    if (!outputs::set_kafka_property(conf, "acks", "all", error) ||
        !outputs::set_kafka_property(conf, "enable.idempotence", "true", error) ||
        !outputs::set_kafka_property(conf, "message.timeout.ms", "30000", error) ||
        !outputs::set_kafka_property(conf, "compression.type", "lz4", error)) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, state_.get());
    char errstr[512] = {};
    state_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (state_->rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        error = std::string("checkpoint producer: ") + errstr;
        return false;
    }
    return true;
}

bool checkpoint_writer::write(std::string_view device, std::int32_t partition,
                              std::string_view bytes, std::string& error) {
    std::array<rd_kafka_vu_t, 5> vu{};
    vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[0].u.cstr = settings_.topic.c_str();
    vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[1].u.i32 = partition;
    // librdkafka copies key and value (MSG_F_COPY); the casts only drop const.
    vu[2].vtype = RD_KAFKA_VTYPE_KEY;
    vu[2].u.mem = {const_cast<char*>(device.data()), device.size()};
    vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[3].u.mem = {const_cast<char*>(bytes.data()), bytes.size()};
    vu[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[4].u.i = RD_KAFKA_MSG_F_COPY;
    if (rd_kafka_error_t* e = rd_kafka_produceva(state_->rk, vu.data(), vu.size())) {
        error = rd_kafka_error_string(e);
        rd_kafka_error_destroy(e);
        return false;
    }
    ++state_->pending;
    return true;
}

checkpoint_writer::acks checkpoint_writer::take_acks(micros wait) {
    const micros deadline = steady_micros() + wait;
    rd_kafka_poll(state_->rk, 0);
    while (state_->pending > 0 && steady_micros() < deadline) {
        rd_kafka_poll(state_->rk, 50);
    }
    acks out{state_->pending, state_->failed, std::move(state_->first_error)};
    state_->failed = 0;
    state_->first_error.clear();
    return out;
}

checkpoint_reader::checkpoint_reader(checkpoint_topic_settings settings)
    : settings_(std::move(settings)) {}

checkpoint_reader::~checkpoint_reader() {
    if (rk_ != nullptr) {
        rd_kafka_consumer_close(rk_);
        rd_kafka_destroy(rk_);
    }
}

bool checkpoint_reader::open(std::string& error) {
    rd_kafka_conf_t* conf = base_conf(settings_, error);
    if (conf == nullptr) {
        return false;
    }
    // A group id is needed by the consumer API; nothing joins it (assign, not subscribe) and
    // nothing is committed.
    if (!outputs::set_kafka_property(conf, "group.id", "ikewatchd-checkpoint-reader", error) ||
        !outputs::set_kafka_property(conf, "enable.auto.commit", "false", error) ||
        !outputs::set_kafka_property(conf, "enable.partition.eof", "false", error)) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    char errstr[512] = {};
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
        rd_kafka_conf_destroy(conf);
        error = std::string("checkpoint reader: ") + errstr;
        return false;
    }
    rd_kafka_poll_set_consumer(rk_);
    return true;
}

result<std::vector<std::string>, std::string> checkpoint_reader::read(std::int32_t partition,
                                                                      micros timeout) {
    using failed = failure<std::string>;
    const std::lock_guard lock(busy_);
    if (rk_ == nullptr) {
        return failed{"checkpoint reader: not open"};
    }
    const std::string where =
        "checkpoint topic " + settings_.topic + " partition " + std::to_string(partition);
    const micros deadline = steady_micros() + timeout;
    std::int64_t low = 0;
    std::int64_t high = 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    // The brokers may be away for a moment (a failover is often why we are here): ask again.
    while (steady_micros() < deadline) {
        err = rd_kafka_query_watermark_offsets(rk_, settings_.topic.c_str(), partition, &low, &high,
                                               ms_until(deadline, 5000));
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            break;
        }
        rd_kafka_poll(rk_, 200);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return failed{where + ": " + rd_kafka_err2str(err)};
    }
    if (high <= low) {
        return std::vector<std::string>{};
    }
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, settings_.topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    err = rd_kafka_assign(rk_, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return failed{std::string("checkpoint reader: assign: ") + rd_kafka_err2str(err)};
    }
    auto got = fetch_range(rk_, partition, low, high, deadline);
    rd_kafka_assign(rk_, nullptr);  // no more fetching until the next read
    if (!got) {
        return failed{where + ": " + got.error()};
    }
    return got;
}

void checkpoint_reader::serve_idle() {
    const std::unique_lock lock(busy_, std::try_to_lock);
    if (!lock.owns_lock() || rk_ == nullptr) {
        return;
    }
    // Errors are served inside the poll; a record (none is assigned) would come out.
    while (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 0)) {
        rd_kafka_message_destroy(m);
    }
}

std::size_t checkpoint_reader::queued() const {
    if (rk_ == nullptr) {
        return 0;
    }
    rd_kafka_queue_t* q = rd_kafka_queue_get_consumer(rk_);
    const std::size_t n = rd_kafka_queue_length(q);
    rd_kafka_queue_destroy(q);
    return n;
}

}  // namespace ikewatch::daemon
