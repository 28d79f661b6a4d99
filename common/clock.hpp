#pragma once

#include "common/time.hpp"

namespace ikewatch {

/// Now, on the UTC wall clock.
[[nodiscard]] micros wall_micros() noexcept;
/// Now, on the monotonic clock (for intervals and deadlines; its zero means nothing).
[[nodiscard]] micros steady_micros() noexcept;

/// A source of wall-clock time. Stages never read the clock themselves: the driver passes one in,
/// so tests use `manual_clock` and never sleep.
class clock_source {
  public:
    virtual ~clock_source() = default;
    [[nodiscard]] virtual micros now() const noexcept = 0;
};

/// The real UTC wall clock.
class system_clock_source final : public clock_source {
  public:
    [[nodiscard]] micros now() const noexcept override;
};

/// A clock that moves only when told to.
class manual_clock final : public clock_source {
  public:
    explicit manual_clock(micros start = 0) noexcept : now_(start) {}
    [[nodiscard]] micros now() const noexcept override { return now_; }
    void set(micros t) noexcept { now_ = t; }
    void advance(micros d) noexcept { now_ += d; }

  private:
    micros now_;
};

}  // namespace ikewatch
