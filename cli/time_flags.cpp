#include "cli/time_flags.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"
#include "parsers/header_time_parser.hpp"

namespace ikewatch::cli {

bool parse_rfc3339(std::string_view text, micros& out) {
    parsers::header_time t;
    if (parsers::parse_header_time(text, t) != text.size() || !t.has_year || t.month == 0) {
        return false;
    }
    const civil_time c{t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond};
    out = from_civil(c) -
          static_cast<micros>(t.has_offset ? t.offset_seconds : 0) * micros_per_second;
    return true;
}

bool reference_time(const time_flags& flags, micros& out, std::string& error) {
    if (flags.reference_time.empty()) {
        out = system_clock_source{}.now();
        return true;
    }
    if (!parse_rfc3339(flags.reference_time, out)) {
        error = "--reference-time: expected RFC 3339 such as 2026-03-01T10:00:00Z, got " +
                flags.reference_time;
        return false;
    }
    return true;
}

bool to_time_options(const time_flags& flags, parsers::time_options& out, std::string& error) {
    out.assume_year = flags.year;
    if (!flags.utc_offset.empty() &&
        !parsers::parse_utc_offset(flags.utc_offset, out.default_offset_seconds)) {
        error = "--utc-offset: not an offset: " + flags.utc_offset;
        return false;
    }
    for (const std::string& spec : flags.device_offsets) {
        const std::size_t eq = spec.find('=');
        int seconds = 0;
        if (eq == std::string::npos || eq == 0 ||
            !parsers::parse_utc_offset(std::string_view(spec).substr(eq + 1), seconds)) {
            error = "--device-offset: expected DEVICE=+HH:MM, got " + spec;
            return false;
        }
        out.device_offsets[spec.substr(0, eq)] = seconds;
    }
    return true;
}

}  // namespace ikewatch::cli
