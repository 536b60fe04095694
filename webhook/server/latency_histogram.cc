#include "webhook/server/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "webhook/server/prometheus_text.h"

namespace meshward::server {

void LatencyHistogram::observe(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) {
    seconds = 0;
  }
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kUpperBounds.begin(), kUpperBounds.end(), seconds) - kUpperBounds.begin());
  std::lock_guard lock(mutex_);
  ++buckets_[bucket];
  sum_ += seconds;
}

void LatencyHistogram::appendSamples(std::string& out, std::string_view name) const {
  std::array<std::uint64_t, kUpperBounds.size() + 1> buckets;
  double sum = 0;
  {
    std::lock_guard lock(mutex_);
    buckets = buckets_;
    sum = sum_;
  }
  const std::string bucket_name = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kUpperBounds.size(); ++i) {
    cumulative += buckets[i];
    const std::string bound = prometheus::formatValue(kUpperBounds[i]);
    prometheus::appendSample(out, bucket_name, {{"le", bound}}, cumulative);
  }
  cumulative += buckets.back();
  prometheus::appendSample(out, bucket_name, {{"le", "+Inf"}}, cumulative);
  prometheus::appendSample(out, std::string(name) + "_sum", {}, sum);
  prometheus::appendSample(out, std::string(name) + "_count", {}, cumulative);
}

std::uint64_t LatencyHistogram::count() const {
  std::lock_guard lock(mutex_);
  return std::accumulate(buckets_.begin(), buckets_.end(), std::uint64_t{0});
}

}  // namespace meshward::server
