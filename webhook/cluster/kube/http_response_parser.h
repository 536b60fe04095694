#pragma once
// An incremental HTTP/1.1 response parser for the API client: the status line and headers,
// then the body framed by Content-Length, chunked transfer coding, or the end of the
// connection, handed on piece by piece so a watch stream is never held whole in memory.
// Bounded: a head larger than `max_head_bytes` or a malformed frame is an error.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/result.h"

namespace meshward::cluster::kube {

struct HttpResponseHead {
  int status = 0;
  std::map<std::string, std::string, std::less<>> headers;  // names lower-cased

  std::optional<std::string_view> header(std::string_view lower_case_name) const;
};

class HttpResponseParser {
 public:
  // Receives body bytes; returning false stops the parse (feed() then reports `stopped()`).
  using BodySink = std::function<bool(std::string_view)>;

  explicit HttpResponseParser(std::size_t max_head_bytes = 64 * 1024) : max_head_bytes_(max_head_bytes) {}

  // Consumes `bytes`; body bytes go to `sink`. An error for a malformed response.
  std::optional<Error> feed(std::string_view bytes, const BodySink& sink);

  // The peer closed the connection: an error unless the response is complete or delimited by the close.
  std::optional<Error> finish();

  bool headComplete() const { return state_ > State::Head; }
  const HttpResponseHead& head() const { return head_; }
  bool complete() const { return state_ == State::Done; }
  bool stopped() const { return stopped_; }
  // Whether the connection may carry another request after this response.
  bool keepAlive() const { return keep_alive_; }

 private:
  enum class State { Head, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done };

  std::optional<Error> parseHead(std::string_view head);
  // Consumes one step of the current state from `bytes`; false when more bytes are needed.
  bool step(std::string_view& bytes, const BodySink& sink, std::optional<Error>& error);
  bool deliver(std::string_view body, const BodySink& sink);

  const std::size_t max_head_bytes_;
  State state_ = State::Head;
  std::string pending_;  // an incomplete head, chunk-size line or trailer line
  HttpResponseHead head_;
  std::size_t remaining_ = 0;  // body or chunk bytes still to come
  bool keep_alive_ = true;
  bool stopped_ = false;
};

}  // namespace meshward::cluster::kube
