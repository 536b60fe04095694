#include "webhook/audit/audit_destination.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace meshward::audit {
namespace {

constexpr std::size_t kRememberedFailures = 64;
constexpr std::chrono::milliseconds kRoomCheckInterval{100};  // how often a stuck writer looks up

}  // namespace

struct AuditDestination::State {
  State(std::unique_ptr<AuditSink> destination, std::size_t capacity, Metrics* sink_metrics)
      : sink(std::move(destination)), max_queued(std::max<std::size_t>(capacity, 1)), metrics(sink_metrics) {}

  // --- under `mutex` ---
  std::size_t backlogLocked() const { return queue.size(); }
  void publishBacklogLocked(const std::string& name) const {
    if (metrics != nullptr) {
      metrics->setAuditBacklog(name, backlogLocked());
    }
  }
  bool failedLocked(std::uint64_t ticket) const {
    return std::any_of(failures.begin(), failures.end(), [ticket](std::uint64_t failed) { return failed == ticket; });
  }
  // The line of `ticket` is done: written whole, or lost to a failing sink (`error`: its errno).
  void finishedLocked(const std::string& name, std::uint64_t ticket, bool written, int error) {
    written_through = ticket;
    if (!written) {
      failures.push_back(ticket);
      if (failures.size() > kRememberedFailures) {
        failures.pop_front();
      }
      if (metrics != nullptr) {
        metrics->recordAuditWriteError(name);
      }
      if (failed_since_ok++ == 0) {
        spdlog::warn("audit {}: cannot write audit records ({}); decisions are still answered and each lost record "
                     "is counted (meshward_audit_write_errors_total)",
                     name, std::strerror(error));
      }
    } else if (failed_since_ok > 0) {
      spdlog::info("audit {}: writable again; {} records could not be written meanwhile", name, failed_since_ok);
      failed_since_ok = 0;
    }
  }

  const std::unique_ptr<AuditSink> sink;
  const std::size_t max_queued;
  Metrics* const metrics;

  mutable std::mutex mutex;
  std::condition_variable work;      // the writer waits for lines or for close
  std::condition_variable progress;  // callers wait for their ticket, close for the writer's exit
  // Lines not yet written whole, in ticket order. Only the writer pops, so it may read the front
  // outside the lock (a deque's push_back keeps references to its elements valid).
  std::deque<std::string> queue;
  std::size_t head_written = 0;      // bytes of queue.front() already written
  bool head_started = false;         // startLine() was called for queue.front()
  bool writer_busy = false;          // the writer thread is writing queue.front() outside the lock
  std::uint64_t next_ticket = 1;
  std::uint64_t written_through = 0;  // every ticket up to this one is done
  std::deque<std::uint64_t> failures;  // recent tickets whose write failed
  std::uint64_t dropped = 0;
  std::uint64_t dropped_since_stall = 0;
  bool stalled = false;         // a wait ran out and nothing has been written since
  bool stall_reported = false;  // logged once until the queue is empty again
  std::uint64_t failed_since_ok = 0;  // lines lost since the sink last took one
  bool closing = false;
  bool abandoned = false;  // closed while stuck: what is left was counted as dropped
  bool exited = false;
};

AuditDestination::AuditDestination(std::string name, std::unique_ptr<AuditSink> sink, std::size_t max_queued,
                                   Metrics* metrics, std::chrono::milliseconds close_timeout)
    : name_(std::move(name)),
      close_timeout_(close_timeout),
      state_(std::make_unique<State>(std::move(sink), max_queued, metrics)) {
  if (metrics != nullptr) {
    metrics->declareAuditDestination(name_);
  }
  thread_ = std::thread([this] { run(); });
}

AuditDestination::~AuditDestination() {
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  state.closing = true;
  state.work.notify_all();
  if (!state.progress.wait_for(lock, close_timeout_, [&] { return state.exited; })) {
    const std::size_t left = state.backlogLocked();
    state.dropped += left;
    for (std::size_t i = 0; i < left && state.metrics != nullptr; ++i) {
      state.metrics->recordAuditDropped(name_);
    }
    state.abandoned = true;
    spdlog::error("audit {}: {} records could not be written before shutdown: the destination has not taken data "
                  "for {} ms (meshward_audit_dropped_total)",
                  name_, left, close_timeout_.count());
    state.work.notify_all();
  }
  lock.unlock();
  thread_.join();
}

