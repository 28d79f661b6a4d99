#pragma once

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "outputs/forward_transport.hpp"
#include "outputs/forwarder_settings.hpp"
#include "outputs/kafka_url.hpp"

namespace ikewatch::outputs {

/// A forwarder's connection to Kafka: one librdkafka producer. Each alert (its JSON) is one
/// record keyed by its `alert.id`, so one alert's raise and resolve land on one partition in
/// order. A send returns true only when the brokers acknowledged every record (librdkafka's
/// delivery reports); records not acknowledged within `message.timeout.ms` (the forwarder's
/// `timeout` unless the properties say otherwise) are purged from the producer and the send
/// fails, so they are sent again from the spool, under the same key. `settings` must outlive
/// the transport.
[[nodiscard]] std::unique_ptr<transport> make_kafka_transport(kafka_url target,
                                                              const forwarder_settings& settings);

/// Sets one librdkafka property; false with `kafka property NAME: librdkafka's message` in
/// `error` when it refuses it.
[[nodiscard]] bool set_kafka_property(rd_kafka_conf_t* conf, const std::string& name,
                                      const std::string& value, std::string& error);

/// Checks librdkafka properties as the producer (`consumer` false) or the consumer would take
/// them; false with librdkafka's message in `error` for the first it refuses.
[[nodiscard]] bool kafka_properties_ok(const std::map<std::string, std::string>& properties,
                                       bool consumer, std::string& error);

}  // namespace ikewatch::outputs
