#include "webhook/cluster/kube/watch_event.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::cluster::kube {
namespace {

TEST(ParseWatchEvent, ReadsObjectEvents) {
  Result<WatchEvent> event = parseWatchEvent(
      R"({"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1",)"
      R"("metadata":{"name":"web","namespace":"shop","resourceVersion":"42"}}})");
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event->type, WatchEventType::Modified);
  EXPECT_EQ(event->resource_version, "42");
  EXPECT_EQ(event->object["metadata"]["name"], "web");
  EXPECT_EQ(parseWatchEvent(R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})")->type,
            WatchEventType::Added);
  EXPECT_EQ(parseWatchEvent(R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"2"}}})")->type,
            WatchEventType::Deleted);
}

TEST(ParseWatchEvent, ReadsBookmarksAndErrors) {
  Result<WatchEvent> bookmark = parseWatchEvent(
      R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1",)"
      R"("metadata":{"resourceVersion":"12746","annotations":{"k8s.io/initial-events-end":"true"}}}})");
  ASSERT_TRUE(bookmark.ok()) << bookmark.error();
  EXPECT_EQ(bookmark->type, WatchEventType::Bookmark);
  EXPECT_EQ(bookmark->resource_version, "12746");

  Result<WatchEvent> gone = parseWatchEvent(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)json"
      R"json("message":"too old resource version: 5 (10)","reason":"Expired","code":410}})json");
  ASSERT_TRUE(gone.ok()) << gone.error();
  EXPECT_EQ(gone->type, WatchEventType::Error);
  EXPECT_EQ(gone->error_code, 410);
  EXPECT_EQ(gone->error_message, "Expired: too old resource version: 5 (10)");
}

TEST(ParseWatchEvent, RefusesMalformedEvents) {
  for (const char* line :
       {"{not json", "[]", R"({"type":"ADDED"})", R"({"type":"RENAMED","object":{}})", R"({"object":{}})",
        R"({"type":"ADDED","object":"text"})", R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})",
        R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"3"}}})",
        R"({"type":"BOOKMARK","object":{"metadata":{}}})"}) {
    EXPECT_FALSE(parseWatchEvent(line).ok()) << line;
  }
}

std::vector<std::string> split(LineSplitter& splitter, const std::vector<std::string>& pieces,
                               std::optional<Error>* error = nullptr) {
  std::vector<std::string> lines;
  for (const std::string& piece : pieces) {
    std::optional<Error> failed = splitter.feed(piece, [&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    if (failed && error != nullptr) {
      *error = failed;
    }
  }
  return lines;
}

TEST(LineSplitter, JoinsLinesAcrossPieces) {
  LineSplitter splitter(100);
  EXPECT_EQ(split(splitter, {"{\"a\":", "1}\n{\"b\"", ":2}\r\n\n{\"c\":3}\n{\"d\""}),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  EXPECT_FALSE(splitter.empty()) << "the start of the fourth line waits for its end";
}

TEST(LineSplitter, StopsWhenAskedTo) {
  LineSplitter splitter(100);
  int calls = 0;
  splitter.feed("a\nb\nc\n", [&](std::string_view) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST(LineSplitter, RefusesOverlongLines) {
  LineSplitter splitter(8);
  std::optional<Error> error;
  split(splitter, {"12345", "67890\n"}, &error);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("longer than 8"), std::string::npos);
  LineSplitter in_one_piece(8);
  error.reset();
  split(in_one_piece, {"1234567890\n"}, &error);
  EXPECT_TRUE(error);
}

}  // namespace
}  // namespace meshward::cluster::kube
