#include "webhook/server/termination_signals.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace meshward::server {
namespace {

// Each test blocks the signals in a thread of its own and sends them to that thread only, so
// the rest of the test process keeps its default handling.
int waitInOwnThread(const std::function<void(TerminationSignals&, pthread_t)>& send) {
  std::promise<std::pair<TerminationSignals*, pthread_t>> ready;
  auto waiting = std::async(std::launch::async, [&ready] {
    TerminationSignals signals;
    ready.set_value({&signals, pthread_self()});
    return signals.wait();
  });
  auto [signals, thread] = ready.get_future().get();
  send(*signals, thread);
  if (waiting.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "wait() did not return";
    signals->interrupt();
  }
  return waiting.get();
}

TEST(TerminationSignalsTest, WaitReturnsTheSignalReceived) {
  EXPECT_EQ(waitInOwnThread([](TerminationSignals&, pthread_t thread) { pthread_kill(thread, SIGINT); }), SIGINT);
  EXPECT_EQ(waitInOwnThread([](TerminationSignals&, pthread_t thread) { pthread_kill(thread, SIGTERM); }), SIGTERM);
}

TEST(TerminationSignalsTest, InterruptWakesTheWaitingThread) {
  EXPECT_EQ(waitInOwnThread([](TerminationSignals& signals, pthread_t) { signals.interrupt(); }), SIGTERM);
}

TEST(TerminationSignalsTest, TheSignalsAreBlockedInTheConstructingThread) {
  std::promise<bool> blocked;
  std::thread([&blocked] {
    TerminationSignals signals;
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    blocked.set_value(sigismember(&mask, SIGTERM) == 1 && sigismember(&mask, SIGINT) == 1);
  }).join();
  EXPECT_TRUE(blocked.get_future().get());
}

}  // namespace
}  // namespace meshward::server
