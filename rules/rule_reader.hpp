#pragma once

// The rule loader's first stage. Only rules/ includes this header.

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "rules/loader.hpp"

namespace ikewatch::rules {

/// One rule file, parsed: the YAML value under each top-level key, with its position in the file.
/// A key the file does not have is an undefined node.
struct rule_document {
    std::string file;
    YAML::Node lists;
    YAML::Node macros;
    YAML::Node codes;
    YAML::Node rules;
    YAML::Node disable;
    YAML::Node overrides;
};

/// Parses one rule file. Reports text that is not YAML (`yaml-syntax`), a file that is not a map
/// and top-level keys the rule language does not have. Returns nothing for an empty file and for
/// one that is not YAML or not a map; otherwise the document, whose entries are left for the
/// collector to check.
[[nodiscard]] std::optional<rule_document> read_rule_document(const rule_source& src,
                                                              diagnostics& problems);

}  // namespace ikewatch::rules
