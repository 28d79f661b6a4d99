#include "daemon/app.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/enum_names.hpp"
#include "config/config_loader.hpp"
#include "config/config_schema.hpp"
#include "daemon/tls_session.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"
#include "outputs/peers_format.hpp"
#include "parsers/record_decoder.hpp"
#include "parsers/syslog_framer.hpp"
#include "rules/loader.hpp"

namespace ikewatch::daemon {

namespace {

constexpr micros expire_every = 60 * micros_per_second;

tcp_limits limits_of(const config::daemon_config& c) {
    return {c.tcp_max_connections, c.max_message_size, c.tcp_idle_timeout};
}

}  // namespace

loaded_setup load_setup(const launch& how) {
    loaded_setup out;
    if (!how.config_path.empty()) {
        config::config_result r = config::load_config(how.config_path);
        out.config = std::move(r.config);
        out.problems = std::move(r.problems);
    }
    if (how.overrides) {
        how.overrides(out.config);
    }
    const std::string source = how.config_path.empty() ? "ikewatchd" : how.config_path;
    if (out.config.udp.empty() && out.config.tcp.empty() && out.config.tls.empty() &&
        out.config.kafka_brokers.empty()) {
        out.problems.push_back({source, 0, 0, "no-listener",
                                "nothing to listen on: set listen.udp, listen.tcp, listen.tls or "
                                "kafka (or --udp, --tcp, --tls, --kafka-brokers)"});
    }
    if (const std::string kafka = config::kafka_input_problem(out.config); !kafka.empty()) {
        out.problems.push_back({source, 0, 0, "bad-value", kafka});
    }
    if (const auto missing = config::tls_listener_problem(out.config)) {
        out.problems.push_back({source, 0, 0, "missing-key", *missing});
    } else if (!out.config.tls.empty() && out.problems.empty()) {
        // The files are read here, so --check-config and SIGHUP see a bad certificate too.
        auto tls = load_tls_setup(out.config.tls_server);
        if (tls) {
            out.tls = std::move(tls).value();
        } else {
            out.problems.push_back({source, 0, 0, "tls-certificate", tls.error()});
        }
    }
    rules::load_result rules = rules::load_with_pack(out.config.rule_paths, out.config.workers);
    out.rules = rules.rules;
    out.problems.insert(out.problems.end(), rules.problems.begin(), rules.problems.end());
    return out;
}

void set_log_level(config::log_level level) {
    // spdlog reads the names log.level takes ("warn" included).
    spdlog::set_level(spdlog::level::from_str(std::string(ikewatch::to_string(level))));
}

app::app(launch how, loaded_setup setup)
    : how_(std::move(how)),
      config_(std::move(setup.config)),
      tls_(std::move(setup.tls)),
      signals_(io_, SIGHUP, SIGUSR1, SIGTERM),
      tick_(io_) {
    signals_.add(SIGINT);
    policy_ =
        std::make_unique<sender_policy>(config_.allow, config_.rate_limit, config_.rate_burst);
    alert_log_ = std::make_unique<outputs::alert_log>(
        config_.alert_log, config_.alert_format == outputs::output_format::json,
        config_.alert_queue);
    alert_log_->set_batched(true);
    pipeline::pipeline_options o;
    o.time = config_.time;
    plan_ = ike::plan_memory(config_.memory, config_.max_peers);
    o.table.max_peers = plan_.max_peers;
    o.table.evidence_bytes = plan_.evidence_bytes;
    o.table.idle_expiry = config_.idle_expiry;
    o.rules = setup.rules;
    o.sink = &fanout_;
    o.track_changes = !config_.kafka_checkpoint_topic.empty();
    pipeline_ = std::make_unique<pipeline::sharded_pipeline>(
        std::move(o), config_.workers,
        // From a worker thread: collect its alerts on the event loop.
        [this] { boost::asio::post(io_, [this] { pipeline_->collect(); }); });
    web_ = std::make_unique<web_routes>(*pipeline_, wall_micros);
}

app::~app() = default;

void app::fanout::emit(const rules::alert& a) {
    rules::alert& stamped = stamped_;
    stamped = a;
    stamped.created = wall_micros();
    owner_.alert_log_->emit(stamped);
    if (!owner_.alert_flush_posted_) {
        // Once the handlers ready now have run (the rest of this batch of input), before the
        // loop waits again: the alerts of the turn in one write.
        owner_.alert_flush_posted_ = true;
        boost::asio::post(owner_.io_, [o = &owner_] {
            o->alert_flush_posted_ = false;
            o->alert_log_->flush();  // a failure is retried and reported by the tick
        });
    }
    owner_.web_->record(stamped);
    for (const auto& f : owner_.forwarders_) {
        f->submit(stamped);
    }
}

bool app::start_forwarders(std::string& error) {
    outputs::siem_options options;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') {
        options.hostname = host;
    }
    for (outputs::forwarder_settings s : config_.forwarders) {
        if (!config_.state_dir.empty()) {
            // One spool directory per forwarder, named after it.
            s.spool_dir = config_.state_dir + "/spool/" + config::spool_dir_name(s.name);
        }
        spdlog::info("forwarding alerts to {} as {}{}", s.url, ikewatch::to_string(s.format),
                     config_.state_dir.empty() ? " (spool in memory only: set state_dir)" : "");
        auto f = std::make_unique<outputs::forwarder>(std::move(s), options);
        if (!f->start(error)) {
            return false;
        }
        forwarders_.push_back(std::move(f));
    }
    return true;
}

