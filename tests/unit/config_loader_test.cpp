#include "config/config_loader.hpp"

#include <gtest/gtest.h>

using namespace ikewatch;
using namespace ikewatch::config;

namespace {

bool has(const config_result& r, const std::string& code, int line, int col) {
    for (const diagnostic& d : r.problems) {
        if (d.code == code && d.line == line && d.column == col) {
            return true;
        }
    }
    return false;
}

std::string all(const config_result& r) {
    std::string out;
    for (const diagnostic& d : r.problems) {
        out += d.to_string() + "\n";
    }
    return out;
}

}  // namespace

TEST(ConfigLoader, ShippedExampleIsValid) {
    const auto r = load_config(IKEWATCH_SOURCE_DIR "/config/ikewatch.yaml");
    ASSERT_TRUE(r.ok()) << all(r);
    ASSERT_EQ(r.config.udp.size(), 1u);
    EXPECT_EQ(r.config.udp[0].to_string(), "0.0.0.0:514");
    EXPECT_EQ(r.config.udp_receive_buffer, 8u << 20);
    EXPECT_EQ(r.config.max_message_size, 64u << 10);
    EXPECT_EQ(r.config.alert_log, "/var/log/ikewatch/alerts.json");
    ASSERT_TRUE(r.config.status.has_value());
    EXPECT_EQ(r.config.status->to_string(), "127.0.0.1:9514");
}

TEST(ConfigLoader, EveryProblemWithItsPosition) {
    const auto r = parse_config(R"(listen:
  udp: ["0.0.0.0:514", "fw01:514"]
  udp_receive_buffer: 8 parsecs
  tcp_idle_timeout: soon
senders:
  allow: [10.0.0.0/8, 10.0.0.0/33]
  rate_limit: -1
time:
  utc_offset: "+25:00"
  devices: {fw01: "+02:00", fw02: nowhere}
alerts: {format: xml}
status: {listen: "localhost:9514"}
log: {level: chatty}
colour: blue
)",
                                "ikewatch.yaml");
    EXPECT_TRUE(has(r, "bad-address", 2, 24)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 3, 23)) << all(r);
    EXPECT_TRUE(has(r, "bad-duration", 4, 21)) << all(r);
    EXPECT_TRUE(has(r, "bad-address", 6, 23)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 7, 15)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 9, 15)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 10, 35)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 11, 18)) << all(r);
    EXPECT_TRUE(has(r, "bad-address", 12, 18)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 13, 14)) << all(r);
    EXPECT_TRUE(has(r, "unknown-key", 14, 1)) << all(r);
    EXPECT_EQ(r.problems.size(), 11u) << all(r);
}

TEST(ConfigLoader, SyntaxErrorsAndOddShapesDoNotThrow) {
    auto r = parse_config("listen: [unclosed\n", "x.yaml");
    EXPECT_TRUE(has(r, "yaml-syntax", 2, 1)) << all(r);
    r = parse_config("listen: 5\nsenders: {allow: {a: b}}\n", "x.yaml");
    EXPECT_FALSE(r.ok());
    r = parse_config("", "empty.yaml");
    EXPECT_TRUE(r.ok());
    r = parse_config("status: {listen: \"\"}\nlisten: {udp: \"[::1]:5514\"}\n", "x.yaml");
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_FALSE(r.config.status.has_value());
    EXPECT_EQ(r.config.udp.at(0).to_string(), "[::1]:5514");
}

TEST(ConfigLoader, Sizes) {
    std::size_t n = 0;
    EXPECT_TRUE(parse_size("4096", n));
    EXPECT_EQ(n, 4096u);
    EXPECT_TRUE(parse_size("64KiB", n));
    EXPECT_EQ(n, 65536u);
    EXPECT_TRUE(parse_size("2 M", n));
    EXPECT_EQ(n, 2'000'000u);
    EXPECT_FALSE(parse_size("1.5MiB", n));
    EXPECT_FALSE(parse_size("99999999999999TiB", n));
    EXPECT_FALSE(parse_size("", n));
}

TEST(ConfigLoader, TlsBlockHoldsTogetherWithPositions) {
    const auto r = parse_config(R"(listen:
  tls: ["0.0.0.0:6514"]
tls:
  cert: /etc/ikewatch/tls/server.pem
  require_client_cert: true
  allowed_clients: [asa-hq, ""]
  handshake_timeout: 5s
)",
                                "tls.yaml");
    EXPECT_TRUE(has(r, "missing-key", 4, 3)) << all(r);   // cert without key (at the block)
    EXPECT_TRUE(has(r, "missing-key", 5, 24)) << all(r);  // client checks without ca
    EXPECT_TRUE(has(r, "missing-key", 6, 20)) << all(r);
    EXPECT_TRUE(has(r, "bad-value", 6, 29)) << all(r);  // an empty name
    EXPECT_EQ(r.problems.size(), 4u) << all(r);
    ASSERT_EQ(r.config.tls.size(), 1u);
    EXPECT_EQ(r.config.tls[0].to_string(), "0.0.0.0:6514");
    EXPECT_EQ(r.config.tls_server.handshake_timeout, 5 * micros_per_second);
    EXPECT_EQ(r.config.tls_server.allowed_clients, (std::vector<std::string>{"asa-hq", ""}));
}

