#include "rules/placeholder.hpp"

#include <utility>

#include <array>

#include "rules/peer_fields.hpp"

namespace ikewatch::rules {

namespace {

using source = placeholder::source;

// Facts about the alert and its rule, which come before a field of the same name.
constexpr std::array<std::pair<std::string_view, source>, 11> facts{{
    {"device", source::device},
    {"peer", source::key},
    {"key", source::key},
    {"duration", source::duration},
    {"count", source::count},
    {"window", source::window},
    {"for", source::for_time},
    {"code", source::code},
    {"rule", source::rule},
    {"confidence", source::confidence},
    {"ike_version", source::ike_version},
}};

}  // namespace

std::optional<placeholder> find_placeholder(std::string_view name) noexcept {
    placeholder p;
    for (const auto& [n, from] : facts) {
        if (n == name) {
            p.from = from;
            break;
        }
    }
    p.peer = find_peer_field(name);
    p.event = parsers::field_from(name);
    p.not_logged = name == "group";
    return p.fillable() ? std::optional<placeholder>(p) : std::nullopt;
}

}  // namespace ikewatch::rules
