#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/name_map.hpp"
#include "common/string_map.hpp"
#include "common/time.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

/// True for an IOS `HH:MM:SS` uptime stamp (the `1d02h` forms are too coarse to time lines).
[[nodiscard]] inline bool has_uptime_clock(const header_time& t) noexcept {
    return t.present && t.uptime_only && (t.hour | t.minute | t.second | t.microsecond) != 0;
}

struct time_options {
    /// Year for timestamps that carry none, before rollover tracking; 0 = infer from the
    /// reference time (the receive time, or the replay's reference).
    int assume_year = 0;
    /// UTC offset (seconds) for devices without one of their own and without a zone in the line.
    int default_offset_seconds = 0;
    /// Per-device UTC offsets (seconds), keyed by device name.
    string_map<int> device_offsets;
    /// Devices remembered for rollover and lines without a timestamp; beyond this the memory is
    /// cleared (counted in `evictions`).
    std::size_t max_devices = 65536;
};

/// Turns header timestamps into UTC event time, per device:
/// - a year is inferred when absent (the latest date at most a week after the reference time),
///   and advanced across New Year when a device's clock wraps from December to January;
/// - the zone in the line wins, then the device's configured offset, then the default;
/// - a line without a calendar timestamp takes the previous line's time for that device, or the
///   receive time;
/// - an IOS `HH:MM:SS` uptime stamp, from a device that has sent no calendar time, is placed
///   relative to the device's first uptime stamp, which takes the receive time.
class event_time {
  public:
    explicit event_time(time_options options = {}) : options_(std::move(options)) {}

    /// `received` is when the record arrived (live) or the replay's reference time.
    [[nodiscard]] micros resolve(std::string_view device, const header_time& t, micros received) {
        // The usual line: a calendar stamp without a zone, from a device whose clock is known,
        // in the year of its previous line (or the year the stamp gives).
        if (t.present && !t.uptime_only && t.month != 0 && !t.has_offset &&
            options_.device_offsets.empty()) {
            device_clock* c = devices_.find(device);
            if (c != nullptr && c->calendar) {
                const micros when =
                    at_year(t.has_year ? t.year : c->year, t, options_.default_offset_seconds);
                const bool same_year = when >= c->year_begin && when < c->year_end;
                const bool no_wrap =
                    t.has_year || (when >= c->last - half_year && when <= c->last + half_year);
                if (same_year && no_wrap) {
                    c->last = when;
                    return when;
                }
            }
        }
        return resolve_any(device, t, received);
    }

    /// True once a line with a calendar timestamp (or an uptime stamp) came from `device` (and
    /// was not forgotten).
    [[nodiscard]] bool has_clock(std::string_view device) const noexcept {
        return devices_.find(device) != nullptr;
    }

    /// The time of the device's latest line with a time (calendar or uptime), or 0.
    [[nodiscard]] micros last(std::string_view device) const noexcept {
        const device_clock* c = devices_.find(device);
        return c != nullptr ? c->last : 0;
    }

    /// True once a line with a calendar timestamp came from `device`.
    [[nodiscard]] bool has_calendar(std::string_view device) const noexcept {
        const device_clock* c = devices_.find(device);
        return c != nullptr && c->calendar;
    }

    [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }

    /// What is known about one device's time (kept per device).
    struct device_clock {
        micros last = 0;
        bool calendar = false;   ///< `last` came from a calendar timestamp
        micros uptime_base = 0;  ///< time of uptime zero, for devices without a calendar
        int year = 0;            ///< calendar year of `last` (UTC), cached
        micros year_begin = 1;   ///< [year_begin, year_end) is that year; empty until set
        micros year_end = 0;
    };

    /// Checkpoints (pipeline/device_snapshot): a device's clock, or null when none is known.
    [[nodiscard]] const device_clock* find(std::string_view device) const noexcept {
        return devices_.find(device);
    }
    /// Checkpoints: sets a device's clock as a snapshot recorded it.
    void restore(std::string_view device, const device_clock& c) { clock_of(device) = c; }
    /// Checkpoints: forgets a device (another instance owns it now).
    void forget(std::string_view device) { devices_.erase(device); }
    void set_options(time_options options) { options_ = std::move(options); }

  private:
    static constexpr micros half_year = 183 * micros_per_day;

    micros resolve_any(std::string_view device, const header_time& t, micros received);
    int offset_for(std::string_view device, const header_time& t) const;
    device_clock& clock_of(std::string_view device);
    micros from_uptime(std::string_view device, device_clock* known, const header_time& t,
                       micros received);
    micros at_year(int year, const header_time& t, int offset) noexcept;

    time_options options_;
    name_map<device_clock> devices_;
    std::uint64_t evictions_ = 0;
    // The last calendar day converted: lines come mostly from the same day.
    std::int32_t memo_day_key_ = -1;
    micros memo_day_start_ = 0;
};

}  // namespace ikewatch::parsers
