#include "daemon/status_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace ikewatch::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr std::size_t max_open = 32;
constexpr std::size_t max_request = 8 * 1024;

// Only the page's own files run; syslog text reaches the page as data, never as markup.
constexpr const char* content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

template <typename Message>
void set_common_headers(Message& res) {
    res.set(http::field::server, "ikewatchd");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::cache_control, "no-cache");
}
}  // namespace

class status_server::connection : public std::enable_shared_from_this<connection> {
  public:
    connection(status_server& owner, tcp::socket socket)
        : owner_(owner), stream_(std::move(socket)) {}

    void start() {
        ++owner_.open_;
        parser_.header_limit(max_request);
        parser_.body_limit(max_request);
        stream_.expires_after(std::chrono::seconds(10));
        auto self = shared_from_this();
        http::async_read(stream_, buffer_, parser_,
                         [this, self](const beast::error_code& ec, std::size_t) {
                             if (ec) {
                                 finish();
                                 return;
                             }
                             respond(parser_.get());
                         });
    }

  private:
    void respond(const http::request<http::string_body>& req) {
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(req.version());
        res->keep_alive(false);
        set_common_headers(*res);
        const auto header = [&](http::field f) {
            const auto it = req.find(f);
            return it == req.end() ? std::string_view{}
                                   : std::string_view(it->value().data(), it->value().size());
        };
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res->result(http::status::method_not_allowed);
            res->set(http::field::allow, "GET, HEAD");
            res->set(http::field::content_type, "text/plain");
            res->body() = "GET only\n";
        } else if (auto reply = owner_.route_(
                       {std::string_view(req.target().data(), req.target().size()),
                        header(http::field::accept), header(http::field::if_none_match)})) {
            res->result(static_cast<http::status>(reply->status));
            if (!reply->content_type.empty()) {
                res->set(http::field::content_type, reply->content_type);
            }
            if (!reply->etag.empty()) {
                res->set(http::field::etag, reply->etag);
            }
            if (reply->vary_accept) {
                res->set(http::field::vary, "Accept");
            }
            if (req.method() == http::verb::get) {
                res->body() = std::move(reply->body);
            }
        } else {
            res->result(http::status::not_found);
            res->set(http::field::content_type, "text/plain");
            res->body() = "not found: try /, /healthz, /peers, /alerts, /metrics\n";
        }
        res->prepare_payload();
        auto self = shared_from_this();
        http::async_write(stream_, *res,
                          [this, self, res](const beast::error_code&, std::size_t) { finish(); });
    }

    void finish() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
        --owner_.open_;
    }

    status_server& owner_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{max_request};
    http::request_parser<http::string_body> parser_;
};

status_server::status_server(asio::io_context& io, const config::endpoint& at, status_route route)
    : acceptor_(io), route_(std::move(route)) {
    const tcp::endpoint ep(asio::ip::make_address(at.address), at.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

std::uint16_t status_server::port() const {
    return acceptor_.local_endpoint().port();
}

void status_server::start() {
    accept();
}

void status_server::accept() {
    acceptor_.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
        if (closed_) {
            return;
        }
        if (!ec && open_ < max_open) {
            std::make_shared<connection>(*this, std::move(socket))->start();
        }
        accept();
    });
}

void status_server::close() {
    closed_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
}

}  // namespace ikewatch::daemon
