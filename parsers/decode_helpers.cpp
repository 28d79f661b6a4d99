#include "parsers/decode_helpers.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

#include "common/byte_scan.hpp"
#include "common/ip_address.hpp"
#include "common/text.hpp"

namespace ikewatch::parsers::detail {

namespace {

// Hex digits, `.` and `:`: the characters of an IPv4 or IPv6 address.
constexpr auto addr_chars = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        t[static_cast<std::size_t>(c)] = text::is_hex(ch) || ch == '.' || ch == ':';
    }
    return t;
}();

bool addr_char(char c) noexcept {
    return addr_chars[static_cast<unsigned char>(c)];
}

}  // namespace

std::string_view address_at(std::string_view s) noexcept {
    std::size_t n = 0;
    while (n < s.size() && addr_char(s[n]) && n < 45) {
        ++n;
    }
    // Strip a trailing separator colon or dot (`1.2.3.4:` or `1.2.3.4.` at a sentence end).
    while (n > 0 && (s[n - 1] == '.' || (s[n - 1] == ':' && (n < 2 || s[n - 2] != ':')))) {
        --n;
    }
    return s.substr(0, n);
}

bool address_like(std::string_view t) noexcept {
    if (t.size() < 3 || t.size() > 45) {
        return false;
    }
    bool digit = false;
    bool sep = false;
    for (char c : t) {
        if (text::is_digit(c)) {
            digit = true;
        } else if (c == '.' || c == ':') {
            sep = true;
        } else if (!text::is_hex(c)) {
            return false;
        }
    }
    return digit && sep;
}

std::string_view first_ipv4(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!text::is_digit(s[i]) || (i > 0 && (text::is_digit(s[i - 1]) || s[i - 1] == '.'))) {
            continue;
        }
        std::size_t n = i;
        while (n < s.size() && (text::is_digit(s[n]) || s[n] == '.')) {
            ++n;
        }
        std::string_view cand = s.substr(i, n - i);
        while (!cand.empty() && cand.back() == '.') {
            cand.remove_suffix(1);
        }
        if (is_ipv4(cand)) {
            return cand;
        }
        i = n;
    }
    return {};
}

std::string_view address_after(std::string_view s, std::string_view key) noexcept {
    const std::size_t at = text::find(s, key);
    if (at == std::string_view::npos) {
        return {};
    }
    return address_at(s.substr(at + key.size()));
}

std::string_view asa_context(std::string_view text, event& e) noexcept {
    for (int guard = 0; guard < 3; ++guard) {
        if (starts(text, "Group = ")) {
            text.remove_prefix(8);
            const std::size_t end = text::find(text, ", ");
            const std::string_view g = text.substr(0, end);
            e.set(field::group, g);
            text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
        } else if (starts(text, "Username = ")) {
            text.remove_prefix(11);
            const std::size_t end = text::find(text, ", ");
            e.set(field::user, text.substr(0, end));
            text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
        } else if (starts(text, "IP = ")) {
            text.remove_prefix(5);
            const std::string_view a = address_at(text);
            if (!a.empty()) {
                e.set_peer(a);
            }
            text.remove_prefix(a.size());
            if (starts(text, ",")) {
                text.remove_prefix(1);
            }
            text = text::ltrim(text);
        } else {
            break;
        }
    }
    return text;
}

endpoint parse_endpoint(std::string_view token, bool with_iface) noexcept {
    endpoint ep;
    // Drop an identity annotation: `1.2.3.4/57621(LOCAL\Elastic)`.
    if (const std::size_t paren = token.find('('); paren != std::string_view::npos) {
        token = token.substr(0, paren);
    }
    if (with_iface) {
        const std::size_t colon = token.find(':');
        if (colon != std::string_view::npos) {
            ep.iface = token.substr(0, colon);
            token = token.substr(colon + 1);
        }
    }
    const std::size_t slash = token.rfind('/');
    if (slash != std::string_view::npos) {
        ep.addr = token.substr(0, slash);
        ep.port = token.substr(slash + 1);
    } else {
        ep.addr = token;
    }
    return ep;
}