bool app::bind(std::string& error) {
    const auto handler = [this](std::string_view m, const arrival& from) { on_message(m, from); };
    std::string what;
    try {
        for (const config::endpoint& e : config_.udp) {
            what = "udp " + e.to_string();
            udp_.push_back(std::make_unique<udp_listener>(
                io_, e, config_.udp_receive_buffer, config_.max_message_size, handler, stats_));
        }
        for (const config::endpoint& e : config_.tcp) {
            what = "tcp " + e.to_string();
            tcp_.push_back(std::make_unique<tcp_listener>(io_, e, limits_of(config_), *policy_,
                                                          handler, stats_));
        }
        for (const config::endpoint& e : config_.tls) {
            what = "tls " + e.to_string();
            tls_listeners_.push_back(std::make_unique<tcp_listener>(
                io_, e, limits_of(config_), *policy_, handler, stats_, transport::tls,
                tls_sessions([this] { return tls_; }, stats_)));
        }
        if (config_.status) {
            what = "status " + config_.status->to_string();
            status_ = std::make_unique<status_server>(
                io_, *config_.status, [this](const status_request& r) {
                    // The web page first; the JSON API keeps its paths.
                    auto page = web_->handle(r);
                    return page ? page : route(std::string(r.target));
                });
        }
    } catch (const boost::system::system_error& e) {
        error = "cannot listen on " + what + ": " + e.code().message();
        return false;
    }
    return true;
}

bool app::open_outputs(std::string& error) {
    if (!start_forwarders(error)) {
        return false;
    }
    // The Kafka consumer, too, runs as the user the daemon became.
    if (!config_.kafka_brokers.empty() && !open_kafka(error)) {
        return false;
    }
    std::string log_error;
    if (!alert_log_->open(log_error)) {
        // Not fatal: alerts wait in the queue and the log is retried every second.
        spdlog::error("alert log: {} (alerts are kept in memory until it can be written)",
                      log_error);
    }
    return true;
}

bool app::write_alerts() {
    pipeline_->wait_idle();
    pipeline_->collect();
    if (!alert_log_->flush()) {
        spdlog::warn("checkpoint: the alert log cannot be written ({}); the input offsets wait",
                     alert_log_->last_error());
        return false;
    }
    return true;
}

