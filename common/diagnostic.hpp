#pragma once

#include <string>
#include <vector>

namespace ikewatch {

/// One problem found while loading rules or configuration: `file:line:col: code: message`.
struct diagnostic {
    std::string file;
    int line = 0;    ///< 1-based; 0 when the problem concerns the whole file
    int column = 0;  ///< 1-based
    std::string code;
    std::string message;

    [[nodiscard]] std::string to_string() const;
};

using diagnostics = std::vector<diagnostic>;

}  // namespace ikewatch
