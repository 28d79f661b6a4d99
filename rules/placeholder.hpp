#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "parsers/event.hpp"

namespace ikewatch::rules {

struct peer_field;

/// What a `{name}` in a rule's title, cause or check stands for, worked out once when the rule
/// is compiled. An alert fills it with a fact about itself or its rule (`source` other than
/// `fields`); else with the peer's field of that name, then the event's; else, for `{group}`,
/// with the words that it was not logged.
struct placeholder {
    enum class source : std::uint8_t {
        device,
        key,  ///< `{peer}` and `{key}`: the alert's key
        duration,
        count,
        window,
        for_time,  ///< `{for}`
        code,
        rule,
        confidence,
        ike_version,  ///< the alert's version when there is a peer, else as `fields`
        fields,
    };
    source from = source::fields;
    const peer_field* peer = nullptr;     ///< the peer's field of that name, if any
    std::optional<parsers::field> event;  ///< the event's field of that name, if any
    bool not_logged = false;              ///< `{group}`

    /// Something can fill it: a fact, or a field of that name.
    [[nodiscard]] bool fillable() const noexcept {
        return from != source::fields || peer != nullptr || event.has_value();
    }
};

/// The placeholder called `name`; nullopt when nothing can fill it.
[[nodiscard]] std::optional<placeholder> find_placeholder(std::string_view name) noexcept;

}  // namespace ikewatch::rules
