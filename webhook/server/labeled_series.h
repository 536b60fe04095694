#pragma once
// A family of metric values (counters or gauges) keyed by a fixed number of label values, safe
// to update from many threads. Updating an existing series allocates nothing; the number of
// series is capped so a label fed by a client can never grow memory without bound (overflow
// lands in an "other" series).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshward::server {

template <std::size_t LabelCount, typename Value>
class LabeledSeries {
 public:
  using Labels = std::array<std::string, LabelCount>;
  using LabelViews = std::array<std::string_view, LabelCount>;

  static constexpr std::size_t kMaxSeries = 1000;

  void increment(const LabelViews& labels, Value by = 1) {
    std::lock_guard lock(mutex_);
    valueLocked(labels) += by;
  }

  void set(const LabelViews& labels, Value value) {
    std::lock_guard lock(mutex_);
    valueLocked(labels) = value;
  }

  // Makes a series exist (at 0) so that rates work before the first event.
  void declare(const LabelViews& labels) {
    std::lock_guard lock(mutex_);
    valueLocked(labels);
  }

  std::optional<Value> find(const LabelViews& labels) const {
    std::lock_guard lock(mutex_);
    auto found = values_.find(labels);
    return found == values_.end() ? std::nullopt : std::optional<Value>(found->second);
  }

  std::vector<std::pair<Labels, Value>> snapshot() const {
    std::lock_guard lock(mutex_);
    return {values_.begin(), values_.end()};
  }

 private:
  struct LabelsLess {
    using is_transparent = void;
    template <typename Left, typename Right>
    bool operator()(const Left& left, const Right& right) const {
      return std::lexicographical_compare(left.begin(), left.end(), right.begin(), right.end(),
                                          [](std::string_view a, std::string_view b) { return a < b; });
    }
  };

  Value& valueLocked(const LabelViews& labels) {
    auto found = values_.find(labels);
    if (found != values_.end()) {
      return found->second;
    }
    if (values_.size() >= kMaxSeries) {
      LabelViews overflow;
      overflow.fill("other");
      if (labels != overflow) {
        return valueLocked(overflow);
      }
    }
    Labels owned;
    std::transform(labels.begin(), labels.end(), owned.begin(), [](std::string_view v) { return std::string(v); });
    return values_.emplace(std::move(owned), Value{}).first->second;
  }

  mutable std::mutex mutex_;
  std::map<Labels, Value, LabelsLess> values_;
};

template <std::size_t LabelCount>
using LabeledCounters = LabeledSeries<LabelCount, std::uint64_t>;

template <std::size_t LabelCount>
using LabeledGauges = LabeledSeries<LabelCount, double>;

}  // namespace meshward::server
