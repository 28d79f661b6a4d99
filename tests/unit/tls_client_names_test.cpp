#include "daemon/tls_client_names.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "daemon/tls_session.hpp"

namespace ikewatch::daemon {
namespace {

using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// A certificate (unsigned: only its names are read) with these subject CNs and this
// subjectAltName value (`DNS:a,IP:192.0.2.1`), or none when empty.
x509_ptr certificate(const std::vector<std::string>& cns, const std::string& san) {
    x509_ptr cert(X509_new(), &X509_free);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("ikewatch tests"), -1, -1, 0);
    for (const std::string& cn : cns) {
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    }
    if (!san.empty()) {
        X509_EXTENSION* ext =
            X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
        EXPECT_NE(ext, nullptr) << san;
        if (ext != nullptr) {
            X509_add_ext(cert.get(), ext, -1);
            X509_EXTENSION_free(ext);
        }
    }
    return cert;
}

bool allowed(const x509_ptr& cert, std::vector<std::string> list) {
    return client_allowed(names_of(cert.get()), list);
}

TEST(TlsClientNames, ReadsSubjectCommonNamesAndAltNames) {
    const auto cert =
        certificate({"fw01", "fw01-backup"}, "DNS:fw01.example.net,IP:192.0.2.10,IP:2001:db8::1");
    const client_names n = names_of(cert.get());
    EXPECT_EQ(n.common_names, (std::vector<std::string>{"fw01", "fw01-backup"}));
    EXPECT_EQ(n.dns_names, (std::vector<std::string>{"fw01.example.net"}));
    ASSERT_EQ(n.addresses.size(), 2u);
    EXPECT_EQ(n.addresses[0].to_string(), "192.0.2.10");
    EXPECT_EQ(n.addresses[1].to_string(), "2001:db8::1");
    EXPECT_TRUE(names_of(nullptr).common_names.empty());
}

TEST(TlsClientNames, MatchesCommonNameDnsNameOrAddress) {
    const auto cert = certificate({"ASA-Branch-7"}, "DNS:asa7.example.net,IP:192.0.2.7");
    EXPECT_TRUE(allowed(cert, {"asa-branch-7"}));  // ASCII case is ignored
    EXPECT_TRUE(allowed(cert, {"other", "ASA7.example.NET"}));
    EXPECT_TRUE(allowed(cert, {"192.0.2.7"}));
    EXPECT_FALSE(allowed(cert, {"192.0.2.8", "asa7", "example.net", "ASA-Branch-70"}));
    EXPECT_FALSE(allowed(cert, {}));
}

TEST(TlsClientNames, AddressesCompareAsAddresses) {
    const auto cert = certificate({}, "IP:2001:db8:0:0::7");
    EXPECT_TRUE(allowed(cert, {"2001:DB8::7"}));
    EXPECT_FALSE(allowed(cert, {"2001:db8::8"}));
    // An address in the CN is text, matched as text.
    const auto by_cn = certificate({"192.0.2.9"}, "");
    EXPECT_TRUE(allowed(by_cn, {"192.0.2.9"}));
    EXPECT_FALSE(allowed(by_cn, {"192.0.2.09"}));
}

TEST(TlsClientNames, NoWildcardMatching) {
    const auto cert = certificate({"*.example.net"}, "DNS:*.example.net");
    EXPECT_FALSE(allowed(cert, {"fw01.example.net"}));
    EXPECT_TRUE(allowed(cert, {"*.example.net"}));
    const auto plain = certificate({"fw01.example.net"}, "");
    EXPECT_FALSE(allowed(plain, {"*.example.net"}));
}

TEST(TlsHandshakeFailure, ClassifiedByWhatHappened) {
    namespace asio = boost::asio;
    const auto ssl_error = [](int reason) {
        return boost::system::error_code(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)),
                                         asio::error::get_ssl_category());
    };
    EXPECT_EQ(classify_handshake(asio::error::operation_aborted, true, false, X509_V_OK),
              tls_failure::timeout);
    EXPECT_EQ(classify_handshake(ssl_error(SSL_R_CERTIFICATE_VERIFY_FAILED), false, true,
                                 X509_V_ERR_APPLICATION_VERIFICATION),
              tls_failure::not_allowed);
    EXPECT_EQ(classify_handshake(ssl_error(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE), false, false,
                                 X509_V_OK),
              tls_failure::no_client_cert);
    EXPECT_EQ(classify_handshake(ssl_error(SSL_R_CERTIFICATE_VERIFY_FAILED), false, false,
                                 X509_V_ERR_CERT_HAS_EXPIRED),
              tls_failure::bad_certificate);
    EXPECT_EQ(classify_handshake(ssl_error(SSL_R_WRONG_VERSION_NUMBER), false, false, X509_V_OK),
              tls_failure::protocol);
    EXPECT_EQ(classify_handshake(asio::error::eof, false, false, X509_V_OK), tls_failure::closed);
    EXPECT_EQ(classify_handshake(asio::ssl::error::stream_truncated, false, false, X509_V_OK),
              tls_failure::closed);
}

}  // namespace
}  // namespace ikewatch::daemon
