#pragma once
// Jittered exponential backoff between attempts to reach the API server: each delay is drawn
// from [d/2, d] where d doubles from `initial` up to `max`, so a fleet of replicas that lost
// the API server together does not come back in lockstep.

#include <chrono>
#include <cstdint>
#include <random>

namespace meshward::cluster::kube {

struct BackoffOptions {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30000};
};

class Backoff {
 public:
  explicit Backoff(const BackoffOptions& options, std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; each call doubles the ceiling (up to max).
  std::chrono::milliseconds next();
  // After a success: the next failure starts from `initial` again.
  void reset() { ceiling_ = options_.initial; }

 private:
  BackoffOptions options_;
  std::chrono::milliseconds ceiling_;
  std::mt19937_64 random_;
};

}  // namespace meshward::cluster::kube
