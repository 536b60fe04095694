#pragma once
// Writes JSON text straight into one string, without building a tree: what the response and
// the audit line are written with. Strings are escaped as RFC 8259 asks, and bytes that are not
// UTF-8 are replaced by U+FFFD, so the output is valid JSON whatever a name in a request holds.
// The writer trusts its caller for structure (a key before each member value, balanced
// begin/end); it only places the commas.

#include <cstdint>
#include <string>
#include <string_view>

namespace meshward {

// Appends `text` to `out` as a JSON string, quotes included.
void appendJsonString(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(std::int64_t number);
  JsonWriter& null();

  template <typename Value>
  JsonWriter& member(std::string_view name, const Value& v) {
    key(name);
    return value(v);
  }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void separate();

  std::string& out_;
  bool needs_comma_ = false;
};

}  // namespace meshward
