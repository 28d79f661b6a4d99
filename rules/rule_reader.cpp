#include "rules/rule_reader.hpp"

#include <set>

#include "rules/rule_values.hpp"

namespace ikewatch::rules {

namespace {

const std::set<std::string> top_keys{"rules", "lists", "macros", "codes", "disable", "overrides"};

}  // namespace

std::optional<rule_document> read_rule_document(const rule_source& src, diagnostics& problems) {
    const std::string& file = src.name;
    rule_values check(problems);
    YAML::Node doc;
    try {
        doc = YAML::Load(src.text);
    } catch (const YAML::ParserException& e) {
        check.error(file, e.mark, load_error::yaml_syntax, e.msg);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        problems.push_back(load_problem(file, 0, 0, load_error::yaml_syntax, e.what()));
        return std::nullopt;
    }
    if (doc.IsNull()) {
        return std::nullopt;  // an empty file is allowed (a rules.d placeholder)
    }
    if (!doc.IsMap()) {
        check.error(file, doc, load_error::bad_type,
                    "a rule file is a map (rules:, lists:, macros:, …)");
        return std::nullopt;
    }
    check.check_keys(file, doc, top_keys, "a rule file");
    return rule_document{file,         doc["lists"],   doc["macros"],   doc["codes"],
                         doc["rules"], doc["disable"], doc["overrides"]};
}

}  // namespace ikewatch::rules
