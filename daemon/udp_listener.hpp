#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <memory>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/ingest.hpp"
#include "daemon/metrics.hpp"

namespace ikewatch::daemon {

/// One UDP syslog socket. Datagrams are read in batches (`recvmmsg`, up to 64 per call) whenever
/// the socket is readable, each handed over whole; one longer than max_message_size is cut there
/// and counted. The receive buffer is set as configured (the kernel caps it at rmem_max).
/// Datagrams the kernel dropped because that buffer was full are counted from the socket's drop
/// count (SO_MEMINFO), read by `count_kernel_drops` (each tick and each /metrics request), not
/// from a control message on every datagram.
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
    // Reads up to `max_batches` batches; false when the socket has nothing more.
    bool read_batches(int max_batches);

    boost::asio::ip::udp::socket socket_;
    std::size_t max_message_ = 0;
    message_handler handler_;
    counters& stats_;
    std::vector<char> buffers_;
    std::uint32_t kernel_drops_ = 0;  // the socket's drop count as last read (wraps)
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
