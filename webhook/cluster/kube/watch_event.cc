#include "webhook/cluster/kube/watch_event.h"

#include "webhook/common/json_fields.h"
#include "webhook/cluster/kube/api_status.h"

namespace meshward::cluster::kube {
namespace {

using meshward::objectMember;
using meshward::stringMember;

std::optional<WatchEventType> eventType(std::string_view type) {
  if (type == "ADDED") {
    return WatchEventType::Added;
  }
  if (type == "MODIFIED") {
    return WatchEventType::Modified;
  }
  if (type == "DELETED") {
    return WatchEventType::Deleted;
  }
  if (type == "BOOKMARK") {
    return WatchEventType::Bookmark;
  }
  if (type == "ERROR") {
    return WatchEventType::Error;
  }
  return std::nullopt;
}

}  // namespace

Result<WatchEvent> parseWatchEvent(std::string_view line) {
  nlohmann::json document = nlohmann::json::parse(line, nullptr, false);
  if (!document.is_object()) {
    return Error{"watch event is not a JSON object"};
  }
  const std::optional<std::string_view> type_name = stringMember(&document, "type");
  const std::optional<WatchEventType> type = eventType(type_name.value_or(""));
  if (!type) {
    return Error{"watch event has an unknown type '" + std::string(type_name.value_or("")) + "'"};
  }
  auto object = document.find("object");
  if (object == document.end() || !object->is_object()) {
    return Error{"watch event " + std::string(*type_name) + " has no object"};
  }
  WatchEvent event;
  event.type = *type;
  if (*type == WatchEventType::Error) {
    event.error_message = describeStatus(*object, event.error_code);
    return event;
  }
  const nlohmann::json* metadata = objectMember(&*object, "metadata");
  event.resource_version = std::string(stringMember(metadata, "resourceVersion").value_or(""));
  if (event.resource_version.empty()) {
    return Error{"watch event " + std::string(*type_name) + " has no metadata.resourceVersion"};
  }
  if (*type != WatchEventType::Bookmark && stringMember(metadata, "name").value_or("").empty()) {
    return Error{"watch event " + std::string(*type_name) + " has an object without metadata.name"};
  }
  event.object = std::move(*object);
  return event;
}

std::optional<Error> LineSplitter::feed(std::string_view bytes, const std::function<bool(std::string_view)>& on_line) {
  const Error too_long{"watch event longer than " + std::to_string(max_line_bytes_) + " bytes"};
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      if (pending_.size() + bytes.size() > max_line_bytes_) {
        pending_.clear();
        return too_long;
      }
      pending_.append(bytes);
      return std::nullopt;
    }
    const std::string_view piece = bytes.substr(0, newline);
    bytes.remove_prefix(newline + 1);
    std::string joined;
    std::string_view line = piece;
    if (!pending_.empty()) {
      joined = std::move(pending_);
      pending_.clear();
      joined.append(piece);
      line = joined;
    }
    if (line.size() > max_line_bytes_) {
      return too_long;
    }
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!line.empty() && !on_line(line)) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace meshward::cluster::kube
