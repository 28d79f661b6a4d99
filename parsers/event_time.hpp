#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/time.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

struct time_options {
    /// Year for timestamps that carry none, before rollover tracking; 0 = infer from the
    /// reference time (the receive time, or the replay's reference).
    int assume_year = 0;
    /// UTC offset (seconds) for devices without one of their own and without a zone in the line.
    int default_offset_seconds = 0;
    /// Per-device UTC offsets (seconds), keyed by device name.
    std::unordered_map<std::string, int> device_offsets;
    /// Devices remembered for rollover and lines without a timestamp; beyond this the memory is
    /// cleared (counted in `evictions`).
    std::size_t max_devices = 65536;
};

/// Turns header timestamps into UTC event time, per device:
/// - a year is inferred when absent (near the reference time; never more than a month ahead),
///   and advanced across New Year when a device's clock wraps from December to January;
/// - the zone in the line wins, then the device's configured offset, then the default;
/// - a line without a calendar timestamp (none, or an IOS uptime stamp) takes the previous
///   line's time for that device, or the receive time.
class event_time {
  public:
    explicit event_time(time_options options = {}) : options_(std::move(options)) {}

    /// `received` is when the record arrived (live) or the replay's reference time.
    [[nodiscard]] micros resolve(std::string_view device, const header_time& t, micros received);

    [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }
    void set_options(time_options options) { options_ = std::move(options); }

  private:
    struct device_clock {
        micros last = 0;
        int year = 0;           ///< calendar year of `last` (UTC), cached
        micros year_begin = 1;  ///< [year_begin, year_end) is that year; empty until set
        micros year_end = 0;
    };
    // FNV-1a: device names are short, and this runs once per line.
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            std::uint64_t h = 1469598103934665603ULL;
            for (const char c : s) {
                h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
            }
            return static_cast<std::size_t>(h);
        }
    };

    int offset_for(std::string_view device, const header_time& t) const;

    time_options options_;
    std::unordered_map<std::string, device_clock, string_hash, std::equal_to<>> devices_;
    std::uint64_t evictions_ = 0;
};

}  // namespace ikewatch::parsers
