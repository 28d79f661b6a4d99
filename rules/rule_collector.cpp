#include "rules/rule_collector.hpp"

#include <algorithm>
#include <set>

#include "rules/codes.hpp"

namespace ikewatch::rules {

namespace {

const std::set<std::string> rule_keys{
    "id",       "version", "name",  "code",   "severity", "confidence",  "match",   "resolve",
    "suppress", "title",   "cause", "checks", "enabled",  "description", "fallback"};

}  // namespace

void rule_collector::collect(const rule_document& doc) {
    if (doc.lists) {
        collect_lists(doc.file, doc.lists);
    }
    if (doc.macros) {
        collect_macros(doc.file, doc.macros);
    }
    if (doc.codes) {
        collect_codes(doc.file, doc.codes);
    }
    if (doc.rules) {
        collect_rules(doc.file, doc.rules);
    }
    if (doc.disable) {
        apply_disable(doc.file, doc.disable);
    }
    if (doc.overrides) {
        apply_overrides(doc.file, doc.overrides);
    }
}

void rule_collector::collect_lists(const std::string& file, const YAML::Node& lists) {
    if (!lists.IsMap()) {
        check_.error(file, lists, load_error::bad_type, "'lists' must be a map of name: [values]");
        return;
    }
    for (const auto& kv : lists) {
        const std::string name = kv.first.Scalar();
        if (out_.lists.count(name) != 0) {
            check_.error(file, kv.first, load_error::duplicate_id,
                         "list '" + name + "' is defined twice");
        }
        out_.lists[name] = check_.values(file, kv.second, out_.lists);
    }
}

void rule_collector::collect_macros(const std::string& file, const YAML::Node& macros) {
    if (!macros.IsMap()) {
        check_.error(file, macros, load_error::bad_type,
                     "'macros' must be a map of name: {conditions}");
        return;
    }
    for (const auto& kv : macros) {
        const std::string name = kv.first.Scalar();
        if (out_.macros.count(name) != 0) {
            check_.error(file, kv.first, load_error::duplicate_id,
                         "macro '" + name + "' is defined twice");
        }
        out_.macros[name] = {file, kv.second};
    }
}

void rule_collector::collect_codes(const std::string& file, const YAML::Node& codes) {
    if (!codes.IsMap()) {
        check_.error(file, codes, load_error::bad_type, "'codes' must be a map of code: meaning");
        return;
    }
    for (const auto& kv : codes) {
        const std::string code = kv.first.Scalar();
        if (find_code(code) != nullptr) {
            check_.error(file, kv.first, load_error::duplicate_id,
                         "code '" + code + "' is built in; its meaning cannot change");
            continue;
        }
        if (out_.codes.count(code) != 0) {
            check_.error(file, kv.first, load_error::duplicate_id,
                         "code '" + code + "' is declared twice");
            continue;
        }
        std::string meaning;
        if (check_.scalar(file, kv.second, meaning, "a code's meaning")) {
            out_.codes[code] = meaning;
        }
    }
}

void rule_collector::collect_rules(const std::string& file, const YAML::Node& rules) {
    if (!rules.IsSequence()) {
        check_.error(file, rules, load_error::bad_type, "'rules' must be a list of rules");
        return;
    }
    for (const auto& r : rules) {
        if (!r.IsMap()) {
            check_.error(file, r, load_error::bad_type, "a rule is a map");
            continue;
        }
        collect_rule(file, r);
    }
}

void rule_collector::collect_rule(const std::string& file, const YAML::Node& r) {
    const YAML::Node id = r["id"];
    std::string id_text;
    if (!id || !check_.scalar(file, id, id_text, "id")) {
        if (!id) {
            check_.error(file, r, load_error::missing_key, "a rule needs an 'id'");
        }
        return;
    }
    if (const raw_rule* dup = find_rule(id_text)) {
        check_.error(file, id, load_error::duplicate_id,
                     "rule id '" + id_text + "' is already defined in " + dup->file + ":" +
                         std::to_string(line_of(dup->id_node.Mark())) +
                         " (use 'overrides' or 'disable' to change a rule)");
        return;
    }
    raw_rule raw{file, id, r, {}, false};
    for (const auto& kv : r) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        if (rule_keys.count(key) == 0) {
            check_.error(file, kv.first, load_error::unknown_key,
                         "unknown key '" + key + "' in a rule");
            continue;
        }
        raw.set(key, {file, kv.second});
    }
    out_.rules.push_back(std::move(raw));
}

void rule_collector::apply_disable(const std::string& file, const YAML::Node& disable) {
    for (const std::string& id : check_.values(file, disable, out_.lists)) {
        if (raw_rule* it = find_rule(id)) {
            it->disabled = true;
        } else {
            check_.error(file, disable, load_error::override_unknown_id,
                         "cannot disable unknown rule '" + id + "'");
        }
    }
}

void rule_collector::apply_overrides(const std::string& file, const YAML::Node& overrides) {
    if (!overrides.IsSequence()) {
        check_.error(file, overrides, load_error::bad_type,
                     "'overrides' must be a list of {id, key: value}");
        return;
    }
    for (const auto& o : overrides) {
        // Not a map first: a subscript on a scalar or a list throws.
        const YAML::Node id = o.IsMap() ? o["id"] : YAML::Node();
        if (!o.IsMap() || !id || !id.IsScalar()) {
            check_.error(file, o, load_error::missing_key, "an override needs an 'id'");
            continue;
        }
        raw_rule* it = find_rule(id.Scalar());
        if (it == nullptr) {
            check_.error(file, id, load_error::override_unknown_id,
                         "cannot override unknown rule '" + id.Scalar() + "'");
            continue;
        }
        check_.check_keys(file, o, rule_keys, "an override");
        for (const auto& kv : o) {
            if (kv.first.Scalar() != "id" && rule_keys.count(kv.first.Scalar()) != 0) {
                it->set(kv.first.Scalar(), {file, kv.second});
            }
        }
    }
}

raw_rule* rule_collector::find_rule(const std::string& id) {
    const auto it = std::find_if(out_.rules.begin(), out_.rules.end(),
                                 [&](const raw_rule& x) { return x.id_node.Scalar() == id; });
    return it == out_.rules.end() ? nullptr : &*it;
}

}  // namespace ikewatch::rules
