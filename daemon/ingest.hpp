#pragma once

#include <functional>
#include <string_view>

#include "common/ip_address.hpp"

namespace ikewatch::daemon {

enum class transport : std::uint8_t { udp, tcp, tls };

/// Where listeners hand each message: its bytes (valid only during the call), the sender's
/// address, and how it came. The receiver applies the sender policy and runs the pipeline.
using message_handler =
    std::function<void(std::string_view message, const ip_address& sender, transport how)>;

/// The address of a socket peer, from the sockaddr the kernel filled in.
[[nodiscard]] ip_address from_sockaddr(const void* sa, unsigned len) noexcept;

}  // namespace ikewatch::daemon
