#include "webhook/common/utf8.h"

#include <algorithm>

namespace meshward {
namespace {

std::string hexByte(unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {kHex[byte >> 4], kHex[byte & 0xF]};
}

}  // namespace

std::size_t utf8SequenceLength(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (at + length > text.size()) {
    return 0;
  }
  if (byte(at + 1) < low || byte(at + 1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) {
      return 0;
    }
  }
  return length;
}

std::optional<std::size_t> firstInvalidUtf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const std::size_t length = utf8SequenceLength(text, at);
    if (length == 0) {
      return at;
    }
    at += length;
  }
  return std::nullopt;
}

std::optional<std::string> describeInvalidUtf8(std::string_view text) {
  const std::optional<std::size_t> bad = firstInvalidUtf8(text);
  if (!bad) {
    return std::nullopt;
  }
  const std::size_t line_start = *bad == 0 ? std::string_view::npos : text.rfind('\n', *bad - 1);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + *bad, '\n'));
  const std::size_t column = line_start == std::string_view::npos ? *bad + 1 : *bad - line_start;
  return std::to_string(line) + ":" + std::to_string(column) + ": not UTF-8 (byte 0x" +
         hexByte(static_cast<unsigned char>(text[*bad])) + ")";
}

std::string printableUtf8(std::string_view text) {
  std::string printable;
  printable.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length =
        static_cast<unsigned char>(text[at]) < 0x80 ? 1 : utf8SequenceLength(text, at);
    if (length == 0) {
      printable += "\\x" + hexByte(static_cast<unsigned char>(text[at]));
      ++at;
    } else {
      printable.append(text.substr(at, length));
      at += length;
    }
  }
  return printable;
}

}  // namespace meshward