TEST(ConfigLoader, TlsListenerNeedsCertificateAndKeyOnceFlagsAreIn) {
    daemon_config c;
    EXPECT_FALSE(tls_listener_problem(c));
    c.tls.push_back({"127.0.0.1", 6514});
    ASSERT_TRUE(tls_listener_problem(c));
    EXPECT_NE(tls_listener_problem(c)->find("tls.cert and tls.key"), std::string::npos);
    c.tls_server.cert = "s.pem";
    EXPECT_TRUE(tls_listener_problem(c));
    c.tls_server.key = "s.key";
    EXPECT_FALSE(tls_listener_problem(c));
}

TEST(ConfigLoader, KafkaForwarderAndItsProperties) {
    const auto r = parse_config(R"(forwarders:
  - url: "kafka://127.0.0.1:9092,127.0.0.1:9093/alerts"
    properties: {acks: all, linger.ms: 5, enable.idempotence: true}
)",
                                "k.yaml");
    ASSERT_TRUE(r.ok()) << all(r);
    ASSERT_EQ(r.config.forwarders.size(), 1u);
    const auto& f = r.config.forwarders[0];
    EXPECT_EQ(f.format, outputs::siem_format::json);
    EXPECT_EQ(f.properties.at("acks"), "all");
    EXPECT_EQ(f.properties.at("linger.ms"), "5");
    EXPECT_EQ(f.properties.at("enable.idempotence"), "true");

    const auto bad = parse_config(R"(forwarders:
  - url: "tcp://siem:514"
    properties: {acks: all}
  - url: "kafka://k1/alerts"
    format: cef
  - url: "kafka://k1/alerts?x"
    name: other
  - url: "kafka://k2/a"
    properties: [acks]
)",
                                  "k.yaml");
    EXPECT_TRUE(has(bad, "bad-key", 3, 17)) << all(bad);
    EXPECT_TRUE(has(bad, "bad-value", 5, 13)) << all(bad);
    EXPECT_TRUE(has(bad, "bad-address", 6, 10)) << all(bad);
    EXPECT_TRUE(has(bad, "bad-type", 9, 17)) << all(bad);
}

TEST(ConfigLoader, KafkaInputNeedsBrokersGroupAndTopics) {
    const auto r = parse_config(R"(kafka:
  brokers: "127.0.0.1:9092,k2"
  topics: [syslog, syslog-ios]
  group: ikewatch
  properties: {auto.offset.reset: latest}
)",
                                "k.yaml");
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(r.config.kafka_brokers, "127.0.0.1:9092,k2");
    EXPECT_EQ(r.config.kafka_topics, (std::vector<std::string>{"syslog", "syslog-ios"}));
    EXPECT_EQ(r.config.kafka_group, "ikewatch");
    EXPECT_EQ(r.config.kafka_properties.at("auto.offset.reset"), "latest");
    EXPECT_EQ(kafka_input_problem(r.config), "");

    EXPECT_TRUE(has(parse_config("kafka:\n  brokers: \"k1:0\"\n  topics: [s]\n  group: g\n", "k"),
                    "bad-value", 2, 12));
    EXPECT_TRUE(
        has(parse_config("kafka:\n  brokers: k1\n  topics: [s]\n", "k"), "bad-value", 2, 3));
    EXPECT_TRUE(has(parse_config("kafka:\n  brokers: k1\n  group: g\n  topics: [\"a b\"]\n", "k"),
                    "bad-value", 4, 11));
    EXPECT_TRUE(has(parse_config("kafka:\n  group: g\n", "k"), "bad-value", 2, 3));
    EXPECT_TRUE(parse_config("kafka: {}\n", "k").ok());
}

TEST(ConfigLoader, KafkaCheckpointTopic) {
    const auto r = parse_config(
        "kafka:\n  brokers: k1\n  topics: [s]\n  group: g\n  checkpoint_topic: state\n"
        "  checkpoint_interval: 2s\n",
        "k");
    ASSERT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(r.config.kafka_checkpoint_topic, "state");
    EXPECT_EQ(r.config.kafka_checkpoint_interval, 2 * micros_per_second);
    // Reported at the key that is wrong.
    EXPECT_TRUE(has(parse_config("kafka:\n  brokers: k1\n  topics: [s]\n  group: g\n"
                                 "  checkpoint_topic: s\n",
                                 "k"),
                    "bad-value", 5, 21));
    EXPECT_TRUE(has(parse_config("kafka:\n  brokers: k1\n  topics: [s]\n  group: g\n"
                                 "  checkpoint_topic: \"a b\"\n",
                                 "k"),
                    "bad-value", 5, 21));
    // A checkpoint topic without an input is no input.
    EXPECT_TRUE(has(parse_config("kafka:\n  checkpoint_topic: state\n", "k"), "bad-value", 2, 3));
}
