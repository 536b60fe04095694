#include "webhook/cluster/kube/http_response_parser.h"

#include <algorithm>
#include <charconv>

#include "webhook/common/ascii.h"

namespace meshward::cluster::kube {
namespace {

constexpr std::size_t kMaxLineBytes = 8 * 1024;  // a chunk-size or trailer line

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool containsToken(std::string_view list, std::string_view token) {
  const std::string lower = asciiLowercase(list);
  std::string_view rest = lower;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    if (trim(rest.substr(0, comma)) == token) {
      return true;
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

// Takes one CRLF- (or LF-) terminated line off `pending` + `bytes`; nullopt when incomplete.
std::optional<std::string> takeLine(std::string& pending, std::string_view& bytes) {
  const std::size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos) {
    pending.append(bytes);
    bytes = {};
    return std::nullopt;
  }
  std::string line = std::move(pending);
  pending.clear();
  line.append(bytes.substr(0, newline));
  bytes.remove_prefix(newline + 1);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

}  // namespace

std::optional<std::string_view> HttpResponseHead::header(std::string_view lower_case_name) const {
  const auto found = headers.find(lower_case_name);
  if (found == headers.end()) {
    return std::nullopt;
  }
  return std::string_view(found->second);
}

std::optional<Error> HttpResponseParser::parseHead(std::string_view head) {
  const std::size_t first_end = head.find('\n');
  std::string_view status_line = trim(head.substr(0, first_end));
  if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12 || status_line[8] != ' ') {
    return Error{"not an HTTP/1.x response: '" + std::string(status_line.substr(0, 40)) + "'"};
  }
  const std::string_view code = status_line.substr(9, 3);
  const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), head_.status);
  if (error != std::errc() || end != code.data() + code.size() || head_.status < 100 || head_.status > 599) {
    return Error{"invalid HTTP status line: '" + std::string(status_line.substr(0, 40)) + "'"};
  }
  keep_alive_ = status_line.substr(0, 8) == "HTTP/1.1";
  std::string_view rest = first_end == std::string_view::npos ? std::string_view() : head.substr(first_end + 1);
  while (!rest.empty()) {
    const std::size_t line_end = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, line_end));
    rest = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 1);
    if (line.empty()) {
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Error{"malformed HTTP header line"};
    }
    head_.headers.insert_or_assign(asciiLowercase(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  if (const auto connection = head_.header("connection")) {
    if (containsToken(*connection, "close")) {
      keep_alive_ = false;
    } else if (containsToken(*connection, "keep-alive")) {
      keep_alive_ = true;
    }
  }
  if (const auto coding = head_.header("transfer-encoding")) {
    if (asciiLowercase(trim(*coding)) != "chunked") {
      return Error{"unsupported Transfer-Encoding '" + std::string(*coding) + "'"};
    }
    state_ = State::ChunkSize;
    return std::nullopt;
  }
  if (head_.status == 204 || head_.status == 304 || head_.status < 200) {
    state_ = State::Done;
    return std::nullopt;
  }
  if (const auto length = head_.header("content-length")) {
    const auto [length_end, length_error] =
        std::from_chars(length->data(), length->data() + length->size(), remaining_);
    if (length_error != std::errc() || length_end != length->data() + length->size()) {
      return Error{"invalid Content-Length '" + std::string(*length) + "'"};
    }
    state_ = remaining_ == 0 ? State::Done : State::FixedBody;
    return std::nullopt;
  }
  keep_alive_ = false;
  state_ = State::UntilClose;
  return std::nullopt;
}

bool HttpResponseParser::deliver(std::string_view body, const BodySink& sink) {
  if (body.empty() || sink(body)) {
    return true;
  }
  stopped_ = true;
  return false;
}

std::optional<Error> HttpResponseParser::feed(std::string_view bytes, const BodySink& sink) {
  std::optional<Error> error;
  while (!stopped_ && !error && state_ != State::Done && step(bytes, sink, error)) {
  }
  if (!error && state_ == State::Done && !bytes.empty()) {
    keep_alive_ = false;  // bytes beyond the response: never reuse such a connection
  }
  return error;
}

bool HttpResponseParser::step(std::string_view& bytes, const BodySink& sink, std::optional<Error>& error) {
  switch (state_) {
    case State::Head: {
      const std::size_t before = pending_.size();
      pending_.append(bytes);
      // The head ends at the first blank line, CRLF or bare LF, wherever the reads split it.
      const std::size_t crlf = pending_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
      const std::size_t lf = pending_.find("\n\n", before >= 1 ? before - 1 : 0);
      const std::size_t end = std::min(crlf, lf);
      const std::size_t separator = end == crlf ? 4 : 2;
      if (end == std::string::npos) {
        bytes = {};
        if (pending_.size() > max_head_bytes_) {
          error = Error{"HTTP response head larger than " + std::to_string(max_head_bytes_) + " bytes"};
        }
        return false;
      }
      if (end > max_head_bytes_) {
        error = Error{"HTTP response head larger than " + std::to_string(max_head_bytes_) + " bytes"};
        return false;
      }
      const std::size_t consumed_here = end + separator - before;
      bytes.remove_prefix(consumed_here);
      const std::string head = pending_.substr(0, end);
      pending_.clear();
      error = parseHead(head);
      return !error;
    }
    case State::FixedBody:
    case State::ChunkData: {
      if (bytes.empty()) {
        return false;
      }
      const std::size_t take = std::min(remaining_, bytes.size());
      const std::string_view body = bytes.substr(0, take);
      bytes.remove_prefix(take);
      remaining_ -= take;
      if (remaining_ == 0) {
        state_ = state_ == State::FixedBody ? State::Done : State::ChunkDataEnd;
      }
      return deliver(body, sink);
    }
    case State::ChunkDataEnd:
    case State::ChunkSize:
    case State::Trailers: {
      std::optional<std::string> line = takeLine(pending_, bytes);
      if (!line) {
        if (pending_.size() > kMaxLineBytes) {
          error = Error{"malformed chunked body: line too long"};
        }
        return false;
      }
      if (state_ == State::ChunkDataEnd) {
        if (!line->empty()) {
          error = Error{"malformed chunked body: data longer than its chunk size"};
          return false;
        }
        state_ = State::ChunkSize;
        return true;
      }
      if (state_ == State::Trailers) {
        if (line->empty()) {
          state_ = State::Done;
        }
        return true;
      }
      const std::string_view size_text = trim(std::string_view(*line).substr(0, line->find(';')));
      std::size_t size = 0;
      const auto [end, parse_error] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
      if (size_text.empty() || parse_error != std::errc() || end != size_text.data() + size_text.size()) {
        error = Error{"malformed chunked body: invalid chunk size"};
        return false;
      }
      remaining_ = size;
      state_ = size == 0 ? State::Trailers : State::ChunkData;
      return true;
    }
    case State::UntilClose: {
      const std::string_view body = bytes;
      bytes = {};
      deliver(body, sink);
      return false;
    }
    case State::Done:
      break;
  }
  return false;
}

std::optional<Error> HttpResponseParser::finish() {
  if (state_ == State::Done || stopped_) {
    return std::nullopt;
  }
  if (state_ == State::UntilClose) {
    state_ = State::Done;
    return std::nullopt;
  }
  keep_alive_ = false;
  return Error{state_ == State::Head ? "the connection closed before a response arrived"
                                     : "the connection closed in the middle of the response"};
}

}  // namespace meshward::cluster::kube
