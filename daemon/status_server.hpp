#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

#include "config/daemon_config.hpp"

namespace ikewatch::daemon {

/// One request to the status endpoint. The views point into the request; they live as long as
/// the call.
struct status_request {
    std::string_view target;         ///< path and query, as sent
    std::string_view accept;         ///< the Accept header (a browser navigating sends text/html)
    std::string_view if_none_match;  ///< the If-None-Match header
};

/// What the status endpoint answers: a body and its content type (status 200), or a status such
/// as 304 with no body; nullopt for 404.
struct status_reply {
    std::string body;
    std::string content_type;
    unsigned status = 200;
    std::string etag{};        ///< sent as ETag when not empty (quoted)
    bool vary_accept = false;  ///< the answer depends on the Accept header
};
using status_route = std::function<std::optional<status_reply>(const status_request& request)>;

/// A small HTTP/1.1 server (Boost.Beast) for /healthz, /peers, /alerts, /metrics and the web
/// page: GET and HEAD only, one request per connection, requests of at most 8 KiB, 10 s to send
/// one, at most 32 connections at a time. Every answer carries a strict Content-Security-Policy,
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and `Cache-Control:
/// no-cache`. Meant for 127.0.0.1 (the default).
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
