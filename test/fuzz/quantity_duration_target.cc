// Quantities and durations as policies and manifests write them. Differential: every quantity
// meshward accepts prints (formatBytes, used in every memory message) to a text that parses back
// to the same number of bytes; any byte count read from the input does too; a duration that
// accepts a trailing "0s" keeps its value.

#include <cmath>
#include <cstring>
#include <string>

#include "test/fuzz/fuzz_targets.h"
#include "webhook/common/duration.h"
#include "webhook/common/quantity.h"

namespace meshward::fuzz {
namespace {

void requireRoundTrip(std::int64_t bytes, std::string_view from) {
  const std::string printed = formatBytes(bytes);
  const std::optional<std::int64_t> reparsed = parseQuantityBytes(printed);
  require(reparsed.has_value() && *reparsed == bytes,
          "formatBytes(" + std::to_string(bytes) + ") = \"" + printed + "\" does not parse back (from " +
              std::string(from) + ")");
}

constexpr std::size_t kLongestDuration = 64;  // parseDurationMillis refuses longer texts

bool endsWithUnit(std::string_view text) {
  return !text.empty() && text.back() >= 'a' && text.back() <= 'z';
}

}  // namespace

void quantityAndDuration(const std::uint8_t* data, std::size_t size) {
  silenceLogs();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const std::optional<std::int64_t> bytes = parseQuantityBytes(text)) {
    require(*bytes >= 0, "a quantity parsed to a negative byte count");
    requireRoundTrip(*bytes, "the quantity \"" + std::string(text) + "\"");
  }
  if (size >= sizeof(std::uint64_t)) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, data, sizeof(raw));
    requireRoundTrip(static_cast<std::int64_t>(raw >> 1), "raw bytes");
  }

  if (const std::optional<double> millis = parseDurationMillis(text)) {
    require(std::isfinite(*millis) && *millis >= 0, "a duration parsed to a negative or infinite value");
    if (endsWithUnit(text) && text.size() + 2 <= kLongestDuration) {
      const std::optional<double> extended = parseDurationMillis(std::string(text) + "0s");
      require(extended.has_value() && *extended == *millis,
              "\"" + std::string(text) + "0s\" is not the same duration as \"" + std::string(text) + "\"");
    }
  }
}

}  // namespace meshward::fuzz
