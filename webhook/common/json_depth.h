#pragma once
// A bound on JSON nesting checked before parsing untrusted text, so a document nested 100,000
// levels deep is refused with a message instead of exhausting the stack.

#include <string_view>

namespace meshward {

// True when `text` nests arrays/objects at most `max_depth` deep (brackets inside strings are
// not counted). Never fails: text that is not JSON is left to the parser to reject.
bool jsonDepthWithin(std::string_view text, int max_depth);

}  // namespace meshward
