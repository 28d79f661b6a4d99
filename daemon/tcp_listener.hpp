#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <unordered_set>

#include "config/daemon_config.hpp"
#include "daemon/ingest.hpp"
#include "daemon/metrics.hpp"
#include "daemon/sender_policy.hpp"
#include "daemon/tcp_framer.hpp"

namespace ikewatch::daemon {

struct tcp_limits {
    std::size_t max_connections = 512;
    std::size_t max_message = 64 * 1024;
    micros idle_timeout = 300 * micros_per_second;
};

/// A TCP syslog listener: RFC 6587 framing per connection (octet counting or newlines), at most
/// `max_connections` open (more are closed at once and counted), senders outside the allow list
/// refused at accept, and a connection silent for `idle_timeout` closed. Memory per connection
/// is bounded by the framer's max_message plus one read buffer.
class tcp_listener {
  public:
    tcp_listener(boost::asio::io_context& io, const config::endpoint& at, tcp_limits limits,
                 const sender_policy& policy, message_handler handler, counters& stats);
    ~tcp_listener();

    void start();
    /// Shutdown, first step: stops accepting and lets the reads in flight complete.
    void begin_close();
    /// Delivers what each connection still holds and what it has framed, closes them.
    void close();
    [[nodiscard]] std::uint16_t port() const;
    void set_limits(const tcp_limits& limits) { limits_ = limits; }

  private:
    class session;
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    tcp_limits limits_;
    const sender_policy& policy_;
    message_handler handler_;
    counters& stats_;
    std::unordered_set<std::shared_ptr<session>> sessions_;
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
