#pragma once
// The WATCH stream as the API server writes it: one JSON WatchEvent per line,
// {"type":"ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR","object":{...}}, where a BOOKMARK
// carries only a resourceVersion and an ERROR carries a Status (410 when the watch's
// resourceVersion is too old).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/common/result.h"

namespace meshward::cluster::kube {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  nlohmann::json object;         // the object (ADDED, MODIFIED, DELETED; with metadata.name)
  std::string resource_version;  // of the object or bookmark; "" for ERROR
  int error_code = 0;            // ERROR: the Status code (410: list again)
  std::string error_message;     // ERROR: the Status reason and message
};

// An error for anything that is not a well-formed event: bad JSON, an unknown type, an object
// without metadata.name or resourceVersion.
Result<WatchEvent> parseWatchEvent(std::string_view line);

// Cuts a byte stream into lines; a line longer than `max_line_bytes` is an error.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Calls `on_line` for every complete line (without its newline; empty lines skipped) and
  // stops early when it returns false. Returns the error for an over-long line.
  std::optional<Error> feed(std::string_view bytes, const std::function<bool(std::string_view)>& on_line);

  bool empty() const { return pending_.empty(); }

 private:
  std::size_t max_line_bytes_;
  std::string pending_;
};

}  // namespace meshward::cluster::kube
