#include "webhook/cluster/json_layout.h"

#include <algorithm>

#include "webhook/common/json_depth.h"

namespace meshward::cluster {
namespace {

constexpr std::string_view kItemsKey = "items";

// Follows the top-level object's keys to its "items" array and notes the line of each element.
class LayoutScan {
 public:
  bool string(std::string_view raw, int depth, int line) {
    noteValueStart(depth, line);
    if (depth == 1) {
      last_top_level_string_ = raw;
    }
    next_value_is_items_ = false;
    return true;
  }

  bool token(char c, int depth, int line) {
    if (c == ',') {
      expecting_item_ = in_items_array_ && depth == 2;
      next_value_is_items_ = false;
      return true;
    }
    if (c == ':') {
      next_value_is_items_ = depth == 1 && last_top_level_string_ == kItemsKey;
      return true;
    }
    if (c == '}' || c == ']') {
      if (depth - 1 == 1) {
        in_items_array_ = false;
      }
      expecting_item_ = false;
      next_value_is_items_ = false;
      return true;
    }
    noteValueStart(depth, line);
    if (c == '{' || c == '[') {
      layout_.max_depth = std::max(layout_.max_depth, depth + 1);
      if (next_value_is_items_ && depth == 1 && c == '[') {
        in_items_array_ = true;
        expecting_item_ = true;
      }
    }
    next_value_is_items_ = false;
    return true;
  }

  JsonLayout take() { return std::move(layout_); }

 private:
  void noteValueStart(int depth, int line) {
    if (in_items_array_ && depth == 2 && expecting_item_) {
      layout_.item_lines.push_back(line);
      expecting_item_ = false;
    }
  }

  JsonLayout layout_;
  std::string_view last_top_level_string_;
  bool next_value_is_items_ = false;  // a top-level "items": was just read
  bool in_items_array_ = false;
  bool expecting_item_ = false;
};

}  // namespace

JsonLayout scanJsonLayout(std::string_view text) {
  LayoutScan scan;
  scanJson(text, scan);
  return scan.take();
}

}  // namespace meshward::cluster
