#pragma once

#include <string>
#include <vector>

namespace ikewatch::outputs {

/// One kind of connection to a collector (forwarder.cpp, kafka_transport.cpp). Used only from
/// the forwarder's thread.
class transport {
  public:
    virtual ~transport() = default;
    virtual bool connect(std::string& error) = 0;
    /// Sends `records` in order; false with `error` when not all of them went out.
    virtual bool send(const std::vector<std::string>& records, std::string& error) = 0;
    virtual void close() = 0;
    [[nodiscard]] virtual bool connected() const = 0;
    [[nodiscard]] virtual bool healthy() = 0;
    /// True when a successful send means the collector has the records (HTTP, Kafka).
    [[nodiscard]] virtual bool acknowledges() const { return false; }
};

}  // namespace ikewatch::outputs
