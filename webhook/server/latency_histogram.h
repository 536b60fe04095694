#pragma once
// A Prometheus histogram of durations in seconds with fixed buckets from 0.1 ms to 10 s,
// written to by request threads and read by the exposition.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace meshward::server {

class LatencyHistogram {
 public:
  static constexpr std::array<double, 16> kUpperBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                          0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                          1,      2.5,     5,      10};

  void observe(double seconds);

  // The _bucket (cumulative, ending with le="+Inf"), _sum and _count lines for `name`.
  void appendSamples(std::string& out, std::string_view name) const;

  std::uint64_t count() const;

 private:
  mutable std::mutex mutex_;
  std::array<std::uint64_t, kUpperBounds.size() + 1> buckets_{};  // the last one is +Inf only
  double sum_ = 0;
};

}  // namespace meshward::server
