#include "daemon/metrics.hpp"

#include <cstdio>

#include "common/enum_names.hpp"
#include "parsers/cisco_message.hpp"

namespace ikewatch::daemon {

namespace {

class exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ikewatch_";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ikewatch_";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    // A label value as Prometheus text wants it: `\`, `"` and newlines escaped.
    static std::string label(std::string_view v) {
        std::string out;
        for (const char c : v) {
            if (c == '\\' || c == '"') {
                out += '\\';
                out += c;
            } else if (c == '\n') {
                out += "\\n";
            } else {
                out += c;
            }
        }
        return out;
    }
    void sample(std::string_view name, std::uint64_t value, const char* label_name = nullptr,
                std::string_view label_value = {}) {
        out_ += "ikewatch_";
        out_ += name;
        if (label_name != nullptr) {
            out_ += '{';
            out_ += label_name;
            out_ += "=\"";
            out_ += label(label_value);
            out_ += "\"}";
        }
        out_ += ' ';
        out_ += std::to_string(value);
        out_ += '\n';
    }
    void sample2(const char* name, std::uint64_t value, std::string_view forwarder,
                 std::string_view outcome) {
        out_ += "ikewatch_";
        out_ += name;
        out_ += "{forwarder=\"";
        out_ += label(forwarder);
        out_ += "\",outcome=\"";
        out_ += outcome;
        out_ += "\"} ";
        out_ += std::to_string(value);
        out_ += '\n';
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

// A stream transport's connections by outcome, open connections and cut-off frames
// (`tcp_connections_total`, `tls_connections_total`, ...). For TLS, the handshakes that failed
// are outcomes too: the clients refused for their certificate, and the other failures.
void stream_metrics(exposition& e, std::string_view transport, const stream_counters& s,
                    const counters& c) {
    const bool tls = transport == "tls";
    const std::string name = tls ? "TLS" : "TCP";
    const std::string total = std::string(transport) + "_connections_total";
    e.family(
        total, "counter",
        name + " connections, by outcome" + (tls ? " (accepted: the handshake completed)." : "."));
    e.sample(total, s.accepted, "outcome", "accepted");
    e.sample(total, s.rejected_limit, "outcome", "rejected_limit");
    e.sample(total, s.rejected_sender, "outcome", "rejected_sender");
    e.sample(total, s.idle_closed, "outcome", "closed_idle");
    e.sample(total, s.gone_at_accept, "outcome", "reset_at_accept");
    if (tls) {
        std::uint64_t refused = 0;
        std::uint64_t failed = 0;
        for (std::size_t i = 0; i < c.tls_failed.size(); ++i) {
            (refuses_client(static_cast<tls_failure>(i)) ? refused : failed) += c.tls_failed[i];
        }
        e.sample(total, refused, "outcome", "refused_client");
        e.sample(total, failed, "outcome", "handshake_failed");
    }
    const std::string open = std::string(transport) + "_connections_open";
    e.family(open, "gauge", name + " connections open now.");
    e.sample(open, static_cast<std::uint64_t>(std::max<std::int64_t>(s.open.load(), 0)));
    const std::string incomplete = std::string(transport) + "_incomplete_frames_total";
    e.family(incomplete, "counter", name + " connections closed in the middle of a message.");
    e.sample(incomplete, s.incomplete);
}

// TLS handshakes that failed, by reason.
void tls_metrics(exposition& e, const counters& c) {
    e.family("tls_handshake_failures_total", "counter",
             "TLS handshakes that failed, by reason (no_client_cert, bad_certificate and "
             "not_allowed refuse the client for its certificate).");
    for (std::size_t i = 0; i < c.tls_failed.size(); ++i) {
        e.sample("tls_handshake_failures_total", c.tls_failed[i], "reason",
                 ikewatch::to_string(static_cast<tls_failure>(i)));
    }
}

// Receiving: messages and bytes per transport, drops, TCP and TLS connections.
void ingest_metrics(exposition& e, const counters& c) {
    e.family("messages_received_total", "counter", "Syslog messages received, by transport.");
    e.sample("messages_received_total", c.udp_datagrams, "transport", "udp");
    e.sample("messages_received_total", c.tcp.messages, "transport", "tcp");
    e.sample("messages_received_total", c.tls.messages, "transport", "tls");
    e.family("bytes_received_total", "counter",
             "Syslog bytes received, by transport (TLS: after decryption).");
    e.sample("bytes_received_total", c.udp_bytes, "transport", "udp");
    e.sample("bytes_received_total", c.tcp.bytes, "transport", "tcp");
    e.sample("bytes_received_total", c.tls.bytes, "transport", "tls");
    e.family("messages_dropped_total", "counter", "Messages not processed, by reason.");
    e.sample("messages_dropped_total", c.dropped_not_allowed, "reason", "sender_not_allowed");
    e.sample("messages_dropped_total", c.dropped_rate_limited, "reason", "rate_limited");
    e.family("messages_truncated_total", "counter",
             "Messages longer than max_message_size, cut to it.");
    e.sample("messages_truncated_total", c.udp_truncated, "transport", "udp");
    e.sample("messages_truncated_total", c.tcp.truncated, "transport", "tcp");
    e.sample("messages_truncated_total", c.tls.truncated, "transport", "tls");
    e.family("udp_receive_errors_total", "counter", "Errors reading the UDP sockets.");
    e.sample("udp_receive_errors_total", c.udp_receive_errors);
    e.family("udp_kernel_drops_total", "counter",
             "Datagrams the kernel dropped before ikewatchd read them: the socket's receive "
             "buffer was full (the socket's count, read each second and per request).");
    e.sample("udp_kernel_drops_total", c.udp_kernel_drops);
    stream_metrics(e, "tcp", c.tcp, c);
    stream_metrics(e, "tls", c.tls, c);
    tls_metrics(e, c);
}

// The Kafka input.
void kafka_metrics(exposition& e, const counters& c) {
    e.family("kafka_records_total", "counter", "Kafka records consumed (poison included).");
    e.sample("kafka_records_total", c.kafka_records);
    e.family("kafka_bytes_total", "counter", "Bytes of the Kafka records consumed.");
    e.sample("kafka_bytes_total", c.kafka_bytes);
    e.family("kafka_poison_total", "counter", "Kafka records skipped, by reason.");
    e.sample("kafka_poison_total", c.kafka_poison_oversized, "reason", "oversized");
    e.sample("kafka_poison_total", c.kafka_poison_binary, "reason", "binary");
    e.family("kafka_errors_total", "counter", "Kafka consumer errors (brokers away, commits).");
    e.sample("kafka_errors_total", c.kafka_errors);
    e.family("kafka_rebalances_total", "counter", "Consumer group assignments and revocations.");
    e.sample("kafka_rebalances_total", c.kafka_rebalances);
    e.family("kafka_partitions_owned", "gauge", "Kafka partitions this daemon reads now.");
    e.sample("kafka_partitions_owned",
             static_cast<std::uint64_t>(std::max<std::int64_t>(c.kafka_partitions.load(), 0)));
    e.family("kafka_checkpoints_total", "counter",
             "Checkpoints of device state acknowledged by the brokers.");
    e.sample("kafka_checkpoints_total", c.checkpoints);
    e.family("kafka_checkpoint_records_total", "counter", "Device snapshots acknowledged.");
    e.sample("kafka_checkpoint_records_total", c.checkpoint_records);
    e.family("kafka_checkpoint_bytes_total", "counter",
             "Bytes of the device snapshots acknowledged.");
    e.sample("kafka_checkpoint_bytes_total", c.checkpoint_bytes);
    e.family("kafka_checkpoint_failures_total", "counter",
             "Checkpoints the brokers did not acknowledge (their devices are written again).");
    e.sample("kafka_checkpoint_failures_total", c.checkpoint_failures);
    e.family("kafka_checkpoint_restored_total", "counter", "Devices restored from snapshots.");
    e.sample("kafka_checkpoint_restored_total", c.checkpoint_restored);
    e.family("kafka_checkpoint_refused_total", "counter",
             "Snapshots refused (corrupt, another format or version).");
    e.sample("kafka_checkpoint_refused_total", c.checkpoint_refused);
    e.family("kafka_checkpoint_read_failures_total", "counter",
             "Checkpoint partitions that could not be read to their end on assignment.");
    e.sample("kafka_checkpoint_read_failures_total", c.checkpoint_read_failures);
    e.family("kafka_checkpoint_skipped_lines_total", "counter",
             "Lines read again after a failover that a restored snapshot already covered.");
    e.sample("kafka_checkpoint_skipped_lines_total", c.checkpoint_skipped_lines);
    e.family("kafka_lag", "gauge",
             "Records not yet consumed on the partitions owned (high watermark - position).");
    e.sample("kafka_lag",
             static_cast<std::uint64_t>(std::max<std::int64_t>(c.kafka_lag.load(), 0)));
}

// The pipeline: records parsed and decoded, the peer table, alerts, timers and rules.
void pipeline_metrics(exposition& e, const pipeline_figures& p) {
    e.family("records_total", "counter", "Records read by the parser.");
    e.sample("records_total", p.decode.records);
    e.family("parse_errors_total", "counter", "Records that could not be framed, by code.");
    for (std::size_t i = 0; i < p.decode.errors.size(); ++i) {
        e.sample("parse_errors_total", p.decode.errors[i], "code",
                 parsers::to_string(static_cast<parsers::parse_error>(i)));
    }
    e.family("records_decoded_total", "counter", "Records decoded to an event, by family.");
    for (std::size_t i = 0; i < p.decode.decoded.size(); ++i) {
        const std::string_view name = parsers::to_string(static_cast<parsers::family>(i));
        e.sample("records_decoded_total", p.decode.decoded[i], "family",
                 name.empty() ? "none" : name);
    }
    e.family("show_rows_total", "counter", "Rows of pasted show crypto output read.");
    e.sample("show_rows_total", p.show_rows);
    e.family("peers_tracked", "gauge", "IKE peers in the state table.");
    e.sample("peers_tracked", p.peers);
    e.family("peers_limit", "gauge", "Peers the state table keeps at most (limits.max_peers).");
    e.sample("peers_limit", p.peers_limit);
    e.family("evidence_store_bytes", "gauge",
             "Size of the evidence line store, and how much of it has been written.");
    e.sample("evidence_store_bytes", p.evidence_bytes, "part", "capacity");
    e.sample("evidence_store_bytes", p.evidence_used_bytes, "part", "used");
    e.family("evidence_lines_total", "counter",
             "Log lines kept as evidence (the oldest are overwritten when the store is full).");
    e.sample("evidence_lines_total", p.evidence_lines);
    e.family("peers_removed_total", "counter", "Peers removed from the table, by reason.");
    e.sample("peers_removed_total", p.peers_evicted, "reason", "max_peers");
    e.sample("peers_removed_total", p.peers_expired, "reason", "idle");
    e.family("peers_evicted_total", "counter",
             "Peers pushed out by max_peers, by how many lines had named them (single_line, "
             "repeated: 2-3, history: 4 or more).");
    static constexpr std::array<const char*, ike::peer_class_count> classes{"single_line",
                                                                            "repeated", "history"};
    for (std::size_t i = 0; i < classes.size(); ++i) {
        e.sample("peers_evicted_total", p.peers_evicted_by_class[i], "class", classes[i]);
    }
    e.family("alerts_total", "counter", "Alerts emitted, by action.");
    e.sample("alerts_total", p.alerts_raised, "action", "raised");
    e.sample("alerts_total", p.alerts_resolved, "action", "resolved");
    e.family("alerts_active", "gauge", "Alerts raised and not yet resolved.");
    e.sample("alerts_active", p.alerts_active);
    e.family("timers_pending", "gauge", "Rule timers waiting (time in state, absence, resolve).");
    e.sample("timers_pending", p.timers);
    e.family("timers_dropped_total", "counter",
             "Rule timers refused at the timer bound: diagnoses that wait for a time may be lost.");
    e.sample("timers_dropped_total", p.timers_dropped);
    e.family("rules_loaded", "gauge", "Rules in the active rule set.");
    e.sample("rules_loaded", p.rules);
}

// Outputs: the alert log, each forwarder, and configuration reloads.
void output_metrics(exposition& e, const counters& c, const pipeline_figures& p) {
    e.family("alert_log_queue", "gauge", "Alerts waiting to be written to the alert log.");
    e.sample("alert_log_queue", p.alert_log_queue);
    e.family("alert_log_lines_total", "counter", "Alert log lines, by outcome.");
    e.sample("alert_log_lines_total", p.alert_log_written, "outcome", "written");
    e.sample("alert_log_lines_total", p.alert_log_dropped, "outcome", "dropped_queue_full");
    e.family("alert_log_write_failures_total", "counter", "Failed writes to the alert log.");
    e.sample("alert_log_write_failures_total", p.alert_log_failures);
    e.family("alert_log_reopens_total", "counter", "Alert log reopened (SIGUSR1).");
    e.sample("alert_log_reopens_total", c.alert_log_reopens);
    e.family("forward_alerts_total", "counter",
             "Alerts per forwarder, by outcome (sent counts resends too).");
    for (const auto& f : p.forwarders) {
        e.sample2("forward_alerts_total", f.stats.submitted, f.name, "queued");
        e.sample2("forward_alerts_total", f.stats.filtered, f.name, "filtered");
        e.sample2("forward_alerts_total", f.stats.sent, f.name, "sent");
        e.sample2("forward_alerts_total", f.stats.delivered, f.name, "delivered");
        e.sample2("forward_alerts_total", f.stats.lost, f.name, "lost");
    }
    e.family("forward_pending", "gauge", "Alerts waiting in a forwarder's spool.");
    for (const auto& f : p.forwarders) {
        e.sample("forward_pending", f.stats.pending, "forwarder", f.name);
    }
    e.family("forward_failures_total", "counter", "Failed connects and sends, per forwarder.");
    for (const auto& f : p.forwarders) {
        e.sample("forward_failures_total", f.stats.failures, "forwarder", f.name);
    }
    e.family("forward_connected", "gauge", "1 while a forwarder is connected to its collector.");
    for (const auto& f : p.forwarders) {
        e.sample("forward_connected", f.stats.connected ? 1 : 0, "forwarder", f.name);
    }
    e.family("reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
    e.sample("reloads_total", c.reloads_ok, "result", "ok");
    e.sample("reloads_total", c.reloads_failed, "result", "failed");
}

}  // namespace

std::string render_metrics(const counters& c, const pipeline_figures& p) {
    exposition e;
    ingest_metrics(e, c);
    kafka_metrics(e, c);
    pipeline_metrics(e, p);
    output_metrics(e, c, p);
    return e.take();
}

}  // namespace ikewatch::daemon
