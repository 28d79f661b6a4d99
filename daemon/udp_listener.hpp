#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
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
///
/// Under a steady stream the listener does not wait for readiness after each short batch: when a
/// read found several datagrams, it reads again a little later (`gather_for`) and lets the socket
/// collect the next ones meanwhile. Fewer, fuller batches cost fewer wake-ups and system calls
/// per datagram; a datagram waits at most `gather_delay` longer. A read that finds one datagram
/// or none goes back to the readiness wait, so a quiet socket costs nothing. The socket is on
/// the event loop's watch list only during that wait: watched while gathering, every datagram
/// would wake the loop for nothing.
class udp_listener {
  public:
    udp_listener(boost::asio::io_context& io, const config::endpoint& at,
                 std::size_t receive_buffer, std::size_t max_message, message_handler handler,
                 counters& stats);
    ~udp_listener();
    udp_listener(const udp_listener&) = delete;
    udp_listener& operator=(const udp_listener&) = delete;

    void start();
    /// Reads whatever is already queued on the socket, then closes it (shutdown).
    void drain_and_close();
    /// From the event loop, between reads (SIGHUP): the new longest message.
    void set_max_message(std::size_t max_message);
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::size_t receive_buffer() const;
    /// Adds the datagrams the kernel dropped since the last call to the counters.
    void count_kernel_drops();

    static constexpr std::chrono::microseconds gather_delay{1000};
    /// How long to let the socket fill before the next read, after a read that found `datagrams`
    /// datagrams of `bytes` bytes in all, `since` after the read before it: zero (wait for
    /// readiness) for one datagram or none; else `gather_delay`, shortened so that at the rate
    /// just seen at most an eighth of the receive buffer (`rcvbuf`, as the kernel reports it)
    /// fills meanwhile.
    [[nodiscard]] static std::chrono::microseconds gather_for(std::size_t datagrams,
                                                              std::size_t bytes,
                                                              std::chrono::nanoseconds since,
                                                              std::size_t rcvbuf) noexcept;

  private:
    struct reading {
        std::size_t datagrams = 0;
        std::size_t bytes = 0;
        bool more = false;  // the last batch was full: the socket may hold more
    };
    void wait();
    void gather(std::chrono::microseconds delay);
    void read();
    // Reads up to `max_batches` batches.
    reading read_batches(int max_batches);

    int fd_ = -1;                                  // the socket, owned here
    boost::asio::posix::stream_descriptor watch_;  // holds fd_ while waiting for readiness
    boost::asio::steady_timer gather_timer_;
    std::size_t max_message_ = 0;
    message_handler handler_;
    counters& stats_;
    std::vector<char> buffers_;
    std::size_t rcvbuf_ = 0;  // the receive buffer's size as the kernel counts it
    std::chrono::steady_clock::time_point last_read_;
    std::uint32_t kernel_drops_ = 0;  // the socket's drop count as last read (wraps)
    bool closed_ = false;
};

}  // namespace ikewatch::daemon
