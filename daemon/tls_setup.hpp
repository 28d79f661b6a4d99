#pragma once

#include <boost/asio/ssl/context.hpp>
#include <utility>  // before Asio: Boost 1.74's Asio needs std::exchange under g++ 12

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "config/daemon_config.hpp"

namespace ikewatch::daemon {

/// What TLS connections are accepted with: the server context (certificate, key, client CA,
/// TLS 1.2 or later) and the client checks. Loaded at start and on every SIGHUP; a connection
/// keeps the setup it was accepted with (shared), new ones take the newest.
struct tls_setup {
    boost::asio::ssl::context context{boost::asio::ssl::context::tls_server};
    std::vector<std::string> allowed_clients;  ///< empty: any certificate tls.ca signs
    micros handshake_timeout = 10 * micros_per_second;
    std::string certificate_subject;  ///< of the daemon's certificate, for the log
};

/// Reads the certificate chain, key and CA files `in` names and builds the setup. The error
/// says which file and what is wrong (unreadable, not PEM, key not the certificate's, expired
/// certificate, no certificate in the CA file). Never throws.
[[nodiscard]] result<std::shared_ptr<tls_setup>, std::string> load_tls_setup(
    const config::tls_input& in);

}  // namespace ikewatch::daemon
