#pragma once
// Bounds the whole life of every connection accepted on one local port, for a listener whose
// accepted sockets the HTTP library never shows (cpp-httplib's plain Server, used for /metrics):
// a client sending one byte a second would otherwise hold one of its few workers for as long as
// it likes. A thread looks at the process's sockets on that port a few times a second and shuts
// down (SHUT_RDWR, so the worker sees end-of-stream and closes it) each one older than `budget`.
// Sockets are told apart by inode, so a descriptor number closed and reused is a new connection.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "webhook/common/metrics.h"

namespace meshward::server {

class PortConnectionDeadline {
 public:
  PortConnectionDeadline(std::chrono::milliseconds budget, Metrics& metrics);
  ~PortConnectionDeadline();
  PortConnectionDeadline(const PortConnectionDeadline&) = delete;
  PortConnectionDeadline& operator=(const PortConnectionDeadline&) = delete;

  // Starts watching the connections accepted on `port` (once the listener is bound).
  void watch(int port);

  std::uint64_t connectionsTimedOut() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    Clock::time_point first_seen;
    bool shut_down = false;
  };

  void run(int port);
  void scan(int port);

  const std::chrono::milliseconds budget_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t timed_out_ = 0;
  std::map<ino_t, Connection> connections_;  // by socket inode; only the watcher thread touches it
  std::thread thread_;
};

}  // namespace meshward::server
