#include "webhook/common/json_depth.h"

namespace meshward {

bool jsonDepthWithin(std::string_view text, int max_depth) {
  struct DepthBound {
    int max_depth;
    bool within = true;
    bool string(std::string_view, int, int) { return true; }
    bool token(char c, int depth, int) {
      within = !((c == '{' || c == '[') && depth + 1 > max_depth);
      return within;
    }
  } bound{max_depth};
  scanJson(text, bound);
  return bound.within;
}

}  // namespace meshward
