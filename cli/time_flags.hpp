#pragma once

#include <string>

#include "cli/commands.hpp"
#include "parsers/event_time.hpp"

namespace ikewatch::cli {

/// Builds the time options from the command-line flags; returns false with `error` set when an
/// offset is malformed.
[[nodiscard]] bool to_time_options(const time_flags& flags, parsers::time_options& out,
                                   std::string& error);

/// Parses `+02:00`, `-0530`, `UTC`, `Z`, `+2`; false when malformed.
[[nodiscard]] bool parse_utc_offset(std::string_view text, int& seconds);

}  // namespace ikewatch::cli
