#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/ip_address.hpp"
#include "common/name_map.hpp"
#include "common/time.hpp"

namespace ikewatch::daemon {

/// Who may send, and how fast: an allow list of CIDR blocks (empty: everyone) and a token bucket
/// per sender address (messages per second, with a burst). Remembers at most `max_senders`
/// buckets; past that it starts them afresh (rate limits are a courtesy against a runaway
/// device, not a defence against spoofed floods: see the README's security section).
class sender_policy {
  public:
    enum class verdict : std::uint8_t { accept, not_allowed, rate_limited };

    sender_policy(std::vector<cidr> allow, double rate, double burst,
                  std::size_t max_senders = 65'536);

    /// New settings (a reload); buckets start afresh.
    void reconfigure(std::vector<cidr> allow, double rate, double burst);

    /// May `sender` be heard at all (checked once per TCP connection, per datagram for UDP)?
    [[nodiscard]] bool allowed(const ip_address& sender) const noexcept;

    /// One message from `sender` at monotonic time `now`.
    [[nodiscard]] verdict admit(const ip_address& sender, micros now);

  private:
    struct bucket {
        double tokens = 0;
        micros last = 0;
    };
    std::vector<cidr> allow_;
    double rate_;
    double burst_;
    std::size_t max_senders_;
    name_map<bucket> buckets_;
};

}  // namespace ikewatch::daemon
