#include "webhook/cluster/kube/backoff.h"

#include <gtest/gtest.h>

namespace meshward::cluster::kube {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesWithJitterUpToTheMaximum) {
  Backoff backoff(BackoffOptions{milliseconds(100), milliseconds(1000)}, 42);
  const milliseconds ceilings[] = {milliseconds(100), milliseconds(200),  milliseconds(400),
                                   milliseconds(800), milliseconds(1000), milliseconds(1000)};
  for (const milliseconds ceiling : ceilings) {
    const milliseconds delay = backoff.next();
    EXPECT_GE(delay, ceiling / 2);
    EXPECT_LE(delay, ceiling);
  }
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff(BackoffOptions{milliseconds(100), milliseconds(10000)}, 7);
  for (int i = 0; i < 6; ++i) {
    backoff.next();
  }
  EXPECT_GT(backoff.next(), milliseconds(100));
  backoff.reset();
  EXPECT_LE(backoff.next(), milliseconds(100));
}

TEST(Backoff, JitterSpreadsDelays) {
  Backoff first(BackoffOptions{milliseconds(1000), milliseconds(1000)}, 1);
  Backoff second(BackoffOptions{milliseconds(1000), milliseconds(1000)}, 2);
  bool differed = false;
  for (int i = 0; i < 10 && !differed; ++i) {
    differed = first.next() != second.next();
  }
  EXPECT_TRUE(differed);
}

// A zero or negative delay would make a failing watch spin against the API server.
TEST(Backoff, NonsenseOptionsStillGivePositiveDelays) {
  for (const BackoffOptions options : {BackoffOptions{milliseconds(0), milliseconds(0)},
                                       BackoffOptions{milliseconds(-5), milliseconds(-1)},
                                       BackoffOptions{milliseconds(0), milliseconds(-10)}}) {
    Backoff backoff(options, 3);
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(backoff.next(), milliseconds(1)) << "initial " << options.initial.count() << ", call " << i;
    }
  }
}

TEST(Backoff, AMaximumBelowTheInitialDelayIsRaisedToIt) {
  Backoff backoff(BackoffOptions{milliseconds(40), milliseconds(10)}, 5);
  for (int i = 0; i < 10; ++i) {
    const milliseconds delay = backoff.next();
    EXPECT_GE(delay, milliseconds(20));
    EXPECT_LE(delay, milliseconds(40));
  }
}

}  // namespace
}  // namespace meshward::cluster::kube
