#include "webhook/server/background_listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace meshward::server {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);

}  // namespace

BackgroundListener::BackgroundListener(httplib::Server& server, std::function<void()> on_unexpected_exit)
    : server_(server), on_unexpected_exit_(std::move(on_unexpected_exit)) {}

BackgroundListener::~BackgroundListener() { stop(); }

Result<int> BackgroundListener::start(const ListenAddress& address) {
  // A peer that closes early makes the next write raise SIGPIPE, which would end the process;
  // cpp-httplib (and OpenSSL's socket BIO) write without MSG_NOSIGNAL, so the signal is ignored.
  std::signal(SIGPIPE, SIG_IGN);
  // cpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed when Debian compiled
  // it): a burst of connections, as after an API server restart, overflows it and clients wait
  // for SYN retransmits. The options callback sees the socket it binds; listen() on it again
  // raises the backlog (Linux takes the new value, capped by net.core.somaxconn).
  socket_t bound = INVALID_SOCKET;
  server_.set_socket_options([&bound](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    bound = socket;
  });
  errno = 0;
  int port = address.port;
  if (port == 0) {
    port = server_.bind_to_any_port(address.host);
  } else if (!server_.bind_to_port(address.host, port)) {
    port = -1;
  }
  if (port < 0) {
    const std::string reason = errno != 0 ? std::strerror(errno) : "address unusable";
    return Error{"cannot listen on " + address.text() + ": " + reason};
  }
  if (bound == INVALID_SOCKET || ::listen(bound, kListenBacklog) != 0) {
    const std::string reason = std::strerror(errno);
    if (bound != INVALID_SOCKET) {
      ::close(bound);
    }
    return Error{"cannot raise the listen backlog on " + address.text() + ": " + reason};
  }
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    finished_.store(true);
    if (!stopping_.load() && on_unexpected_exit_) {
      on_unexpected_exit_();
    }
  });
  // listen_after_bind() marks the server running first thing; stop() before that would be lost.
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!server_.is_running() && !finished_.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_.is_running()) {
    stop();
    return Error{"listener on " + address.text() + " did not start"};
  }
  return port;
}

void BackgroundListener::stopAccepting() {
  if (thread_.joinable() && !stopping_.exchange(true)) {
    server_.stop();
  }
}

void BackgroundListener::stop() {
  stopAccepting();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace meshward::server
