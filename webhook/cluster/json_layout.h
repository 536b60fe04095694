#pragma once
// A quick pass over JSON text for what a JSON parser does not report: how deep it nests and on
// which lines the elements of a top-level object's "items" array start (for List manifests).

#include <string_view>
#include <vector>

namespace meshward::cluster {

struct JsonLayout {
  int max_depth = 0;            // deepest nesting of objects/arrays; strings are skipped
  std::vector<int> item_lines;  // 1-based line of each element of the top-level "items" array
};

// Never fails: text that is not valid JSON gives a layout that the parser's error will overrule.
JsonLayout scanJsonLayout(std::string_view text);

}  // namespace meshward::cluster
