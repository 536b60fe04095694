#include "webhook/cluster/kube/backoff.h"

#include <algorithm>

namespace meshward::cluster::kube {

Backoff::Backoff(const BackoffOptions& options, std::uint64_t seed)
    : options_{std::max(options.initial, std::chrono::milliseconds(1)),
               std::max(options.max, std::max(options.initial, std::chrono::milliseconds(1)))},
      ceiling_(options_.initial),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  const long long ceiling = ceiling_.count();
  std::uniform_int_distribution<long long> jitter(ceiling - ceiling / 2, ceiling);
  const std::chrono::milliseconds delay(jitter(random_));
  ceiling_ = std::min(options_.max, ceiling_ * 2);
  return delay;
}

}  // namespace meshward::cluster::kube
