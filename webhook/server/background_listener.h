#pragma once
// Runs one cpp-httplib server's accept loop on its own thread: start() binds and returns once
// the server accepts; stop() stops accepting and returns after every worker has finished.

#include <atomic>
#include <functional>
#include <thread>

#include <httplib.h>

#include "webhook/common/result.h"
#include "webhook/server/listen_address.h"

namespace meshward::server {

// Connections the kernel queues for accept() (cpp-httplib's own is 5).
inline constexpr int kListenBacklog = 1024;

class BackgroundListener {
 public:
  // `on_unexpected_exit` runs (on the listener thread) if the accept loop ends without stop().
  explicit BackgroundListener(httplib::Server& server, std::function<void()> on_unexpected_exit = {});
  ~BackgroundListener();
  BackgroundListener(const BackgroundListener&) = delete;
  BackgroundListener& operator=(const BackgroundListener&) = delete;

  // Binds (SO_REUSEADDR, never SO_REUSEPORT: a second server on the port fails loudly), listens
  // with a backlog of kListenBacklog and starts accepting. Returns the bound port (the kernel's
  // choice for port 0).
  Result<int> start(const ListenAddress& address);

  // Closes the listening socket; workers finish what they are doing.
  void stopAccepting();
  // stopAccepting(), then waits for the accept loop and every worker to end.
  void stop();

 private:
  httplib::Server& server_;
  std::function<void()> on_unexpected_exit_;
  std::atomic<bool> finished_{false};
  std::atomic<bool> stopping_{false};  // cpp-httplib's stop() must run only once
  std::thread thread_;
};

}  // namespace meshward::server
