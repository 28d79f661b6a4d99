#include "daemon/tcp_listener.hpp"

#include <boost/asio/ip/address.hpp>

namespace ikewatch::daemon {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::shared_ptr<session_base> plain_session(session_host& host, tcp::socket socket,
                                            const ip_address& peer) {
    return std::make_shared<stream_session<tcp::socket>>(host, peer, std::move(socket));
}

}  // namespace

tcp_listener::tcp_listener(asio::io_context& io, const config::endpoint& at, tcp_limits limits,
                           const sender_policy& policy, message_handler handler, counters& stats,
                           transport how, session_maker make)
    : acceptor_(io),
      limits_(limits),
      policy_(policy),
      handler_(std::move(handler)),
      stats_(stats),
      own_(how == transport::tls ? stats.tls : stats.tcp),
      how_(how),
      make_(make ? std::move(make) : session_maker(plain_session)) {
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
                ++own_.gone_at_accept;
            } else if (!policy_.allowed(peer)) {
                ++own_.rejected_sender;
                ++stats_.dropped_not_allowed;
            } else if (sessions_.size() >= limits_.max_connections) {
                ++own_.rejected_limit;
            } else {
                // TLS counts a connection as accepted once its handshake completed.
                if (how_ != transport::tls) {
                    ++own_.accepted;
                }
                ++own_.open;
                auto s = make_(*this, std::move(socket), peer);
                sessions_.emplace(s.get(), s);
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
    for (const auto& [key, s] : sessions_) {
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
    for (const auto& [key, s] : sessions_) {
        s->stop();
        --own_.open;
    }
    sessions_.clear();
}

void tcp_listener::deliver(std::string_view message, const ip_address& sender) {
    handler_(message, arrival::now(sender, how_));
}

void tcp_listener::ended(const session_base& s) {
    if (sessions_.erase(&s) > 0) {
        --own_.open;
    }
}

}  // namespace ikewatch::daemon
