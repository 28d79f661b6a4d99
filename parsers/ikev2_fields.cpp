#include "parsers/ikev2_fields.hpp"

#include <array>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/ikev2_failure.hpp"

namespace ikewatch::parsers::ikev2 {

namespace {}  // namespace

endpoint split_endpoint(std::string_view t) noexcept {
    endpoint ep;
    if (!t.empty() && t.front() == '[') {
        // `[203.0.113.1]:500`
        const std::size_t close = t.find(']');
        if (close != std::string_view::npos) {
            ep.addr = t.substr(1, close - 1);
            if (close + 1 < t.size() && t[close + 1] == ':') {
                ep.port = t.substr(close + 2);
            }
            return ep;
        }
    }
    if (const std::size_t slash = t.rfind('/'); slash != std::string_view::npos) {
        ep.addr = t.substr(0, slash);
        ep.port = t.substr(slash + 1);
        return ep;
    }
    const std::size_t colon = t.rfind(':');
    if (colon == std::string_view::npos || !text::all_digits(t.substr(colon + 1))) {
        ep.addr = t;
        return ep;
    }
    const std::string_view before = t.substr(0, colon);
    // IPv6 written without a port ends in digits too: split only when what is left is a whole
    // address (or a name or IPv4 address, which hold no colon).
    if (before.find(':') == std::string_view::npos || ip_address::parse(before)) {
        ep.addr = before;
        ep.port = t.substr(colon + 1);
    } else {
        ep.addr = t;
    }
    return ep;
}

void set_endpoints(event& e, const endpoint& local, const endpoint& remote) noexcept {
    if (!remote.addr.empty()) {
        e.set_peer(remote.addr);
        e.nat_t = remote.port == "4500" || local.port == "4500";
    }
    if (!local.addr.empty()) {
        e.set(field::local_ip, local.addr);
    }
}

void set_failure(event& e, std::string_view reason, std::string_view failure_class) noexcept {
    e.kind = event_kind::ikev2_failed;
    const std::string_view cls =
        failure_class.empty() ? classify_ikev2_failure(reason) : failure_class;
    if (!reason.empty()) {
        e.set(field::reason, reason);
    }
    e.set(field::failure, cls);
    const int phase = ikev2_failure_phase(cls);
    if (phase != 0) {
        e.phase = static_cast<std::uint8_t>(phase);
        e.set(field::phase, phase == 1 ? "1" : "2");
    }
}

std::string_view reason_after(std::string_view text, std::string_view key) noexcept {
    const std::size_t at = text::find(text, key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view r = text.substr(at + key.size());
    r = r.substr(0, r.find('\n'));
    r = text::trim(r);
    while (!r.empty() && (r.back() == '.' || r.back() == '!')) {
        r.remove_suffix(1);
    }
    return r;
}

ike_exchange exchange_named(std::string_view name) noexcept {
    if (text::istarts_with(name, "IKE_SA_INIT")) {
        return ike_exchange::v2_sa_init;
    }
    if (text::istarts_with(name, "IKE_AUTH")) {
        return ike_exchange::v2_auth;
    }
    if (text::istarts_with(name, "CREATE_CHILD_SA")) {
        return ike_exchange::v2_child;
    }
    if (text::istarts_with(name, "INFORMATIONAL")) {
        return ike_exchange::v2_info;
    }
    return ike_exchange::none;
}

bool error_notify(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 18> errors{
        "UNSUPPORTED_CRITICAL_PAYLOAD",
        "INVALID_IKE_SPI",
        "INVALID_MAJOR_VERSION",
        "INVALID_SYNTAX",
        "INVALID_MESSAGE_ID",
        "INVALID_SPI",
        "NO_PROPOSAL_CHOSEN",
        "INVALID_KE_PAYLOAD",
        "AUTHENTICATION_FAILED",
        "SINGLE_PAIR_REQUIRED",
        "NO_ADDITIONAL_SAS",
        "INTERNAL_ADDRESS_FAILURE",
        "FAILED_CP_REQUIRED",
        "TS_UNACCEPTABLE",
        "INVALID_SELECTORS",
        "TEMPORARY_FAILURE",
        "CHILD_SA_NOT_FOUND",
        "UNACCEPTABLE_ADDRESSES",
    };
    for (std::string_view n : errors) {
        if (text::iequals(name, n)) {
            return true;
        }
    }
    return false;
}

void set_notify(event& e, std::string_view name, ike_direction direction) noexcept {
    e.kind = event_kind::ikev2_notify;
    e.set(field::notify, name);
    e.direction = direction;
    if (direction == ike_direction::sent) {
        e.set(field::direction, "sent");
    } else if (direction == ike_direction::received) {
        e.set(field::direction, "received");
    }
    if (error_notify(name)) {
        const std::string_view cls = classify_ikev2_failure(name);
        if (cls != ikev2_failure::other) {
            e.set(field::failure, cls);
        }
    }
}

}  // namespace ikewatch::parsers::ikev2
