#pragma once
// The wording findings share: a bounded list of names, and what the request does to its object.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshward::policies {

// "a, b, c and 4 more": `names` (the first of `total`), and how many were left out.
std::string listNames(const std::vector<std::string>& names, std::size_t total);

// "creating it", "this update" or "deleting it".
std::string_view describeOperation(std::string_view operation);

}  // namespace meshward::policies