bool app::open_kafka(std::string& error) {
    kafka_input_settings settings{config_.kafka_brokers, config_.kafka_topics, config_.kafka_group,
                                  config_.kafka_properties, config_.max_message_size};
    kafka_input::hooks hooks;
    if (!config_.kafka_checkpoint_topic.empty()) {
        checkpointer::settings cs;
        cs.topic = {config_.kafka_brokers, config_.kafka_checkpoint_topic,
                    config_.kafka_properties};
        cs.interval = config_.kafka_checkpoint_interval;
        checkpoint_ = std::make_unique<checkpointer>(std::move(cs), *pipeline_, stats_,
                                                     [this] { return write_alerts(); });
        if (!checkpoint_->open(error)) {
            return false;
        }
        settings.defer_offsets = true;
        // On the consumer thread, before the partitions are read: their devices' state first.
        hooks.assigned = [this](const std::vector<kafka_partition>& parts) {
            auto snapshots = std::make_shared<std::vector<std::string>>(checkpoint_->read(parts));
            (void)kafka_->on_loop(
                [this, parts, snapshots] { checkpoint_->restore(parts, *snapshots); });
        };
        hooks.revoked = [this](const std::vector<kafka_partition>& parts) {
            (void)kafka_->on_loop([this, parts] { checkpoint_->revoked(parts); });
        };
    }
    kafka_ = std::make_unique<kafka_input>(
        io_, std::move(settings), [this](const kafka_batch& b) { on_kafka_batch(b); }, stats_,
        std::move(hooks));
    if (checkpoint_) {
        checkpoint_->attach(*kafka_);
    }
    return kafka_->open(error);
}

int app::run() {
    for (auto& u : udp_) {
        u->start();
        spdlog::info("listening on udp {} (receive buffer {} bytes)", u->port(),
                     u->receive_buffer());
    }
    for (auto& t : tcp_) {
        t->start();
        spdlog::info("listening on tcp {}", t->port());
    }
    for (auto& t : tls_listeners_) {
        t->start();
        spdlog::info("listening on tls {} (certificate {})", t->port(), tls_->certificate_subject);
    }
    if (kafka_) {
        kafka_->run();
        spdlog::info("reading kafka topics {} from {} as group {}",
                     join_names(config_.kafka_topics, ", ", ", "), config_.kafka_brokers,
                     config_.kafka_group);
    }
    if (status_) {
        status_->start();
        spdlog::info("status endpoint on http://{}:{}/", config_.status->address, status_->port());
    }
    log_memory_plan();
    spdlog::info("{} rules loaded; {} pipeline worker{}; alerts to {}", pipeline_->rule_count(),
                 pipeline_->workers(), pipeline_->workers() == 1 ? "" : "s",
                 config_.alert_log.empty() ? "standard output" : config_.alert_log);
    wait_signals();
    last_expire_ = last_stats_ = steady_micros();
    schedule_tick();
    io_.run();
    return 0;
}

void app::log_memory_plan() const {
    const std::size_t planned = ike::planned_bytes(plan_);
    spdlog::info("memory plan: memory={}MiB max_peers={} evidence_store={}MiB planned={}MiB",
                 config_.memory >> 20, plan_.max_peers, plan_.evidence_bytes >> 20, planned >> 20);
    if (planned > config_.memory) {
        spdlog::warn(
            "limits.max_peers={} plans for {}MiB, more than limits.memory={}MiB: leave max_peers "
            "out or raise memory",
            plan_.max_peers, planned >> 20, config_.memory >> 20);
    }
}

void app::stop() {
    if (stopping_) {
        return;
    }
    stopping_ = true;
    // What the kernel already holds for us is read and processed before we go. UDP is read here;
    // TCP reads already in flight complete first (their handlers are queued ahead of the second
    // step), then each connection's remaining bytes are read.
    for (auto& u : udp_) {
        u->drain_and_close();
    }
    for (auto& t : tcp_) {
        t->begin_close();
    }
    for (auto& t : tls_listeners_) {
        t->begin_close();
    }
    if (kafka_) {
        kafka_->stop();  // the batch already handed over runs before finish_stop
    }
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    tick_.cancel();
    boost::asio::post(io_, [this] { finish_stop(); });
}

