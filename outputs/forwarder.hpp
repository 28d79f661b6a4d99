#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "outputs/forwarder_settings.hpp"
#include "outputs/siem_format.hpp"
#include "outputs/spool.hpp"
#include "rules/alert.hpp"

namespace ikewatch::outputs {

/// Parsed forwarder URL. For kafka:// (kafka_url.hpp) `host` is the broker list with ports,
/// `port` is empty and `path` is the topic.
struct forward_target {
    forward_scheme scheme = forward_scheme::udp;
    std::string host;
    std::string port;
    std::string path = "/";
    [[nodiscard]] static std::optional<forward_target> parse(std::string_view url);
};

struct forwarder_stats {
    std::uint64_t submitted = 0;  ///< alerts that passed the filter
    std::uint64_t filtered = 0;   ///< alerts the filter left out
    std::uint64_t sent = 0;       ///< records written to the collector (resends included)
    std::uint64_t delivered =
        0;  ///< confirmed: acknowledged (HTTP) or still connected a while after
    std::uint64_t failures = 0;  ///< failed connects and sends
    std::uint64_t lost = 0;      ///< dropped past the spool limit
    std::size_t pending = 0;     ///< waiting in the spool (in flight included)
    bool connected = false;
};

class transport;

/// Sends alerts to one SIEM collector from its own thread, so a slow or absent collector never
/// holds up the pipeline. Every alert goes through the spool first; the thread sends from it and
/// confirms what arrived: an HTTP 2xx, Kafka's delivery report (the brokers' ack), or for UDP,
/// TCP and TLS a connection still healthy
/// `confirm_after` after the write (a collector that vanished makes the unconfirmed records go
/// out again after reconnecting, with the same alert.id). Reconnects back off up to max_backoff.
class forwarder {
  public:
    forwarder(forwarder_settings settings, siem_options options);
    ~forwarder();
    forwarder(const forwarder&) = delete;
    forwarder& operator=(const forwarder&) = delete;

    /// Opens the spool (replaying what an earlier run left) and starts the thread.
    bool start(std::string& error);
    /// From the pipeline's thread: filters, formats and queues one alert.
    void submit(const rules::alert& a);
    /// Gives the thread up to `grace` to deliver what waits, then stops it. Unconfirmed records
    /// stay in the spool for the next start.
    void stop(micros grace);

    [[nodiscard]] forwarder_stats stats() const;
    [[nodiscard]] const forwarder_settings& settings() const noexcept { return settings_; }
    /// The last problem, for the operational log (empty when none since the last call).
    [[nodiscard]] std::string take_problem();

  private:
    void run();
    void wait(micros d);
    void confirm_due(micros now);

    forwarder_settings settings_;
    siem_options options_;
    spool spool_;
    std::unique_ptr<transport> transport_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    bool work_ = false;      // guarded by mutex_: submitted since the thread last looked
    bool idle_ = false;      // guarded by mutex_: the thread waits for work (not backing off)
    std::atomic<std::uint64_t> submitted_{0};
    std::atomic<std::uint64_t> filtered_{0};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<bool> connected_{false};
    std::string problem_;  // guarded by mutex_
    struct in_flight {
        std::uint64_t end;  // spool sequence number just past the records of one write
        micros sent_at;
    };
    std::vector<in_flight> in_flight_;  // the thread's only
};

}  // namespace ikewatch::outputs
