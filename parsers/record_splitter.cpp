#include "parsers/record_splitter.hpp"

#include "common/text.hpp"
#include "parsers/header_time_parser.hpp"
#include "parsers/syslog_framer.hpp"

namespace ikewatch::parsers {

bool starts_record(std::string_view line) noexcept {
    if (line.empty()) {
        return false;
    }
    const char c = line[0];
    if (c == '<' || c == '*' || c == '%' || c == '[' || text::is_digit(c)) {
        return true;
    }
    header_time t;
    if (parse_header_time(line, t) > 0) {
        return true;
    }
    return find_marker(line) == 0;
}

}  // namespace ikewatch::parsers
