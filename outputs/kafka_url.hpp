#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ikewatch::outputs {

/// Where a Kafka forwarder produces: `kafka://HOST:PORT[,HOST:PORT]…/TOPIC`.
///
///     url     = "kafka://" broker *( "," broker ) "/" topic
///     broker  = host [ ":" port ]          ; port 1-65535, default 9092; [v6]:port for IPv6
///     topic   = 1*249( ALPHA / DIGIT / "." / "_" / "-" )   ; Kafka's legal topic names
struct kafka_url {
    std::string brokers;  ///< librdkafka's bootstrap.servers: `host:port,host:port`
    std::string topic;

    /// The parts of `url`, or nullopt when it is not of the form above.
    [[nodiscard]] static std::optional<kafka_url> parse(std::string_view url);
};

/// A Kafka topic name as the brokers accept it (the `topic` rule above).
[[nodiscard]] bool kafka_topic_ok(std::string_view topic) noexcept;

/// A broker list as librdkafka takes it (`bootstrap.servers`, the `broker *("," broker)` rule
/// above), with the default port added where a broker has none; nullopt when malformed.
[[nodiscard]] std::optional<std::string> kafka_broker_list(std::string_view brokers);

}  // namespace ikewatch::outputs
