#include "webhook/server/connection_watchdog.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace meshward::server {
namespace {

constexpr auto kMinCheckInterval = std::chrono::milliseconds(5);
constexpr auto kMaxCheckInterval = std::chrono::milliseconds(1000);
constexpr auto kWarningInterval = std::chrono::seconds(10);

}  // namespace

struct ConnectionWatchdog::Registration {
  ConnectionWatchdog* owner;
  std::uint64_t id;
};

ConnectionWatchdog::ConnectionWatchdog(std::chrono::milliseconds budget, Metrics& metrics, Clock clock)
    : budget_(budget),
      metrics_(metrics),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      thread_([this] { run(); }) {}

ConnectionWatchdog::~ConnectionWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int ConnectionWatchdog::sslIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &ConnectionWatchdog::onSslFree);
  return index;
}

int ConnectionWatchdog::contextIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void ConnectionWatchdog::attachTo(SSL_CTX& context) {
  sslIndex();
  SSL_CTX_set_ex_data(&context, contextIndex(), this);
  SSL_CTX_set_info_callback(&context, &ConnectionWatchdog::onInfo);
}

void ConnectionWatchdog::onInfo(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0 || SSL_get_ex_data(ssl, sslIndex()) != nullptr) {
    return;
  }
  auto* watchdog = static_cast<ConnectionWatchdog*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), contextIndex()));
  if (watchdog == nullptr) {
    return;
  }
  try {
    // OpenSSL hands info callbacks a const SSL; registering only attaches ex_data to it.
    watchdog->registerConnection(const_cast<SSL*>(ssl));
  } catch (const std::exception& error) {
    // Nothing may unwind through OpenSSL; the connection then goes unwatched.
    spdlog::warn("connection watchdog: cannot register a connection: {}", error.what());
  }
}

void ConnectionWatchdog::registerConnection(SSL* ssl) {
  const int fd = SSL_get_fd(ssl);
  if (fd < 0) {
    return;
  }
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    ++registered_;
    connections_.emplace(id, Connection{fd, clock_(), false, false});
  }
  auto* registration = new Registration{this, id};
  if (SSL_set_ex_data(ssl, sslIndex(), registration) != 1) {
    delete registration;
    forget(id);
  }
}

void ConnectionWatchdog::onSslFree(void* /*parent*/, void* data, CRYPTO_EX_DATA* /*ex_data*/, int /*index*/,
                                   long /*argl*/, void* /*argp*/) {
  auto* registration = static_cast<Registration*>(data);
  if (registration == nullptr) {
    return;
  }
  registration->owner->forget(registration->id);
  delete registration;
}

void ConnectionWatchdog::forget(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

ConnectionWatchdog::Registration* ConnectionWatchdog::registrationOf(const SSL* ssl) const {
  if (ssl == nullptr) {
    return nullptr;
  }
  auto* registration = static_cast<Registration*>(SSL_get_ex_data(ssl, sslIndex()));
  return registration != nullptr && registration->owner == this ? registration : nullptr;
}

void ConnectionWatchdog::requestStarted(const SSL* ssl) { markBusy(ssl, true); }

void ConnectionWatchdog::requestFinished(const SSL* ssl) { markBusy(ssl, false); }

void ConnectionWatchdog::markBusy(const SSL* ssl, bool busy) {
  Registration* registration = registrationOf(ssl);
  if (registration == nullptr) {
    return;
  }
  std::lock_guard lock(mutex_);
  auto found = connections_.find(registration->id);
  if (found == connections_.end()) {
    return;
  }
  found->second.busy = busy;
  if (!busy) {
    found->second.since = clock_();
  }
}

std::size_t ConnectionWatchdog::closeQuietConnections(std::chrono::milliseconds quiet_for) {
  const auto now = clock_();
  std::size_t remaining = 0;
  std::lock_guard lock(mutex_);
  for (auto& [id, connection] : connections_) {
    if (connection.shut_down) {
      continue;
    }
    int waiting_bytes = 0;
    const bool quiet = !connection.busy && now - connection.since >= quiet_for &&
                       ::ioctl(connection.fd, FIONREAD, &waiting_bytes) == 0 && waiting_bytes == 0;
    if (!quiet) {
      ++remaining;
      continue;
    }
    // Reading side only: cpp-httplib checks that a socket is alive before each write by peeking
    // at it, so a connection must never be shut down while a response may still be written.
    ::shutdown(connection.fd, SHUT_RD);
    connection.shut_down = true;
  }
  return remaining;
}

std::size_t ConnectionWatchdog::openConnections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::uint64_t ConnectionWatchdog::connectionsRegistered() const {
  std::lock_guard lock(mutex_);
  return registered_;
}

std::uint64_t ConnectionWatchdog::connectionsTimedOut() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

std::uint64_t ConnectionWatchdog::checks() const {
  std::lock_guard lock(mutex_);
  return checks_;
}

void ConnectionWatchdog::shutDownLocked(Connection& connection) {
  if (!connection.shut_down) {
    ::shutdown(connection.fd, SHUT_RDWR);
    connection.shut_down = true;
  }
}

void ConnectionWatchdog::run() {
  const auto interval = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(budget_ / 4),
                                   std::chrono::milliseconds(kMinCheckInterval), kMaxCheckInterval);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    const auto now = clock_();
    ++checks_;
    std::uint64_t newly_timed_out = 0;
    for (auto& [id, connection] : connections_) {
      if (!connection.shut_down && now - connection.since > budget_) {
        shutDownLocked(connection);
        ++newly_timed_out;
      }
    }
    if (newly_timed_out == 0) {
      continue;
    }
    timed_out_ += newly_timed_out;
    for (std::uint64_t i = 0; i < newly_timed_out; ++i) {
      metrics_.recordConnectionTimedOut();
    }
    if (!last_warning_ || now - *last_warning_ >= kWarningInterval) {
      last_warning_ = now;
      spdlog::warn("closed {} connection(s) that did not complete a request within {} ms ({} so far)",
                   newly_timed_out, budget_.count(), timed_out_);
    }
  }
}

}  // namespace meshward::server
