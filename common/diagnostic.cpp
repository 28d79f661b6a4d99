#include "common/diagnostic.hpp"

namespace ikewatch {

std::string diagnostic::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line) + ':' + std::to_string(column);
    }
    out += ": " + code + ": " + message;
    return out;
}

}  // namespace ikewatch
