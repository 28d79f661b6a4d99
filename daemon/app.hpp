#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/diagnostic.hpp"
#include "config/daemon_config.hpp"
#include "daemon/checkpointer.hpp"
#include "daemon/kafka_input.hpp"
#include "daemon/metrics.hpp"
#include "daemon/sender_policy.hpp"
#include "daemon/status_server.hpp"
#include "daemon/tcp_listener.hpp"
#include "daemon/tls_setup.hpp"
#include "daemon/udp_listener.hpp"
#include "daemon/web_routes.hpp"
#include "ike/memory_plan.hpp"
#include "outputs/alert_log.hpp"
#include "outputs/forwarder.hpp"
#include "pipeline/sharded_pipeline.hpp"
#include "rules/rule_set.hpp"

namespace ikewatch::daemon {

/// How the daemon was started: the configuration file (re-read on SIGHUP) and the command-line
/// settings that override it (kept across reloads).
struct launch {
    std::string config_path;  ///< empty: flags only
    std::function<void(config::daemon_config&)> overrides;
};

/// Loads the configuration (file, then flags) and the rules it names; every problem goes to
/// `problems`. Used at start, by --check-config and on SIGHUP.
struct loaded_setup {
    config::daemon_config config;
    std::shared_ptr<const rules::rule_set> rules;
    std::shared_ptr<tls_setup> tls;  ///< the files of tls: read, when listen.tls is set
    diagnostics problems;
    [[nodiscard]] bool ok() const noexcept { return problems.empty() && rules != nullptr; }
};
[[nodiscard]] loaded_setup load_setup(const launch& how);

/// Sets the operational log's level (at start and on SIGHUP).
void set_log_level(config::log_level level);

/// ikewatchd: listeners → pipeline → alert log, with the status endpoint, signals and timers, all
/// on one event loop. The pipeline runs on that loop too, or, with `workers` > 1, on worker
/// threads that the loop feeds and whose alerts it collects (sharded_pipeline).
class app {
  public:
    app(launch how, loaded_setup setup);
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    /// Binds every socket; false with `error` when one cannot be bound.
    bool bind(std::string& error);
    /// Opens the alert log and starts the forwarders (after privileges were dropped, so files are
    /// created by the user the daemon runs as).
    bool open_outputs(std::string& error);
    /// Runs until SIGTERM/SIGINT (or stop()); returns the exit status.
    int run();
    /// Ends the event loop after reading what the sockets already hold.
    void stop();
    void finish_stop();

    /// Re-reads configuration and rules; on any problem keeps the running ones. True if applied.
    bool reload();
    /// Reopens the alert log (after logrotate moved it).
    void reopen_alert_log();
    /// Brings the UDP kernel drop counters up to date (the listeners count; the status route,
    /// const, asks for it too).
    void count_kernel_drops() const;

    // For tests and the status endpoint.
    [[nodiscard]] std::vector<std::uint16_t> udp_ports() const;
    [[nodiscard]] std::vector<std::uint16_t> tcp_ports() const;
    [[nodiscard]] std::vector<std::uint16_t> tls_ports() const;
    [[nodiscard]] std::uint16_t status_port() const;
    [[nodiscard]] const counters& stats() const noexcept { return stats_; }
    [[nodiscard]] pipeline_figures figures() const;
    [[nodiscard]] boost::asio::io_context& io() noexcept { return io_; }

  private:
    // Every alert goes to the alert log and to each forwarder, stamped with the wall-clock time.
    class fanout final : public rules::alert_sink {
      public:
        explicit fanout(app& owner) : owner_(owner) {}
        void emit(const rules::alert& a) override;

      private:
        app& owner_;
        // The alert with the time it goes out; assigned anew for each, so that its strings
        // keep their room from one alert to the next.
        rules::alert stamped_;
    };

    bool start_forwarders(std::string& error);
    void on_message(std::string_view message, const arrival& from);
    // Lines from Kafka: no sender policy (the brokers are no syslog sender); the key names the
    // device.
    void on_kafka_batch(const kafka_batch& batch);
    // The Kafka input with checkpoints of device state (kafka.checkpoint_topic).
    bool open_kafka(std::string& error);
    // Every alert raised so far in the alert log; false when it cannot be written.
    bool write_alerts();
    // Hands what the workers have to them and writes the alerts they raised (workers > 1).
    void hand_over();
    void wait_signals();
    void schedule_tick();
    void log_stats(const char* when) const;
    /// Logs how limits.memory is shared out, with a warning when max_peers plans for more.
    void log_memory_plan() const;
    [[nodiscard]] std::optional<status_reply> route(const std::string& target) const;

    launch how_;
    config::daemon_config config_;
    ike::memory_plan plan_;           // peer limit and evidence store, from limits.memory
    std::shared_ptr<tls_setup> tls_;  // what new TLS connections are accepted with
    boost::asio::io_context io_;
    counters stats_;
    std::unique_ptr<sender_policy> policy_;
    std::unique_ptr<outputs::alert_log> alert_log_;
    std::vector<std::unique_ptr<outputs::forwarder>> forwarders_;
    fanout fanout_{*this};
    std::unique_ptr<pipeline::sharded_pipeline> pipeline_;
    bool flush_posted_ = false;
    bool alert_flush_posted_ = false;  // the alert log's write for this turn is queued  // a
                                       // hand-over of partly filled batches is queued on the loop
    std::vector<std::unique_ptr<udp_listener>> udp_;
    std::vector<std::unique_ptr<tcp_listener>> tcp_;
    std::vector<std::unique_ptr<tcp_listener>> tls_listeners_;
    // Before kafka_: the input's hooks reach it until the input is gone.
    std::unique_ptr<checkpointer> checkpoint_;  // with kafka.checkpoint_topic
    std::unique_ptr<kafka_input> kafka_;
    std::unique_ptr<status_server> status_;
    std::unique_ptr<web_routes> web_;  // the web page on the status endpoint
    boost::asio::signal_set signals_;
    boost::asio::steady_timer tick_;
    micros last_expire_ = 0;
    micros last_stats_ = 0;
    std::string source_;  // the last sender's address, as a device name
    ip_address last_sender_;
    bool stopping_ = false;
};

}  // namespace ikewatch::daemon
