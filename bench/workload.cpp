#include "bench/workload.hpp"

#include <array>
#include <cstdio>
#include <random>

namespace ikewatch::bench {

namespace {

constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct generator {
    std::mt19937_64 rng;
    const workload_options& o;
    std::uint64_t second = 0;

    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); }

    std::string header(std::uint32_t device, int severity, const char* id) {
        // 2,000 lines per second of log time (a busy fleet).
        const std::uint64_t t = 1'700'000 + second / 2000;
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "<%d>%s %2u %02u:%02u:%02u fw%04u : %%ASA-%d-%s: ", 160 + severity,
                      months[(t / 86400 / 30) % 12], static_cast<unsigned>(1 + (t / 86400) % 28),
                      static_cast<unsigned>(t / 3600 % 24), static_cast<unsigned>(t / 60 % 60),
                      static_cast<unsigned>(t % 60), device, severity, id);
        ++second;
        return buf;
    }

    std::string ip(std::uint32_t n) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", 10 + (n >> 24) % 200, (n >> 16) & 255,
                      (n >> 8) & 255, 1 + (n & 255) % 254);
        return buf;
    }

    std::string peer_ip(std::uint32_t peer) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", 100 + (peer >> 16) % 100, (peer >> 8) & 255,
                      peer & 255, 1 + peer % 250);
        return buf;
    }

    std::string traffic(std::uint32_t device) {
        char body[320];
        const std::string a = ip(static_cast<std::uint32_t>(rng()));
        const std::string b = ip(static_cast<std::uint32_t>(rng()));
        const unsigned sp = 1024 + pick(60000);
        const unsigned conn = pick(2'000'000'000);
        switch (pick(6)) {
            case 0:
                std::snprintf(body, sizeof body,
                              "Built outbound TCP connection %u for outside:%s/443 (%s/443) to "
                              "inside:%s/%u (%s/%u)",
                              conn, a.c_str(), a.c_str(), b.c_str(), sp, b.c_str(), sp);
                return header(device, 6, "302013") + body;
            case 1:
                std::snprintf(body, sizeof body,
                              "Teardown TCP connection %u for outside:%s/443 to inside:%s/%u "
                              "duration 0:00:30 bytes 5321 TCP FINs",
                              conn, a.c_str(), b.c_str(), sp);
                return header(device, 6, "302014") + body;
            case 2:
                std::snprintf(body, sizeof body,
                              "Built outbound UDP connection %u for outside:%s/53 (%s/53) to "
                              "inside:%s/%u (%s/%u)",
                              conn, a.c_str(), a.c_str(), b.c_str(), sp, b.c_str(), sp);
                return header(device, 6, "302015") + body;
            case 3:
                std::snprintf(body, sizeof body,
                              "Teardown UDP connection %u for outside:%s/53 to inside:%s/%u "
                              "duration 0:02:01 bytes 1738",
                              conn, a.c_str(), b.c_str(), sp);
                return header(device, 6, "302016") + body;
            case 4:
                std::snprintf(body, sizeof body,
                              "Built dynamic TCP translation from inside:%s/%u to outside:%s/%u",
                              b.c_str(), sp, a.c_str(), 1024 + pick(60000));
                return header(device, 6, "305011") + body;
            default:
                std::snprintf(body, sizeof body,
                              "Deny tcp src outside:%s/%u dst inside:%s/%u by access-group "
                              "\"OUTSIDE_IN\" [0x0, 0x0]",
                              a.c_str(), sp, b.c_str(), 20 + pick(1000));
                return header(device, 4, "106023") + body;
        }
    }

    // One step of an IKE negotiation for (device, peer): the sequence an initiator logs at
    // debug level, cut short for failing peers.
    std::string ike_step(std::uint32_t device, std::uint32_t peer, unsigned step, bool failing) {
        const std::string p = peer_ip(peer);
        char body[400];
        static constexpr const char* payloads[] = {
            "HDR + SA (1) + VENDOR (13) + VENDOR (13) + NONE (0) total length : 172",
            "HDR + SA (1) + NONE (0) total length : 88",
            "HDR + KE (4) + NONCE (10) + VENDOR (13) + NONE (0) total length : 256",
            "HDR + KE (4) + NONCE (10) + VENDOR (13) + NONE (0) total length : 256",
            "HDR + ID (5) + HASH (8) + VENDOR (13) + NONE (0) total length : 96",
            "HDR + ID (5) + HASH (8) + NONE (0) total length : 84"};
        if (step == 0) {
            std::snprintf(body, sizeof body,
                          "IP = %s, IKE Initiator: New Phase 1, Intf outside, IKE Peer %s  local "
                          "Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  Crypto map "
                          "(VPN)",
                          p.c_str(), p.c_str());
            return header(device, 5, "713041") + body;
        }
        if (step <= 6) {
            const unsigned i = step - 1;
            // Failing peers never answer: the initiator resends its first message.
            const char* dir = i % 2 == 0 ? "SENDING" : "RECEIVED";
            if (failing && i > 0) {
                std::snprintf(body, sizeof body,
                              "IP = %s, IKE_DECODE RESENDING Message (msgid=0) with payloads : %s",
                              p.c_str(), payloads[0]);
            } else {
                std::snprintf(body, sizeof body,
                              "IP = %s, IKE_DECODE %s Message (msgid=0) with payloads : %s",
                              p.c_str(), dir, payloads[i]);
            }
            return header(device, 7, "713236") + body;
        }
        if (step == 7) {
            std::snprintf(body, sizeof body, "Group = %s, IP = %s, PHASE 1 COMPLETED", p.c_str(),
                          p.c_str());
            return header(device, 5, "713119") + body;
        }
        std::snprintf(body, sizeof body, "Group = %s, IP = %s, PHASE 2 COMPLETED (msgid=%08x)",
                      p.c_str(), p.c_str(), static_cast<unsigned>(rng()));
        return header(device, 5, "713120") + body;
    }
};

}  // namespace

std::vector<std::string> make_workload(const workload_options& o) {
    generator g{std::mt19937_64(o.seed), o};
    std::vector<std::string> out;
    out.reserve(o.lines);
    const auto devices = static_cast<std::uint32_t>(o.devices);
    const auto peers = static_cast<std::uint32_t>(o.peers);
    const auto ike_per_mille = static_cast<std::uint32_t>(o.ike_share * 1000);
    const auto failing_per_mille = static_cast<std::uint32_t>(o.failing_share * 1000);
    // IKE lines come as whole negotiations (a burst of lines for one peer, as devices log them),
    // mixed into the traffic. A negotiation is 9 lines when it succeeds, 7 when it fails.
    std::uint32_t peer = 0;
    unsigned step = 0;
    unsigned last = 0;
    bool failing = false;
    bool in_negotiation = false;
    while (out.size() < o.lines) {
        if (in_negotiation || g.pick(1000 * 8) < ike_per_mille) {
            if (!in_negotiation) {
                peer = g.pick(peers);
                failing = (peer * 2654435761u) % 1000 < failing_per_mille;
                step = 0;
                last = failing ? 6 : 8;
                in_negotiation = true;
            }
            out.push_back(g.ike_step(peer % devices, peer, step, failing));
            in_negotiation = step++ < last;
        } else {
            out.push_back(g.traffic(g.pick(devices)));
        }
    }
    return out;
}

}  // namespace ikewatch::bench
