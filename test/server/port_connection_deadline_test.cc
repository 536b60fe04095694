#include "webhook/server/port_connection_deadline.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using namespace std::chrono_literals;

// A descriptor closed with its owner.
struct Socket {
  explicit Socket(int descriptor) : fd(descriptor) {}
  ~Socket() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd;
};

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

int boundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in address = loopback(port);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  return fd;
}

// Whether the peer ended the connection (end-of-stream) within `timeout`.
bool endedWithin(int fd, std::chrono::milliseconds timeout) {
  pollfd ready{fd, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) {
    return false;
  }
  char byte = 0;
  return ::recv(fd, &byte, 1, 0) == 0;
}

class PortConnectionDeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const sockaddr_in address = loopback(0);
    ASSERT_EQ(::bind(listener_.fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(listener_.fd, 8), 0);
    port_ = boundPort(listener_.fd);
  }

  Socket listener_{::socket(AF_INET, SOCK_STREAM, 0)};
  int port_ = 0;
  MetricsImpl metrics_;
};

TEST_F(PortConnectionDeadlineTest, ShutsDownAConnectionOlderThanItsBudgetAndCountsIt) {
  PortConnectionDeadline deadline(300ms, metrics_);
  deadline.watch(port_);
  Socket client(connectTo(port_));
  Socket accepted(::accept(listener_.fd, nullptr, nullptr));

  EXPECT_TRUE(endedWithin(client.fd, 5s)) << "the slow client was not cut off";
  EXPECT_EQ(deadline.connectionsTimedOut(), 1u);
  EXPECT_EQ(metrics_.connectionsTimedOut(), 1u);
}

TEST_F(PortConnectionDeadlineTest, LeavesYoungConnectionsAndTheListenerAlone) {
  PortConnectionDeadline deadline(60s, metrics_);
  deadline.watch(port_);
  Socket client(connectTo(port_));
  Socket accepted(::accept(listener_.fd, nullptr, nullptr));

  EXPECT_FALSE(endedWithin(client.fd, 1s));
  EXPECT_EQ(deadline.connectionsTimedOut(), 0u);
  Socket next(connectTo(port_));  // the listener still accepts
  Socket next_accepted(::accept(listener_.fd, nullptr, nullptr));
  EXPECT_GE(next_accepted.fd, 0);
}

TEST_F(PortConnectionDeadlineTest, EachConnectionHasItsOwnBudget) {
  PortConnectionDeadline deadline(2000ms, metrics_);
  deadline.watch(port_);
  Socket first(connectTo(port_));
  Socket first_accepted(::accept(listener_.fd, nullptr, nullptr));
  std::this_thread::sleep_for(1000ms);
  Socket second(connectTo(port_));
  Socket second_accepted(::accept(listener_.fd, nullptr, nullptr));

  EXPECT_TRUE(endedWithin(first.fd, 5s));
  EXPECT_FALSE(endedWithin(second.fd, 0ms)) << "a connection younger than the budget was cut off";
  EXPECT_TRUE(endedWithin(second.fd, 5s));
  EXPECT_EQ(deadline.connectionsTimedOut(), 2u);
}

}  // namespace
}  // namespace meshward::server
