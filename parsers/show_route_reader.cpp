#include "parsers/show_route_reader.hpp"

#include <bit>
#include <string>

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

// `255.255.255.0` -> 24; nullopt for a mask that is not a contiguous run of ones.
std::optional<unsigned> mask_length(std::string_view mask) noexcept {
    const auto a = ip_address::parse(mask);
    if (!a || a->family != ip_address::family_t::v4) {
        return std::nullopt;
    }
    const std::uint32_t bits = static_cast<std::uint32_t>(a->bytes[0]) << 24 |
                               static_cast<std::uint32_t>(a->bytes[1]) << 16 |
                               static_cast<std::uint32_t>(a->bytes[2]) << 8 | a->bytes[3];
    const auto ones = static_cast<unsigned>(std::countl_one(bits));
    return ones == 32 || (bits << ones) == 0 ? std::optional<unsigned>(ones) : std::nullopt;
}

// A route code: `C`, `L`, `S*`, `O`, `D`, `B`, `i`, `E2`, `IA` …
bool route_code(std::string_view t) noexcept {
    if (t.empty() || t.size() > 3) {
        return false;
    }
    for (char c : t) {
        if (!text::is_alnum(c) && c != '*') {
            return false;
        }
    }
    return text::is_alpha(t.front());
}

}  // namespace

void show_route_reader::feed(std::string_view line) {
    if (text::istarts_with(line, "Gateway of last resort is")) {
        table_ = true;
        default_ = text::ifind(line, "not set") == std::string_view::npos;
        return;
    }
    std::string_view rest = line;
    std::string_view t = text::next_token(rest, rest);
    if (!route_code(t)) {
        return;
    }
    // Further codes (`O IA`, `S*`) before the prefix.
    while (route_code(t)) {
        t = text::next_token(rest, rest);
    }
    std::optional<cidr> route;
    if (t.find('/') != std::string_view::npos) {
        route = cidr::parse(t);
    } else {
        std::string_view after;
        const std::string_view mask = text::next_token(rest, after);
        if (const auto len = mask_length(mask)) {
            route = cidr::parse(std::string(t) + "/" + std::to_string(*len));
        }
    }
    if (!route) {
        return;
    }
    table_ = true;
    if (route->prefix == 0) {
        default_ = true;
    }
    if (routes_.size() < 10'000) {
        routes_.push_back(*route);
    }
}

bool show_route_reader::routes(const ip_address& address) const noexcept {
    if (default_) {
        return true;
    }
    for (const cidr& c : routes_) {
        if (c.contains(address)) {
            return true;
        }
    }
    return false;
}

void show_route_reader::clear() noexcept {
    routes_.clear();
    table_ = false;
    default_ = false;
}

}  // namespace ikewatch::parsers
