#pragma once

#include <cstddef>
#include <string_view>

#include "common/name_map.hpp"
#include "common/time.hpp"

namespace ikewatch::pipeline {

/// One clock per device. Devices keep their own time: one may run hours behind another (a wrong
/// time zone, a file replayed after another from a different year), and a peer's time in state
/// is only meaningful against its own device's clock. A clock is the latest event time seen
/// from the device; between events it moves on with the wall clock (live mode). Bounded: when
/// full, the devices idle longest are forgotten and start afresh on their next line.
class device_clocks {
  public:
    explicit device_clocks(std::size_t max_devices = 65'536);

    /// A line from `device` stamped `time` arrived at wall time `wall`. Returns the device's
    /// clock, which never moves backwards, and whether it moved forward.
    struct reading {
        micros now = 0;
        bool moved = false;
    };
    reading observe(std::string_view device, micros time, micros wall);

    /// The device's clock at wall time `wall_now`, or 0 for a device not known.
    [[nodiscard]] micros now(std::string_view device, micros wall_now) const;

    /// The latest time of any device (for output that carries no device time of its own).
    [[nodiscard]] micros latest() const noexcept { return latest_; }

    [[nodiscard]] std::size_t size() const noexcept { return clocks_.size(); }

    struct entry {
        micros time = 0;  ///< latest event time
        micros wall = 0;  ///< arrival of the line that set it
    };
    /// Checkpoints (device_snapshot): a device's clock, or null when not known.
    [[nodiscard]] const entry* find(std::string_view device) const { return clocks_.find(device); }
    /// Checkpoints: sets a device's clock as a snapshot recorded it.
    void restore(std::string_view device, const entry& e);
    /// Checkpoints: forgets a device (another instance owns it now).
    void forget(std::string_view device) { clocks_.erase(device); }

  private:
    void evict();

    std::size_t max_devices_;
    name_map<entry> clocks_;
    micros latest_ = 0;
};

}  // namespace ikewatch::pipeline
