#include "pipeline/device_clocks.hpp"

#include <algorithm>
#include <vector>

namespace ikewatch::pipeline {

device_clocks::device_clocks(std::size_t max_devices)
    : max_devices_(std::max<std::size_t>(max_devices, 1)) {}

device_clocks::reading device_clocks::observe(std::string_view device, micros time, micros wall) {
    entry* e = clocks_.find(device);
    if (e == nullptr) {
        if (clocks_.size() >= max_devices_) {
            evict();
        }
        *clocks_.try_emplace(device).first = entry{time, wall};
        latest_ = std::max(latest_, time);
        return {time, true};
    }
    // Live mode: the device's clock also ran while no line came.
    const micros running = e->time + std::max<micros>(wall - e->wall, 0);
    if (time > running) {
        e->time = time;
        e->wall = wall;
        latest_ = std::max(latest_, time);
        return {time, true};
    }
    return {running, false};
}

micros device_clocks::now(std::string_view device, micros wall_now) const {
    const entry* e = clocks_.find(device);
    return e == nullptr ? 0 : e->time + std::max<micros>(wall_now - e->wall, 0);
}

void device_clocks::restore(std::string_view device, const entry& e) {
    if (clocks_.find(device) == nullptr && clocks_.size() >= max_devices_) {
        evict();
    }
    *clocks_.try_emplace(device).first = e;
    latest_ = std::max(latest_, e.time);
}

void device_clocks::evict() {
    // Forget the quarter of devices whose last line is oldest by arrival.
    std::vector<micros> walls;
    walls.reserve(clocks_.size());
    clocks_.for_each([&](const std::string&, const entry& e) { walls.push_back(e.wall); });
    const std::size_t cut_at = walls.size() / 4;
    std::nth_element(walls.begin(), walls.begin() + static_cast<std::ptrdiff_t>(cut_at),
                     walls.end());
    const micros cut = walls[cut_at];
    clocks_.erase_if([&](const std::string&, const entry& e) { return e.wall <= cut; });
    if (clocks_.size() >= max_devices_) {
        clocks_.clear();  // every device arrived at the same instant
    }
}

}  // namespace ikewatch::pipeline
