#pragma once

#include <cstddef>
#include <string_view>

#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

/// Recognises one header timestamp at the start of `s` and returns how many bytes it spans
/// (0 when `s` does not start with a timestamp). Never allocates, never throws.
///
/// Grammar (spaces may repeat; `*` marks an IOS clock that was never set):
/// ```
///   stamp   := ["*" | "."] (legacy | yearfirst | iso | uptime) [" " zone] [" "? ":"]
///   legacy  := Mon " " D[D] [" " YYYY] " " HH ":" MM ":" SS ["." frac]    ; May  5 17:51:17
///   yearfirst := YYYY " " Mon " " DD " " HH:MM:SS                         ; 2019 May 06 09:28:12
///   iso     := YYYY "-" MM "-" DD "T" HH:MM:SS ["." frac] ["Z" | ±HH[:]MM] ; 2024-06-26T01:35:42Z
///   uptime  := HH:MM:SS ":" | N("y"|"w"|"d"|"h") N("y"|"w"|"d"|"h") ":"    ; 00:27:07:  2y10w:
///   zone    := UTC | GMT | EST | EDT | CST | CDT | MST | MDT | PST | PDT | CET | CEST | …
///              | (UTC|GMT) ±H[H][:MM]                                      ; any letter case
/// ```
/// The returned span includes the trailing colon when present.
[[nodiscard]] std::size_t parse_header_time(std::string_view s, header_time& out) noexcept;

/// The common `Mon DD [YYYY ]HH:MM:SS` (day zero- or space-padded) read at fixed positions: the
/// fast path for the stamps ASA, FTD and PIX send. Returns the bytes read, without any zone or
/// colon after the clock, or 0 for any other shape (parse_header_time then decides). Sets only
/// the date and clock fields of `out` (and `present`), and only when it reads a stamp.
[[nodiscard]] std::size_t parse_fixed_stamp(std::string_view s, header_time& out) noexcept;

/// UTC offset in seconds of a zone abbreviation such as `EDT` or `UTC+07:30`; false if unknown.
[[nodiscard]] bool zone_offset(std::string_view zone, int& offset_seconds) noexcept;

/// A UTC offset as configured: `+02:00`, `-0530`, `+2`, or a zone name (`UTC`, `EDT`); false
/// when malformed.
[[nodiscard]] bool parse_utc_offset(std::string_view text, int& seconds);

}  // namespace ikewatch::parsers
