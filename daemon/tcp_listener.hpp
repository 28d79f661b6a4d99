#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <utility>  // before Asio: Boost 1.74's Asio needs std::exchange under g++ 12

#include <functional>
#include <memory>
#include <unordered_map>

#include "config/daemon_config.hpp"
#include "daemon/ingest.hpp"
#include "daemon/metrics.hpp"
#include "daemon/sender_policy.hpp"
#include "daemon/stream_session.hpp"

namespace ikewatch::daemon {

/// Makes the session for an admitted connection: plain syslog over TCP (the default), or TLS
/// first (tls_sessions in daemon/tls_session.hpp).
using session_maker = std::function<std::shared_ptr<session_base>(
    session_host& host, boost::asio::ip::tcp::socket socket, const ip_address& peer)>;

/// A stream syslog listener (TCP, or TLS over TCP with a TLS session maker): RFC 6587 framing
/// per connection (octet counting or newlines), at most `max_connections` open (more are closed
/// at once and counted), senders outside the allow list refused at accept, and a connection
/// silent for `idle_timeout` closed. Memory per connection is bounded by the framer's
/// max_message plus one read buffer.
class tcp_listener final : private session_host {
  public:
    tcp_listener(boost::asio::io_context& io, const config::endpoint& at, tcp_limits limits,
                 const sender_policy& policy, message_handler handler, counters& stats,
                 transport how = transport::tcp, session_maker make = {});
    ~tcp_listener() override;
    tcp_listener(const tcp_listener&) = delete;
    tcp_listener& operator=(const tcp_listener&) = delete;

    void start();
    /// Shutdown, first step: stops accepting and lets the reads in flight complete.
    void begin_close();
    /// Delivers what each connection still holds and what it has framed, closes them.
    void close();
    [[nodiscard]] std::uint16_t port() const;
    void set_limits(const tcp_limits& limits) { limits_ = limits; }

  private:
    void accept();
    // session_host
    [[nodiscard]] const tcp_limits& limits() const noexcept override { return limits_; }
    [[nodiscard]] stream_counters& stats() noexcept override { return own_; }
    void deliver(std::string_view message, const ip_address& sender) override;
    void ended(const session_base& s) override;

    boost::asio::ip::tcp::acceptor acceptor_;
    tcp_limits limits_;
    const sender_policy& policy_;
    message_handler handler_;
    counters& stats_;
    stream_counters& own_;  // stats_.tcp or stats_.tls
    transport how_;
    session_maker make_;
    std::unordered_map<const session_base*, std::shared_ptr<session_base>> sessions_;
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
