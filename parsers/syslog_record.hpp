#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ikewatch::parsers {

/// The header layout a record arrived in (the outermost recognised form).
enum class framing : std::uint8_t {
    bare,        ///< no header at all: the Cisco message (or console text) alone
    rfc3164,     ///< `<PRI>Mon DD HH:MM:SS host tag: msg` and its many relay variants
    rfc5424,     ///< `<PRI>1 2025-06-23T16:13:32Z host app procid msgid sd msg`
    asa_buffer,  ///< `Mon DD YYYY HH:MM:SS: %ASA-…` (ASA logging buffer / EMBLEM-less)
    ios,         ///< `123: *Mar  1 00:01:02.345 UTC: %CRYPTO-…` or an uptime stamp
    iso8601,     ///< `<PRI>2024-06-26T01:35:42Z: %ASA-…`
    relay,       ///< `172.16.200.253:514 : local7.debug %PIX-…` (relay prefix with sender)
    pipe,        ///< `6|Nov 28 2014 12:59:03|302021: …`
};

[[nodiscard]] std::string_view to_string(framing f) noexcept;

/// A timestamp as written in the header, before year inference and time-zone resolution.
struct header_time {
    bool present = false;
    bool has_year = false;
    bool has_offset = false;   ///< an explicit UTC offset (ISO `±HH:MM`, `Z`, or a known zone)
    bool unsynced = false;     ///< IOS `*` prefix: the device clock was never set
    bool uptime_only = false;  ///< IOS uptime stamp (`00:27:07:`, `2y10w:`), no calendar date;
                               ///< `HH:MM:SS` uptime is kept in hour/minute/second
    std::int16_t year = 0;
    std::uint8_t month = 0;  ///< 1..12
    std::uint8_t day = 0;
    std::uint8_t hour = 0;
    std::uint8_t minute = 0;
    std::uint8_t second = 0;
    std::uint32_t microsecond = 0;
    std::int32_t offset_seconds = 0;  ///< local time = UTC + offset
    std::string_view zone;            ///< zone text as written (`EDT`, `UTC+1`), may be empty
};

/// One syslog record split into header fields. Every view points into the framed input.
struct syslog_record {
    framing form = framing::bare;
    std::int16_t pri = -1;  ///< -1 when absent
    header_time time;
    std::string_view host;    ///< the innermost hostname in the header (the device), may be empty
    std::string_view sender;  ///< an address a relay names as the original sender, may be empty
    std::string_view tag;     ///< program tag such as `CiscoASA[999]`, may be empty
    std::int8_t relay_severity = -1;  ///< from a relay's `facility.level`, -1 when absent
    std::string_view body;  ///< the Cisco message or console text (may span continuation lines)

    /// A record travels with a copy of its text (a batch for a worker thread): rebase() points
    /// the views that lay in `from` at the same places in `to`, a copy of it. `from` may be gone
    /// by then: its address is only compared, never read. Views that were not in it stay.
    static constexpr std::size_t view_count = 5;

    void rebase(std::string_view from, std::string_view to) noexcept {
        const auto begin = reinterpret_cast<std::uintptr_t>(from.data());
        for (std::string_view* v : views()) {
            // One compare: a view that starts before `from` (or has no data) wraps around.
            const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(v->data()) - begin;
            if (v->size() <= from.size() && offset <= from.size() - v->size()) {
                *v = std::string_view(to.data() + offset, v->size());
            }
        }
    }

  private:
    // A new string_view member goes here too; the size check below is a reminder.
    [[nodiscard]] std::array<std::string_view*, view_count> views() noexcept {
        return {&host, &sender, &tag, &body, &time.zone};
    }
};

// A member added to the record (or its time) fails this: if it is a view, list it in views().
static_assert(sizeof(void*) != 8 || (sizeof(syslog_record) == 120 && sizeof(header_time) == 40),
              "syslog_record changed: list every string_view member in views()");

}  // namespace ikewatch::parsers
