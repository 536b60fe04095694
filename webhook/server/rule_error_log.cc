#include "webhook/server/rule_error_log.h"

namespace meshward::server {

std::string RuleErrorLog::note(std::string_view rule, std::string_view what, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto burst = bursts_.find(rule);
  if (burst != bursts_.end() && now - burst->second.logged_at < quiet_) {
    ++burst->second.unlogged;
    return "";
  }
  std::string line = "rule " + std::string(rule) + " failed on a request: " + std::string(what) +
                     " (its onError action answered for it)";
  if (burst != bursts_.end() && burst->second.unlogged > 0) {
    line += "; " + std::to_string(burst->second.unlogged) + " more failures since the last such line";
  }
  bursts_.insert_or_assign(std::string(rule), Burst{now, 0});
  return line;
}

}  // namespace meshward::server
