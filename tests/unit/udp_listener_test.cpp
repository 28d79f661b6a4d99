#include "daemon/udp_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using ikewatch::daemon::arrival;
using ikewatch::daemon::udp_listener;

// A listener on a loopback port that keeps what it is handed, and a socket that sends to it.
struct loopback {
    explicit loopback(std::size_t max_message = 2048)
        : listener(
              io, ikewatch::config::endpoint{"127.0.0.1", 0}, 1 << 20, max_message,
              [this](std::string_view m, const arrival& a) {
                  got.emplace_back(m);
                  from.push_back(a);
              },
              stats),
          to(boost::asio::ip::make_address("127.0.0.1"), listener.port()) {
        listener.start();
    }

    void send(const std::string& m) {
        out.send_to(boost::asio::buffer(m), to);
        sent.push_back(m);
    }
    // Runs the event loop until `n` messages have been handed over, or `limit` has passed.
    void receive(std::size_t n, std::chrono::seconds limit = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(5ms);
        }
    }

    boost::asio::io_context io;
    ikewatch::daemon::counters stats;
    std::vector<std::string> got;
    std::vector<arrival> from;
    udp_listener listener;
    boost::asio::ip::udp::socket out{io, boost::asio::ip::udp::v4()};
    boost::asio::ip::udp::endpoint to;
    std::vector<std::string> sent;  // by `send`
};

// The listener reads batches until one comes back short, then waits for the socket again.
// Whatever the pattern of arrivals (one at a time, a burst of several batches), every datagram
// comes through, in order.
TEST(UdpListener, TrickleBurstTrickleAllArriveInOrder) {
    loopback l;
    std::vector<std::string> sent;
    sent.reserve(530);
    for (int i = 0; i < 530; ++i) {
        sent.push_back("<166>line " + std::to_string(i));
    }
    std::thread sender([&] {
        boost::asio::io_context sio;
        boost::asio::ip::udp::socket s(sio, boost::asio::ip::udp::v4());
        for (std::size_t i = 0; i < sent.size(); ++i) {
            s.send_to(boost::asio::buffer(sent[i]), l.to);
            // Ten one by one, a burst of 500 (several batches), then ten one by one again.
            if (i < 10 || i >= 520) {
                std::this_thread::sleep_for(2ms);
            }
        }
    });
    l.receive(sent.size(), 10s);
    sender.join();
    EXPECT_EQ(l.got, sent);
    EXPECT_EQ(l.stats.udp_datagrams.load(), sent.size());
}

// A datagram alone, after the socket has been idle, is read without a second one behind it.
TEST(UdpListener, ALoneDatagramAfterIdleIsRead) {
    loopback l;
    for (std::size_t round = 0; round < 3; ++round) {
        const std::string m = "alone " + std::to_string(round);
        l.send(m);
        l.receive(round + 1);
        ASSERT_EQ(l.got.size(), round + 1);
        EXPECT_EQ(l.got.back(), m);
        l.io.run_for(20ms);  // idle: the listener is back to waiting on the socket
    }
}

// Datagrams that arrive while the listener gathers (after a read that found several) are read by
// the timer; once a read finds none, the listener waits for the socket again, and a datagram
// alone after that is read too. The first three are on the socket before the loop runs, so the
// first read finds them together.
TEST(UdpListener, GatheredStreamThenIdleThenALoneDatagram) {
    loopback l;
    for (int i = 0; i < 3; ++i) {
        l.send("first " + std::to_string(i));
    }
    l.receive(l.sent.size());
    ASSERT_EQ(l.got.size(), 3U);
    // Right after a read of three: the listener is gathering, not watching the socket.
    l.send("while gathering 0");
    l.send("while gathering 1");
    l.receive(l.sent.size());
    l.io.run_for(50ms);  // reads that find nothing: back to the readiness wait
    l.send("alone");
    l.receive(l.sent.size());
    EXPECT_EQ(l.got, l.sent);
}

TEST(UdpListener, GathersOnlyAsLongAsTheBufferHoldsTheStream) {
    using std::chrono::microseconds;
    using std::chrono::nanoseconds;
    constexpr std::size_t large = 8U << 20;
    constexpr std::size_t stock = 425984;  // what the kernel reports for rmem_max 212992
    // One datagram or none: wait for the socket.
    EXPECT_EQ(udp_listener::gather_for(0, 0, 1ms, large), microseconds{0});
    EXPECT_EQ(udp_listener::gather_for(1, 200, 1ms, large), microseconds{0});
    // A stream a large buffer holds for longer than the delay: the whole delay.
    EXPECT_EQ(udp_listener::gather_for(10, 2000, 1ms, large), udp_listener::gather_delay);
    EXPECT_EQ(udp_listener::gather_for(2, 400, 10h, large), udp_listener::gather_delay);
    // 200 k/s into the stock buffer: an eighth of it (23 short datagrams) fills in 115 us.
    EXPECT_EQ(udp_listener::gather_for(100, 20000, 500us, stock), microseconds{115});
    // 1 M/s: an eighth fills in 23 us; 3.2 M/s: in 7 us, too short to wait.
    EXPECT_EQ(udp_listener::gather_for(64, 12800, 64us, stock), microseconds{23});
    EXPECT_EQ(udp_listener::gather_for(64, 12800, 20us, stock), microseconds{0});
    // No buffer known: never wait.
    EXPECT_EQ(udp_listener::gather_for(64, 12800, 1ms, 0), microseconds{0});
}

// Too long a datagram is cut to max_message_size and counted, its whole length in the byte count;
// each is handed over with its sender and the batch's clock readings.
TEST(UdpListener, LongDatagramsAreCutAndCountedWhole) {
    constexpr std::size_t max = 600;
    loopback l(max);
    const std::string exact(max, 'e');
    const std::string longer(max + 1, 'l');
    const std::string longest(9000, 'x');
    for (const std::string* m : {&longer, &exact, &longest, &longer}) {
        l.send(*m);
    }
    l.receive(4);
    ASSERT_EQ(l.got.size(), 4U);
    EXPECT_EQ(l.got[0], longer.substr(0, max));
    EXPECT_EQ(l.got[1], exact);
    EXPECT_EQ(l.got[2], longest.substr(0, max));
    EXPECT_EQ(l.got[3], longer.substr(0, max));
    EXPECT_EQ(l.stats.udp_truncated.load(), 3U);
    EXPECT_EQ(l.stats.udp_bytes.load(), longer.size() * 2 + exact.size() + longest.size());
    for (const auto& a : l.from) {
        EXPECT_EQ(a.sender.to_string(), "127.0.0.1");
        EXPECT_EQ(a.how, ikewatch::daemon::transport::udp);
        EXPECT_GT(a.wall, 0);
        EXPECT_GT(a.steady, 0);
    }
}

}  // namespace