void app::finish_stop() {
    for (auto& t : tcp_) {
        t->close();
    }
    for (auto& t : tls_listeners_) {
        t->close();
    }
    if (kafka_) {
        kafka_->close();  // commits the offsets of what was processed, leaves the group
    }
    if (status_) {
        status_->close();
    }
    pipeline_->wait_idle();
    pipeline_->collect();
    if (!alert_log_->flush()) {
        spdlog::error("alert log: {} ({} alerts could not be written)", alert_log_->last_error(),
                      alert_log_->queued());
    }
    // A little time, shared by all forwarders, to deliver what waits; the rest stays spooled for
    // the next start.
    const micros deadline = steady_micros() + 2 * micros_per_second;
    for (const auto& f : forwarders_) {
        f->stop(std::max<micros>(deadline - steady_micros(), 0));
        const outputs::forwarder_stats fs = f->stats();
        if (fs.pending > 0) {
            spdlog::warn("forwarder {}: {} alerts not yet delivered{}", f->settings().name,
                         fs.pending,
                         f->settings().spool_dir.empty() ? " and lost (no state_dir)"
                                                         : ", kept in the spool");
        }
    }
    log_stats("exit");
    io_.stop();
}

void app::on_message(std::string_view message, const arrival& from) {
    const ip_address& sender = from.sender;
    switch (policy_->admit(sender, from.steady)) {
        case sender_policy::verdict::not_allowed:
            ++stats_.dropped_not_allowed;
            return;
        case sender_policy::verdict::rate_limited:
            ++stats_.dropped_rate_limited;
            return;
        case sender_policy::verdict::accept:
            break;
    }
    // The sender's address names the device when the header has no host name.
    if (source_.empty() || !(sender == last_sender_)) {
        last_sender_ = sender;
        source_ = sender.to_string();
    }
    pipeline_->process(message, source_, from.wall);
    if (pipeline_->workers() > 1 && !flush_posted_) {
        // After the listener's current batch: partly filled batches go to the workers.
        flush_posted_ = true;
        boost::asio::post(io_, [this] { hand_over(); });
    }
}

void app::on_kafka_batch(const kafka_batch& batch) {
    const micros now = wall_micros();
    for (const kafka_batch::line& l : batch.lines()) {
        // The record key names the device, whatever the header says; without one, the
        // header's host, else the topic.
        auto framed = pipeline_->frame(l.text);
        const std::string_view source = l.key.empty() ? l.topic : l.key;
        if (!l.key.empty() && framed) {
            framed.value().host = {};
            framed.value().sender = {};
        }
        if (checkpoint_) {
            const bool admitted =
                checkpoint_->admit(l, pipeline::sharded_pipeline::device_of(framed, source));
            if (admitted) {
                pipeline_->process_framed(l.text, framed, source, now);
            }
            checkpoint_->processed(l);
            continue;
        }
        pipeline_->process_framed(l.text, framed, source, now);
    }
    if (pipeline_->workers() > 1) {
        hand_over();
    }
}

void app::hand_over() {
    flush_posted_ = false;
    pipeline_->flush();
    pipeline_->collect();
}

void app::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) {
            return;
        }
        switch (signo) {
            case SIGHUP:
                spdlog::info("SIGHUP: reloading configuration and rules");
                reload();
                break;
            case SIGUSR1:
                reopen_alert_log();
                break;
            default:
                spdlog::info("{}: reading what is queued, then exiting",
                             signo == SIGTERM ? "SIGTERM" : "SIGINT");
                stop();
                return;
        }
        wait_signals();
    });
}

