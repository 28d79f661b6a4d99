#pragma once

#include <functional>
#include <memory>

#include "daemon/metrics.hpp"
#include "daemon/tcp_listener.hpp"
#include "daemon/tls_setup.hpp"

namespace ikewatch::daemon {

/// Sessions for a TLS listener (RFC 5425): each connection first completes a TLS handshake with
/// the setup `current()` returns at accept, within its handshake timeout, with the client
/// certificate checks of that setup; then it runs the same session loop as TCP. A failed
/// handshake closes the connection before any of its bytes are read as syslog and is counted in
/// `stats.tls_failed` by reason; a completed one in `stats.tls.accepted`.
[[nodiscard]] session_maker tls_sessions(std::function<std::shared_ptr<tls_setup>()> current,
                                         counters& stats);

/// Which failure a handshake error is, given what the session saw: its timer fired, or its
/// verification refused a certificate that tls.allowed_clients does not name. `verify_result`
/// is OpenSSL's certificate verification result for the connection (X509_V_OK when none).
[[nodiscard]] tls_failure classify_handshake(const boost::system::error_code& ec, bool timed_out,
                                             bool not_allowed, long verify_result) noexcept;

}  // namespace ikewatch::daemon
