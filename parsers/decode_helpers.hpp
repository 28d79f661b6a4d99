#pragma once

#include <string_view>

#include "common/text.hpp"
#include "parsers/event.hpp"

/// Small scanners shared by the message decoders. All views point into their input.
namespace ikewatch::parsers::detail {

/// True when `s` starts with `prefix`.
[[nodiscard]] constexpr bool starts(std::string_view s, std::string_view prefix) noexcept {
    return text::starts_with(s, prefix);
}

[[nodiscard]] inline bool contains(std::string_view s, std::string_view needle) noexcept {
    return text::find(s, needle) != std::string_view::npos;
}

/// The address-like run (IPv4/IPv6 characters) at the start of `s`.
[[nodiscard]] std::string_view address_at(std::string_view s) noexcept;

/// `t` could be an IPv4 or IPv6 address as tables print them: 3 to 45 hex digits, dots and
/// colons, with at least one digit and one dot or colon.
[[nodiscard]] bool address_like(std::string_view t) noexcept;

/// An IOS-XE IKEv2 event-trace line (`show monitor event-trace crypto ikev2 event all`):
/// `SA ID:1 SESSION ID:2 Remote: 30.1.1.2/500 Local: 30.1.1.1/500  …`.
[[nodiscard]] inline bool ikev2_event_trace(std::string_view s) noexcept {
    return s.starts_with("SA ID:") && contains(s, " SESSION ID:") && contains(s, " Remote: ") &&
           contains(s, " Local: ");
}

/// The first dotted IPv4 address anywhere in `s`, or empty.
[[nodiscard]] std::string_view first_ipv4(std::string_view s) noexcept;

/// The address right after `key` (e.g. "from "), or empty when `key` is absent.
[[nodiscard]] std::string_view address_after(std::string_view s, std::string_view key) noexcept;

/// The text after `key` up to the first character in `stop` (or the end); empty if no `key`.
[[nodiscard]] inline std::string_view word_after(std::string_view s, std::string_view key,
                                                 std::string_view stop = " ,") noexcept {
    return text::value_after(s, key, stop);
}

/// Reads the ASA peer context `Group = g, Username = u, IP = a, ` at the start of `text`; sets
/// group/user fields and the peer, and returns the text after it.
[[nodiscard]] std::string_view asa_context(std::string_view text, event& e) noexcept;

/// An endpoint written `[iface:]addr[/port][(user)]`.
struct endpoint {
    std::string_view iface;
    std::string_view addr;
    std::string_view port;
};

/// Parses `iface:addr/port` (ASA 106023 style, interface optional when `with_iface` is false).
[[nodiscard]] endpoint parse_endpoint(std::string_view token, bool with_iface) noexcept;

/// The endpoint in the token at `pos` (after leading spaces), as `parse_endpoint` reads it;
/// `pos` moves to the end of the token, as with `token_at`. One pass over the token.
[[nodiscard]] endpoint endpoint_at(std::string_view s, std::size_t& pos, bool with_iface) noexcept;

/// Parses `addr(port)` (IOS access-list logging and ASA 106100).
[[nodiscard]] endpoint parse_paren_endpoint(std::string_view token) noexcept;

/// Sets src/dst fields from two endpoints and chooses peer/peer2 for IKE/ESP traffic.
void set_flow(event& e, std::string_view protocol, const endpoint& src,
              const endpoint& dst) noexcept;

/// Makes `e` a `nat_detection` event: whether NAT discovery found a NAT device between the ends.
void set_nat_detection(event& e, bool nat) noexcept;

/// Lower-case protocol name for a protocol token (`UDP`, `udp`, `50`, `esp`).
[[nodiscard]] std::string_view protocol_name(std::string_view token) noexcept;

/// The token that ends at the next space (after skipping leading spaces).
[[nodiscard]] std::string_view token_at(std::string_view s, std::size_t& pos) noexcept;

}  // namespace ikewatch::parsers::detail
