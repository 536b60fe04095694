#include "webhook/cluster/kube/http_response_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::cluster::kube {
namespace {

struct Parsed {
  std::optional<Error> error;
  std::string body;
  bool complete = false;
};

// Feeds `response` in pieces of `piece` bytes (1 exercises every split point).
Parsed parse(HttpResponseParser& parser, const std::string& response, std::size_t piece, bool close = false) {
  Parsed parsed;
  const HttpResponseParser::BodySink sink = [&](std::string_view bytes) {
    parsed.body.append(bytes);
    return true;
  };
  for (std::size_t offset = 0; offset < response.size() && !parsed.error; offset += piece) {
    parsed.error = parser.feed(std::string_view(response).substr(offset, piece), sink);
  }
  if (!parsed.error && close) {
    parsed.error = parser.finish();
  }
  parsed.complete = parser.complete();
  return parsed;
}

class SplitPoints : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SplitPoints, ContentLengthBody) {
  HttpResponseParser parser;
  const Parsed parsed =
      parse(parser, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bc\"}!",
            GetParam());
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(parsed.body, "{\"a\":\"bc\"}!");
  EXPECT_EQ(parser.head().status, 200);
  EXPECT_EQ(parser.head().header("content-type"), "application/json");
  EXPECT_TRUE(parser.keepAlive());
}

TEST_P(SplitPoints, ChunkedBodyWithExtensionsAndTrailers) {
  HttpResponseParser parser;
  const Parsed parsed = parse(parser,
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5;ext=1\r\nhello\r\n1\r\n\n\r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n",
                              GetParam());
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(parsed.body, "hello\n0123456789");
}

// Found by the kube_stream fuzz target: read whole, a later CRLF blank line was taken for the end
// of a head that a bare-LF blank line had already ended, so the framing depended on the reads.
TEST_P(SplitPoints, TheFirstBlankLineEndsTheHeadWhicheverItsLineEnds) {
  HttpResponseParser parser;
  const Parsed parsed = parse(parser,
                              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\nhello"
                              "Transfer-Encoding: chunked\r\n\r\n",
                              GetParam());
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(parsed.body, "hello");
  EXPECT_FALSE(parser.head().header("transfer-encoding"));
}

INSTANTIATE_TEST_SUITE_P(HttpResponseParser, SplitPoints, ::testing::Values(1, 2, 3, 7, 4096));

TEST(HttpResponseParser, BodyUntilCloseEndsWithTheConnection) {
  HttpResponseParser parser;
  const Parsed parsed = parse(parser, "HTTP/1.0 200 OK\r\n\r\npart one, part two", 5, true);
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(parsed.body, "part one, part two");
  EXPECT_FALSE(parser.keepAlive());
}

TEST(HttpResponseParser, AConnectionClosedMidBodyIsAnError) {
  HttpResponseParser chunked;
  const Parsed cut = parse(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 4096, true);
  ASSERT_TRUE(cut.error);
  EXPECT_NE(cut.error->message.find("middle"), std::string::npos);
  HttpResponseParser nothing;
  const Parsed empty = parse(nothing, "", 1, true);
  ASSERT_TRUE(empty.error);
  EXPECT_NE(empty.error->message.find("before a response"), std::string::npos);
  HttpResponseParser fixed;
  EXPECT_TRUE(parse(fixed, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 4096, true).error);
}

TEST(HttpResponseParser, StatusAndConnectionHeaders) {
  HttpResponseParser parser;
  const Parsed parsed = parse(parser, "HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", 4096);
  ASSERT_FALSE(parsed.error);
  EXPECT_EQ(parser.head().status, 410);
  EXPECT_FALSE(parser.keepAlive());
  HttpResponseParser no_body;
  EXPECT_TRUE(parse(no_body, "HTTP/1.1 204 No Content\r\n\r\n", 4096).complete);
}

TEST(HttpResponseParser, MalformedResponsesAreErrors) {
  for (const std::string& response :
       {std::string("SSH-2.0-OpenSSH\r\n\r\n"), std::string("HTTP/1.1 abc OK\r\n\r\n"),
        std::string("HTTP/1.1 99 X\r\n\r\n"), std::string("HTTP/1.1 200 OK\r\nbroken header\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")}) {
    HttpResponseParser parser;
    EXPECT_TRUE(parse(parser, response, 4096).error) << response;
  }
}

TEST(HttpResponseParser, AnOversizedHeadIsAnError) {
  HttpResponseParser parser(64);
  const Parsed parsed = parse(parser, "HTTP/1.1 200 OK\r\nX-Padding: " + std::string(100, 'x') + "\r\n\r\n", 16);
  ASSERT_TRUE(parsed.error);
  EXPECT_NE(parsed.error->message.find("larger than 64"), std::string::npos);
}

TEST(HttpResponseParser, TheSinkCanStopTheBody) {
  HttpResponseParser parser;
  std::string seen;
  const std::optional<Error> error =
      parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcdef", [&](std::string_view bytes) {
        seen.append(bytes);
        return false;
      });
  EXPECT_FALSE(error);
  EXPECT_TRUE(parser.stopped());
  EXPECT_FALSE(parser.complete());
  EXPECT_EQ(seen, "abcdef");
  EXPECT_FALSE(parser.finish()) << "a body the caller stopped is not a transport error";
}

}  // namespace
}  // namespace meshward::cluster::kube
