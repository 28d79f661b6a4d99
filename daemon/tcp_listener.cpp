#include "daemon/tcp_listener.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <chrono>

namespace ikewatch::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;

class tcp_listener::session : public std::enable_shared_from_this<session> {
  public:
    session(tcp_listener& owner, tcp::socket socket, ip_address peer)
        : owner_(owner),
          socket_(std::move(socket)),
          idle_(socket_.get_executor()),
          framer_(owner.limits_.max_message),
          peer_(peer) {}

    void start() {
        arm_idle();
        read();
    }

    // First step of a shutdown: the read in flight completes (with the bytes it may already
    // hold) and no new one starts.
    void cancel_read() {
        draining_ = true;
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }

    // Reads what the kernel still holds for this connection (bytes the sender considers
    // delivered), delivers a final unterminated line, and closes.
    void stop() {
        if (stopped_) {
            return;
        }
        stopped_ = true;
        draining_ = true;
        boost::system::error_code ec;
        socket_.non_blocking(true, ec);
        // Its own buffer: buffer_ may still belong to a read the event loop has not finished.
        std::array<char, 16 * 1024> rest{};
        // Bounded: a sender that never pauses does not hold the shutdown up.
        for (int reads = 0; !ec && reads < 256; ++reads) {
            const std::size_t n = socket_.read_some(asio::buffer(rest), ec);
            if (n > 0) {
                owner_.stats_.tcp_bytes += n;
                framer_.feed(std::string_view(rest.data(), n),
                             [&](std::string_view m) { deliver(m); });
            }
        }
        framer_.finish([&](std::string_view m) { deliver(m); });
        flush_counters();
        boost::system::error_code ignored;
        idle_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

  private:
    void read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(buffer_),
                                [this, self](const boost::system::error_code& ec, std::size_t n) {
                                    // Bytes a read brought are processed even when a shutdown
                                    // began meanwhile: the sender considers them delivered.
                                    bool delivered = false;
                                    if (n > 0 && !stopped_) {
                                        owner_.stats_.tcp_bytes += n;
                                        framer_.feed(std::string_view(buffer_.data(), n),
                                                     [&](std::string_view m) {
                                                         deliver(m);
                                                         delivered = true;
                                                     });
                                        flush_counters();
                                    }
                                    if (stopped_ || draining_) {
                                        return;
                                    }
                                    if (ec) {
                                        end();
                                        return;
                                    }
                                    // Only a whole message counts as activity: a sender
                                    // trickling bytes of one message cannot hold the
                                    // connection past the idle timeout.
                                    if (delivered) {
                                        arm_idle();
                                    }
                                    read();
                                });
    }

    void arm_idle() {
        idle_.expires_after(std::chrono::microseconds(owner_.limits_.idle_timeout));
        auto self = shared_from_this();
        idle_.async_wait([this, self](const boost::system::error_code& ec) {
            if (!ec && !stopped_) {
                ++owner_.stats_.tcp_idle_closed;
                end();
            }
        });
    }

    void deliver(std::string_view m) {
        ++owner_.stats_.tcp_messages;
        owner_.handler_(m, peer_, transport::tcp);
    }

    void flush_counters() {
        owner_.stats_.tcp_truncated += framer_.truncated() - truncated_seen_;
        truncated_seen_ = framer_.truncated();
        owner_.stats_.tcp_incomplete += framer_.incomplete() - incomplete_seen_;
        incomplete_seen_ = framer_.incomplete();
    }

    void end() {
        stop();
        --owner_.stats_.tcp_open;
        owner_.sessions_.erase(shared_from_this());
    }

    tcp_listener& owner_;
    tcp::socket socket_;
    asio::steady_timer idle_;
    tcp_framer framer_;
    ip_address peer_;
    std::array<char, 16 * 1024> buffer_{};
    std::uint64_t truncated_seen_ = 0;
    std::uint64_t incomplete_seen_ = 0;
    bool stopped_ = false;
    bool draining_ = false;
};

tcp_listener::tcp_listener(asio::io_context& io, const config::endpoint& at, tcp_limits limits,
                           const sender_policy& policy, message_handler handler, counters& stats)
    : acceptor_(io), limits_(limits), policy_(policy), handler_(std::move(handler)), stats_(stats) {
    const tcp::endpoint ep(asio::ip::make_address(at.address), at.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

// The app closes listeners before it drops them: here close() is a no-op, but for a listener
// dropped at start, which has no sessions to hand bytes on.
// NOLINTNEXTLINE(bugprone-exception-escape)
tcp_listener::~tcp_listener() {
    close();
}

std::uint16_t tcp_listener::port() const {
    return acceptor_.local_endpoint().port();
}

void tcp_listener::start() {
    accept();
}

void tcp_listener::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (closed_) {
            return;
        }
        if (!ec) {
            boost::system::error_code peer_ec;
            const tcp::endpoint remote = socket.remote_endpoint(peer_ec);
            ip_address peer;
            if (!peer_ec) {
                peer = from_sockaddr(remote.data(), static_cast<unsigned>(remote.size()));
            }
            if (peer_ec) {
                // Reset before we could ask who it was: nothing to serve, and no sender to blame.
                ++stats_.tcp_gone_at_accept;
            } else if (!policy_.allowed(peer)) {
                ++stats_.tcp_rejected_sender;
                ++stats_.dropped_not_allowed;
            } else if (sessions_.size() >= limits_.max_connections) {
                ++stats_.tcp_rejected_limit;
            } else {
                ++stats_.tcp_accepted;
                ++stats_.tcp_open;
                auto s = std::make_shared<session>(*this, std::move(socket), peer);
                sessions_.insert(s);
                s->start();
            }
            // A refused socket is closed when it goes out of scope here.
        }
        accept();
    });
}

void tcp_listener::begin_close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& s : sessions_) {
        s->cancel_read();
    }
}

void tcp_listener::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& s : sessions_) {
        s->stop();
        --stats_.tcp_open;
    }
    sessions_.clear();
}

}  // namespace ikewatch::daemon
