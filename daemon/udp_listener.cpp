#include "daemon/udp_listener.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ikewatch::daemon {

namespace {
constexpr std::size_t batch = 64;
}  // namespace

ip_address from_sockaddr(const void* sa, unsigned len) noexcept {
    ip_address a;
    const auto* base = static_cast<const sockaddr*>(sa);
    if (base->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
        const auto* in = static_cast<const sockaddr_in*>(sa);
        a.family = ip_address::family_t::v4;
        std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    } else if (base->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
        const auto* in6 = static_cast<const sockaddr_in6*>(sa);
        a.family = ip_address::family_t::v6;
        std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
    }
    return a;
}

udp_listener::udp_listener(boost::asio::io_context& io, const config::endpoint& at,
                           std::size_t receive_buffer, std::size_t max_message,
                           message_handler handler, counters& stats)
    : watch_(io), gather_timer_(io), handler_(std::move(handler)), stats_(stats) {
    const boost::asio::ip::udp::endpoint ep(boost::asio::ip::make_address(at.address), at.port);
    boost::asio::ip::udp::socket socket(io);
    socket.open(ep.protocol());
    socket.set_option(boost::asio::socket_base::reuse_address(true));
    socket.set_option(
        boost::asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)));
    socket.bind(ep);
    socket.non_blocking(true);
    fd_ = socket.release();
    rcvbuf_ = this->receive_buffer();
    set_max_message(max_message);
}

udp_listener::~udp_listener() {
    if (watch_.is_open()) {
        watch_.release();
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void udp_listener::set_max_message(std::size_t max_message) {
    max_message_ = max_message;
    // One slot per message of the batch, one byte more than allowed to see truncation.
    buffers_.resize(batch * (max_message_ + 1));
}

std::uint16_t udp_listener::port() const {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        return 0;
    }
    return a.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&a)->sin6_port)
                                   : ntohs(reinterpret_cast<const sockaddr_in*>(&a)->sin_port);
}

void udp_listener::count_kernel_drops() {
    if (closed_) {
        return;
    }
    std::array<std::uint32_t, SK_MEMINFO_VARS> info{};
    socklen_t size = sizeof info;
    if (::getsockopt(fd_, SOL_SOCKET, SO_MEMINFO, info.data(), &size) != 0 ||
        size < sizeof(std::uint32_t) * (SK_MEMINFO_DROPS + 1)) {
        return;
    }
    // The kernel's count is 32 bits and wraps; the difference is right across a wrap.
    const std::uint32_t drops = info[SK_MEMINFO_DROPS];
    stats_.udp_kernel_drops += static_cast<std::uint32_t>(drops - kernel_drops_);
    kernel_drops_ = drops;
}

std::size_t udp_listener::receive_buffer() const {
    int size = 0;
    socklen_t len = sizeof size;
    if (::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, &len) != 0) {
        return 0;
    }
    return static_cast<std::size_t>(size);
}

void udp_listener::start() {
    wait();
}

void udp_listener::wait() {
    watch_.assign(fd_);
    watch_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [this](const boost::system::error_code& ec) {
                          if (ec || closed_) {
                              return;
                          }
                          watch_.release();
                          read();
                      });
}

std::chrono::microseconds udp_listener::gather_for(std::size_t datagrams, std::size_t bytes,
                                                   std::chrono::nanoseconds since,
                                                   std::size_t rcvbuf) noexcept {
    using std::chrono::microseconds;
    if (datagrams < 2) {
        return microseconds{0};
    }
    // The kernel charges a queued datagram its length and its buffer's overhead, which is up to
    // about 2 KiB for a short one.
    constexpr std::size_t overhead = 2048;
    // An eighth of the buffer: senders send in bursts, and the timer may fire late.
    const std::size_t room = rcvbuf / 8 / (overhead + bytes / datagrams);
    // At `datagrams` per `since`, `room` datagrams arrive in since * room / datagrams. (A second
    // or more since the last read is a slow stream; the bound keeps the product in range.)
    const auto span = std::clamp<std::chrono::nanoseconds>(since, {}, std::chrono::seconds{1});
    const auto fill = std::chrono::duration_cast<microseconds>(
        span * static_cast<std::int64_t>(room) / static_cast<std::int64_t>(datagrams));
    if (fill >= gather_delay) {
        return gather_delay;
    }
    // Too short a wait to be worth a timer: the stream is too fast for the buffer to wait.
    constexpr microseconds shortest{20};
    return fill < shortest ? microseconds{0} : fill;
}

void udp_listener::gather(std::chrono::microseconds delay) {
    gather_timer_.expires_after(delay);
    gather_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !closed_) {
            read();
        }
    });
}

void udp_listener::read() {
    const auto now = std::chrono::steady_clock::now();
    const auto since = now - last_read_;
    last_read_ = now;
    // Stay fair to the other sockets and timers: a few batches, then back to the event loop.
    const reading r = read_batches(16);
    if (r.more) {
        boost::asio::post(gather_timer_.get_executor(), [this] {
            if (!closed_) {
                read();
            }
        });
    } else if (const auto delay = gather_for(r.datagrams, r.bytes, since, rcvbuf_);
               delay.count() > 0) {
        gather(delay);
    } else {
        wait();
    }
}

udp_listener::reading udp_listener::read_batches(int max_batches) {
    reading r;
    std::array<mmsghdr, batch> msgs{};
    std::array<iovec, batch> iov{};
    std::array<sockaddr_storage, batch> from{};
    const int fd = fd_;
    for (int round = 0; round < max_batches; ++round) {
        for (std::size_t i = 0; i < batch; ++i) {
            iov[i].iov_base = buffers_.data() + i * (max_message_ + 1);
            iov[i].iov_len = max_message_ + 1;
            msgs[i].msg_hdr = msghdr{};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        // MSG_TRUNC: each msg_len is the datagram's real length, also when it was cut.
        const int n = ::recvmmsg(fd, msgs.data(), batch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                ++stats_.udp_receive_errors;
            }
            return r;
        }
        r.datagrams += static_cast<std::size_t>(n);
        // The clocks are read once per batch: its datagrams were all waiting in the socket.
        arrival at = arrival::now({}, transport::udp);
        for (int i = 0; i < n; ++i) {
            const mmsghdr& m = msgs[static_cast<std::size_t>(i)];
            std::size_t len = m.msg_len;
            ++stats_.udp_datagrams;
            stats_.udp_bytes += len;
            r.bytes += len;
            if (len > max_message_) {
                ++stats_.udp_truncated;
                len = max_message_;
            }
            at.sender = from_sockaddr(m.msg_hdr.msg_name, m.msg_hdr.msg_namelen);
            handler_(std::string_view(static_cast<const char*>(m.msg_hdr.msg_iov->iov_base), len),
                     at);
        }
        if (static_cast<std::size_t>(n) < batch) {
            return r;
        }
    }
    r.more = true;
    return r;
}

void udp_listener::drain_and_close() {
    if (closed_) {
        return;
    }
    while (read_batches(1024).more) {
    }
    count_kernel_drops();
    closed_ = true;
    gather_timer_.cancel();
    if (watch_.is_open()) {
        watch_.release();  // the pending wait ends as cancelled
    }
    ::close(fd_);
    fd_ = -1;
}

}  // namespace ikewatch::daemon
