#include "outputs/forwarder.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>

#include <poll.h>
#include <sys/socket.h>

#include "common/clock.hpp"
#include "common/text.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/forward_transport.hpp"
#include "outputs/kafka_transport.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

// A socket the collector closed or reset, or that holds a pending error.
bool socket_broken(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        return true;
    }
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0) {
        if ((p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) != 0) {
            return true;
        }
        if ((p.revents & POLLIN) != 0) {
            // Collectors do not talk back; data here is noise, zero bytes is a close.
            char buf[512];
            const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            return n == 0;
        }
    }
    return false;
}

std::string octet_counted(const std::string& record) {
    return std::to_string(record.size()) + ' ' + record;
}

}  // namespace

namespace {

class udp_transport final : public transport {
  public:
    explicit udp_transport(forward_target t) : target_(std::move(t)), socket_(io_) {}

    bool connect(std::string& error) override {
        boost::system::error_code ec;
        asio::ip::udp::resolver resolver(io_);
        const auto results = resolver.resolve(target_.host, target_.port, ec);
        if (ec || results.empty()) {
            error = "cannot resolve " + target_.host + ": " + ec.message();
            return false;
        }
        socket_.close(ec);
        socket_.open(results.begin()->endpoint().protocol(), ec);
        // Connected: an ICMP port unreachable comes back as an error on the next send.
        if (!ec) {
            socket_.connect(results.begin()->endpoint(), ec);
        }
        if (ec) {
            error = "udp " + target_.host + ":" + target_.port + ": " + ec.message();
            return false;
        }
        return true;
    }
    bool send(const std::vector<std::string>& records, std::string& error) override {
        for (const std::string& r : records) {
            boost::system::error_code ec;
            socket_.send(asio::buffer(r.data(), std::min<std::size_t>(r.size(), 65'000)), 0, ec);
            if (ec) {
                error = "udp send: " + ec.message();
                return false;
            }
        }
        return true;
    }
    void close() override {
        boost::system::error_code ec;
        socket_.close(ec);
    }
    [[nodiscard]] bool connected() const override { return socket_.is_open(); }
    [[nodiscard]] bool healthy() override {
        int err = 0;
        socklen_t len = sizeof err;
        return ::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
               err == 0;
    }

  private:
    forward_target target_;
    asio::io_context io_;
    asio::ip::udp::socket socket_;
};

// TCP and TLS share connecting with a deadline and octet-counted writes (RFC 6587, RFC 5425).
class stream_transport final : public transport {
  public:
    stream_transport(forward_target t, const forwarder_settings& s)
        : target_(std::move(t)), settings_(s), tls_(target_.scheme == forward_scheme::tls) {}

    bool connect(std::string& error) override {
        close();
        boost::system::error_code ec;
        tcp::resolver resolver(io_);
        const auto results = resolver.resolve(target_.host, target_.port, ec);
        if (ec) {
            error = "cannot resolve " + target_.host + ": " + ec.message();
            return false;
        }
        const auto timeout = std::chrono::microseconds(settings_.connect_timeout);
        if (tls_) {
            if (!make_tls_context(error)) {
                return false;
            }
            tls_stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *ctx_);
            const std::string name =
                settings_.server_name.empty() ? target_.host : settings_.server_name;
            // SNI (what SSL_set_tlsext_host_name does, without its C cast); RFC 6066 allows
            // only host names there, so none is sent for an address.
            boost::system::error_code not_address;
            (void)asio::ip::make_address(name, not_address);
            if (not_address &&
                SSL_ctrl(tls_stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                         TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str())) != 1) {
                error = "tls: cannot set the server name";
                return false;
            }
            if (settings_.verify) {
                tls_stream_->set_verify_callback(asio::ssl::host_name_verification(name));
            }
            auto& low = beast::get_lowest_layer(*tls_stream_);
            low.expires_after(timeout);
            low.async_connect(results,
                              [&](const boost::system::error_code& e, const auto&) { ec = e; });
            run();
            if (!ec) {
                low.expires_after(timeout);
                tls_stream_->async_handshake(asio::ssl::stream_base::client,
                                             [&](const boost::system::error_code& e) { ec = e; });
                run();
            }
        } else {
            tcp_stream_ = std::make_unique<beast::tcp_stream>(io_);
            tcp_stream_->expires_after(timeout);
            tcp_stream_->async_connect(
                results, [&](const boost::system::error_code& e, const auto&) { ec = e; });
            run();
        }
        if (ec) {
            error = std::string(ikewatch::to_string(target_.scheme)) + " " + target_.host + ":" +
                    target_.port + ": " + ec.message();
            close();
            return false;
        }
        open_ = true;
        return true;
    }

    bool send(const std::vector<std::string>& records, std::string& error) override {
        std::string data;
        for (const std::string& r : records) {
            data += octet_counted(r);
        }
        boost::system::error_code ec;
        const auto timeout = std::chrono::microseconds(settings_.connect_timeout);
        if (tls_) {
            beast::get_lowest_layer(*tls_stream_).expires_after(timeout);
            asio::async_write(*tls_stream_, asio::buffer(data),
                              [&](const boost::system::error_code& e, std::size_t) { ec = e; });
        } else {
            tcp_stream_->expires_after(timeout);
            asio::async_write(*tcp_stream_, asio::buffer(data),
                              [&](const boost::system::error_code& e, std::size_t) { ec = e; });
        }
        run();
        if (ec) {
            error = std::string(ikewatch::to_string(target_.scheme)) + " write: " + ec.message();
            return false;
        }
        return true;
    }

    // One HTTP request and its response on this connection; true on a 2xx answer.
    bool post(const forward_target& t, const std::string& token, const std::string& body,
              std::string& error) {
        http::request<http::string_body> req{http::verb::post, t.path, 11};
        const bool default_port = t.port == (t.scheme == forward_scheme::https ? "443" : "80");
        const std::string host =
            t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
        req.set(http::field::host, default_port ? host : host + ":" + t.port);
        req.set(http::field::user_agent, "ikewatchd");
        req.set(http::field::content_type, "application/json");
        if (!token.empty()) {
            req.set(http::field::authorization, "Splunk " + token);
        }
        req.body() = body;
        req.prepare_payload();
        http::response<http::string_body> res;
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        const auto timeout = std::chrono::microseconds(settings_.connect_timeout);
        const auto exchange = [&](auto& stream, auto& lowest) {
            lowest.expires_after(timeout);
            http::async_write(stream, req, [&](const boost::system::error_code& e, std::size_t) {
                ec = e;
                if (!e) {
                    lowest.expires_after(timeout);
                    http::async_read(
                        stream, buffer, res,
                        [&](const boost::system::error_code& r, std::size_t) { ec = r; });
                }
            });
            run();
        };
        if (tls_) {
            exchange(*tls_stream_, beast::get_lowest_layer(*tls_stream_));
        } else {
            exchange(*tcp_stream_, *tcp_stream_);
        }
        if (ec) {
            error = std::string(ikewatch::to_string(target_.scheme)) + " request: " + ec.message();
            return false;
        }
        if (res.result_int() < 200 || res.result_int() > 299) {
            error = "HTTP " + std::to_string(res.result_int()) + " from " + t.host;
            return false;
        }
        return true;
    }

    void close() override {
        open_ = false;
        boost::system::error_code ec;
        if (tls_stream_) {
            beast::get_lowest_layer(*tls_stream_).socket().close(ec);
            tls_stream_.reset();
        }
        if (tcp_stream_) {
            tcp_stream_->socket().close(ec);
            tcp_stream_.reset();
        }
    }
    [[nodiscard]] bool connected() const override { return open_; }
    [[nodiscard]] bool healthy() override {
        if (!open_) {
            return false;
        }
        const int fd = tls_ ? beast::get_lowest_layer(*tls_stream_).socket().native_handle()
                            : tcp_stream_->socket().native_handle();
        return !socket_broken(fd);
    }

  private:
    void run() {
        io_.restart();
        io_.run();
    }
    bool make_tls_context(std::string& error) {
        if (ctx_) {
            return true;
        }
        auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        boost::system::error_code ec;
        ctx->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                         ec);
        if (settings_.verify) {
            ctx->set_verify_mode(asio::ssl::verify_peer, ec);
            if (settings_.ca_file.empty()) {
                ctx->set_default_verify_paths(ec);
            } else {
                ctx->load_verify_file(settings_.ca_file, ec);
            }
            if (ec) {
                error = "tls: CA file " + settings_.ca_file + ": " + ec.message();
                return false;
            }
        } else {
            ctx->set_verify_mode(asio::ssl::verify_none, ec);
        }
        if (!settings_.cert_file.empty()) {
            ctx->use_certificate_chain_file(settings_.cert_file, ec);
            if (!ec) {
                ctx->use_private_key_file(settings_.key_file, asio::ssl::context::pem, ec);
            }
            if (ec) {
                error = "tls: client certificate: " + ec.message();
                return false;
            }
        }
        ctx_ = std::move(ctx);
        return true;
    }

