#include "webhook/cluster/kube/base64_decode.h"

#include <array>
#include <cstdint>

namespace meshward::cluster::kube {
namespace {

constexpr std::int8_t kInvalid = -1;

constexpr std::array<std::int8_t, 256> decodingTable() {
  std::array<std::int8_t, 256> table{};
  table.fill(kInvalid);
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kTable = decodingTable();

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size() / 4 * 3);
  std::uint32_t group = 0;
  int group_size = 0;
  int padding = 0;
  for (const char c : text) {
    if (isSpace(c)) {
      continue;
    }
    if (c == '=') {
      ++padding;
      if (padding > 2) {
        return std::nullopt;
      }
      continue;
    }
    const std::int8_t value = kTable[static_cast<unsigned char>(c)];
    if (value == kInvalid || padding > 0) {
      return std::nullopt;
    }
    group = (group << 6) | static_cast<std::uint32_t>(value);
    if (++group_size == 4) {
      decoded.push_back(static_cast<char>((group >> 16) & 0xff));
      decoded.push_back(static_cast<char>((group >> 8) & 0xff));
      decoded.push_back(static_cast<char>(group & 0xff));
      group = 0;
      group_size = 0;
    }
  }
  if (group_size == 1 || (padding > 0 && group_size + padding != 4)) {
    return std::nullopt;
  }
  if (group_size == 2) {
    decoded.push_back(static_cast<char>((group >> 4) & 0xff));
  } else if (group_size == 3) {
    decoded.push_back(static_cast<char>((group >> 10) & 0xff));
    decoded.push_back(static_cast<char>((group >> 2) & 0xff));
  }
  return decoded;
}

}  // namespace meshward::cluster::kube
