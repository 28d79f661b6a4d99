#include "daemon/sender_policy.hpp"

#include <algorithm>

namespace ikewatch::daemon {

sender_policy::sender_policy(std::vector<cidr> allow, double rate, double burst,
                             std::size_t max_senders)
    : allow_(std::move(allow)),
      rate_(rate),
      burst_(burst > 0 ? burst : 2 * rate),
      max_senders_(std::max<std::size_t>(max_senders, 1)) {}

void sender_policy::reconfigure(std::vector<cidr> allow, double rate, double burst) {
    allow_ = std::move(allow);
    rate_ = rate;
    burst_ = burst > 0 ? burst : 2 * rate;
    buckets_.clear();
}

bool sender_policy::allowed(const ip_address& sender) const noexcept {
    return allow_.empty() || std::any_of(allow_.begin(), allow_.end(),
                                         [&](const cidr& c) { return c.contains(sender); });
}

sender_policy::verdict sender_policy::admit(const ip_address& sender, micros now) {
    if (!allowed(sender)) {
        return verdict::not_allowed;
    }
    if (rate_ <= 0) {
        return verdict::accept;
    }
    // The address bytes are the key: no formatting per message.
    const std::string_view key(reinterpret_cast<const char*>(sender.bytes.data()),
                               sender.family == ip_address::family_t::v4 ? 4 : 16);
    if (buckets_.size() >= max_senders_ && buckets_.find(key) == nullptr) {
        buckets_.clear();
    }
    auto [b, fresh] = buckets_.try_emplace(key);
    if (fresh) {
        b->tokens = burst_;
        b->last = now;
    }
    const double elapsed = static_cast<double>(std::max<micros>(now - b->last, 0)) / 1e6;
    b->tokens = std::min(burst_, b->tokens + elapsed * rate_);
    b->last = now;
    if (b->tokens < 1) {
        return verdict::rate_limited;
    }
    b->tokens -= 1;
    return verdict::accept;
}

}  // namespace ikewatch::daemon
