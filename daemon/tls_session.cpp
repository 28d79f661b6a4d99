#include "daemon/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <bit>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "common/enum_names.hpp"
#include "daemon/tls_client_names.hpp"

namespace ikewatch::daemon {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

std::string names_text(const client_names& n) {
    std::string out;
    const auto add = [&](std::string_view kind, std::string_view value) {
        out += out.empty() ? "" : ",";
        out += kind;
        out += value;
    };
    for (const auto& cn : n.common_names) {
        add("CN=", cn);
    }
    for (const auto& dns : n.dns_names) {
        add("DNS:", dns);
    }
    for (const auto& ip : n.addresses) {
        add("IP:", ip.to_string());
    }
    return out.empty() ? "(no names)" : out;
}

// The setup lives in a base that is built before the session's stream and destroyed after it:
// the stream's SSL object was made from the setup's context.
struct setup_holder {
    std::shared_ptr<tls_setup> setup_;
};

class tls_session final : private setup_holder, public stream_session<ssl::stream<tcp::socket>> {
  public:
    tls_session(session_host& host, tcp::socket socket, const ip_address& peer,
                std::shared_ptr<tls_setup> setup, counters& stats)
        : setup_holder{std::move(setup)},
          stream_session(host, peer, std::move(socket), setup_->context),
          stats_(stats),
          timer_(stream().lowest_layer().get_executor()) {}

    void start() override {
        auto self = std::static_pointer_cast<tls_session>(shared_from_this());
        timer_.expires_after(std::chrono::microseconds(setup_->handshake_timeout));
        timer_.async_wait([this, self](const boost::system::error_code& ec) {
            if (!ec && !established_ && !stopped()) {
                timed_out_ = true;
                boost::system::error_code ignored;
                stream().lowest_layer().cancel(ignored);
            }
        });
        if (!setup_->allowed_clients.empty()) {
            // Depth 0 is the client's own certificate, checked once its chain verified.
            stream().set_verify_callback([this](bool preverified, ssl::verify_context& v) {
                X509_STORE_CTX* store = v.native_handle();
                if (!preverified || X509_STORE_CTX_get_error_depth(store) != 0) {
                    return preverified;
                }
                const client_names names = names_of(X509_STORE_CTX_get_current_cert(store));
                if (client_allowed(names, setup_->allowed_clients)) {
                    return true;
                }
                not_allowed_ = true;
                refused_names_ = names_text(names);
                X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
                return false;
            });
        }
        stream().async_handshake(
            ssl::stream_base::server,
            [this, self](const boost::system::error_code& ec) { handshake_done(ec); });
    }

    void cancel_read() override {
        if (established_) {
            stream_session::cancel_read();
        } else {
            timer_.cancel();
            close();  // nothing of it was read as syslog yet
        }
    }

    void stop() override {
        if (established_) {
            stream_session::stop();
        } else {
            timer_.cancel();
            close();
        }
    }

  private:
    void handshake_done(const boost::system::error_code& ec) {
        timer_.cancel();
        if (stopped()) {
            return;  // shut down meanwhile; the listener has let it go
        }
        if (!ec) {
            established_ = true;
            ++host().stats().accepted;
            stream_session::start();
            return;
        }
        const tls_failure why = classify_handshake(ec, timed_out_, not_allowed_,
                                                   SSL_get_verify_result(stream().native_handle()));
        const std::uint64_t n = ++stats_.tls_failed[static_cast<std::size_t>(why)];
        // The first failure of each reason, then at every power of two: a client retrying
        // every few seconds does not fill the log.
        if (std::has_single_bit(n)) {
            const auto level = refuses_client(why) ? spdlog::level::warn : spdlog::level::info;
            spdlog::log(level,
                        "TLS handshake failed: reason={} client={} detail=\"{}\"{} ({} so far)",
                        ikewatch::to_string(why), peer().to_string(), ec.message(),
                        refused_names_.empty() ? "" : " certificate=" + refused_names_, n);
        }
        close();
        host().ended(*this);
    }

    counters& stats_;
    asio::steady_timer timer_;
    std::string refused_names_;
    bool established_ = false;
    bool timed_out_ = false;
    bool not_allowed_ = false;
};

}  // namespace

tls_failure classify_handshake(const boost::system::error_code& ec, bool timed_out,
                               bool not_allowed, long verify_result) noexcept {
    if (timed_out) {
        return tls_failure::timeout;
    }
    if (not_allowed) {
        return tls_failure::not_allowed;
    }
    if (ec.category() == asio::error::get_ssl_category()) {
        const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
        if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
            return tls_failure::no_client_cert;
        }
        if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED || verify_result != X509_V_OK) {
            return tls_failure::bad_certificate;
        }
        return tls_failure::protocol;
    }
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe) {
        return tls_failure::closed;
    }
    return tls_failure::protocol;
}

session_maker tls_sessions(std::function<std::shared_ptr<tls_setup>()> current, counters& stats) {
    return [current = std::move(current), &stats](session_host& host, tcp::socket socket,
                                                  const ip_address& peer) {
        return std::static_pointer_cast<session_base>(
            std::make_shared<tls_session>(host, std::move(socket), peer, current(), stats));
    };
}

}  // namespace ikewatch::daemon
