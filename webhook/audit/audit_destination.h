#pragma once
// One place audit lines go (the file, stdout), in arrival order, never blocking a caller. When
// the destination takes the whole line at once (the normal case) the caller has written it
// itself, as a plain write(2). When it cannot (stdout is a pipe to the container runtime, and
// its reader has stopped), the rest of the line waits in a bounded queue that the destination's
// writer thread writes as room appears; the caller waits for it only up to a deadline. A full
// queue drops the line, and a line the sink fails to take is lost: each with a count and a log
// line when the trouble starts and ends, never silently.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "webhook/audit/audit_sink.h"
#include "webhook/common/metrics.h"

namespace meshward::audit {

// How one caller's line fared by its deadline, from best to worst.
enum class LineOutcome { Written, Queued, Failed, Dropped };

class AuditDestination {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kDrainOnClose{5000};

  // The line's ticket and how it fared at once; Queued means "ask await()".
  struct Submission {
    std::uint64_t ticket = 0;
    LineOutcome outcome = LineOutcome::Dropped;
  };

  // `name` labels the metrics ("file", "stdout"); `metrics` may be null.
  AuditDestination(std::string name, std::unique_ptr<AuditSink> sink, std::size_t max_queued, Metrics* metrics,
                   std::chrono::milliseconds close_timeout = kDrainOnClose);
  // Waits up to `close_timeout` for the queue to be written; what is left is counted as dropped.
  ~AuditDestination();

  AuditDestination(const AuditDestination&) = delete;
  AuditDestination& operator=(const AuditDestination&) = delete;

  // Writes the line if the destination takes it now, else queues a copy of what is left of it
  // (or drops it when the queue is full).
  Submission submit(std::string_view line);
  // Waits until a queued line is written or `deadline` passes. While the destination is stalled
  // (an earlier wait ran out and nothing has been written since) it does not wait.
  LineOutcome await(const Submission& submission, Clock::time_point deadline);
  // Waits until everything queued so far is written or `deadline` passes; true when it was.
  bool drain(Clock::time_point deadline);
  // drain(), then makes the written lines durable.
  void flush(Clock::time_point deadline);

  const std::string& name() const { return name_; }
  std::size_t backlog() const;
  std::uint64_t dropped() const;

 private:
  struct State;
  void run();

  std::string name_;
  std::chrono::milliseconds close_timeout_;
  std::unique_ptr<State> state_;
  std::thread thread_;  // last: starts after everything it reads is initialised
};

}  // namespace meshward::audit
