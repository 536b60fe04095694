#pragma once
// SIGTERM and SIGINT for `meshward serve`: blocked in every thread (construct this before any
// thread starts, so threads inherit the mask) and received by the thread that calls wait(),
// where shutdown runs as ordinary code rather than in a signal handler.

#include <pthread.h>
#include <signal.h>

namespace meshward::server {

class TerminationSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread.
  TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // Waits for SIGTERM or SIGINT; returns the signal number.
  int wait();

  // From any thread: makes wait() (in the constructing thread) return SIGTERM.
  void interrupt();

 private:
  sigset_t signals_;
  pthread_t owner_;
};

}  // namespace meshward::server
