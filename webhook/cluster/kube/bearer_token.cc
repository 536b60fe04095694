#include "webhook/cluster/kube/bearer_token.h"

#include <spdlog/spdlog.h>

#include "webhook/common/small_file.h"

namespace meshward::cluster::kube {
namespace {

std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return "";
  }
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

BearerToken::BearerToken(std::string fixed, std::string file) : fixed_(std::move(fixed)), file_(std::move(file)) {}

std::string BearerToken::current() {
  if (file_.empty()) {
    return fixed_;
  }
  std::lock_guard lock(mutex_);
  const meshward::FileFingerprint now = meshward::fingerprintOf(file_);
  if (read_at_ && *read_at_ == now) {
    return token_;
  }
  Result<std::string> text = meshward::readSmallFile(file_);
  if (!text) {
    spdlog::warn("cluster state: cannot read the token file: {}", text.error());
    return token_;
  }
  read_at_ = now;
  token_ = trimmed(*text);
  return token_;
}

void BearerToken::invalidate() {
  std::lock_guard lock(mutex_);
  read_at_.reset();
}

}  // namespace meshward::cluster::kube