    forward_target target_;
    const forwarder_settings& settings_;
    bool tls_;
    bool open_ = false;
    asio::io_context io_;
    std::unique_ptr<asio::ssl::context> ctx_;
    std::unique_ptr<beast::tcp_stream> tcp_stream_;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
};

// HTTP(S) POST of a batch: one JSON object per line; with a token, Splunk HEC events.
class http_transport final : public transport {
  public:
    http_transport(forward_target t, const forwarder_settings& s)
        : target_(std::move(t)), settings_(s) {
        forward_target as_stream = target_;
        as_stream.scheme =
            target_.scheme == forward_scheme::https ? forward_scheme::tls : forward_scheme::tcp;
        stream_ = std::make_unique<stream_transport>(as_stream, s);
    }

    bool connect(std::string& error) override {
        error.clear();
        return true;
    }
    bool send(const std::vector<std::string>& records, std::string& error) override {
        // One request per batch on a fresh connection: simple and robust for alert volumes.
        if (!stream_->connect(error)) {
            return false;
        }
        std::string body;
        for (const std::string& r : records) {
            if (settings_.token.empty()) {
                body += r;
            } else {
                body += R"({"sourcetype":"ikewatch:alert","event":)" + r + "}";
            }
            body += '\n';
        }
        const bool ok = stream_->post(target_, settings_.token, body, error);
        stream_->close();
        return ok;
    }
    void close() override { stream_->close(); }
    [[nodiscard]] bool connected() const override { return true; }
    [[nodiscard]] bool healthy() override { return true; }
    [[nodiscard]] bool acknowledges() const override { return true; }

