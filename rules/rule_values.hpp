#pragma once

// The rule loader's inside: positioned problems and the plain values every load stage reads.
// Only rules/ includes this header.

#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.hpp"
#include "common/time.hpp"
#include "rules/load_errors.hpp"

namespace ikewatch::rules {

/// Named lists of values (`lists:`), spliced in wherever `$NAME` stands for a value.
using list_table = std::map<std::string, std::vector<std::string>>;

/// A `FILE:LINE:COL: CODE: MESSAGE` problem; line and column 0 concern the whole file.
[[nodiscard]] diagnostic load_problem(const std::string& file, int line, int column,
                                      load_error code, std::string message);

/// The 1-based line of a YAML position, 0 when it has none.
[[nodiscard]] int line_of(const YAML::Mark& m);

/// Reports problems at the position of the YAML node they concern, and reads single values,
/// durations and lists of values from rule files. Problems are appended to the list given at
/// construction, which must outlive this reader.
class rule_values {
  public:
    explicit rule_values(diagnostics& problems) : problems_(problems) {}

    void error(const std::string& file, const YAML::Node& at, load_error code,
               const std::string& message);
    void error(const std::string& file, const YAML::Mark& at, load_error code,
               const std::string& message);

    /// Reports every key of `map` that is not in `ok`; `what` names the map in the message.
    void check_keys(const std::string& file, const YAML::Node& map, const std::set<std::string>& ok,
                    const char* what);

    /// A single value (not a list or map) into `out`; false, with a problem, otherwise.
    [[nodiscard]] bool scalar(const std::string& file, const YAML::Node& n, std::string& out,
                              const char* what);

    /// A duration such as `30s` or `10m` (a bare number is seconds).
    [[nodiscard]] bool duration(const std::string& file, const YAML::Node& n, micros& out);

    /// A value or a list of values, each `$NAME` replaced by the values of the list of that name
    /// in `lists`. Values that are not plain, and unknown lists, are reported and left out.
    [[nodiscard]] std::vector<std::string> values(const std::string& file, const YAML::Node& n,
                                                  const list_table& lists);

  private:
    diagnostics& problems_;
};

}  // namespace ikewatch::rules
