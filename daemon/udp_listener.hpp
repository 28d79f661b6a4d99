#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <memory>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/ingest.hpp"
#include "daemon/metrics.hpp"

namespace ikewatch::daemon {

/// One UDP syslog socket. The first datagram after a wait is received through the event loop,
/// those queued behind it in batches (`recvmmsg`, up to 64 per call), each handed over whole; one
/// longer than max_message_size is cut there and counted. The receive buffer is set as configured
/// (the kernel caps it at rmem_max). Datagrams the kernel dropped because that buffer was full are
/// counted from the socket's drop count (SO_MEMINFO), read by `count_kernel_drops` (each tick and
/// each /metrics request), not from a control message on every datagram.
class udp_listener {
  public:
    udp_listener(boost::asio::io_context& io, const config::endpoint& at,
                 std::size_t receive_buffer, std::size_t max_message, message_handler handler,
                 counters& stats);

    void start();
    /// Reads whatever is already queued on the socket, then closes it (shutdown).
    void drain_and_close();
    /// From the event loop, between reads (SIGHUP): the new longest message.
    void set_max_message(std::size_t max_message);
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::size_t receive_buffer() const;
    /// Adds the datagrams the kernel dropped since the last call to the counters.
    void count_kernel_drops();

  private:
    void wait();
    // Reads up to `max_batches` batches, the first stamped `first`; false when the socket has
    // nothing more.
    bool read_batches(int max_batches, const arrival& first);
    // Counts one datagram of `len` bytes (its real length), cuts it to max_message_ when longer,
    // and hands it over.
    void deliver(const char* data, std::size_t len, const ip_address& sender, const arrival& at);

    boost::asio::ip::udp::socket socket_;
    std::size_t max_message_ = 0;
    message_handler handler_;
    counters& stats_;
    std::vector<char> buffers_;
    // The datagram that wakes the listener: room for the longest UDP payload, so that a new
    // max_message_ (SIGHUP) never resizes a buffer a receive is pending on.
    std::array<char, 65536> first_{};
    boost::asio::ip::udp::endpoint first_from_;
    std::uint32_t kernel_drops_ = 0;  // the socket's drop count as last read (wraps)
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
