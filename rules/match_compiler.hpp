#pragma once

// The rule compiler's triggers. Only rules/ includes this header.

#include <string>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "rules/condition_compiler.hpp"
#include "rules/rule.hpp"
#include "rules/rule_values.hpp"

namespace ikewatch::rules {

/// Compiles a rule's `match` map (see docs/rules.md) into its trigger:
/// ```
///   match: {event: KINDS, msg_id, where, peer}          ; every matching event
///          {state: STATES, for: DURATION, peer}         ; time in state
///          {event, count: N, within: DURATION}          ; a threshold
///          {event, not_followed_by: KINDS, within}      ; an absence
///          … key: peer | device | FIELD, with: {event, where, within}
/// ```
/// Problems are appended to the list given at construction; that list and `conditions` must
/// outlive the compiler.
class match_compiler {
  public:
    match_compiler(condition_compiler& conditions, diagnostics& problems)
        : conditions_(conditions), check_(problems) {}

    /// Compiles `m`, a map from `file`, into the matching part of `r`.
    void compile(const std::string& file, const YAML::Node& m, rule& r);

  private:
    void compile_state_trigger(const std::string& file, const YAML::Node& m, rule& r);
    void compile_window(const std::string& file, const YAML::Node& m, bool has_event, rule& r);
    void compile_key(const std::string& file, const YAML::Node& m, bool has_state, rule& r);
    void compile_with(const std::string& file, const YAML::Node& w, rule& r);

    condition_compiler& conditions_;
    rule_values check_;
};

}  // namespace ikewatch::rules
