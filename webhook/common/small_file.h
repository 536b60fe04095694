#pragma once
// Reads a small text file (a certificate, a key, a policy) whole, refusing anything larger
// than a bound so a wrong path such as /dev/zero cannot exhaust memory.

#include <cstddef>
#include <string>

#include "webhook/common/result.h"

namespace meshward {

inline constexpr std::size_t kMaxSmallFileBytes = 1 << 20;

Result<std::string> readSmallFile(const std::string& path, std::size_t max_bytes = kMaxSmallFileBytes);

}  // namespace meshward
