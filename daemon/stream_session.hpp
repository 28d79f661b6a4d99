#pragma once

#include <boost/asio/steady_timer.hpp>
#include <utility>  // before Asio: Boost 1.74's Asio needs std::exchange under g++ 12

#include <array>
#include <chrono>
#include <memory>

#include "daemon/ingest.hpp"
#include "daemon/metrics.hpp"
#include "daemon/tcp_framer.hpp"

namespace ikewatch::daemon {

struct tcp_limits {
    std::size_t max_connections = 512;
    std::size_t max_message = 64 * 1024;
    micros idle_timeout = 300 * micros_per_second;
};

/// What a connection needs from the listener that accepted it: the limits in force, where its
/// messages go, what it counts, and a way to leave the listener's set when it ends.
class session_host {
  public:
    virtual ~session_host() = default;
    [[nodiscard]] virtual const tcp_limits& limits() const noexcept = 0;
    [[nodiscard]] virtual stream_counters& stats() noexcept = 0;
    virtual void deliver(std::string_view message, const ip_address& sender) = 0;
    /// The connection ended by itself (closed by the peer, idle, refused): the listener drops it.
    virtual void ended(const class session_base& s) = 0;
};

/// One accepted connection, as the listener sees it.
class session_base {
  public:
    virtual ~session_base() = default;
    virtual void start() = 0;
    /// First step of a shutdown: the read in flight completes (with the bytes it may already
    /// hold) and no new one starts.
    virtual void cancel_read() = 0;
    /// Reads what the kernel still holds for this connection (bytes the sender considers
    /// delivered), delivers a final unterminated line, and closes.
    virtual void stop() = 0;
};

/// The syslog session loop over a byte stream (a TCP socket, or TLS over one): reads, frames
/// with tcp_framer (RFC 6587/5425: octet counting or newlines, per message), delivers each
/// message to the host, closes after `idle_timeout` without a whole message. `Stream` is an
/// Asio stream with `async_read_some`, `read_some` and `lowest_layer()`; the session owns it.
template <typename Stream>
class stream_session : public session_base,
                       public std::enable_shared_from_this<stream_session<Stream>> {
  public:
    template <typename... Args>
    stream_session(session_host& host, ip_address peer, Args&&... stream_args)
        : host_(host),
          stream_(std::forward<Args>(stream_args)...),
          idle_(stream_.lowest_layer().get_executor()),
          framer_(host.limits().max_message),
          peer_(peer) {}

    void start() override {
        arm_idle();
        read();
    }

    void cancel_read() override {
        draining_ = true;
        boost::system::error_code ignored;
        stream_.lowest_layer().cancel(ignored);
    }

    void stop() override {
        if (stopped_) {
            return;
        }
        stopped_ = true;
        draining_ = true;
        boost::system::error_code ec;
        stream_.lowest_layer().non_blocking(true, ec);
        // Its own buffer: buffer_ may still belong to a read the event loop has not finished.
        std::array<char, 16 * 1024> rest{};
        // Bounded: a sender that never pauses does not hold the shutdown up.
        for (int reads = 0; !ec && reads < 256; ++reads) {
            const std::size_t n = stream_.read_some(boost::asio::buffer(rest), ec);
            if (n > 0) {
                feed(std::string_view(rest.data(), n));
            }
        }
        framer_.finish([&](std::string_view m) { deliver(m); });
        flush_counters();
        close();
    }

  protected:
    [[nodiscard]] Stream& stream() noexcept { return stream_; }
    [[nodiscard]] session_host& host() noexcept { return host_; }
    [[nodiscard]] bool stopped() const noexcept { return stopped_; }
    [[nodiscard]] const ip_address& peer() const noexcept { return peer_; }

    // Closes the socket without reading (a connection that never got going).
    void close() {
        stopped_ = true;
        draining_ = true;
        boost::system::error_code ignored;
        idle_.cancel();
        stream_.lowest_layer().shutdown(boost::asio::socket_base::shutdown_both, ignored);
        stream_.lowest_layer().close(ignored);
    }

    // The connection is over by itself: closed, and dropped by the listener.
    void end() {
        stop();
        host_.ended(*this);
    }

  private:
    void read() {
        auto self = this->shared_from_this();
        stream_.async_read_some(boost::asio::buffer(buffer_),
                                [this, self](const boost::system::error_code& ec, std::size_t n) {
                                    // Bytes a read brought are processed even when a shutdown began
                                    // meanwhile: the sender considers them delivered.
                                    bool delivered = false;
                                    if (n > 0 && !stopped_) {
                                        delivered = feed(std::string_view(buffer_.data(), n));
                                    }
                                    if (stopped_ || draining_) {
                                        return;
                                    }
                                    if (ec) {
                                        end();
                                        return;
                                    }
                                    // Only a whole message counts as activity: a sender trickling
                                    // bytes of one message cannot hold the connection past the idle
                                    // timeout.
                                    if (delivered) {
                                        arm_idle();
                                    }
                                    read();
                                });
    }

    // Frames received bytes; true when they completed a message.
    bool feed(std::string_view bytes) {
        host_.stats().bytes += bytes.size();
        bool delivered = false;
        framer_.feed(bytes, [&](std::string_view m) {
            deliver(m);
            delivered = true;
        });
        flush_counters();
        return delivered;
    }

    void arm_idle() {
        idle_.expires_after(std::chrono::microseconds(host_.limits().idle_timeout));
        auto self = this->shared_from_this();
        idle_.async_wait([this, self](const boost::system::error_code& ec) {
            if (!ec && !stopped_) {
                ++host_.stats().idle_closed;
                end();
            }
        });
    }

    void deliver(std::string_view m) {
        ++host_.stats().messages;
        host_.deliver(m, peer_);
    }

    void flush_counters() {
        host_.stats().truncated += framer_.truncated() - truncated_seen_;
        truncated_seen_ = framer_.truncated();
        host_.stats().incomplete += framer_.incomplete() - incomplete_seen_;
        incomplete_seen_ = framer_.incomplete();
    }

    session_host& host_;
    Stream stream_;
    boost::asio::steady_timer idle_;
    tcp_framer framer_;
    ip_address peer_;
    std::array<char, 16 * 1024> buffer_{};
    std::uint64_t truncated_seen_ = 0;
    std::uint64_t incomplete_seen_ = 0;
    bool stopped_ = false;
    bool draining_ = false;
};

}  // namespace ikewatch::daemon
