#include "webhook/common/json_writer.h"

#include <array>
#include <charconv>

#include "webhook/common/utf8.h"

namespace meshward {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";


void appendEscapedControl(std::string& out, unsigned char c) {
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

// Bytes that are copied as they are: printable ASCII except the quote and the backslash.
constexpr std::array<bool, 256> kPlainBytes = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) {
    plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  }
  return plain;
}();

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain_from = 0;
  std::size_t at = 0;
  const auto flush = [&] { out.append(text.data() + plain_from, at - plain_from); };
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (kPlainBytes[c]) {
      ++at;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t length = utf8SequenceLength(text, at); length != 0) {
        at += length;
        continue;
      }
      flush();
      out += kReplacement;
    } else {
      flush();
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else {
        appendEscapedControl(out, c);
      }
    }
    plain_from = ++at;
  }
  flush();
  out += '"';
}

void JsonWriter::separate() {
  if (needs_comma_) {
    out_ += ',';
  }
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  needs_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  needs_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  appendJsonString(out_, name);
  out_ += ':';
  needs_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  appendJsonString(out_, text);
  needs_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  needs_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  separate();
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof(digits), number);
  out_.append(digits, written.ptr);
  needs_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  needs_comma_ = true;
  return *this;
}

}  // namespace meshward
