// Bytes per tracked peer: fills a peer table with N peers (spread over 1,000 devices) and reports
// the growth of the process's resident memory. Usage: ikewatch_peer_memory N [with-evidence]

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ike/peer_table.hpp"

namespace {

long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            long v = 0;
            in >> v;
            return v;
        }
        std::getline(in, key);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    const bool evidence = argc > 2;
    ikewatch::ike::peer_table table({.max_peers = n, .max_devices = 4096});
    const long before = rss_kib();
    bool created = false;
    char peer[32];
    char device[16];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(peer, sizeof peer, "%zu.%zu.%zu.%zu", 10 + (i >> 24), (i >> 16) & 255,
                      (i >> 8) & 255, i & 255);
        std::snprintf(device, sizeof device, "fw%04zu", i % 1000);
        ikewatch::ike::peer_record* p =
            table.upsert(device, peer, static_cast<ikewatch::micros>(i), created);
        if (evidence && p != nullptr) {
            p->evidence = std::make_unique<ikewatch::ike::evidence_ring>();
            p->evidence->add(0, "%ASA-5-713041: IP = 10.0.0.1, IKE Initiator: New Phase 1", true);
        }
    }
    const long after = rss_kib();
    std::printf("peers=%zu rss_growth_kib=%ld bytes_per_peer=%.0f estimate=%zu evidence=%s\n",
                table.size(), after - before,
                static_cast<double>(after - before) * 1024.0 / static_cast<double>(n),
                ikewatch::ike::peer_table::bytes_per_peer_estimate(), evidence ? "yes" : "no");
    return 0;
}
