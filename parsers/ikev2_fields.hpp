#pragma once

#include <string_view>

#include "parsers/event.hpp"

/// What IKEv2 lines of every source (ASA syslog, IOS mnemonics, debug text) have in common:
/// endpoints, failures, exchange and notify names. Views point into the input text.
namespace ikewatch::parsers::ikev2 {

/// An endpoint token split into address and port: `2.2.2.2:500`, `2001:db8::2:50470`,
/// `10.1.1.1/500`, `[203.0.113.1]:500`, `HOSTNAME:500`, or an address alone.
struct endpoint {
    std::string_view addr;
    std::string_view port;
};
[[nodiscard]] endpoint split_endpoint(std::string_view token) noexcept;

/// Sets the peer (remote address), `local_ip` and NAT-T (either port 4500) from two endpoints.
/// An empty remote leaves the peer unset.
void set_endpoints(event& e, const endpoint& local, const endpoint& remote) noexcept;

/// Makes `e` an `ikev2_failed` event: `reason` as written, `failure` = `failure_class` (or the
/// class of `reason` when empty), and the phase the class belongs to.
void set_failure(event& e, std::string_view reason, std::string_view failure_class = {}) noexcept;

/// The text after `key` to the end of the line, trimmed, without a final `.`; empty when `key`
/// is absent.
[[nodiscard]] std::string_view reason_after(std::string_view text, std::string_view key) noexcept;

/// `IKE_SA_INIT`, `IKE_AUTH`, `CREATE_CHILD_SA`, `INFORMATIONAL` (as a prefix of `name`).
[[nodiscard]] ike_exchange exchange_named(std::string_view name) noexcept;

/// True for the RFC 7296 error notify types (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD,
/// AUTHENTICATION_FAILED, TS_UNACCEPTABLE, …), false for status notifies (INITIAL_CONTACT, …).
[[nodiscard]] bool error_notify(std::string_view name) noexcept;

/// Makes `e` an `ikev2_notify` event for notify `name` in `direction`; error notifies get the
/// failure class they stand for.
void set_notify(event& e, std::string_view name, ike_direction direction) noexcept;

}  // namespace ikewatch::parsers::ikev2