endpoint endpoint_at(std::string_view s, std::size_t& pos, bool with_iface) noexcept {
    while (pos < s.size() && s[pos] == ' ') {
        ++pos;
    }
    if (pos >= s.size() || s.size() < 16) {
        return parse_endpoint(token_at(s, pos), with_iface);
    }
    // Sixteen bytes at a time: the space that ends the token, or a `(` before it, and before
    // that the first colon and the last slash.
    constexpr std::size_t npos = std::string_view::npos;
    const std::size_t start = pos;
    std::size_t colon = npos;
    std::size_t slash = npos;
    std::size_t stop = s.size();
    for (std::size_t at = start; at < s.size(); at += 16) {
        const text::byte_block b(s, at);
        const std::uint32_t stops = b.equal(' ') | b.equal('(');
        const std::uint32_t before = stops != 0 ? (stops & (0U - stops)) - 1U : 0xFFFFU;
        if (const std::uint32_t c = b.equal(':') & before; c != 0 && colon == npos) {
            colon = at + static_cast<std::size_t>(std::countr_zero(c));
        }
        if (const std::uint32_t sl = b.equal('/') & before; sl != 0) {
            slash = at + static_cast<std::size_t>(std::bit_width(sl)) - 1U;
        }
        if (stops != 0) {
            stop = at + static_cast<std::size_t>(std::countr_zero(stops));
            break;
        }
    }
    // After a `(`, the token still runs to the next space.
    pos = stop < s.size() && s[stop] == '(' ? std::min(s.find(' ', stop), s.size()) : stop;
    endpoint ep;
    std::size_t addr = start;
    if (with_iface && colon != npos) {
        ep.iface = s.substr(start, colon - start);
        addr = colon + 1;
    }
    if (slash != npos && slash >= addr) {
        ep.addr = s.substr(addr, slash - addr);
        ep.port = s.substr(slash + 1, stop - slash - 1);
    } else {
        ep.addr = s.substr(addr, stop - addr);
    }
    return ep;
}

endpoint parse_paren_endpoint(std::string_view token) noexcept {
    endpoint ep;
    if (const std::size_t slash = token.find('/');
        slash != std::string_view::npos && token.find('(') > slash) {
        ep.iface = token.substr(0, slash);
        token = token.substr(slash + 1);
    }
    const std::size_t paren = token.find('(');
    if (paren == std::string_view::npos) {
        ep.addr = token;
        return ep;
    }
    ep.addr = token.substr(0, paren);
    const std::size_t close = token.find(')', paren);
    ep.port = token.substr(
        paren + 1, close == std::string_view::npos ? std::string_view::npos : close - paren - 1);
    return ep;
}

std::string_view protocol_name(std::string_view token) noexcept {
    // By length first: the checks a token can pass are then one or two.
    switch (token.size()) {
        case 1:
            return token == "6" ? "tcp" : token == "1" ? "icmp" : token;
        case 2:
            return token == "17"                                 ? "udp"
                   : token == "50"                               ? "esp"
                   : token == "51" || text::iequals(token, "ah") ? "ah"
                   : token == "47"                               ? "gre"
                                                                 : token;
        case 3: {
            // The three letters in lower case, as one word.
            using text::word_of;
            const std::array<char, 3> lower{text::to_lower(token[0]), text::to_lower(token[1]),
                                            text::to_lower(token[2])};
            switch (word_of(std::string_view(lower.data(), lower.size()))) {
                case word_of("udp"):
                    return "udp";
                case word_of("tcp"):
                    return "tcp";
                case word_of("esp"):
                    return "esp";
                case word_of("gre"):
                    return "gre";
                default:
                    return token;
            }
        }
        case 4:
            return text::iequals(token, "icmp") ? "icmp" : token;
        default:
            return token;
    }
}

void set_nat_detection(event& e, bool nat) noexcept {
    e.kind = event_kind::nat_detection;
    e.nat_t = nat;
    e.set(field::nat, nat ? "true" : "false");
}

void set_flow(event& e, std::string_view protocol, const endpoint& src,
              const endpoint& dst) noexcept {
    e.set(field::protocol, protocol);
    if (!src.addr.empty()) {
        e.set(field::src_ip, src.addr);
    }
    if (!src.port.empty()) {
        e.set(field::src_port, src.port);
    }
    if (!src.iface.empty()) {
        e.set(field::src_interface, src.iface);
    }
    if (!dst.addr.empty()) {
        e.set(field::dst_ip, dst.addr);
    }
    if (!dst.port.empty()) {
        e.set(field::dst_port, dst.port);
    }
    if (!dst.iface.empty()) {
        e.set(field::dst_interface, dst.iface);
    }
    // IKE (UDP 500/4500) and ESP name a remote gateway: both ends are candidates; the rule
    // engine matches either against the tracked peer.
    const bool ike = protocol == "udp" && (src.port == "500" || dst.port == "500" ||
                                           src.port == "4500" || dst.port == "4500");
    if (ike || protocol == "esp") {
        // Only real addresses become peer candidates (fixtures carry `***` and `<public IP>`).
        if (ip_address::parse(src.addr)) {
            e.set_peer(src.addr);
        }
        if (ip_address::parse(dst.addr)) {
            e.set_peer2(dst.addr);
        }
        e.nat_t = src.port == "4500" || dst.port == "4500";
    }
}

std::string_view token_at(std::string_view s, std::size_t& pos) noexcept {
    while (pos < s.size() && s[pos] == ' ') {
        ++pos;
    }
    if (pos >= s.size()) {
        pos = s.size();
        return {s.data() + pos, 0};
    }
    const std::size_t start = pos;
    // Tokens here are words of a few letters (endpoints have endpoint_at): a loop beats the
    // setting up of a memchr.
    while (pos < s.size() && s[pos] != ' ') {
        ++pos;
    }
    return {s.data() + start, pos - start};
}

}  // namespace ikewatch::parsers::detail
