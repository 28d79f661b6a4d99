#pragma once

// The rule loader's second stage. Only rules/ includes this header.

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "rules/rule_reader.hpp"
#include "rules/rule_values.hpp"

namespace ikewatch::rules {

/// A rule before compilation: its keys with the file each came from (an override replaces some
/// keys of a rule loaded from another file, and messages must point at the right one).
///
/// A YAML::Node is a handle, and assigning one handle to another rewrites the node it refers to
/// (every alias of it, every rule sharing an anchor). So nodes here are only ever constructed,
/// never assigned: a replaced key is erased and emplaced again, and a disabled rule is flagged,
/// not erased from the middle of a vector.
struct raw_rule {
    std::string file;  ///< where the rule was defined
    YAML::Node id_node;
    YAML::Node map;  ///< the defining map (for positions of rule-level problems)
    struct value {
        std::string file;
        YAML::Node node;
    };
    std::map<std::string, value> keys;
    bool disabled = false;

    /// The value of `key`, or null when the rule does not have it.
    [[nodiscard]] const value* get(const std::string& key) const {
        const auto it = keys.find(key);
        return it == keys.end() ? nullptr : &it->second;
    }
    /// Sets or replaces the value of `key`.
    void set(const std::string& key, const value& v) {
        keys.erase(key);
        keys.emplace(key, v);
    }
};

/// A macro (`macros:`): a map of event conditions and the file it was defined in.
struct macro_def {
    std::string file;
    YAML::Node map;
};

/// Everything the rule files define, once every file has been applied in load order.
struct collected_rules {
    list_table lists;
    std::map<std::string, macro_def> macros;
    std::map<std::string, std::string> codes;  ///< declared codes: code -> meaning
    std::vector<raw_rule> rules;               ///< in definition order, disabled ones flagged
};

/// Applies rule documents in load order: lists (a `$NAME` value splices in a list defined
/// earlier), macros, declared codes, rules, then `disable` and `overrides`, which act on rules of
/// this or an earlier document. Reports duplicate ids, names and codes, malformed entries, unknown
/// rule keys and `disable`/`overrides` naming rules never loaded. Problems are appended to the
/// list given at construction, which must outlive the collector.
class rule_collector {
  public:
    explicit rule_collector(diagnostics& problems) : check_(problems) {}

    /// Applies the entries of one document.
    void collect(const rule_document& doc);

    /// What the documents applied so far define.
    [[nodiscard]] const collected_rules& collected() const noexcept { return out_; }

  private:
    void collect_lists(const std::string& file, const YAML::Node& lists);
    void collect_macros(const std::string& file, const YAML::Node& macros);
    void collect_codes(const std::string& file, const YAML::Node& codes);
    void collect_rules(const std::string& file, const YAML::Node& rules);
    void collect_rule(const std::string& file, const YAML::Node& r);
    void apply_disable(const std::string& file, const YAML::Node& disable);
    void apply_overrides(const std::string& file, const YAML::Node& overrides);
    [[nodiscard]] raw_rule* find_rule(const std::string& id);

    rule_values check_;
    collected_rules out_;
};

}  // namespace ikewatch::rules