void app::schedule_tick() {
    tick_.expires_after(std::chrono::seconds(1));
    tick_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_) {
            return;
        }
        const micros wall = wall_micros();
        count_kernel_drops();
        // Devices' clocks move on with the wall clock: silent peers time out.
        pipeline_->tick(wall);
        pipeline_->collect();
        if (alert_log_->queued() > 0) {
            const bool failing = alert_log_->failing();
            if (alert_log_->flush() && failing) {
                spdlog::info("alert log: writable again, queued alerts written");
            }
        }
        const micros now = steady_micros();
        if (checkpoint_) {
            checkpoint_->tick(now);
        }
        if (now - last_expire_ >= expire_every) {
            last_expire_ = now;
            if (const std::size_t n = pipeline_->expire(wall); n > 0) {
                spdlog::debug("{} idle peers expired", n);
            }
        }
        for (const auto& f : forwarders_) {
            if (const std::string problem = f->take_problem(); !problem.empty()) {
                spdlog::warn("forwarder {}: {} (alerts wait in its spool)", f->settings().name,
                             problem);
            }
        }
        if (now - last_stats_ >= config_.stats_interval) {
            last_stats_ = now;
            log_stats("periodic");
        }
        schedule_tick();
    });
}

bool app::reload() {
    loaded_setup next = load_setup(how_);
    if (!next.ok()) {
        for (const diagnostic& d : next.problems) {
            spdlog::error("{}", d.to_string());
        }
        ++stats_.reloads_failed;
        spdlog::error(
            "reload refused ({} problems): still running the previous configuration "
            "and {} rules",
            next.problems.size(), pipeline_->rule_count());
        return false;
    }
    // What cannot change without a restart keeps its running value (the key table says which).
    if (const auto waiting = config::restart_changes(config_, next.config); !waiting.empty()) {
        spdlog::warn(
            "changed keys take effect at the next restart: {} (running with the "
            "previous values)",
            join_names(waiting, ", ", ", "));
    }
    config::daemon_config c = std::move(next.config);
    config::keep_restart_keys(c, config_);
    policy_->reconfigure(c.allow, c.rate_limit, c.rate_burst);
    for (auto& u : udp_) {
        u->set_max_message(c.max_message_size);
    }
    for (auto& t : tcp_) {
        t->set_limits(limits_of(c));
    }
    for (auto& t : tls_listeners_) {
        t->set_limits(limits_of(c));
    }
    if (next.tls) {
        // New connections get the files as they are now (a renewed certificate); open ones
        // keep the setup they were accepted with.
        tls_ = std::move(next.tls);
        spdlog::info("TLS certificate loaded: {}", tls_->certificate_subject);
    }
    alert_log_->set_format(c.alert_format == outputs::output_format::json);
    pipeline_->set_time_options(c.time);
    pipeline_->set_rules(next.rules);
    set_log_level(c.log_level);
    config_ = std::move(c);
    ++stats_.reloads_ok;
    pipeline_->collect();
    spdlog::info("reloaded: {} rules; peer state and raised alerts kept", pipeline_->rule_count());
    return true;
}

void app::count_kernel_drops() const {
    for (const auto& u : udp_) {
        u->count_kernel_drops();
    }
}

void app::reopen_alert_log() {
    std::string error;
    if (alert_log_->reopen(error)) {
        ++stats_.alert_log_reopens;
        spdlog::info("alert log reopened: {}",
                     config_.alert_log.empty() ? "standard output" : config_.alert_log);
    } else {
        spdlog::error("alert log: cannot reopen ({}); still writing to the previous file", error);
    }
}

std::vector<std::uint16_t> app::tls_ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& t : tls_listeners_) {
        out.push_back(t->port());
    }
    return out;
}

std::vector<std::uint16_t> app::udp_ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& u : udp_) {
        out.push_back(u->port());
    }
    return out;
}

std::vector<std::uint16_t> app::tcp_ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& t : tcp_) {
        out.push_back(t->port());
    }
    return out;
}

std::uint16_t app::status_port() const {
    return status_ ? status_->port() : 0;
}

