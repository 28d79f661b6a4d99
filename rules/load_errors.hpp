#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/enum_names.hpp"

namespace ikewatch::rules {

/// What is wrong with a rule file: the code of a `FILE:LINE:COL: CODE: MESSAGE` problem. The rule
/// reference lists every code with a sample (a test keeps the two in step).
enum class load_error : std::uint8_t {
    unreadable,           ///< the path cannot be read
    yaml_syntax,          ///< not YAML
    unknown_key,          ///< a key the rule language does not have here
    missing_key,          ///< a key that must be there is not
    bad_type,             ///< a map where a list belongs, a list where text belongs, …
    bad_value,            ///< a value outside the allowed set
    bad_severity,         ///< a severity that is not info, low, medium, high or critical
    bad_duration,         ///< not a duration (30s, 10m), or out of bounds
    bad_condition,        ///< an unknown operator or an operand of the wrong kind
    bad_match,            ///< `match` keys that do not go together
    bad_placeholder,      ///< a `{name}` in a text that no rule can fill
    bad_macro,            ///< a macro that is not a map, or nests too deeply
    unknown_code,         ///< a diagnosis code neither built in nor declared
    unknown_event,        ///< an event kind that does not exist
    unknown_field,        ///< an event field, peer field or key that does not exist
    unknown_state,        ///< an IKE state name of neither vocabulary
    unknown_list,         ///< `$NAME` with no such list
    unknown_macro,        ///< `macro: NAME` with no such macro
    duplicate_id,         ///< a rule id, list, macro or code defined twice
    override_unknown_id,  ///< `disable` or `overrides` naming a rule that was never loaded
    count_
};

}  // namespace ikewatch::rules

namespace ikewatch {

template <>
struct enum_names<rules::load_error> {
    static constexpr std::array<std::string_view, 20> names{
        "unreadable",      "yaml-syntax",  "unknown-key",   "missing-key",   "bad-type",
        "bad-value",       "bad-severity", "bad-duration",  "bad-condition", "bad-match",
        "bad-placeholder", "bad-macro",    "unknown-code",  "unknown-event", "unknown-field",
        "unknown-state",   "unknown-list", "unknown-macro", "duplicate-id",  "override-unknown-id"};
};

}  // namespace ikewatch
