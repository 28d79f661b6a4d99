#pragma once

#include <string>

#include "cli/commands.hpp"
#include "common/time.hpp"
#include "parsers/event_time.hpp"

namespace ikewatch::cli {

/// Builds the time options from the command-line flags; returns false with `error` set when an
/// offset is malformed.
[[nodiscard]] bool to_time_options(const time_flags& flags, parsers::time_options& out,
                                   std::string& error);

/// The reference time: --reference-time when given, else the wall clock. False when malformed.
[[nodiscard]] bool reference_time(const time_flags& flags, micros& out, std::string& error);

/// Parses `2026-03-01T10:00:00Z` (or with `.fff`, or a `±HH:MM` offset); false when malformed.
[[nodiscard]] bool parse_rfc3339(std::string_view text, micros& out);

}  // namespace ikewatch::cli