pipeline_figures app::figures() const {
    pipeline_figures f;
    pipeline_->for_each_shard([&](const pipeline::pipeline& p) {
        f.decode.merge(p.decode_stats());
        f.show_rows += p.show_rows();
        const ike::peer_table& table = p.tracker().table();
        f.peers += table.size();
        f.peers_limit += table.options().max_peers;
        f.evidence_bytes += table.evidence().capacity();
        f.evidence_used_bytes += table.evidence().used_bytes();
        f.evidence_lines += table.evidence().appended();
        f.peers_evicted += table.stats().evicted;
        for (std::size_t i = 0; i < f.peers_evicted_by_class.size(); ++i) {
            f.peers_evicted_by_class[i] += table.stats().evicted_by_class[i];
        }
        f.peers_expired += table.stats().expired;
        if (const rules::engine* e = p.engine()) {
            f.alerts_raised += e->stats().raised;
            f.alerts_resolved += e->stats().resolved;
            f.alerts_active += e->active_count();
            f.timers += e->timer_count();
            f.timers_dropped += e->stats().timers_dropped;
            f.rules = e->rules().rules.size();
        }
    });
    f.alert_log_queue = alert_log_->queued();
    f.alert_log_written = alert_log_->stats().written;
    f.alert_log_failures = alert_log_->stats().failures;
    f.alert_log_dropped = alert_log_->stats().dropped;
    for (const auto& fw : forwarders_) {
        f.forwarders.push_back({fw->settings().name, fw->stats()});
    }
    return f;
}

void app::log_stats(const char* when) const {
    const pipeline_figures f = figures();
    std::uint64_t errors = 0;
    for (const std::uint64_t n : f.decode.errors) {
        errors += n;
    }
    // `received=` is read by benchmark harnesses to count loss.
    spdlog::info(
        "stats ({}): received={} udp={} tcp={} tls={} dropped_not_allowed={} "
        "dropped_rate_limited={} truncated={} parse_errors={} peers={} alerts_raised={} "
        "alerts_resolved={} alerts_active={} alert_log_queue={} alert_log_failures={}",
        when, stats_.received(), stats_.udp_datagrams.load(), stats_.tcp.messages.load(),
        stats_.tls.messages.load(), stats_.dropped_not_allowed.load(),
        stats_.dropped_rate_limited.load(),
        stats_.udp_truncated.load() + stats_.tcp.truncated.load() + stats_.tls.truncated.load(),
        errors, f.peers, f.alerts_raised, f.alerts_resolved, f.alerts_active, f.alert_log_queue,
        f.alert_log_failures);
}

std::optional<status_reply> app::route(const std::string& target) const {
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/healthz") {
        return status_reply{"ok\n", "text/plain"};
    }
    if (path == "/metrics") {
        count_kernel_drops();
        return status_reply{render_metrics(stats_, figures()),
                            "text/plain; version=0.0.4; charset=utf-8"};
    }
    if (path == "/peers") {
        const micros wall = wall_micros();
        nlohmann::json peers = nlohmann::json::array();
        pipeline_->for_each_shard([&](const pipeline::pipeline& p) {
            for (auto& one : outputs::peers_json(p.tracker().table(), [&](std::string_view device) {
                     return p.device_now_at(device, wall);
                 })) {
                peers.push_back(std::move(one));
            }
        });
        if (pipeline_->workers() > 1) {
            // Each shard's peers come sorted; the whole list is, as with one worker.
            std::stable_sort(peers.begin(), peers.end(), [](const auto& a, const auto& b) {
                return a.value("device", "") < b.value("device", "");
            });
        }
        return status_reply{outputs::dump_json(peers) + "\n", "application/json"};
    }
    if (path == "/alerts") {
        nlohmann::json all = nlohmann::json::array();
        pipeline_->for_each_shard([&](const pipeline::pipeline& p) {
            if (const rules::engine* e = p.engine()) {
                e->for_each_active(
                    [&](const rules::alert& a) { all.push_back(outputs::alert_json(a)); });
            }
        });
        return status_reply{outputs::dump_json(all) + "\n", "application/json"};
    }
    return std::nullopt;
}

}  // namespace ikewatch::daemon
