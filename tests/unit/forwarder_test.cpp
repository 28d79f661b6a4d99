#include "outputs/forwarder.hpp"

#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "outputs/kafka_transport.hpp"
#include "outputs/kafka_url.hpp"

using namespace ikewatch;
using namespace ikewatch::outputs;

TEST(ForwardTarget, UrlsAndTheirDefaults) {
    const auto tls = forward_target::parse("tls://siem.example:6515");
    ASSERT_TRUE(tls);
    EXPECT_EQ(tls->host, "siem.example");
    EXPECT_EQ(tls->port, "6515");
    EXPECT_EQ(forward_target::parse("tcp://10.0.0.1")->port, "514");
    EXPECT_EQ(forward_target::parse("tls://10.0.0.1")->port, "6514");
    const auto hec = forward_target::parse("https://[2001:db8::1]/services/collector/event");
    ASSERT_TRUE(hec);
    EXPECT_EQ(hec->host, "2001:db8::1");
    EXPECT_EQ(hec->port, "443");
    EXPECT_EQ(hec->path, "/services/collector/event");
    EXPECT_FALSE(forward_target::parse("ftp://x"));
    EXPECT_FALSE(forward_target::parse("tcp://x:0"));
    EXPECT_FALSE(forward_target::parse("tcp://:514"));
}

TEST(ForwardTarget, TheConfigurationAcceptsExactlyWhatTheForwarderCanStart) {
    for (const char* url :
         {"udp://127.0.0.1:5514", "tcp://siem", "tls://siem:6514", "http://h:8088/x",
          "https://[::1]:8443/", "tcp://[2001:db8::1]", "tcp://siem:", "tcp://x:99999",
          "tcp://x:port", "tcp://x:0", "tcp://:514", "tcp://[::1", "tcp://[::1]x", "udp://",
          "smtp://x", "tcp:/x"}) {
        EXPECT_EQ(config::forward_url_ok(url),
                  forward_target::parse(url).has_value() && std::string_view(url) != "tcp://[::1]x")
            << url;
    }
    EXPECT_FALSE(config::forward_url_ok("tcp://x:99999"));
    EXPECT_FALSE(config::forward_url_ok("tcp://x:port"));
}

TEST(Forwarder, HttpAlwaysSendsJson) {
    forwarder_settings s;
    s.url = "http://127.0.0.1:8088/services/collector/event";
    s.format = siem_format::cef;
    const forwarder f(s, {});
    EXPECT_EQ(f.settings().format, siem_format::json);
    s.url = "tcp://127.0.0.1:514";
    EXPECT_EQ(forwarder(s, {}).settings().format, siem_format::cef);
}

TEST(ForwarderConfig, HttpForwardersSendJson) {
    const auto ok = config::parse_config(R"(listen: {udp: ["127.0.0.1:5514"]}
forwarders:
  - {url: "https://siem:8088/services/collector/event", token: abc}
  - {url: "tls://siem:6514", format: cef, min_severity: high, codes: [psk-mismatch]}
)",
                                         "f.yaml");
    ASSERT_TRUE(ok.ok()) << (ok.problems.empty() ? "" : ok.problems[0].to_string());
    ASSERT_EQ(ok.config.forwarders.size(), 2u);
    EXPECT_EQ(ok.config.forwarders[0].format, siem_format::json);
    EXPECT_EQ(ok.config.forwarders[0].name, "https://siem:8088/services/collector/event");
    EXPECT_EQ(ok.config.forwarders[1].format, siem_format::cef);
    EXPECT_EQ(ok.config.forwarders[1].codes, std::vector<std::string>{"psk-mismatch"});

    const auto bad = config::parse_config(R"(listen: {udp: ["127.0.0.1:5514"]}
forwarders:
  - url: "http://siem:8088/"
    format: leef
  - url: "tcp://siem:99999"
)",
                                          "f.yaml");
    ASSERT_EQ(bad.problems.size(), 2u);
    EXPECT_EQ(bad.problems[0].to_string(),
              "f.yaml:4:13: bad-value: an http(s) forwarder sends JSON: format must be json (or "
              "left out)");
    EXPECT_EQ(bad.problems[1].code, "bad-address");
    EXPECT_EQ(bad.problems[1].line, 5);
}