AuditDestination::Submission AuditDestination::submit(std::string_view line) {
  const std::lock_guard lock(state_->mutex);
  State& state = *state_;
  if (state.queue.empty() && !state.writer_busy) {
    const std::uint64_t ticket = state.next_ticket++;
    state.sink->startLine(line.size());
    const long taken = state.sink->write(line);
    const int error = errno;
    if (taken < 0 || static_cast<std::size_t>(taken) == line.size()) {
      state.finishedLocked(name_, ticket, taken >= 0, error);
      return {ticket, taken >= 0 ? LineOutcome::Written : LineOutcome::Failed};
    }
    state.queue.emplace_back(line);
    state.head_written = static_cast<std::size_t>(taken);
    state.head_started = true;
    state.publishBacklogLocked(name_);
    state.work.notify_one();
    return {ticket, LineOutcome::Queued};
  }
  if (state.backlogLocked() >= state.max_queued) {
    ++state.dropped;
    if (state.metrics != nullptr) {
      state.metrics->recordAuditDropped(name_);
    }
    if (state.dropped_since_stall++ == 0) {
      spdlog::error("audit {}: {} records are waiting and the queue is full; dropping audit records until it "
                    "takes data again (meshward_audit_dropped_total)",
                    name_, state.backlogLocked());
    }
    return {0, LineOutcome::Dropped};
  }
  state.queue.emplace_back(line);
  state.publishBacklogLocked(name_);
  state.work.notify_one();
  return {state.next_ticket++, LineOutcome::Queued};
}

LineOutcome AuditDestination::await(const Submission& submission, Clock::time_point deadline) {
  if (submission.outcome != LineOutcome::Queued) {
    return submission.outcome;
  }
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  const auto done = [&] { return state.written_through >= submission.ticket || state.exited; };
  if (state.stalled ? !done() : !state.progress.wait_until(lock, deadline, done)) {
    state.stalled = true;
    if (!state.stall_reported) {
      state.stall_reported = true;
      spdlog::warn("audit {}: not taking data; answering without waiting for it (records queued: {}) "
                   "(meshward_audit_backlog)",
                   name_, state.backlogLocked());
    }
    return LineOutcome::Queued;
  }
  if (state.written_through < submission.ticket) {
    return LineOutcome::Dropped;
  }
  return state.failedLocked(submission.ticket) ? LineOutcome::Failed : LineOutcome::Written;
}

bool AuditDestination::drain(Clock::time_point deadline) {
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  return state.progress.wait_until(lock, deadline, [&] { return state.queue.empty() || state.exited; }) &&
         state.queue.empty();
}

void AuditDestination::flush(Clock::time_point deadline) {
  drain(deadline);
  const std::lock_guard lock(state_->mutex);
  if (!state_->writer_busy) {
    state_->sink->sync();
  }
}

std::size_t AuditDestination::backlog() const {
  const std::lock_guard lock(state_->mutex);
  return state_->backlogLocked();
}

std::uint64_t AuditDestination::dropped() const {
  const std::lock_guard lock(state_->mutex);
  return state_->dropped;
}

void AuditDestination::run() {
  State& state = *state_;
  std::unique_lock lock(state.mutex);
  while (true) {
    state.work.wait(lock, [&] { return state.closing || !state.queue.empty(); });
    if (state.queue.empty() || state.abandoned) {
      break;
    }
    const std::string& line = state.queue.front();
    std::size_t offset = state.head_written;
    const bool started = state.head_started;
    state.writer_busy = true;
    lock.unlock();

    if (!started) {
      state.sink->startLine(line.size());
    }
    bool written = true;
    int error = 0;
    bool abandoned = false;
    while (offset < line.size() && !abandoned) {
      const long taken = state.sink->write(std::string_view(line).substr(offset));
      if (taken < 0) {
        written = false;
        error = errno;
        break;
      }
      offset += static_cast<std::size_t>(taken);
      if (taken == 0 && !state.sink->awaitWritable(kRoomCheckInterval)) {
        lock.lock();
        abandoned = state.abandoned;
        lock.unlock();
      }
    }

    lock.lock();
    state.writer_busy = false;
    if (abandoned) {
      break;
    }
    state.queue.pop_front();
    state.head_written = 0;
    state.head_started = false;
    state.finishedLocked(name_, state.written_through + 1, written, error);
    state.stalled = false;
    if (state.queue.empty() && (state.stall_reported || state.dropped_since_stall > 0)) {
      spdlog::info("audit {}: caught up; {} records were dropped while it was stalled", name_,
                   state.dropped_since_stall);
      state.stall_reported = false;
      state.dropped_since_stall = 0;
    }
    state.publishBacklogLocked(name_);
    state.progress.notify_all();
  }
  state.exited = true;
  state.progress.notify_all();
}

}  // namespace meshward::audit
