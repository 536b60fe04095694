#pragma once
// Bounds the whole time a TLS connection may take to deliver a request. cpp-httplib's read
// timeout applies to each recv(), so a client sending one byte a second would hold a worker
// forever (slowloris). Every connection is registered when its handshake starts; one that has
// not finished a request within `budget` of its handshake or of its last response is shut down.
//
// Registration lives in the SSL object's ex_data and ends in its free callback, which runs in
// SSL_free; cpp-httplib frees the SSL before it closes the socket, so the watchdog never shuts
// down a descriptor that has been closed and reused.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <openssl/ssl.h>

#include "webhook/common/metrics.h"

namespace meshward::server {

class ConnectionWatchdog {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // What the watchdog measures time with: steady_clock by default; tests move it forward.
  using Clock = std::function<TimePoint()>;

  ConnectionWatchdog(std::chrono::milliseconds budget, Metrics& metrics, Clock clock = {});
  ~ConnectionWatchdog();
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

  // Registers every connection of `context` at handshake start. The watchdog must outlive the
  // context's connections (declare it before the server that owns the context).
  void attachTo(SSL_CTX& context);

  // From request handlers (req.ssl); a null or foreign SSL is ignored.
  void requestStarted(const SSL* ssl);
  void requestFinished(const SSL* ssl);

  // Used while the server stops, so idle keep-alive connections do not hold up the shutdown:
  // shuts down the reading side of every connection that has been between requests for at
  // least `quiet_for` (its last response is written) and has no request bytes waiting. Such a
  // connection's worker sees end-of-stream and closes it. Returns how many connections are
  // still open and not shut down (busy, recently answered, or with a request waiting).
  std::size_t closeQuietConnections(std::chrono::milliseconds quiet_for);

  std::size_t openConnections() const;
  std::uint64_t connectionsRegistered() const;
  std::uint64_t connectionsTimedOut() const;
  // How many times the watchdog has looked at the open connections (tests wait on it).
  std::uint64_t checks() const;

 private:
  struct Connection {
    int fd = -1;
    TimePoint since;  // handshake start or the last response
    bool busy = false;
    bool shut_down = false;
  };
  struct Registration;

  void markBusy(const SSL* ssl, bool busy);
  static void onInfo(const SSL* ssl, int where, int ret);
  static void onSslFree(void* parent, void* data, CRYPTO_EX_DATA* ex_data, int index, long argl, void* argp);
  static int sslIndex();
  static int contextIndex();
  Registration* registrationOf(const SSL* ssl) const;

  void registerConnection(SSL* ssl);
  void forget(std::uint64_t id);
  void run();
  void shutDownLocked(Connection& connection);

  const std::chrono::milliseconds budget_;
  Metrics& metrics_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;
  std::uint64_t registered_ = 0;
  std::uint64_t timed_out_ = 0;
  std::uint64_t checks_ = 0;
  std::optional<TimePoint> last_warning_;
  std::map<std::uint64_t, Connection> connections_;
  std::thread thread_;  // last: starts after everything it reads is initialised
};

}  // namespace meshward::server
