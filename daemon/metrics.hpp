#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/enum_names.hpp"
#include "ike/peer_table.hpp"
#include "outputs/forwarder.hpp"
#include "parsers/record_decoder.hpp"

namespace ikewatch::daemon {

using counter = std::atomic<std::uint64_t>;

/// One stream transport's connections and messages (TCP, TLS). For TLS, `accepted` counts the
/// connections whose handshake completed.
struct stream_counters {
    counter accepted{0};
    counter rejected_limit{0};   ///< tcp_max_connections reached
    counter rejected_sender{0};  ///< not in the allow list
    counter idle_closed{0};
    counter gone_at_accept{0};  ///< reset by the client before it could be served
    counter messages{0};
    counter bytes{0};  ///< for TLS: decrypted bytes
    counter truncated{0};
    counter incomplete{0};  ///< connection closed in the middle of a frame
    std::atomic<std::int64_t> open{0};
};

/// Why a TLS handshake failed. The first three refuse the client for its certificate.
enum class tls_failure : std::uint8_t {
    no_client_cert,   ///< a certificate is required and none was sent
    bad_certificate,  ///< not signed by tls.ca, expired, or otherwise invalid
    not_allowed,      ///< valid, but names none of tls.allowed_clients
    protocol,         ///< not TLS, an old version, no common cipher, a broken record
    timeout,          ///< not done within tls.handshake_timeout
    closed,           ///< the client went away during the handshake
    count_
};

/// True for the failures that refuse a client for its certificate.
[[nodiscard]] constexpr bool refuses_client(tls_failure f) noexcept {
    return f == tls_failure::no_client_cert || f == tls_failure::bad_certificate ||
           f == tls_failure::not_allowed;
}

/// What the listeners and the daemon count. Atomic: listener threads may count while the status
/// endpoint reads.
struct counters {
    counter udp_datagrams{0};
    counter udp_bytes{0};
    counter udp_truncated{0};  ///< longer than max_message_size (cut)
    counter udp_receive_errors{0};
    counter udp_kernel_drops{0};  ///< dropped by the kernel, receive buffer full (SO_MEMINFO)
    stream_counters tcp;
    stream_counters tls;
    std::array<counter, static_cast<std::size_t>(tls_failure::count_)> tls_failed{};
    counter dropped_not_allowed{0};
    counter dropped_rate_limited{0};
    counter reloads_ok{0};
    counter reloads_failed{0};
    counter alert_log_reopens{0};
    // Kafka input (its consumer thread counts, the status endpoint reads)
    counter kafka_records{0};  ///< records consumed, poison included
    counter kafka_bytes{0};
    counter kafka_poison_oversized{0};  ///< longer than max_message_size (skipped)
    counter kafka_poison_binary{0};     ///< bytes no syslog line has (skipped)
    counter kafka_errors{0};            ///< consumer errors (brokers away, commit failures)
    counter kafka_rebalances{0};        ///< assignments and revocations
    std::atomic<std::int64_t> kafka_partitions{0};  ///< partitions owned now
    std::atomic<std::int64_t> kafka_lag{0};         ///< records behind the high watermarks, summed
    // Checkpoints of device state (kafka.checkpoint_topic).
    counter checkpoints{0};               ///< checkpoints acknowledged by the brokers
    counter checkpoint_records{0};        ///< device snapshots acknowledged
    counter checkpoint_bytes{0};          ///< bytes of those snapshots
    counter checkpoint_failures{0};       ///< checkpoints not acknowledged (written again later)
    counter checkpoint_restored{0};       ///< devices restored from snapshots
    counter checkpoint_refused{0};        ///< snapshots refused (corrupt, unknown version)
    counter checkpoint_read_failures{0};  ///< checkpoint partitions that could not be read
    counter checkpoint_skipped_lines{0};  ///< lines a restored snapshot already covered

    [[nodiscard]] std::uint64_t received() const noexcept {
        return udp_datagrams.load() + tcp.messages.load() + tls.messages.load() +
               kafka_records.load();
    }
};

/// The state of the stages behind the listeners, sampled for /metrics.
struct pipeline_figures {
    parsers::decode_stats decode;
    std::uint64_t show_rows = 0;
    std::size_t peers = 0;
    std::size_t peers_limit = 0;  ///< max_peers over all shards
    std::size_t evidence_bytes = 0;
    std::size_t evidence_used_bytes = 0;
    std::uint64_t evidence_lines = 0;
    std::uint64_t peers_evicted = 0;
    std::array<std::uint64_t, ike::peer_class_count> peers_evicted_by_class{};
    std::uint64_t peers_expired = 0;
    std::uint64_t alerts_raised = 0;
    std::uint64_t alerts_resolved = 0;
    std::size_t alerts_active = 0;
    std::size_t timers = 0;
    std::uint64_t timers_dropped = 0;
    std::size_t alert_log_queue = 0;
    std::uint64_t alert_log_written = 0;
    std::uint64_t alert_log_failures = 0;
    std::uint64_t alert_log_dropped = 0;
    std::size_t rules = 0;
    struct forwarder_figures {
        std::string name;
        outputs::forwarder_stats stats;
    };
    std::vector<forwarder_figures> forwarders;
};

/// Prometheus text exposition, every name prefixed `ikewatch_`.
[[nodiscard]] std::string render_metrics(const counters& c, const pipeline_figures& p);

}  // namespace ikewatch::daemon

namespace ikewatch {

template <>
struct enum_names<daemon::tls_failure> {
    static constexpr std::array<std::string_view, 6> names{
        "no_client_cert", "bad_certificate", "not_allowed", "protocol", "timeout", "closed"};
};

}  // namespace ikewatch
