#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ike/peer.hpp"
#include "parsers/event.hpp"
#include "rules/peer_fields.hpp"

namespace ikewatch::rules {

/// Comparison of a rule condition.
enum class op : std::uint8_t { eq, ne, in, not_in, gt, gte, lt, lte, exists, contains, prefix };

/// What a condition on an event looks at.
enum class event_subject : std::uint8_t {
    field,        ///< a decoded field (`protocol`, `dst_port`, `reason`, …)
    any_port,     ///< `port`: src_port or dst_port
    any_address,  ///< `address`: src_ip or dst_ip
    msg_id,
    severity,
    family,
    peer,
    ike_version,
    phase,
};

/// A condition on the triggering event, e.g. `dst_port: {in: [500, 4500]}`.
struct event_predicate {
    event_subject subject = event_subject::field;
    parsers::field field = parsers::field::reason;
    op comparison = op::eq;
    std::vector<std::string> values;  ///< strings as written (numbers compared numerically)
    bool expect = true;               ///< for `exists`

    /// Fills `numbers` from `values`; call once after building the predicate.
    void prepare();
    [[nodiscard]] bool matches(const parsers::event& e) const;

    std::vector<std::optional<double>> numbers;  ///< `values` that are numbers
};

/// A condition on the peer's IKE state, e.g. `role: initiator`, `retransmits: {gte: 2}`.
struct peer_predicate {
    const peer_field* field = nullptr;  ///< see peer_fields.hpp; null for `exists`
    op comparison = op::eq;
    std::vector<std::string> values;
    std::bitset<ike::p1_state_count> states;     ///< for `state`
    std::vector<std::string> unmodelled;         ///< state names kept as printed (`AM_TM_…`)
    bool expect = true;                          ///< for flags and `exists`
    std::vector<std::optional<double>> numbers;  ///< `values` that are numbers

    void prepare();

    /// `p` may be null (no IKE record for the key): only `exists: false` holds then.
    [[nodiscard]] bool matches(const ike::peer_record* p, const device_facts& d) const;

  private:
    /// The answer for a value the field has, given as text.
    [[nodiscard]] bool holds_for(std::string_view value) const;
    /// The same for a number field's value, compared as a number; nullopt when only the text
    /// can tell (a number too long to be read back exactly).
    [[nodiscard]] std::optional<bool> holds_for_number(std::uint64_t value) const;

    /// How prepare() lets matches() skip the text: a flag's or a name's answer for each of its
    /// values (false and true, or the names in order), or a number compared as one.
    enum class shortcut : std::uint8_t { none, by_value, numeric };
    shortcut fast_ = shortcut::none;
    std::vector<bool> by_value_;
};

[[nodiscard]] bool all_match(const std::vector<event_predicate>& ps, const parsers::event& e);
[[nodiscard]] bool all_match(const std::vector<peer_predicate>& ps, const ike::peer_record* p,
                             const device_facts& d);

}  // namespace ikewatch::rules
