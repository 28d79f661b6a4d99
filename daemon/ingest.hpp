#pragma once

#include <functional>
#include <string_view>

#include "common/clock.hpp"
#include "common/ip_address.hpp"

namespace ikewatch::daemon {

enum class transport : std::uint8_t { udp, tcp, tls };

/// Where a message came from and when. Listeners read the clocks once per read, not once per
/// message: a UDP batch of up to 64 datagrams shares one reading.
struct arrival {
    ip_address sender;
    transport how = transport::udp;
    micros wall = 0;    ///< UTC: the receive time the pipeline gives the record
    micros steady = 0;  ///< monotonic: for the sender's rate limit

    /// The sender and how it came, stamped with both clocks now.
    [[nodiscard]] static arrival now(const ip_address& sender, transport how) noexcept {
        return {sender, how, wall_micros(), steady_micros()};
    }
};

/// Where listeners hand each message: its bytes (valid only during the call) and its arrival.
/// The receiver applies the sender policy and runs the pipeline.
using message_handler = std::function<void(std::string_view message, const arrival& from)>;

/// The address of a socket peer, from the sockaddr the kernel filled in.
[[nodiscard]] ip_address from_sockaddr(const void* sa, unsigned len) noexcept;

}  // namespace ikewatch::daemon
