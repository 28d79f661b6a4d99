#include "outputs/kafka_transport.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <librdkafka/rdkafka.h>

#include "common/clock.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

namespace {

// What the delivery reports of one send say; the callback finds it through each record's opaque.
struct send_state {
    std::size_t pending = 0;
    rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* /*opaque*/) {
    auto* state = static_cast<send_state*>(m->_private);
    if (state == nullptr) {
        return;
    }
    --state->pending;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && state->first_error == RD_KAFKA_RESP_ERR_NO_ERROR) {
        state->first_error = m->err;
    }
}

// librdkafka's own log lines would go to standard error from its threads; its errors reach the
// transport through error_cb (on the forwarder's thread, inside rd_kafka_poll) instead.
void quiet_log(const rd_kafka_t* /*rk*/, int /*level*/, const char* /*fac*/, const char* /*buf*/) {}

class kafka_transport final : public transport {
  public:
    kafka_transport(kafka_url target, const forwarder_settings& s)
        : target_(std::move(target)), settings_(s) {}
    ~kafka_transport() override { close(); }
    kafka_transport(const kafka_transport&) = delete;
    kafka_transport& operator=(const kafka_transport&) = delete;

    bool connect(std::string& error) override {
        close();
        char errstr[512] = {};
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        const long timeout_ms = std::max<long>(settings_.connect_timeout / 1000, 1);
        bool ok =
            set_kafka_property(conf, "bootstrap.servers", target_.brokers, error) &&
            set_kafka_property(conf, "client.id", "ikewatchd", error) &&
            set_kafka_property(conf, "message.timeout.ms", std::to_string(timeout_ms), error) &&
            set_kafka_property(conf, "socket.connection.setup.timeout.ms",
                               std::to_string(std::max<long>(timeout_ms, 1000)), error);
        for (const auto& [name, value] : settings_.properties) {
            ok = ok && set_kafka_property(conf, name, value, error);
        }
        if (ok) {
            // What the properties left it at: how long the brokers get to acknowledge.
            char value[64] = {};
            std::size_t size = sizeof value;
            if (rd_kafka_conf_get(conf, "message.timeout.ms", value, &size) == RD_KAFKA_CONF_OK) {
                message_timeout_ = std::atol(value) * 1000;
            }
        }
        if (!ok) {
            rd_kafka_conf_destroy(conf);
            return false;
        }
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_log_cb(conf, quiet_log);
        rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int, const char* reason, void* opaque) {
            static_cast<kafka_transport*>(opaque)->last_error_ = reason;
        });
        rd_kafka_conf_set_opaque(conf, this);
        rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (rk_ == nullptr) {
            rd_kafka_conf_destroy(conf);
            error = std::string("kafka: ") + errstr;
            return false;
        }
        return true;
    }

    bool send(const std::vector<std::string>& records, std::string& error) override {
        send_state state;
        last_error_.clear();
        rd_kafka_resp_err_t produce_error = RD_KAFKA_RESP_ERR_NO_ERROR;
        for (const std::string& r : records) {
            const std::string key = alert_id(r);
            std::array<rd_kafka_vu_t, 5> vu{};
            vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vu[0].u.cstr = target_.topic.c_str();
            vu[1].vtype = RD_KAFKA_VTYPE_VALUE;
            vu[1].u.mem = {const_cast<char*>(r.data()), r.size()};
            vu[2].vtype = RD_KAFKA_VTYPE_KEY;
            vu[2].u.mem = {const_cast<char*>(key.data()), key.size()};
            vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
            vu[3].u.i = RD_KAFKA_MSG_F_COPY;
            vu[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
            vu[4].u.ptr = &state;
            rd_kafka_error_t* e = nullptr;
            for (int tries = 0; tries < 100; ++tries) {
                e = rd_kafka_produceva(rk_, vu.data(), vu.size());
                if (e == nullptr || rd_kafka_error_code(e) != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    break;
                }
                rd_kafka_error_destroy(e);
                e = nullptr;
                rd_kafka_poll(rk_, 100);  // serves delivery reports, which frees the queue
            }
            if (e != nullptr) {
                produce_error = rd_kafka_error_code(e);
                rd_kafka_error_destroy(e);
                break;
            }
            ++state.pending;
        }
        // The brokers get message.timeout.ms (plus a little for the reports to come back) to
        // acknowledge; librdkafka fails the records itself when that passes.
        const micros deadline = steady_micros() + message_timeout_ + micros_per_second;
        while (state.pending > 0 && steady_micros() < deadline) {
            rd_kafka_poll(rk_, 100);
        }
        if (state.pending > 0) {
            // Not sent again by librdkafka behind our back: the spool resends them.
            rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            for (int i = 0; i < 50 && state.pending > 0; ++i) {
                rd_kafka_poll(rk_, 100);
            }
            if (state.first_error == RD_KAFKA_RESP_ERR_NO_ERROR) {
                state.first_error = RD_KAFKA_RESP_ERR__TIMED_OUT;
            }
        }
        if (state.pending > 0) {
            // Reports still owed would point at `state` after it is gone: drop this producer.
            close();
        }
        const rd_kafka_resp_err_t err =
            produce_error != RD_KAFKA_RESP_ERR_NO_ERROR ? produce_error : state.first_error;
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            error = "kafka " + target_.topic + ": " + rd_kafka_err2str(err);
            if (!last_error_.empty()) {
                error += " (" + last_error_ + ")";
            }
            return false;
        }
        return true;
    }

    // Never polls: a report served here would reach a send that has returned. Every send
    // either had all its reports or ends by closing.
    void close() override {
        if (rk_ == nullptr) {
            return;
        }
        rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
                                RD_KAFKA_PURGE_F_NON_BLOCKING);
        rd_kafka_destroy(rk_);
        rk_ = nullptr;
    }
    [[nodiscard]] bool connected() const override { return rk_ != nullptr; }
    [[nodiscard]] bool healthy() override {
        if (rk_ != nullptr) {
            rd_kafka_poll(rk_, 0);  // serves error_cb
        }
        return rk_ != nullptr;
    }
    [[nodiscard]] bool acknowledges() const override { return true; }

  private:
    // The record's key: the alert's stable id (the record is the alert's JSON).
    static std::string alert_id(const std::string& record) {
        const nlohmann::json j = nlohmann::json::parse(record, nullptr, false);
        if (j.is_object()) {
            const auto alert = j.find("alert");
            if (alert != j.end() && alert->is_object()) {
                const auto id = alert->find("id");
                if (id != alert->end() && id->is_string()) {
                    return id->get<std::string>();
                }
            }
        }
        return {};
    }

    kafka_url target_;
    const forwarder_settings& settings_;
    rd_kafka_t* rk_ = nullptr;
    micros message_timeout_ = 5 * micros_per_second;
    std::string last_error_;  // from error_cb, on this thread
};

}  // namespace

std::unique_ptr<transport> make_kafka_transport(kafka_url target,
                                                const forwarder_settings& settings) {
    return std::make_unique<kafka_transport>(std::move(target), settings);
}

bool set_kafka_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                        std::string& error) {
    char errstr[512] = {};
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        error = "kafka property " + name + ": " + errstr;
        return false;
    }
    return true;
}

bool kafka_properties_ok(const std::map<std::string, std::string>& properties, bool consumer,
                         std::string& error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, quiet_log);  // a client that will never connect: no warnings
    bool ok = true;
    for (const auto& [name, value] : properties) {
        if (!set_kafka_property(conf, name, value, error)) {
            ok = false;
            break;
        }
    }
    if (ok) {
        // Properties that only fit the other kind of client are refused by rd_kafka_new.
        char errstr[512] = {};
        rd_kafka_t* rk = rd_kafka_new(consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf,
                                      errstr, sizeof errstr);
        if (rk == nullptr) {
            error = std::string("kafka properties: ") + errstr;
            rd_kafka_conf_destroy(conf);
            return false;
        }
        rd_kafka_destroy(rk);
        return true;
    }
    rd_kafka_conf_destroy(conf);
    return false;
}

}  // namespace ikewatch::outputs
