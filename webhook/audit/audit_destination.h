#pragma once
// One place audit lines go (the file, stdout), written by its own thread in arrival order. A
// destination that stops taking data (stdout is a pipe to the container runtime) holds up only
// its bounded queue: callers wait for their line up to a deadline and then go on, the line
// stays queued, and a full queue drops the line with a count and a log line, never silently.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "webhook/common/metrics.h"

namespace meshward::audit {

using AuditLine = std::shared_ptr<const std::string>;

// How one caller's line fared by its deadline.
enum class LineOutcome { Written, Failed, Queued, Dropped };

class AuditDestination {
 public:
  // Writes whole lines in order; false when they could not be written (they are lost).
  using Writer = std::function<bool(std::span<const AuditLine> lines)>;

  static constexpr std::chrono::milliseconds kDrainOnClose{5000};

  // `name` labels the metrics ("file", "stdout"); `metrics` may be null.
  AuditDestination(std::string name, Writer writer, std::size_t max_queued, Metrics* metrics,
                   std::chrono::milliseconds close_timeout = kDrainOnClose);
  // Waits up to `close_timeout` for the queue to be written; what is left is counted as dropped.
  ~AuditDestination();

  AuditDestination(const AuditDestination&) = delete;
  AuditDestination& operator=(const AuditDestination&) = delete;

  using Clock = std::chrono::steady_clock;

  // Queues the line; 0 when the queue is full (the line is dropped, counted and logged).
  std::uint64_t enqueue(const AuditLine& line);
  // Waits until the line of `ticket` is written or `deadline` passes. While the destination is
  // stalled (an earlier wait ran out and nothing has been written since) it does not wait.
  LineOutcome await(std::uint64_t ticket, Clock::time_point deadline);
  // Waits until everything queued so far is written or `deadline` passes; true when it was.
  bool drain(Clock::time_point deadline);

  std::size_t backlog() const;
  std::uint64_t dropped() const;
  const std::string& name() const { return name_; }

 private:
  struct State;
  static void run(const std::shared_ptr<State>& state);

  std::string name_;
  std::chrono::milliseconds close_timeout_;
  std::shared_ptr<State> state_;
  std::thread thread_;  // shared with the writer thread, which may outlive a stalled close
};

}  // namespace meshward::audit
