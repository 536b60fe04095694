#include "webhook/audit/audit_destination.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace meshward::audit {
namespace {

constexpr std::size_t kMaxBatchLines = 512;
constexpr std::size_t kRememberedFailures = 64;

struct TicketRange {
  std::uint64_t first;
  std::uint64_t last;
};

}  // namespace

struct AuditDestination::State {
  State(std::string destination, Writer write, std::size_t capacity, Metrics* sink)
      : name(std::move(destination)), writer(std::move(write)), max_queued(std::max<std::size_t>(capacity, 1)),
        metrics(sink) {}

  // Under `mutex`.
  std::size_t backlogLocked() const { return queue.size() + in_flight; }
  void publishBacklogLocked() const {
    if (metrics != nullptr) {
      metrics->setAuditBacklog(name, backlogLocked());
    }
  }
  bool failedLocked(std::uint64_t ticket) const {
    return std::any_of(failures.begin(), failures.end(),
                       [ticket](const TicketRange& range) { return ticket >= range.first && ticket <= range.last; });
  }

  const std::string name;
  const Writer writer;
  const std::size_t max_queued;
  Metrics* metrics;  // null once the destination is closed

  mutable std::mutex mutex;
  std::condition_variable work;      // the writer waits for lines or for close
  std::condition_variable progress;  // callers wait for their ticket, close for the writer's exit
  std::deque<AuditLine> queue;
  std::uint64_t next_ticket = 1;
  std::uint64_t written_through = 0;  // every ticket up to this one has been attempted
  std::size_t in_flight = 0;
  std::deque<TicketRange> failures;  // recent tickets whose write failed
  std::uint64_t dropped = 0;
  std::uint64_t dropped_since_stall = 0;
  bool stalled = false;          // a wait ran out and nothing has been written since
  bool stall_reported = false;   // logged once until the queue is empty again
  bool failing = false;
  bool closing = false;
  bool abandoned = false;  // closed while a write was stuck: the rest is counted as dropped
  bool exited = false;
};

AuditDestination::AuditDestination(std::string name, Writer writer, std::size_t max_queued, Metrics* metrics,
                                   std::chrono::milliseconds close_timeout)
    : name_(name), close_timeout_(close_timeout), state_(std::make_shared<State>(std::move(name), std::move(writer), max_queued, metrics)) {
  if (metrics != nullptr) {
    metrics->declareAuditDestination(name_);
  }
  thread_ = std::thread([state = state_] { run(state); });
}

AuditDestination::~AuditDestination() {
  std::unique_lock lock(state_->mutex);
  state_->closing = true;
  state_->work.notify_all();
  if (state_->progress.wait_for(lock, close_timeout_, [this] { return state_->exited; })) {
    lock.unlock();
    thread_.join();
    return;
  }
  const std::size_t left = state_->backlogLocked();
  state_->dropped += left;
  if (state_->metrics != nullptr) {
    for (std::size_t i = 0; i < left; ++i) {
      state_->metrics->recordAuditDropped(name_);
    }
  }
  state_->metrics = nullptr;
  state_->abandoned = true;
  spdlog::error("audit {}: {} records could not be written before shutdown: the destination has not taken data "
                "for {} ms (meshward_audit_dropped_total)",
                name_, left, close_timeout_.count());
  lock.unlock();
  thread_.detach();  // it owns `state_` and ends when its stuck write returns
}

std::uint64_t AuditDestination::enqueue(const AuditLine& line) {
  const std::lock_guard lock(state_->mutex);
  State& state = *state_;
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
    return 0;
  }
  state.queue.push_back(line);
  state.publishBacklogLocked();
  state.work.notify_one();
  return state.next_ticket++;
}

LineOutcome AuditDestination::await(std::uint64_t ticket, Clock::time_point deadline) {
  if (ticket == 0) {
    return LineOutcome::Dropped;
  }
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  const auto done = [&] { return state.written_through >= ticket || state.exited; };
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
  if (state.written_through < ticket) {
    return LineOutcome::Dropped;
  }
  return state.failedLocked(ticket) ? LineOutcome::Failed : LineOutcome::Written;
}

bool AuditDestination::drain(Clock::time_point deadline) {
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  return state.progress.wait_until(lock, deadline,
                                   [&] { return state.written_through + 1 >= state.next_ticket || state.exited; }) &&
         state.written_through + 1 >= state.next_ticket;
}

std::size_t AuditDestination::backlog() const {
  const std::lock_guard lock(state_->mutex);
  return state_->backlogLocked();
}

std::uint64_t AuditDestination::dropped() const {
  const std::lock_guard lock(state_->mutex);
  return state_->dropped;
}

void AuditDestination::run(const std::shared_ptr<State>& shared) {
  State& state = *shared;
  std::vector<AuditLine> batch;
  std::unique_lock lock(state.mutex);
  while (true) {
    state.work.wait(lock, [&] { return state.closing || !state.queue.empty(); });
    if (state.queue.empty() || state.abandoned) {
      break;
    }
    const std::size_t count = std::min(state.queue.size(), kMaxBatchLines);
    batch.assign(std::make_move_iterator(state.queue.begin()), std::make_move_iterator(state.queue.begin() + count));
    state.queue.erase(state.queue.begin(), state.queue.begin() + static_cast<std::ptrdiff_t>(count));
    state.in_flight = count;
    const TicketRange range{state.written_through + 1, state.written_through + count};
    lock.unlock();
    const bool written = state.writer(batch);
    batch.clear();
    lock.lock();
    state.in_flight = 0;
    state.written_through = range.last;
    state.stalled = false;
    if (state.queue.empty() && (state.stall_reported || state.dropped_since_stall > 0)) {
      spdlog::info("audit {}: caught up; {} records were dropped while it was stalled", state.name,
                   state.dropped_since_stall);
      state.stall_reported = false;
      state.dropped_since_stall = 0;
    }
    if (!written) {
      state.failures.push_back(range);
      if (state.failures.size() > kRememberedFailures) {
        state.failures.pop_front();
      }
      for (std::uint64_t i = range.first; i <= range.last && state.metrics != nullptr; ++i) {
        state.metrics->recordAuditWriteFailure();
      }
      if (!state.failing) {
        spdlog::warn("audit {}: cannot write audit records; decisions are still answered "
                     "(meshward_audit_write_failures_total)",
                     state.name);
      }
    } else if (state.failing) {
      spdlog::info("audit {}: writable again", state.name);
    }
    state.failing = !written;
    state.publishBacklogLocked();
    state.progress.notify_all();
  }
  state.exited = true;
  state.progress.notify_all();
}

}  // namespace meshward::audit
