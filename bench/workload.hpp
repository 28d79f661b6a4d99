#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ikewatch::bench {

struct workload_options {
    std::size_t lines = 200'000;
    std::size_t devices = 1'000;
    std::size_t peers = 100'000;
    double ike_share = 0.10;      ///< fraction of lines that are IKE/IPsec messages
    double failing_share = 0.30;  ///< fraction of IKE negotiations that never complete
    std::uint64_t seed = 42;
};

/// A realistic mix of Cisco syslog lines built from the shapes of real corpus lines: connection
/// build/teardown, NAT and ACL lines (most of the volume) and IKE negotiations per (device, peer),
/// some healthy, some stuck at each main-mode state, with the timestamps moving forward.
/// Lines are in order, newline-free.
[[nodiscard]] std::vector<std::string> make_workload(const workload_options& options);

}  // namespace ikewatch::bench
