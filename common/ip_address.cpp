#include "common/ip_address.hpp"

#include <cstring>

#include <arpa/inet.h>

#include "common/text.hpp"

namespace ikewatch {

bool is_ipv4(std::string_view text) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && text::is_digit(text[i])) {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            if (i - start >= 3 || value > 255) {
                return false;
            }
            ++i;
        }
        if (i == start) {
            return false;
        }
        ++parts;
        if (i == text.size()) {
            break;
        }
        if (text[i] != '.' || parts == 4) {
            return false;
        }
        ++i;
    }
    return parts == 4;
}

std::optional<ip_address> ip_address::parse(std::string_view text) noexcept {
    if (text.empty() || text.size() > 45) {
        return std::nullopt;
    }
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    ip_address a;
    if (text.find(':') == std::string_view::npos) {
        if (!is_ipv4(text) || inet_pton(AF_INET, buf, a.bytes.data()) != 1) {
            return std::nullopt;
        }
        a.family = family_t::v4;
        return a;
    }
    if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) {
        return std::nullopt;
    }
    a.family = family_t::v6;
    return a;
}

std::string_view ip_address::format(std::array<char, 48>& out) const noexcept {
    const int af = family == family_t::v4 ? AF_INET : AF_INET6;
    if (family == family_t::none ||
        inet_ntop(af, bytes.data(), out.data(), static_cast<socklen_t>(out.size())) == nullptr) {
        return {};
    }
    return {out.data(), std::strlen(out.data())};
}

std::string ip_address::to_string() const {
    std::array<char, 48> buf{};
    return std::string(format(buf));
}

std::optional<cidr> cidr::parse(std::string_view text) noexcept {
    const std::size_t slash = text.find('/');
    auto base = ip_address::parse(text.substr(0, slash));
    if (!base) {
        return std::nullopt;
    }
    const unsigned max = base->family == ip_address::family_t::v4 ? 32 : 128;
    unsigned prefix = max;
    if (slash != std::string_view::npos) {
        auto p = text::to_number<unsigned>(text.substr(slash + 1));
        if (!p || *p > max) {
            return std::nullopt;
        }
        prefix = *p;
    }
    return cidr{*base, prefix};
}

bool cidr::contains(const ip_address& a) const noexcept {
    if (a.family != base.family) {
        return false;
    }
    unsigned bits = prefix;
    for (std::size_t i = 0; i < a.bytes.size() && bits > 0; ++i) {
        const unsigned take = bits >= 8 ? 8 : bits;
        const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - take));
        if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) {
            return false;
        }
        bits -= take;
    }
    return true;
}

}  // namespace ikewatch
