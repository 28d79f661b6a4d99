#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ike/peer.hpp"

namespace ikewatch::rules {

/// Facts about the device a peer belongs to.
struct device_facts {
    bool debug_seen = false;  ///< the device sent level-7 IKE messages for any peer
    bool isakmp_off = false;  ///< the device's latest `ISAKMP is ON/OFF` said OFF
    bool cleared = false;     ///< SAs were cleared by hand on the device (console paste)
    /// the device refused to start an IKEv2 negotiation, one being held, within
    /// `held_window` of the peer's latest line
    bool held = false;
};

/// How a field's values compare in conditions.
enum class field_type : std::uint8_t {
    number,  ///< whole numbers (`gte`, `lt`, …)
    flag,    ///< true / false
    name,    ///< one of a fixed set of names (`allowed`)
    text,    ///< free text (`contains`, `prefix`, …)
    state,   ///< an IKE state name of either vocabulary (see ike/states.hpp)
    event,   ///< an event kind name
};

/// Scratch space an accessor may render a number into.
using field_buffer = std::array<char, 24>;

/// One thing a rule can read about a peer: in `peer:` conditions, in `resolve: {peer: …}`, and
/// as a `{name}` placeholder in titles, causes and checks. The table (peer_fields) is the only
/// place a peer field is declared.
struct peer_field {
    std::string_view name;
    field_type type;
    std::string_view description;
    bool device_scope = false;  ///< a fact about the peer's device (holds without a peer)
    /// `text`, `state` and `event` fields: the value, a view into the record or into static text.
    std::optional<std::string_view> (*read_text)(const ike::peer_record& p,
                                                 const device_facts& d) = nullptr;
    /// `number`, `flag` and `name` fields: the number, 0 or 1, or the name's position in
    /// `allowed`. Conditions compare it without rendering it as text.
    std::optional<std::uint64_t> (*read_number)(const ike::peer_record& p,
                                                const device_facts& d) = nullptr;
    /// For `name` fields: every value the field can take.
    std::span<const std::string_view> allowed = {};

    /// The value as text (numbers rendered into `buf`, flags as true or false); nullopt when
    /// the peer has none (a condition on an absent value holds only for `ne`, `not_in`,
    /// `exists: false`).
    [[nodiscard]] std::optional<std::string_view> get(const ike::peer_record& p,
                                                      const device_facts& d,
                                                      field_buffer& buf) const;
};

/// Every peer field, in the order the rule reference lists them.
[[nodiscard]] std::span<const peer_field> peer_fields() noexcept;
/// The field called `name`, or null.
[[nodiscard]] const peer_field* find_peer_field(std::string_view name) noexcept;

}  // namespace ikewatch::rules
