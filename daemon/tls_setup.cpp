#include "daemon/tls_setup.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ikewatch::daemon {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the last failure, or `fallback`; the error queue is left empty.
std::string openssl_reason(std::string_view fallback) {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        if (out.empty()) {
            char buf[256];
            ERR_error_string_n(e, buf, sizeof buf);
            out = buf;
        }
    }
    return out.empty() ? std::string(fallback) : out;
}

std::string subject_of(const X509* cert) {
    if (cert == nullptr) {
        return {};
    }
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

}  // namespace

result<std::shared_ptr<tls_setup>, std::string> load_tls_setup(const config::tls_input& in) {
    if (in.ca.empty() && (in.require_client_cert || !in.allowed_clients.empty())) {
        return failure{
            std::string("checking client certificates (tls.require_client_cert, "
                        "tls.allowed_clients) needs tls.ca")};
    }
    ERR_clear_error();
    auto setup = std::make_shared<tls_setup>();
    ssl::context& ctx = setup->context;
    SSL_CTX* native = ctx.native_handle();
    // TLS 1.2 and 1.3 only (RFC 5425 as updated by RFC 9662; firewalls send 1.2 or later).
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        return failure{"cannot require TLS 1.2: " + openssl_reason("OpenSSL refused")};
    }
    boost::system::error_code ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::single_dh_use, ec);
    if (ctx.use_certificate_chain_file(in.cert, ec); ec) {
        return failure{"tls.cert " + in.cert + ": " + openssl_reason(ec.message())};
    }
    if (ctx.use_private_key_file(in.key, ssl::context::pem, ec); ec) {
        return failure{"tls.key " + in.key + ": " + openssl_reason(ec.message())};
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        return failure{"tls.key " + in.key + " is not the key of tls.cert " + in.cert + ": " +
                       openssl_reason("key values mismatch")};
    }
    const X509* cert = SSL_CTX_get0_certificate(native);
    if (cert != nullptr && X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
        return failure{"tls.cert " + in.cert + " has expired (" + subject_of(cert) + ")"};
    }
    setup->certificate_subject = subject_of(cert);
    if (!in.ca.empty()) {
        if (ctx.load_verify_file(in.ca, ec); ec) {
            return failure{"tls.ca " + in.ca + ": " + openssl_reason(ec.message())};
        }
        // Tells clients which CA their certificate should come from.
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(in.ca.c_str())) {
            SSL_CTX_set_client_CA_list(native, names);
        }
        const bool required = in.require_client_cert || !in.allowed_clients.empty();
        ctx.set_verify_mode(ssl::verify_peer | (required ? ssl::verify_fail_if_no_peer_cert : 0),
                            ec);
        // Resumed sessions with client certificates need a context id.
        static constexpr unsigned char id[] = "ikewatchd";
        SSL_CTX_set_session_id_context(native, id, sizeof id - 1);
    } else {
        ctx.set_verify_mode(ssl::verify_none, ec);
    }
    setup->allowed_clients = in.allowed_clients;
    setup->handshake_timeout = in.handshake_timeout;
    ERR_clear_error();
    return setup;
}

}  // namespace ikewatch::daemon
