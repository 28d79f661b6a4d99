#pragma once

// The rule compiler's conditions. Only rules/ includes this header.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "rules/conditions.hpp"
#include "rules/rule.hpp"
#include "rules/rule_collector.hpp"
#include "rules/rule_values.hpp"

namespace ikewatch::rules {

/// Compiles the conditions of a rule: event kinds, event conditions (`where:`, with macros
/// expanded) and peer conditions (`peer:`, `state:`, `resolve:`). A condition is
/// ```
///   FIELD: value | [values] | {OP: value(s)}   ; OP: eq ne in not_in gt gte lt lte exists
///                                               ;     contains prefix
/// ```
/// and values may be `$NAME` lists. Problems are appended to the list given at construction;
/// that list and `defined` (for lists and macros) must outlive the compiler.
class condition_compiler {
  public:
    condition_compiler(const collected_rules& defined, diagnostics& problems)
        : defined_(defined), check_(problems) {}

    /// A value or a list of values, with `$NAME` lists spliced in.
    [[nodiscard]] std::vector<std::string> values(const std::string& file, const YAML::Node& n);

    /// Event kind names into `out`; false when one is unknown.
    [[nodiscard]] bool kinds(const std::string& file, const YAML::Node& n, kind_set& out);

    /// A map of event field: condition, `macro: NAME` expanding a macro in place.
    void event_where(const std::string& file, const YAML::Node& map,
                     std::vector<event_predicate>& out, int depth = 0);

    /// A map of peer attribute: condition.
    void peer_where(const std::string& file, const YAML::Node& map,
                    std::vector<peer_predicate>& out);

    /// One condition on the peer attribute `name` (or `exists`).
    void peer_condition(const std::string& file, const std::string& name, const YAML::Node& value,
                        std::vector<peer_predicate>& out);

  private:
    bool condition(const std::string& file, const YAML::Node& value, op& o,
                   std::vector<std::string>& vals, bool& expect);
    bool operator_condition(const std::string& file, const YAML::Node& value, op& o,
                            std::vector<std::string>& vals, bool& expect);
    void expand_macros(const std::string& file, const YAML::Node& names,
                       std::vector<event_predicate>& out, int depth);
    void check_values(const std::string& file, const std::string& name, const YAML::Node& value,
                      field_type type, peer_predicate& p);
    void state_values(const std::string& file, const YAML::Node& value, peer_predicate& p);

    const collected_rules& defined_;
    rule_values check_;
};

}  // namespace ikewatch::rules
