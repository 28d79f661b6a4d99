// Packet-filter, connection, routing and management-login messages (ASA / PIX / FTD). Only the
// parts that bear on IKE, NAT-T, ESP and login bursts are decoded.

#include "common/byte_scan.hpp"
#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"

namespace ikewatch::parsers::decoders {

using detail::address_after;
using detail::contains;
using detail::endpoint;
using detail::endpoint_at;
using detail::parse_paren_endpoint;
using detail::protocol_name;
using detail::set_flow;
using detail::starts;
using detail::token_at;
using detail::word_after;

namespace {

// ASA prints well-known ports by name in to-the-box messages.
std::string_view service_port(std::string_view s) noexcept {
    if (s == "isakmp") {
        return "500";
    }
    if (s == "ssh") {
        return "22";
    }
    if (s == "https") {
        return "443";
    }
    if (s == "telnet") {
        return "23";
    }
    return s;
}

// `… from A/p to [iface:]B/p …` shared by 106001/106006/106007/106015/106021/110002/710003/710005.
void from_to(std::string_view text, std::string_view protocol, event& e) noexcept {
    std::size_t pos = text::find(text, " from ");
    if (pos == std::string_view::npos) {
        return;
    }
    pos += 6;
    const endpoint src = endpoint_at(text, pos, true);
    const std::size_t to = text::find(text, " to ", pos);
    if (to == std::string_view::npos) {
        set_flow(e, protocol, src, endpoint{});
        return;
    }
    pos = to + 4;
    endpoint dst = endpoint_at(text, pos, true);
    dst.port = service_port(dst.port);
    set_flow(e, protocol, src, dst);
    const std::string_view intf = word_after(text, "on interface ", " ");
    if (!intf.empty()) {
        e.set(field::interface, intf);
    }
}

// A `/500` or `/4500` in the text (the port of an endpoint; a following digit does not end it,
// as in the general search this replaces). Endpoints are few and every one has a slash, so the
// slashes are walked rather than the digits.
bool names_ike_port(std::string_view text) noexcept {
    return text::any_position_of(text, '/', [text](std::size_t at) {
        const std::string_view after(text.data() + at + 1, text.size() - at - 1);
        return after.starts_with("500") || after.starts_with("4500");
    });
}

}  // namespace

// `Deny udp src outside:203.0.113.7/500 dst outside:198.51.100.1/500 by access-group
//  "OUTSIDE_IN" [0x0, 0x0]`
void acl_106023(std::string_view text, event& e) noexcept {
    e.kind = event_kind::acl_deny;
    // Words one space apart, as ASA writes them, are matched in place; other spacing is read a
    // token at a time.
    std::size_t pos = 0;
    if (starts(text, "Deny ")) {
        pos = 4;
    } else if (token_at(text, pos) != "Deny") {
        e.kind = event_kind::other;
        return;
    }
    std::string_view proto = token_at(text, pos);
    if (proto == "inbound") {  // 106010 / 106014 shape: `Deny inbound tcp src …`
        proto = token_at(text, pos);
    }
    if (proto == "protocol") {
        proto = token_at(text, pos);
    }
    // The endpoint after ` src ` or ` dst `: the next token when that word is the one at `pos`
    // (the usual order, `src A dst B`; `pos` then moves past the endpoint), else found by a search.
    const auto endpoint_after = [&](std::string_view spaced) {
        std::size_t p = pos;
        const bool one_space_apart = starts(text.substr(p), spaced);
        if (one_space_apart) {
            p += spaced.size() - 1;
        }
        if (one_space_apart || token_at(text, p) == spaced.substr(1, spaced.size() - 2)) {
            const endpoint ep = endpoint_at(text, p, true);
            pos = p;
            return ep;
        }
        const std::size_t at = text::find(text, spaced, pos);
        if (at == std::string_view::npos) {
            return endpoint{};
        }
        p = at + spaced.size();
        return endpoint_at(text, p, true);
    };
    const endpoint src = endpoint_after(" src ");
    const endpoint dst = endpoint_after(" dst ");
    set_flow(e, protocol_name(proto), src, dst);
    constexpr std::string_view by_group = " by access-group \"";
    std::string_view rest = text.substr(pos);
    std::string_view acl;
    if (starts(rest, by_group)) {
        rest.remove_prefix(by_group.size());
        acl = rest.substr(0, rest.find('"'));
    } else {
        acl = word_after(rest, "access-group \"", "\"");
    }
    if (!acl.empty()) {
        e.set(field::acl, acl);
    }
}

// `Inbound TCP connection denied from 111.93.241.59/54322 to 116.6.127.122/1433 flags SYN on
//  interface outside`; `Deny inbound UDP from 185.158.113.158/53306 to 116.6.127.123/53413 on
//  interface outside`; `Deny TCP (no connection) from …`; `Deny TCP reverse path check from …`
void acl_from_to(std::string_view text, event& e) noexcept {
    e.kind = event_kind::acl_deny;
    std::size_t pos = 0;
    std::string_view first = token_at(text, pos);
    std::string_view proto = token_at(text, pos);
    if (first == "Deny" && proto == "inbound") {
        proto = token_at(text, pos);
    }
    from_to(text, protocol_name(proto), e);
}

// `Deny inbound protocol 47 src outside:115.51.6.185 dst outside:116.6.127.120`,
// `Deny inbound icmp src outside:151.80.47.231 dst outside:116.6.127.112 (type 3, code 2)`
void acl_src_dst(std::string_view text, event& e) noexcept {
    if (contains(text, "reverse path check")) {
        acl_from_to(text, e);
        return;
    }
    acl_106023(text, e);
}

// `access-list acl_in denied udp inside/10.0.0.46(49734) -> outside/192.168.0.88(500) hit-cnt 1
//  first hit [0x71a87d94, 0x0]`
void acl_list_log(std::string_view text, event& e) noexcept {
    std::size_t pos = 0;
    if (token_at(text, pos) != "access-list") {
        return;
    }
    const std::string_view acl = token_at(text, pos);
    const std::string_view action = token_at(text, pos);
    if (action != "denied") {
        return;
    }
    e.kind = event_kind::acl_deny;
    const std::string_view proto = token_at(text, pos);
    std::string_view src_tok = token_at(text, pos);
    if (src_tok == "for") {  // `for user 'name'`
        const std::size_t arrow = text::find(text, " -> ", pos);
        std::size_t back = arrow == std::string_view::npos ? pos : arrow;
        while (back > 0 && text[back - 1] != ' ') {
            --back;
        }
        pos = back;
        src_tok = token_at(text, pos);
    }
    const std::size_t arrow = text::find(text, "-> ", pos);
    endpoint dst;
    if (arrow != std::string_view::npos) {
        std::size_t p = arrow + 3;
        dst = parse_paren_endpoint(token_at(text, p));
    }
    set_flow(e, protocol_name(proto), parse_paren_endpoint(src_tok), dst);
    e.set(field::acl, acl);
}

// `UDP access denied by ACL from 95.1.1.14/5000 to outside:95.1.1.13/1005`
void acl_to_box(std::string_view text, event& e) noexcept {
    e.kind = event_kind::acl_deny;
    std::size_t pos = 0;
    from_to(text, protocol_name(token_at(text, pos)), e);
}

// `UDP request discarded from 10.0.0.1/4500 to outside:192.168.69.137/4500`,
// `ESP request discarded from 78.188.39.118 to outside:92.45.66.150`
void request_discarded(std::string_view text, event& e) noexcept {
    e.kind = event_kind::request_discarded;
    std::size_t pos = 0;
    from_to(text, protocol_name(token_at(text, pos)), e);
}

// `Teardown UDP connection 40 for outside:10.44.4.4/500 to inside:10.44.2.2/500 duration 0:02:02
//  bytes 1416`, `Built inbound UDP connection 1 for outside:A/p (A/p) to inside:B/p (B/p)`
void udp_connection(std::string_view text, event& e) noexcept {
    // Most UDP flows are not IKE; decode fully only when port 500 or 4500 appears.
    if (!names_ike_port(text)) {
        return;
    }
    e.kind = event_kind::udp_connection;
    e.set(field::type, starts(text, "Built") ? "built" : "teardown");
    std::size_t pos = text::find(text, " for ");
    if (pos == std::string_view::npos) {
        return;
    }
    pos += 5;
    const endpoint src = endpoint_at(text, pos, true);
    const std::size_t to = text::find(text, " to ", pos);
    endpoint dst;
    if (to != std::string_view::npos) {
        std::size_t p = to + 4;
        dst = endpoint_at(text, p, true);
    }
    set_flow(e, "udp", src, dst);
}

// `Failed to locate egress interface for UDP from outside:172.16.200.4/10771 to
//  231.223.174.143/32238`; `Routing failed to locate next hop for UDP from …`
void route_failure(std::string_view text, event& e) noexcept {
    e.kind = event_kind::route_failure;
    const std::string_view proto = word_after(text, " for ", " ");
    from_to(text, protocol_name(proto), e);
    // The unreachable destination is the address a tunnel would be built to.
    if (const auto dst = e.get(field::dst_ip)) {
        e.set_peer(*dst);
        e.peer2.clear();
    }
}

// `Login denied from 192.168.2.10/32597 to outside:192.168.2.14/ssh for user "root"`
void login_605(std::string_view text, event& e) noexcept {
    e.kind = starts(text, "Login denied") ? event_kind::login_failed : event_kind::login_success;
    std::size_t pos = text::find(text, " from ");
    if (pos != std::string_view::npos) {
        pos += 6;
        const endpoint src = endpoint_at(text, pos, false);
        e.set(field::src_ip, src.addr);
        if (!src.port.empty()) {
            e.set(field::src_port, src.port);
        }
    }
    const std::size_t to = text::find(text, " to ");
    if (to != std::string_view::npos) {
        std::size_t p = to + 4;
        const endpoint dst = endpoint_at(text, p, true);
        e.set(field::dst_ip, dst.addr);
        e.set(field::service, dst.port);
        e.set(field::dst_port, service_port(dst.port));
    }
    const std::string_view user = word_after(text, "for user \"", "\"");
    e.set(field::user, user);
}

// `AAA user authentication Rejected : reason = Invalid password : server = 81.2.69.144 : user =
//  a2bcde : user IP = 81.2.69.143`
void login_aaa(std::string_view text, event& e) noexcept {
    if (!contains(text, "authentication Rejected")) {
        return;
    }
    e.kind = event_kind::login_failed;
    const std::string_view reason = word_after(text, "reason = ", ":");
    if (!reason.empty()) {
        e.set(field::reason, text::trim(reason));
    }
    const std::string_view server = word_after(text, "server = ", " :");
    if (!server.empty()) {
        e.set(field::server, server);
    }
    const std::string_view user = word_after(text, " user = ", ":");
    e.set(field::user, text::trim(user));
    const std::string_view ip = address_after(text, "user IP = ");
    if (!ip.empty()) {
        e.set(field::src_ip, ip);
    }
}

// `User authentication failed: IP address: 10.10.0.87, Uname: admin`
void login_611(std::string_view text, event& e) noexcept {
    e.kind = contains(text, "failed") ? event_kind::login_failed : event_kind::login_success;
    const std::string_view ip = address_after(text, "IP address: ");
    if (!ip.empty()) {
        e.set(field::src_ip, ip);
    }
    const std::string_view user = word_after(text, "Uname: ", " ,");
    if (!user.empty()) {
        e.set(field::user, user);
    }
}

}  // namespace ikewatch::parsers::decoders
