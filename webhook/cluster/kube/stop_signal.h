#pragma once
// A stop request shared by the threads that talk to the API server: it ends their waits on a
// condition and, through an eventfd that turns readable, their waits on a socket, so shutting
// down never has to sit out a network timeout.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace meshward::cluster::kube {

class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Idempotent, from any thread.
  void request();
  bool requested() const { return requested_.load(); }

  // Waits up to `duration`; true when a stop was requested (at once or during the wait).
  bool waitFor(std::chrono::milliseconds duration) const;

  // A descriptor that is readable once a stop is requested, for poll(); -1 if none could be made
  // (then socket waits poll in short slices and check requested()).
  int descriptor() const { return event_fd_; }

 private:
  std::atomic<bool> requested_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  int event_fd_ = -1;
};

}  // namespace meshward::cluster::kube
