#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/diagnostic.hpp"
#include "rules/rule_set.hpp"

namespace ikewatch::rules {

/// A rule file's name (for messages) and text.
struct rule_source {
    std::string name;
    std::string text;
};

struct load_result {
    std::shared_ptr<const rule_set> rules;  ///< null when there were problems
    diagnostics problems;                   ///< every problem found, in file order
    [[nodiscard]] bool ok() const noexcept { return rules != nullptr; }
};

/// The rule language, checked and compiled: each source is read (rule_reader.hpp), its entries
/// applied in load order (rule_collector.hpp), then the rules compiled (rule_compiler.hpp). A rule
/// file is a YAML map with any of these keys (see docs/rules.md):
/// ```
///   lists:     {NAME: [values]}            ; referenced as "$NAME" wherever a list fits
///   macros:    {NAME: {field: cond, …}}    ; reusable event conditions: `where: {macro: NAME}`
///   codes:     {CODE: "meaning"}           ; diagnosis codes beyond the built-in ones
///   rules:     [ {id, version, name, code, severity, confidence, match, resolve, suppress,
///                 title, cause, checks, enabled} ]
///   disable:   [RULE-ID]                   ; turn off a rule loaded earlier (e.g. shipped)
///   overrides: [ {id, KEY: new value, …} ] ; replace some keys of a rule loaded earlier
/// ```
/// Every problem in every source is collected with its `file:line:col`, a code and a message;
/// any problem refuses the whole set. With `threads` above one, that many threads read the
/// sources (the result is the same).
[[nodiscard]] load_result load_rules(const std::vector<rule_source>& sources,
                                     std::size_t threads = 1);

/// Reads files and directories (every *.yaml / *.yml in a directory, sorted) into sources.
/// Unreadable paths become diagnostics.
[[nodiscard]] std::vector<rule_source> read_rule_paths(const std::vector<std::string>& paths,
                                                       diagnostics& problems);

/// The shipped rule pack, compiled into the binary.
[[nodiscard]] std::vector<rule_source> shipped_pack();

/// Shipped pack first, then `paths`; the usual way to build a rule set.
[[nodiscard]] load_result load_with_pack(const std::vector<std::string>& paths,
                                         std::size_t threads = 1);

}  // namespace ikewatch::rules
