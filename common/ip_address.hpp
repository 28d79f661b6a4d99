#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ikewatch {

/// An IPv4 or IPv6 address in network byte order (IPv4 uses the first 4 bytes).
struct ip_address {
    enum class family_t : std::uint8_t { none, v4, v6 };
    family_t family = family_t::none;
    std::array<std::uint8_t, 16> bytes{};

    /// Parses dotted IPv4 or textual IPv6 spanning the whole of `text`.
    [[nodiscard]] static std::optional<ip_address> parse(std::string_view text) noexcept;

    /// Canonical text (inet_ntop form); writes into `out` and returns the view.
    [[nodiscard]] std::string_view format(std::array<char, 48>& out) const noexcept;
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const ip_address&, const ip_address&) = default;
};

/// A CIDR block such as 192.0.2.0/24 or 2001:db8::/32.
struct cidr {
    ip_address base;
    unsigned prefix = 0;

    /// Parses `a.b.c.d/n`, `x::/n` or a bare address (host prefix).
    [[nodiscard]] static std::optional<cidr> parse(std::string_view text) noexcept;
    [[nodiscard]] bool contains(const ip_address& a) const noexcept;

    friend bool operator==(const cidr&, const cidr&) = default;
};

/// Returns true when `text` looks like a dotted IPv4 address (four numbers 0..255).
[[nodiscard]] bool is_ipv4(std::string_view text) noexcept;

}  // namespace ikewatch
