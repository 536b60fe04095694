#pragma once
// A family of gauges keyed by a fixed number of label values, set from any thread and read by
// the exposition. The label values come from meshward's own fixed lists (the watched kinds),
// never from a client, so the number of series stays small.

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshward::server {

template <std::size_t LabelCount>
class LabeledGauges {
 public:
  using Labels = std::array<std::string, LabelCount>;
  using LabelViews = std::array<std::string_view, LabelCount>;

  void set(const LabelViews& labels, double value) {
    std::lock_guard lock(mutex_);
    auto found = values_.find(labels);
    if (found != values_.end()) {
      found->second = value;
      return;
    }
    Labels owned;
    std::transform(labels.begin(), labels.end(), owned.begin(), [](std::string_view v) { return std::string(v); });
    values_.emplace(std::move(owned), value);
  }

  std::optional<double> value(const LabelViews& labels) const {
    std::lock_guard lock(mutex_);
    auto found = values_.find(labels);
    return found == values_.end() ? std::nullopt : std::optional<double>(found->second);
  }

  std::vector<std::pair<Labels, double>> snapshot() const {
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

  mutable std::mutex mutex_;
  std::map<Labels, double, LabelsLess> values_;
};

}  // namespace meshward::server
