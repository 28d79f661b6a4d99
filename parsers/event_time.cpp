#include "parsers/event_time.hpp"

#include <algorithm>

namespace ikewatch::parsers {

micros event_time::at_year(int year, const header_time& t, int offset) noexcept {
    const std::int32_t key = year << 9 | t.month << 5 | t.day;
    if (key != memo_day_key_) {
        memo_day_key_ = key;
        memo_day_start_ = days_from_civil(year, t.month, t.day) * micros_per_day;
    }
    return memo_day_start_ +
           ((t.hour * 60 + t.minute) * 60 + t.second - offset) * micros_per_second + t.microsecond;
}

int event_time::offset_for(std::string_view device, const header_time& t) const {
    if (t.has_offset) {
        return t.offset_seconds;
    }
    if (!options_.device_offsets.empty()) {
        const auto it = options_.device_offsets.find(device);
        if (it != options_.device_offsets.end()) {
            return it->second;
        }
    }
    return options_.default_offset_seconds;
}

event_time::device_clock& event_time::clock_of(std::string_view device) {
    if (devices_.size() >= options_.max_devices) {
        devices_.clear();
        ++evictions_;
    }
    return *devices_.try_emplace(device).first;
}

micros event_time::from_uptime(std::string_view device, device_clock* known, const header_time& t,
                               micros received) {
    const micros since_boot =
        ((t.hour * 60 + t.minute) * 60 + t.second) * micros_per_second + t.microsecond;
    if (known == nullptr) {
        known = &clock_of(device);
        known->uptime_base = received - since_boot;
    }
    // Never backwards: a reboot restarts the uptime, the device's clock goes on.
    known->last = std::max(known->last, known->uptime_base + since_boot);
    return known->last;
}

micros event_time::resolve_any(std::string_view device, const header_time& t, micros received) {
    device_clock* known = devices_.find(device);
    if (has_uptime_clock(t) && (known == nullptr || !known->calendar)) {
        return from_uptime(device, known, t, received);
    }
    if (!t.present || t.uptime_only || t.month == 0) {
        return known != nullptr ? known->last : received;
    }
    const int offset = offset_for(device, t);
    micros when = 0;
    if (t.has_year) {
        when = at_year(t.year, t, offset);
    } else if (known != nullptr && known->calendar) {
        // Same year as this device's previous line, unless the clock wrapped around New Year
        // (or the line is an old one from the previous year).
        const int year = known->year;
        when = at_year(year, t, offset);
        if (when < known->last - half_year) {
            when = at_year(year + 1, t, offset);
        } else if (when > known->last + half_year) {
            when = at_year(year - 1, t, offset);
        }
    } else if (options_.assume_year != 0) {
        when = at_year(options_.assume_year, t, offset);
    } else {
        // The latest date that is at most a week ahead of the reference: a December line
        // arriving in January belongs to last year, a January line from a device a little
        // ahead on New Year's Eve to next year, and an old file replayed today to its own year.
        constexpr micros week = 7 * micros_per_day;
        const int year = to_civil(received).year;
        when = at_year(year + 1, t, offset);
        for (int y = year; y >= year - 1 && when > received + week; --y) {
            when = at_year(y, t, offset);
        }
    }
    if (known == nullptr) {
        known = &clock_of(device);
    }
    device_clock& dc = *known;
    dc.calendar = true;
    if (when < dc.year_begin || when >= dc.year_end) {
        dc.year = to_civil(when).year;
        dc.year_begin = days_from_civil(dc.year, 1, 1) * micros_per_day;
        dc.year_end = days_from_civil(dc.year + 1, 1, 1) * micros_per_day;
    }
    dc.last = when;
    return when;
}

}  // namespace ikewatch::parsers
