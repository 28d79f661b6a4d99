#include "parsers/ikev2_failure.hpp"

#include <initializer_list>

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

bool has_any(std::string_view s, std::initializer_list<std::string_view> words) noexcept {
    for (std::string_view w : words) {
        if (text::ifind(s, w) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

// Checked most specific first: `No preshared key or trustpoint configured for self in tunnel
// group` is about the tunnel-group, not the certificate; `Profile could not be found by peer
// certificate` is about the identity.
std::string_view classify_ikev2_failure(std::string_view r) noexcept {
    namespace f = ikev2_failure;
    if (has_any(r, {"fragment", "reassembl"})) {
        return f::fragmentation;
    }
    if (has_any(r, {"peer id", "profile not found", "profile could not be found", "idi ", "idr ",
                    "identity"})) {
        return f::identity;
    }
    // `Peer authentication method configured is mismatching with the method proposed by peer`
    // is a disagreement, not a missing configuration.
    if (has_any(r, {"authentication method", "auth method"}) &&
        has_any(r, {"mismatch", "differ", "not supported", "unsupported", "not match"})) {
        return f::auth_method;
    }
    if (has_any(r, {"tunnel group", "tunnel-group", "preshared key", "pre-shared key",
                    "authentication method configured", "self-authentication"})) {
        return f::peer_config;
    }
    if (has_any(r, {"cert", "trustpoint", "trust point", "revoc", "crl", "ocsp", "http url",
                    "http_lookup", "x509", "issuer", "chain"})) {
        return f::auth_cert;
    }
    if (has_any(r, {"invalid_ke", "dh group", "ke payload", "diffie-hellman group"})) {
        return f::dh_group;
    }
    if (has_any(r, {"ts_unacceptable", "received ts", "traffic selector", "invalid_selectors",
                    "crypto map policy not found", "proxy"})) {
        return f::traffic_selector;
    }
    if (has_any(r, {"no_proposal_chosen", "matching policy", "proposed policies", "proposal",
                    "transform", "pfs"})) {
        return has_any(r, {"child", "ipsec", "transform", "pfs"}) ? f::child_proposal : f::proposal;
    }
    if (has_any(r, {"auth msg", "auth message"}) ||
        (has_any(r, {"ike_auth"}) && has_any(r, {"timed out", "timeout", "no response"}))) {
        return f::auth_timeout;
    }
    if (has_any(r, {"retransmi", "no response", "timed out", "timeout", "timer expired",
                    "not respond"})) {
        return f::no_response;
    }
    if (has_any(r, {"authenticat", "auth exchange", "verify auth", "auth data"})) {
        return f::auth;
    }
    if (has_any(r, {"locate an item"})) {
        return f::config_lookup;
    }
    if (has_any(r, {"resource", "cac ", "cac.", "cac:", "cookie", "licen", "throttle", "memory"})) {
        return f::overload;
    }
    return f::other;
}

int ikev2_failure_rank(std::string_view c) noexcept {
    namespace f = ikev2_failure;
    if (c == f::auth || c == f::auth_timeout || c == f::no_response) {
        return 2;
    }
    if (c == f::config_lookup || c == f::auth_exchange) {
        return 1;
    }
    for (std::string_view specific :
         {f::auth_cert, f::auth_method, f::identity, f::peer_config, f::proposal, f::child_proposal,
          f::dh_group, f::traffic_selector, f::fragmentation, f::overload}) {
        if (c == specific) {
            return 3;
        }
    }
    return 0;
}

int ikev2_failure_phase(std::string_view c) noexcept {
    namespace f = ikev2_failure;
    if (c == f::child_proposal || c == f::traffic_selector) {
        return 2;
    }
    if (c == f::other || c == f::overload || c == f::fragmentation || ikev2_failure_rank(c) == 0) {
        return 0;
    }
    return 1;
}

}  // namespace ikewatch::parsers
