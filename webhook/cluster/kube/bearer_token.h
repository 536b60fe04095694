#pragma once
// The bearer token sent with every API request: fixed, or read from a file that is read again
// whenever it changes (a stat per request), so a projected service-account token rotated by
// the kubelet is picked up on the next request. Safe to share between threads.

#include <mutex>
#include <optional>
#include <string>

#include "webhook/common/file_watcher.h"

namespace meshward::cluster::kube {

class BearerToken {
 public:
  // `file` non-empty wins over `fixed`.
  BearerToken(std::string fixed, std::string file);

  // "" when there is no token. A file that cannot be read keeps the last token read from it.
  std::string current();

  // After a 401: read the file again on the next call even if it looks unchanged.
  void invalidate();

 private:
  const std::string fixed_;
  const std::string file_;
  std::mutex mutex_;
  std::optional<meshward::FileFingerprint> read_at_;  // the file as it was when last read
  std::string token_;
};

}  // namespace meshward::cluster::kube
