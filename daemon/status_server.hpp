#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

#include "config/daemon_config.hpp"

namespace ikewatch::daemon {

/// What the status endpoint answers: a body and its content type, or nullopt for 404.
struct status_reply {
    std::string body;
    std::string content_type;
};
using status_route = std::function<std::optional<status_reply>(const std::string& target)>;

/// A small HTTP/1.1 server (Boost.Beast) for /healthz, /peers, /alerts and /metrics: GET only,
/// one request per connection, requests of at most 8 KiB, 10 s to send one, at most 32
/// connections at a time. Meant for 127.0.0.1 (the default).
class status_server {
  public:
    status_server(boost::asio::io_context& io, const config::endpoint& at, status_route route);
    void start();
    void close();
    [[nodiscard]] std::uint16_t port() const;

  private:
    class connection;
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    status_route route_;
    std::size_t open_ = 0;
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