  private:
    forward_target target_;
    const forwarder_settings& settings_;
    std::unique_ptr<stream_transport> stream_;
};

}  // namespace

std::optional<forward_target> forward_target::parse(std::string_view url) {
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        return std::nullopt;
    }
    forward_target t;
    const auto scheme = from_string<forward_scheme>(url.substr(0, sep));
    if (!scheme) {
        return std::nullopt;
    }
    t.scheme = *scheme;
    if (t.scheme == forward_scheme::kafka) {
        auto k = kafka_url::parse(url);
        if (!k) {
            return std::nullopt;
        }
        t.host = std::move(k->brokers);
        t.path = std::move(k->topic);
        return t;
    }
    std::string_view rest = url.substr(sep + 3);
    const std::size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
        t.path = std::string(rest.substr(slash));
        rest = rest.substr(0, slash);
    }
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') {
            port = rest.substr(close + 2);
        }
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (port.empty()) {
        port = t.scheme == forward_scheme::udp || t.scheme == forward_scheme::tcp ? "514"
               : t.scheme == forward_scheme::tls                                  ? "6514"
               : t.scheme == forward_scheme::https                                ? "443"
                                                                                  : "80";
    }
    const auto number = text::to_number<unsigned>(port);
    if (host.empty() || !number || *number == 0 || *number > 65535) {
        return std::nullopt;
    }
    t.host = std::string(host);
    t.port = std::string(port);
    return t;
}

