#include "webhook/audit/audit_destination.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/server/metrics_impl.h"

namespace meshward::audit {
namespace {

using Clock = AuditDestination::Clock;
using namespace std::chrono_literals;

AuditLine line(const std::string& text) { return std::make_shared<const std::string>(text + "\n"); }

// A destination whose writes block until the test opens the gate, recording what arrives. Shared
// with the writer so that it outlives a destination closed while a write is stuck.
struct GatedSink {
  std::mutex mutex;
  std::condition_variable opened_or_entered;
  bool open = false;
  bool succeed = true;
  int writes_started = 0;
  std::vector<std::string> received;

  static AuditDestination::Writer writer(const std::shared_ptr<GatedSink>& sink) {
    return [sink](std::span<const AuditLine> lines) {
      std::unique_lock lock(sink->mutex);
      ++sink->writes_started;
      sink->opened_or_entered.notify_all();
      sink->opened_or_entered.wait(lock, [&] { return sink->open; });
      for (const AuditLine& written : lines) {
        sink->received.push_back(*written);
      }
      return sink->succeed;
    };
  }
  void openGate() {
    const std::lock_guard lock(mutex);
    open = true;
    opened_or_entered.notify_all();
  }
  void awaitFirstWrite() {
    std::unique_lock lock(mutex);
    opened_or_entered.wait(lock, [&] { return writes_started > 0; });
  }
};

TEST(AuditDestination, AHealthyDestinationHasTheLineBeforeAwaitReturns) {
  auto sink = std::make_shared<GatedSink>();
  sink->openGate();
  server::MetricsImpl metrics;
  AuditDestination destination("file", GatedSink::writer(sink), 10, &metrics);
  const std::uint64_t ticket = destination.enqueue(line("a"));
  EXPECT_EQ(destination.await(ticket, Clock::now() + 60s), LineOutcome::Written);
  const std::lock_guard lock(sink->mutex);
  EXPECT_EQ(sink->received, std::vector<std::string>{"a\n"});
  EXPECT_EQ(metrics.auditBacklog("file"), 0.0);
  EXPECT_EQ(metrics.auditDropped("file"), 0u);
}

TEST(AuditDestination, AStalledDestinationQueuesThenDropsAndCountsEverything) {
  auto sink = std::make_shared<GatedSink>();
  server::MetricsImpl metrics;
  AuditDestination destination("stdout", GatedSink::writer(sink), 3, &metrics);

  const std::uint64_t first = destination.enqueue(line("1"));
  sink->awaitFirstWrite();  // the writer holds line 1 and is stuck
  EXPECT_EQ(destination.await(first, Clock::now() + 10ms), LineOutcome::Queued);
  // Stalled: later callers do not wait at all, even with a generous deadline.
  const std::uint64_t second = destination.enqueue(line("2"));
  EXPECT_EQ(destination.await(second, Clock::now() + 3600s), LineOutcome::Queued);
  const std::uint64_t third = destination.enqueue(line("3"));
  EXPECT_EQ(destination.await(third, Clock::now() + 3600s), LineOutcome::Queued);
  EXPECT_EQ(destination.backlog(), 3u);
  EXPECT_EQ(metrics.auditBacklog("stdout"), 3.0);

  const std::uint64_t fourth = destination.enqueue(line("4"));
  EXPECT_EQ(fourth, 0u);
  EXPECT_EQ(destination.await(fourth, Clock::now() + 3600s), LineOutcome::Dropped);
  EXPECT_EQ(destination.dropped(), 1u);
  EXPECT_EQ(metrics.auditDropped("stdout"), 1u);

  sink->openGate();
  ASSERT_TRUE(destination.drain(Clock::now() + 60s));
  EXPECT_EQ(destination.backlog(), 0u);
  EXPECT_EQ(metrics.auditBacklog("stdout"), 0.0);
  const std::uint64_t fifth = destination.enqueue(line("5"));
  EXPECT_EQ(destination.await(fifth, Clock::now() + 60s), LineOutcome::Written);
  const std::lock_guard lock(sink->mutex);
  EXPECT_EQ(sink->received, (std::vector<std::string>{"1\n", "2\n", "3\n", "5\n"}));
}

TEST(AuditDestination, AFailedWriteIsTheCallersAnswerAndACount) {
  auto sink = std::make_shared<GatedSink>();
  sink->succeed = false;
  sink->openGate();
  server::MetricsImpl metrics;
  AuditDestination destination("file", GatedSink::writer(sink), 10, &metrics);
  const std::uint64_t ticket = destination.enqueue(line("lost"));
  EXPECT_EQ(destination.await(ticket, Clock::now() + 60s), LineOutcome::Failed);
  EXPECT_EQ(metrics.auditWriteFailures(), 1u);
  EXPECT_EQ(metrics.auditDropped("file"), 0u);
}

TEST(AuditDestination, ClosingWhileAWriteIsStuckCountsWhatIsLeftAsDropped) {
  auto sink = std::make_shared<GatedSink>();
  server::MetricsImpl metrics;
  {
    AuditDestination destination("stdout", GatedSink::writer(sink), 10, &metrics, 20ms);
    destination.enqueue(line("1"));
    sink->awaitFirstWrite();
    destination.enqueue(line("2"));
  }
  EXPECT_EQ(metrics.auditDropped("stdout"), 2u);
  sink->openGate();  // lets the detached writer finish its stuck write and end
}

}  // namespace
}  // namespace meshward::audit
