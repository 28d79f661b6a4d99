#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "ike/states.hpp"
#include "parsers/event.hpp"
#include "rules/conditions.hpp"
#include "rules/text_template.hpp"

namespace ikewatch::rules {

enum class severity : std::uint8_t { info, low, medium, high, critical };
enum class confidence : std::uint8_t { low, medium, high };

[[nodiscard]] std::string_view to_string(severity s) noexcept;
[[nodiscard]] std::optional<severity> severity_from(std::string_view name) noexcept;
[[nodiscard]] std::string_view to_string(confidence c) noexcept;
/// ECS-style number for a severity: info 1, low 21, medium 47, high 73, critical 99.
[[nodiscard]] int severity_number(severity s) noexcept;

using kind_set = std::bitset<parsers::event_kind_count>;
using state_set = std::bitset<ike::p1_state_count>;

/// What a rule groups its state by.
enum class key_kind : std::uint8_t {
    peer,    ///< the (device, IKE peer) pair (the default)
    device,  ///< the device alone
    field,   ///< an event field, e.g. `src_ip` for login bursts
};

/// Another event that must happen for the same peer within a window of the trigger (before or
/// after it): `with: {event: acl_deny, where: {…}, within: 2m}`.
struct correlation {
    bool enabled = false;
    kind_set events;
    std::vector<event_predicate> where;
    micros within = 0;
};

/// When a raised alert resolves.
struct resolve_spec {
    std::vector<peer_predicate> peer;  ///< the peer reaches this (e.g. status: up)
    kind_set events;                   ///< or one of these events arrives for the key
    micros after = 0;                  ///< or nothing re-triggered it for this long (0 = never)
};

/// A compiled rule. Compiled once; the engine dispatches on `events` and `states`.
struct rule {
    enum class type : std::uint8_t {
        event,      ///< every matching event
        state,      ///< the peer stays in one of `states` for `for_` (time in state)
        threshold,  ///< `count` matching events within `within`, per key
        absence,    ///< a matching event not followed by one of `followups` within `within`
    };

    // identity and output
    std::string id;
    std::string name;
    int version = 1;
    std::string code;
    severity sev = severity::medium;
    confidence conf = confidence::high;
    text_template title;
    text_template cause;
    std::vector<text_template> checks;
    std::string file;
    int line = 0;

    // matching
    type kind = type::event;
    kind_set events;
    std::vector<event_predicate> where;
    std::vector<peer_predicate> peer;
    state_set states;
    micros for_ = 0;
    std::uint32_t count = 0;
    micros within = 0;
    key_kind key = key_kind::peer;
    parsers::field key_field = parsers::field::src_ip;
    kind_set followups;
    correlation with;

    // lifecycle
    resolve_spec resolve;
    micros suppress = 0;
    /// Raised only while no other alert above `info` explains the key, and resolved as soon as
    /// one does: the catch-all that keeps a failure from going silent.
    bool fallback = false;

    /// How long a timed rule waits: its window (`within`), else its time in state (`for_`).
    [[nodiscard]] micros wait() const noexcept { return within != 0 ? within : for_; }
};

}  // namespace ikewatch::rules
