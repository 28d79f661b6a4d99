#pragma once

// The rule loader's last stage. Only rules/ includes this header.

#include "common/diagnostic.hpp"
#include "rules/rule_collector.hpp"
#include "rules/rule_set.hpp"

namespace ikewatch::rules {

/// Compiles every collected rule that is neither disabled nor `enabled: false` into a rule:
/// identity and texts (placeholders checked), severity and confidence, the trigger (`match`:
/// event, time in state, threshold or absence, with its conditions, key and `with`
/// correlation) and when its alerts resolve. Problems are appended to `problems`, in the file
/// each key came from. The returned set carries the declared codes; its dispatch tables are not
/// built (see rule_set::index) and its `files` are left to the caller.
[[nodiscard]] rule_set compile_rules(const collected_rules& collected, diagnostics& problems);

}  // namespace ikewatch::rules
