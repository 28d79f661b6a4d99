#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/text.hpp"
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

/// parse_fixed_stamp with a memory of the last stamp it read and the byte after it: lines come in
/// bursts from the same second, and a line that starts with the same bytes has the same stamp.
class fixed_stamp_memo {
  public:
    /// As parse_fixed_stamp(s, out).
    [[nodiscard]] std::size_t parse(std::string_view s, header_time& out) noexcept {
        if (size_ != 0 && s.size() > size_ && same_start(s.data())) {
            out.present = true;
            out.has_year = last_.has_year;
            out.year = last_.year;
            out.month = last_.month;
            out.day = last_.day;
            out.hour = last_.hour;
            out.minute = last_.minute;
            out.second = last_.second;
            return size_;
        }
        return parse_and_keep(s, out);
    }

  private:
    // The stamp and the byte after it, 16 or 21 bytes, as three words: the first eight bytes,
    // the next eight, and the eight that end with the byte after the stamp.
    [[nodiscard]] bool same_start(const char* p) const noexcept {
        return ((text::load_word<std::uint64_t>(p) ^ words_[0]) |
                (text::load_word<std::uint64_t>(p + 8) ^ words_[1]) |
                (text::load_word<std::uint64_t>(p + size_ - 7) ^ words_[2])) == 0;
    }
    std::size_t parse_and_keep(std::string_view s, header_time& out) noexcept;

    std::uint64_t words_[3] = {};
    std::size_t size_ = 0;  ///< bytes of the stamp kept; 0 when none is
    header_time last_;
};

/// UTC offset in seconds of a zone abbreviation such as `EDT` or `UTC+07:30`; false if unknown.
[[nodiscard]] bool zone_offset(std::string_view zone, int& offset_seconds) noexcept;

/// A UTC offset as configured: `+02:00`, `-0530`, `+2`, or a zone name (`UTC`, `EDT`); false
/// when malformed.
[[nodiscard]] bool parse_utc_offset(std::string_view text, int& seconds);

}  // namespace ikewatch::parsers
