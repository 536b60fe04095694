#include "webhook/audit/audit_destination.h"

#include <cerrno>
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

std::string line(const std::string& text) { return text + "\n"; }

// A destination that takes nothing until the test opens it (as a pipe nobody reads), then at
// most `chunk` bytes per write, recording what arrives.
class GatedSink final : public AuditSink {
 public:
  explicit GatedSink(bool open = true, std::size_t chunk = 1 << 20) : open_(open), chunk_(chunk) {}

  long write(std::string_view data) override {
    const std::lock_guard lock(mutex_);
    if (failing_) {
      errno = EPIPE;
      return -1;
    }
    if (!open_) {
      return 0;
    }
    const std::size_t taken = std::min(data.size(), chunk_);
    received_.append(data.substr(0, taken));
    return static_cast<long>(taken);
  }
  bool awaitWritable(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    return opened_.wait_for(lock, timeout, [&] { return open_; });
  }

  void open() {
    const std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  void fail(bool failing = true) {
    const std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  std::string received() const {
    const std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable opened_;
  bool open_;
  bool failing_ = false;
  std::size_t chunk_;
  std::string received_;
};

TEST(AuditDestination, AHealthyDestinationIsWrittenByTheCallerAtOnce) {
  auto owned = std::make_unique<GatedSink>();
  GatedSink& sink = *owned;
  server::MetricsImpl metrics;
  AuditDestination destination("file", std::move(owned), 10, &metrics);
  const AuditDestination::Submission submitted = destination.submit(line("a"));
  EXPECT_EQ(submitted.outcome, LineOutcome::Written);
  EXPECT_EQ(sink.received(), "a\n") << "in the kernel before submit returns";
  EXPECT_EQ(destination.await(submitted, Clock::now()), LineOutcome::Written);
  EXPECT_EQ(metrics.auditBacklog("file"), 0.0);
  EXPECT_EQ(metrics.auditDropped("file"), 0u);
}

TEST(AuditDestination, AStalledDestinationQueuesThenDropsAndCountsEverything) {
  auto owned = std::make_unique<GatedSink>(false);
  GatedSink& sink = *owned;
  server::MetricsImpl metrics;
  AuditDestination destination("stdout", std::move(owned), 3, &metrics);

  const AuditDestination::Submission first = destination.submit(line("1"));
  ASSERT_EQ(first.outcome, LineOutcome::Queued);
  EXPECT_EQ(destination.await(first, Clock::now() + 10ms), LineOutcome::Queued);
  // Stalled: later callers do not wait at all, even with a generous deadline.
  const auto second = destination.submit(line("2"));
  EXPECT_EQ(destination.await(second, Clock::now() + 3600s), LineOutcome::Queued);
  const auto third = destination.submit(line("3"));
  EXPECT_EQ(destination.await(third, Clock::now() + 3600s), LineOutcome::Queued);
  EXPECT_EQ(destination.backlog(), 3u);
  EXPECT_EQ(metrics.auditBacklog("stdout"), 3.0);

  const auto fourth = destination.submit(line("4"));
  EXPECT_EQ(fourth.outcome, LineOutcome::Dropped);
  EXPECT_EQ(destination.await(fourth, Clock::now() + 3600s), LineOutcome::Dropped);
  EXPECT_EQ(destination.dropped(), 1u);
  EXPECT_EQ(metrics.auditDropped("stdout"), 1u);

  sink.open();
  ASSERT_TRUE(destination.drain(Clock::now() + 60s));
  EXPECT_EQ(destination.backlog(), 0u);
  EXPECT_EQ(metrics.auditBacklog("stdout"), 0.0);
  EXPECT_EQ(destination.submit(line("5")).outcome, LineOutcome::Written);
  EXPECT_EQ(sink.received(), "1\n2\n3\n5\n");
}

TEST(AuditDestination, LinesTakenPieceByPieceArriveWholeAndInOrder) {
  auto owned = std::make_unique<GatedSink>(true, 3);
  GatedSink& sink = *owned;
  AuditDestination destination("stdout", std::move(owned), 100, nullptr);
  std::vector<AuditDestination::Submission> submitted;
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const std::string text = "record-" + std::to_string(i);
    submitted.push_back(destination.submit(line(text)));
    expected += text + "\n";
  }
  for (const auto& submission : submitted) {
    EXPECT_EQ(destination.await(submission, Clock::now() + 60s), LineOutcome::Written);
  }
  EXPECT_EQ(sink.received(), expected);
}

TEST(AuditDestination, AFailedWriteIsTheCallersAnswerAndACount) {
  auto owned = std::make_unique<GatedSink>();
  owned->fail();
  server::MetricsImpl metrics;
  AuditDestination destination("file", std::move(owned), 10, &metrics);
  const auto submitted = destination.submit(line("lost"));
  EXPECT_EQ(destination.await(submitted, Clock::now() + 60s), LineOutcome::Failed);
  EXPECT_EQ(metrics.auditWriteFailures(), 1u);
  EXPECT_EQ(metrics.auditWriteErrors("file"), 1u);
  EXPECT_EQ(metrics.auditDropped("file"), 0u);
}

TEST(AuditDestination, WriteErrorsAreCountedPerDestinationAndStopWhenTheSinkRecovers) {
  auto failing_owned = std::make_unique<GatedSink>();
  GatedSink& failing_sink = *failing_owned;
  failing_sink.fail();
  server::MetricsImpl metrics;
  AuditDestination file("file", std::move(failing_owned), 10, &metrics);
  AuditDestination stdout_destination("stdout", std::make_unique<GatedSink>(), 10, &metrics);
  EXPECT_EQ(metrics.auditWriteErrors("stdout"), 0u) << "declared with the destination";
  for (const char* text : {"a", "b", "c"}) {
    EXPECT_EQ(file.submit(line(text)).outcome, LineOutcome::Failed);
    EXPECT_EQ(stdout_destination.submit(line(text)).outcome, LineOutcome::Written);
  }
  EXPECT_EQ(metrics.auditWriteErrors("file"), 3u);
  EXPECT_EQ(metrics.auditWriteErrors("stdout"), 0u);
  EXPECT_EQ(metrics.auditWriteFailures(), 3u) << "the unlabelled total counts the same records";

  failing_sink.fail(false);
  EXPECT_EQ(file.submit(line("d")).outcome, LineOutcome::Written);
  EXPECT_EQ(failing_sink.received(), "d\n");
  EXPECT_EQ(metrics.auditWriteErrors("file"), 3u);
}

TEST(AuditDestination, ALineThatFailsAfterBeingQueuedIsCountedToo) {
  auto owned = std::make_unique<GatedSink>(false);
  GatedSink& sink = *owned;
  server::MetricsImpl metrics;
  AuditDestination destination("stdout", std::move(owned), 10, &metrics);
  const auto submitted = destination.submit(line("queued, then the reader goes away"));
  ASSERT_EQ(submitted.outcome, LineOutcome::Queued);
  sink.fail();
  sink.open();
  EXPECT_EQ(destination.await(submitted, Clock::now() + 60s), LineOutcome::Failed);
  EXPECT_EQ(metrics.auditWriteErrors("stdout"), 1u);
}

TEST(AuditDestination, ClosingWhileStalledCountsWhatIsLeftAsDropped) {
  server::MetricsImpl metrics;
  {
    AuditDestination destination("stdout", std::make_unique<GatedSink>(false), 10, &metrics, 20ms);
    destination.submit(line("1"));
    destination.submit(line("2"));
  }
  EXPECT_EQ(metrics.auditDropped("stdout"), 2u);
}

}  // namespace
}  // namespace meshward::audit