forwarder::forwarder(forwarder_settings settings, siem_options options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      spool_(settings_.spool_dir, settings_.spool_max_bytes) {
    const auto target = forward_target::parse(settings_.url);
    if (target) {
        if (target->scheme == forward_scheme::udp) {
            transport_ = std::make_unique<udp_transport>(*target);
        } else if (target->scheme == forward_scheme::kafka) {
            settings_.format = siem_format::json;
            transport_ = make_kafka_transport(kafka_url{target->host, target->path}, settings_);
        } else if (sends_json_only(target->scheme)) {
            settings_.format = siem_format::json;
            transport_ = std::make_unique<http_transport>(*target, settings_);
        } else {
            transport_ = std::make_unique<stream_transport>(*target, settings_);
        }
    }
}

forwarder::~forwarder() {
    stop(0);
}

bool forwarder::start(std::string& error) {
    if (!transport_) {
        error = settings_.name + ": '" + settings_.url + "' is not a forwarding URL";
        return false;
    }
    if (settings_.url.starts_with("kafka:") &&
        !kafka_properties_ok(settings_.properties, false, error)) {
        error = settings_.name + ": " + error;
        return false;
    }
    if (!spool_.open(error)) {
        error = settings_.name + ": spool " + error;
        return false;
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void forwarder::submit(const rules::alert& a) {
    if (static_cast<int>(a.sev) < static_cast<int>(settings_.min_severity) ||
        (!settings_.codes.empty() && std::find(settings_.codes.begin(), settings_.codes.end(),
                                               a.code) == settings_.codes.end())) {
        ++filtered_;
        return;
    }
    ++submitted_;
    spool_.push(format_alert(a, settings_.format, options_));
    // Wake the thread only when it waits for work, once per burst: a wake-up per alert while it
    // sends or backs off costs the pipeline a context switch each.
    bool wake = false;
    {
        const std::lock_guard lock(mutex_);
        wake = idle_ && !work_;
        work_ = true;
    }
    if (wake) {
        wake_.notify_one();
    }
}

void forwarder::stop(micros grace) {
    if (!thread_.joinable()) {
        return;
    }
    const micros deadline = steady_micros() + grace;
    while (spool_.pending() > 0 && steady_micros() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void forwarder::wait(micros d) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::microseconds(d), [&] { return stopping_; });
}

void forwarder::confirm_due(micros now) {
    std::size_t done = 0;
    while (done < in_flight_.size() && now - in_flight_[done].sent_at >= settings_.confirm_after) {
        ++done;
    }
    if (done > 0) {
        spool_.confirm_before(in_flight_[done - 1].end);
        in_flight_.erase(in_flight_.begin(),
                         in_flight_.begin() + static_cast<std::ptrdiff_t>(done));
    }
}

void forwarder::run() {
    micros backoff = micros_per_second / 2;
    const auto fail = [&](const std::string& why) {
        ++failures_;
        connected_ = false;
        transport_->close();
        in_flight_.clear();  // not confirmed: sent again after reconnecting
        {
            const std::lock_guard lock(mutex_);
            problem_ = why;
        }
        wait(backoff);
        backoff = std::min(backoff * 2, settings_.max_backoff);
    };
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        std::string error;
        if (!transport_->connected()) {
            if (!transport_->connect(error)) {
                fail(error);
                continue;
            }
            connected_ = true;
        }
        if (!transport_->healthy()) {
            fail(settings_.name + ": the collector closed the connection");
            continue;
        }
        confirm_due(steady_micros());
        {
            const std::lock_guard lock(mutex_);
            work_ = false;  // what is submitted from here on wakes the wait below
        }
        // After what is in flight; from the oldest unconfirmed record when nothing is.
        const spool::batch batch =
            spool_.peek_from(in_flight_.empty() ? 0 : in_flight_.back().end, 64);
        if (batch.records.empty()) {
            std::unique_lock lock(mutex_);
            idle_ = true;
            wake_.wait_for(lock, std::chrono::milliseconds(in_flight_.empty() ? 500 : 100),
                           [&] { return stopping_ || work_; });
            idle_ = false;
            continue;
        }
        if (!transport_->send(batch.records, error)) {
            fail(error);
            continue;
        }
        backoff = micros_per_second / 2;
        sent_ += batch.records.size();
        if (transport_->acknowledges()) {
            spool_.confirm_before(batch.end());
            in_flight_.clear();
        } else {
            in_flight_.push_back({batch.end(), steady_micros()});
        }
    }
    connected_ = false;
    transport_->close();
}

forwarder_stats forwarder::stats() const {
    forwarder_stats s;
    const spool_stats sp = spool_.stats();
    s.submitted = submitted_;
    s.filtered = filtered_;
    s.sent = sent_;
    s.delivered = sp.confirmed;
    s.failures = failures_;
    s.lost = sp.lost;
    s.pending = spool_.pending();
    s.connected = connected_;
    return s;
}

std::string forwarder::take_problem() {
    const std::lock_guard lock(mutex_);
    return std::exchange(problem_, {});
}

}  // namespace ikewatch::outputs
