#pragma once

#include <bitset>
#include <map>
#include <string>
#include <vector>

#include "common/string_map.hpp"
#include "rules/rule.hpp"

namespace ikewatch::rules {

/// A loaded, validated and compiled set of rules, plus the dispatch tables the engine uses so
/// that an event only meets the rules that can match it.
struct rule_set {
    std::vector<rule> rules;
    std::map<std::string, std::string> custom_codes;  ///< code -> meaning, declared in rule files
    std::vector<std::string> files;                   ///< files loaded, in order

    // Dispatch (indices into `rules`), built by `index()`.
    std::vector<std::vector<std::uint32_t>> by_event;        ///< trigger kind -> rules
    std::vector<std::vector<std::uint32_t>> by_followup;     ///< absence follow-up kind -> rules
    std::vector<std::vector<std::uint32_t>> by_correlation;  ///< `with` kind -> rules
    std::vector<std::vector<std::uint32_t>> by_resolve_event;
    std::vector<std::vector<std::uint32_t>> by_state;  ///< p1_state -> time-in-state rules,
                                                       ///< shortest `for` first
    string_map<std::uint32_t> by_id;                   ///< rule id -> index (unique ids only)
    /// Kinds some rule triggers on, follows up with or correlates: an event of another kind
    /// that is about no tracked peer changes nothing in the engine.
    std::bitset<parsers::event_kind_count> read_kinds;

    /// Rebuilds the dispatch tables and the index by id from `rules`.
    void index();
    [[nodiscard]] const rule* find(std::string_view id) const;
    [[nodiscard]] std::size_t find_index(std::string_view id) const;  ///< npos when absent
};

}  // namespace ikewatch::rules