TEST(ForwarderConfig, EachForwarderHasItsOwnNameAndSpool) {
    // The name defaults to the URL: two formats to one collector need names of their own, or
    // they would share a spool directory (replaying each other's records) and metric series.
    const auto r = config::parse_config(R"(listen: {udp: ["127.0.0.1:5514"]}
forwarders:
  - {url: "tcp://siem:514", format: cef}
  - {url: "tcp://siem:514", format: json}
  - {name: "siem-cef", url: "tcp://siem:514", format: cef}
  - {name: "siem_cef", url: "tcp://siem:514", format: json}
  - {name: "siem json", url: "tcp://siem:514", format: json}
)",
                                        "f.yaml");
    ASSERT_EQ(r.problems.size(), 2u);
    EXPECT_EQ(r.problems[0].to_string(),
              "f.yaml:4:5: duplicate-name: forwarder 'tcp://siem:514' has the name (or the spool "
              "directory) of forwarder 'tcp://siem:514': give each forwarder its own 'name'");
    EXPECT_EQ(r.problems[1].line, 6);
    EXPECT_EQ(config::spool_dir_name("tls://siem.example:6514"), "tls___siem_example_6514");
}

TEST(ForwarderConfig, TimeoutBoundsEachAttempt) {
    const auto r = config::parse_config(R"(forwarders:
  - {url: "tcp://siem:514", timeout: 2s}
  - {url: "udp://siem:514"}
  - {url: "tls://siem:6514", timeout: never}
)",
                                        "f.yaml");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].to_string(),
              "f.yaml:4:39: bad-duration: 'never' is not a duration (a whole number with ms, s, "
              "m, h or d)");
    EXPECT_EQ(r.config.forwarders[0].connect_timeout, 2 * micros_per_second);
    EXPECT_EQ(r.config.forwarders[1].connect_timeout, 5 * micros_per_second);
}

TEST(KafkaUrl, BrokersGetTheirDefaultPortAndTheTopicIsKafkas) {
    const auto one = outputs::kafka_url::parse("kafka://k1/alerts");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->brokers, "k1:9092");
    EXPECT_EQ(one->topic, "alerts");
    const auto three =
        outputs::kafka_url::parse("kafka://10.0.0.1:9093,k2,[2001:db8::1]:9094/a.b-c_d");
    ASSERT_TRUE(three);
    EXPECT_EQ(three->brokers, "10.0.0.1:9093,k2:9092,[2001:db8::1]:9094");
    EXPECT_EQ(three->topic, "a.b-c_d");
    for (const char* bad :
         {"kafka://k1", "kafka://k1/", "kafka:///alerts", "kafka://k1,/alerts", "kafka://k1:0/a",
          "kafka://k1:99999/a", "kafka://k1:/a", "kafka://[::1/a", "kafka://k1/a/b",
          "kafka://k1/with space", "kafka://k1/..", "tcp://k1/alerts", "kafka://u@k1/a"}) {
        EXPECT_FALSE(outputs::kafka_url::parse(bad)) << bad;
    }
    EXPECT_FALSE(outputs::kafka_topic_ok(std::string(250, 'a')));
    EXPECT_TRUE(outputs::kafka_topic_ok(std::string(249, 'a')));
}

TEST(KafkaUrl, TheConfigurationAcceptsExactlyWhatTheForwarderCanStart) {
    for (const char* url : {"kafka://k1:9092,k2:9092/alerts", "kafka://k1/alerts", "kafka://k1",
                            "kafka://k1:x/alerts", "kafka://,/alerts"}) {
        EXPECT_EQ(config::forward_url_ok(url), forward_target::parse(url).has_value()) << url;
    }
    const auto t = forward_target::parse("kafka://k1,k2:9093/alerts");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->scheme, outputs::forward_scheme::kafka);
    EXPECT_EQ(t->host, "k1:9092,k2:9093");
    EXPECT_EQ(t->path, "alerts");
}

TEST(KafkaProperties, LibrdkafkaJudgesThem) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "librdkafka's threads (C11 thrd_create) crash under ThreadSanitizer";
#endif
    std::string error;
    EXPECT_TRUE(
        outputs::kafka_properties_ok({{"acks", "all"}, {"compression.type", "lz4"}}, false, error))
        << error;
    EXPECT_FALSE(outputs::kafka_properties_ok({{"no.such.property", "1"}}, false, error));
    EXPECT_NE(error.find("no.such.property"), std::string::npos) << error;
    EXPECT_FALSE(outputs::kafka_properties_ok({{"acks", "sometimes"}}, false, error));
    EXPECT_TRUE(outputs::kafka_properties_ok({{"group.id", "g"}}, true, error)) << error;
}
