#pragma once

#include <cstddef>
#include <deque>

#include "rules/alert.hpp"

namespace ikewatch::outputs {

/// The alerts resolved recently, for the web page's alerts view: the newest `capacity` resolve
/// objects, each as the alert log wrote it. Bounded: evidence makes an alert up to ~15 KB.
/// Not thread-safe: the daemon feeds and reads it on its event loop.
class alert_history {
  public:
    explicit alert_history(std::size_t capacity = 500) : capacity_(capacity) {}

    /// Keeps `a` when it is a resolve; raises are the engine's active alerts.
    void record(const rules::alert& a);

    /// Calls `f(const rules::alert&)` for each kept resolve resolved at or after `since`
    /// (event time), newest first.
    template <typename F>
    void for_each_since(micros since, F&& f) const {
        for (auto it = resolved_.rbegin(); it != resolved_.rend(); ++it) {
            if (it->time >= since) {
                f(*it);
            }
        }
    }
    [[nodiscard]] std::size_t size() const noexcept { return resolved_.size(); }
    /// Resolves recorded since the start (a change counter for the page).
    [[nodiscard]] std::uint64_t recorded() const noexcept { return recorded_; }

  private:
    std::size_t capacity_;
    std::deque<rules::alert> resolved_;
    std::uint64_t recorded_ = 0;
};

}  // namespace ikewatch::outputs
