#pragma once
// Facts about one request that several rules derive the same way (the pod template, its
// namespace, the proxies it runs): the first rule that asks computes them, the others share
// them. One memo per request (and per object: `meshward check` judges the patched object anew);
// the rules of a request run one after another, so it needs no lock.

#include <memory>
#include <utility>
#include <vector>

namespace meshward::policies {

class RequestMemo {
 public:
  template <typename Fact, typename Compute>
  std::shared_ptr<const Fact> get(Compute&& compute) {
    for (const Entry& entry : entries_) {
      if (entry.tag == &kTag<Fact>) {
        return std::static_pointer_cast<const Fact>(entry.fact);
      }
    }
    std::shared_ptr<const Fact> fact = std::make_shared<const Fact>(std::forward<Compute>(compute)());
    entries_.push_back(Entry{&kTag<Fact>, fact});
    return fact;
  }

 private:
  // One distinct address per fact type.
  template <typename Fact>
  static constexpr char kTag = 0;

  struct Entry {
    const void* tag;
    std::shared_ptr<const void> fact;
  };
  std::vector<Entry> entries_;
};

}  // namespace meshward::policies
