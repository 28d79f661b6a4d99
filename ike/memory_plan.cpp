#include "ike/memory_plan.hpp"

#include <algorithm>

namespace ikewatch::ike {

memory_plan plan_memory(std::size_t budget, std::optional<std::size_t> max_peers) noexcept {
    memory_plan p;
    p.max_peers = max_peers
                      ? *max_peers
                      : std::max<std::size_t>(1, (std::max(budget, min_memory) - memory_reserve) /
                                                     planned_bytes_per_peer);
    p.evidence_bytes = evidence_bytes_for(p.max_peers);
    return p;
}

std::size_t planned_bytes(const memory_plan& plan) noexcept {
    return memory_reserve + plan.max_peers * planned_bytes_per_peer;
}

}  // namespace ikewatch::ike
