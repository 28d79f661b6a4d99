#pragma once

#include <string>

#include <librdkafka/rdkafka.h>

namespace ikewatch::daemon {

/// Sets one librdkafka property; false with `kafka property NAME: librdkafka's reason` in
/// `error` when librdkafka refuses it.
[[nodiscard]] bool set_kafka_property(rd_kafka_conf_t* conf, const std::string& name,
                                      const std::string& value, std::string& error);

}  // namespace ikewatch::daemon
