// Bytes per tracked peer: fills a peer table with N peers (spread over 1,000 devices) and reports
// the growth of the process's resident memory. Usage: ikewatch_peer_memory N [evidence [LINES]]
//
// With `evidence`, each peer gets LINES evidence lines (default 8, a full set of handles) of the
// length of a 713236 line, kept in the table's evidence store, sized as ikewatchd sizes it for
// N peers (ike/memory_plan.hpp). Peers are spread over the eviction classes as the store's parts
// are, so with 2 lines or more the whole store fills and then overwrites its oldest lines: the
// figure is the record plus the peer's share of the store.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "ike/memory_plan.hpp"
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
    const bool evidence = argc > 2 && std::strcmp(argv[2], "evidence") == 0;
    const std::size_t lines = !evidence ? 0 : argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 8;
    const std::size_t store = ikewatch::ike::evidence_bytes_for(n);
    ikewatch::ike::peer_table table({.max_peers = n, .evidence_bytes = store, .max_devices = 4096});
    const long before = rss_kib();
    bool created = false;
    char peer[32];
    char device[16];
    char line[256];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(peer, sizeof peer, "%zu.%zu.%zu.%zu", 10 + (i >> 24), (i >> 16) & 255,
                      (i >> 8) & 255, i & 255);
        std::snprintf(device, sizeof device, "fw%04zu", i % 1000);
        // Named once, twice or four times, a quarter, a quarter and half of the peers: each
        // class's part of the store fills, as the whole store does in the worst case.
        const std::size_t namings = i % 4 == 0 ? 1 : i % 4 == 1 ? 2 : 4;
        ikewatch::ike::peer_record* p = nullptr;
        for (std::size_t k = 0; k < namings; ++k) {
            p = table.upsert(device, peer, static_cast<ikewatch::micros>(i), created);
        }
        for (std::size_t k = 0; p != nullptr && k < lines; ++k) {
            const int len = std::snprintf(
                line, sizeof line,
                "Dec 05 2026 04:15:%02zu %s : %%ASA-7-713236: IP = %s, IKE_DECODE SENDING Message "
                "(msgid=0) with payloads : HDR + KE (4) + NONCE (10) + NONE (0) total length : 256",
                k, device, peer);
            table.add_evidence(*p, static_cast<ikewatch::micros>(i),
                               {line, static_cast<std::size_t>(len)}, k == 0);
        }
    }
    const long after = rss_kib();
    std::printf(
        "peers=%zu rss_growth_kib=%ld bytes_per_peer=%.0f estimate=%zu evidence_lines=%zu "
        "store_bytes=%zu store_used=%zu\n",
        table.size(), after - before,
        static_cast<double>(after - before) * 1024.0 / static_cast<double>(n),
        ikewatch::ike::peer_table::bytes_per_peer_estimate(), lines, store,
        table.evidence().used_bytes());
    return 0;
}
