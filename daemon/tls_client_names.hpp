#pragma once

#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "common/ip_address.hpp"

namespace ikewatch::daemon {

/// The names a client certificate carries, as `tls.allowed_clients` matches them: the subject's
/// common names and the subjectAltName DNS names and IP addresses.
struct client_names {
    std::vector<std::string> common_names;
    std::vector<std::string> dns_names;
    std::vector<ip_address> addresses;
};

/// Reads the names of `cert` (not owned; null gives no names). Never throws.
[[nodiscard]] client_names names_of(const X509* cert);

/// True when one of `allowed` names the client: equal, ignoring ASCII case, to a common name or
/// a DNS name, or the same address as an IP address (`2001:db8::1` matches `2001:DB8:0::1`).
/// No wildcards on either side: a certificate for `*.example.net` matches only the entry
/// `*.example.net`.
[[nodiscard]] bool client_allowed(const client_names& names, std::span<const std::string> allowed);

}  // namespace ikewatch::daemon
