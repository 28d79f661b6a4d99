#include "daemon/udp_listener.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <cerrno>
#include <cstring>

#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
    : socket_(io), handler_(std::move(handler)), stats_(stats) {
    const boost::asio::ip::udp::endpoint ep(boost::asio::ip::make_address(at.address), at.port);
    socket_.open(ep.protocol());
    socket_.set_option(boost::asio::socket_base::reuse_address(true));
    socket_.set_option(
        boost::asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)));
    socket_.bind(ep);
    socket_.non_blocking(true);
    set_max_message(max_message);
}

void udp_listener::set_max_message(std::size_t max_message) {
    max_message_ = max_message;
    // One slot per message of the batch, one byte more than allowed to see truncation.
    buffers_.resize(batch * (max_message_ + 1));
}

std::uint16_t udp_listener::port() const {
    return socket_.local_endpoint().port();
}

void udp_listener::count_kernel_drops() {
    if (closed_) {
        return;
    }
    std::array<std::uint32_t, SK_MEMINFO_VARS> info{};
    socklen_t size = sizeof info;
    if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_MEMINFO, info.data(), &size) != 0 ||
        size < sizeof(std::uint32_t) * (SK_MEMINFO_DROPS + 1)) {
        return;
    }
    // The kernel's count is 32 bits and wraps; the difference is right across a wrap.
    const std::uint32_t drops = info[SK_MEMINFO_DROPS];
    stats_.udp_kernel_drops += static_cast<std::uint32_t>(drops - kernel_drops_);
    kernel_drops_ = drops;
}

std::size_t udp_listener::receive_buffer() const {
    boost::asio::socket_base::receive_buffer_size size;
    const_cast<boost::asio::ip::udp::socket&>(socket_).get_option(size);
    return static_cast<std::size_t>(size.value());
}

void udp_listener::start() {
    wait();
}

void udp_listener::wait() {
    socket_.async_wait(boost::asio::ip::udp::socket::wait_read,
                       [this](const boost::system::error_code& ec) {
                           if (ec || closed_) {
                               return;
                           }
                           // Stay fair to the other sockets and timers: a few batches, then
                           // back to the event loop.
                           if (read_batches(16)) {
                               boost::asio::post(socket_.get_executor(), [this] {
                                   if (!closed_) {
                                       wait();
                                   }
                               });
                           } else {
                               wait();
                           }
                       });
}

bool udp_listener::read_batches(int max_batches) {
    std::array<mmsghdr, batch> msgs{};
    std::array<iovec, batch> iov{};
    std::array<sockaddr_storage, batch> from{};
    const int fd = socket_.native_handle();
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
            return false;
        }
        // The clocks are read once per batch: its datagrams were all waiting in the socket.
        arrival at = arrival::now({}, transport::udp);
        for (int i = 0; i < n; ++i) {
            const mmsghdr& m = msgs[static_cast<std::size_t>(i)];
            std::size_t len = m.msg_len;
            ++stats_.udp_datagrams;
            stats_.udp_bytes += len;
            if (len > max_message_) {
                ++stats_.udp_truncated;
                len = max_message_;
            }
            at.sender = from_sockaddr(m.msg_hdr.msg_name, m.msg_hdr.msg_namelen);
            handler_(std::string_view(static_cast<const char*>(m.msg_hdr.msg_iov->iov_base), len),
                     at);
        }
        if (static_cast<std::size_t>(n) < batch) {
            return false;
        }
    }
    return true;
}

void udp_listener::drain_and_close() {
    if (closed_) {
        return;
    }
    while (read_batches(1024)) {
    }
    count_kernel_drops();
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

}  // namespace ikewatch::daemon
