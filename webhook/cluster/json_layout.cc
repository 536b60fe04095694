#include "webhook/cluster/json_layout.h"

#include <algorithm>
#include <string>

namespace meshward::cluster {
namespace {

constexpr std::string_view kItemsKey = "items";

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

JsonLayout scanJsonLayout(std::string_view text) {
  JsonLayout layout;
  int depth = 0;
  int line = 1;
  bool in_string = false;
  bool escaped = false;
  std::string top_level_string;   // the last string read directly inside the top-level object
  bool next_value_is_items = false;  // a top-level "items": was just read
  bool in_items_array = false;
  bool expecting_item = false;
  for (char c : text) {
    if (c == '\n') {
      ++line;
    }
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      } else if (depth == 1) {
        top_level_string.push_back(c);
      }
      continue;
    }
    if (isJsonSpace(c)) {
      continue;
    }
    if (in_items_array && depth == 2 && expecting_item && c != ']') {
      layout.item_lines.push_back(line);
      expecting_item = false;
    }
    const bool starts_items_array = next_value_is_items && depth == 1 && c == '[';
    if (c != ':') {
      next_value_is_items = false;
    }
    switch (c) {
      case '"':
        in_string = true;
        if (depth == 1) {
          top_level_string.clear();
        }
        break;
      case ':':
        next_value_is_items = depth == 1 && top_level_string == kItemsKey;
        break;
      case '{':
      case '[':
        ++depth;
        layout.max_depth = std::max(layout.max_depth, depth);
        if (starts_items_array) {
          in_items_array = true;
          expecting_item = true;
        }
        break;
      case '}':
      case ']':
        --depth;
        if (depth == 1) {
          in_items_array = false;
        }
        break;
      case ',':
        expecting_item = in_items_array && depth == 2;
        break;
      default:
        break;
    }
  }
  return layout;
}

}  // namespace meshward::cluster
