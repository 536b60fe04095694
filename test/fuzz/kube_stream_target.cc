// What the API server (or whatever answers in its place) sends the watch client: an HTTP/1.1
// response, its body framed by Content-Length, chunks or the close, cut into lines, each line a
// WatchEvent. The first input byte says how the rest arrives (the size of each read). Properties:
// the body and the outcome do not depend on how the bytes were split, and every event the decoder
// accepts is whole (an object with a name, or an ERROR with its code).

#include <string>
#include <vector>

#include "test/fuzz/fuzz_targets.h"
#include "webhook/cluster/kube/http_response_parser.h"
#include "webhook/cluster/kube/watch_event.h"

namespace meshward::fuzz {
namespace {

using cluster::kube::HttpResponseParser;
using cluster::kube::LineSplitter;
using cluster::kube::WatchEventType;

constexpr std::size_t kMaxLine = 64 * 1024;

struct Outcome {
  bool failed = false;
  bool complete = false;
  std::string body;
  std::vector<std::string> lines;

  bool operator==(const Outcome&) const = default;
};

Outcome receive(std::string_view response, std::size_t read_size) {
  HttpResponseParser parser(4096);
  LineSplitter splitter(kMaxLine);
  Outcome outcome;
  bool line_error = false;
  const auto sink = [&](std::string_view body) {
    outcome.body.append(body);
    line_error = line_error || splitter.feed(body, [&](std::string_view line) {
                                              outcome.lines.emplace_back(line);
                                              return true;
                                            }).has_value();
    return true;
  };
  for (std::size_t at = 0; at < response.size() && !outcome.failed; at += read_size) {
    outcome.failed = parser.feed(response.substr(at, read_size), sink).has_value();
  }
  if (!outcome.failed) {
    outcome.failed = parser.finish().has_value();
  }
  outcome.failed = outcome.failed || line_error;
  outcome.complete = parser.complete();
  return outcome;
}

void requireWholeEvent(std::string_view line) {
  const auto event = cluster::kube::parseWatchEvent(line);
  if (!event) {
    require(!event.error().empty(), "a refused event without a reason");
    return;
  }
  switch (event->type) {
    case WatchEventType::Added:
    case WatchEventType::Modified:
    case WatchEventType::Deleted:
      require(event->object.is_object() && event->object.contains("metadata") &&
                  event->object["metadata"].value("name", std::string()).size() > 0,
              "an accepted event whose object has no name");
      break;
    case WatchEventType::Error:
      require(event->resource_version.empty(), "an ERROR event with a resourceVersion");
      break;
    case WatchEventType::Bookmark:
      break;
  }
}

}  // namespace

void kubeStream(const std::uint8_t* data, std::size_t size) {
  silenceLogs();
  if (size == 0) {
    return;
  }
  const std::size_t read_size = data[0] % 32 + 1;
  const std::string_view response(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = receive(response, response.size() + 1);
  const Outcome pieces = receive(response, read_size);
  require(whole.failed == pieces.failed, "whether the response is refused depends on how it was read");
  if (!whole.failed) {
    require(whole == pieces, "the body depends on how the response was read");
  }
  for (const std::string& line : whole.lines) {
    requireWholeEvent(line);
  }
}

}  // namespace meshward::fuzz
