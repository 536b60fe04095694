#pragma once
// The policy requests are judged by. Each request takes a reference to the current policy and
// keeps it for its whole evaluation; a reload swaps in the next one without locking readers out.

#include <atomic>
#include <memory>

#include "policies/policy.h"

namespace meshward::server {

class PolicyStore {
 public:
  explicit PolicyStore(std::shared_ptr<const policies::Policy> initial) : policy_(std::move(initial)) {}

  std::shared_ptr<const policies::Policy> current() const { return policy_.load(); }
  void replace(std::shared_ptr<const policies::Policy> next) { policy_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const policies::Policy>> policy_;
};

}  // namespace meshward::server
