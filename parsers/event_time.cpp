#include "parsers/event_time.hpp"

namespace ikewatch::parsers {

namespace {

constexpr micros half_year = 183 * micros_per_day;

micros at_year(int year, const header_time& t, int offset) noexcept {
    const civil_time c{year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond};
    return from_civil(c) - static_cast<micros>(offset) * micros_per_second;
}

}  // namespace

int event_time::offset_for(std::string_view device, const header_time& t) const {
    if (t.has_offset) {
        return t.offset_seconds;
    }
    if (!options_.device_offsets.empty()) {
        const auto it = options_.device_offsets.find(std::string(device));
        if (it != options_.device_offsets.end()) {
            return it->second;
        }
    }
    return options_.default_offset_seconds;
}

micros event_time::resolve(std::string_view device, const header_time& t, micros received) {
    auto it = devices_.find(device);
    if (!t.present || t.uptime_only || t.month == 0) {
        return it != devices_.end() ? it->second.last : received;
    }
    const int offset = offset_for(device, t);
    micros when = 0;
    if (t.has_year) {
        when = at_year(t.year, t, offset);
    } else if (it != devices_.end()) {
        // Same year as this device's previous line, unless the clock wrapped around New Year
        // (or the line is an old one from the previous year).
        const int year = it->second.year;
        when = at_year(year, t, offset);
        if (when < it->second.last - half_year) {
            when = at_year(year + 1, t, offset);
        } else if (when > it->second.last + half_year) {
            when = at_year(year - 1, t, offset);
        }
    } else if (options_.assume_year != 0) {
        when = at_year(options_.assume_year, t, offset);
    } else {
        // A line stamped December that arrives in January belongs to last year.
        const civil_time ref = to_civil(received);
        int year = ref.year;
        if (static_cast<int>(t.month) > static_cast<int>(ref.month) + 1) {
            --year;
        }
        when = at_year(year, t, offset);
    }
    if (it == devices_.end()) {
        if (devices_.size() >= options_.max_devices) {
            devices_.clear();
            ++evictions_;
        }
        it = devices_.emplace(std::string(device), device_clock{}).first;
    }
    device_clock& dc = it->second;
    if (when < dc.year_begin || when >= dc.year_end) {
        dc.year = to_civil(when).year;
        dc.year_begin = days_from_civil(dc.year, 1, 1) * micros_per_day;
        dc.year_end = days_from_civil(dc.year + 1, 1, 1) * micros_per_day;
    }
    dc.last = when;
    return when;
}

}  // namespace ikewatch::parsers
