#include "webhook/common/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace meshward {
namespace {

std::string asJsonString(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndKeepsUtf8AsItIs) {
  EXPECT_EQ(asJsonString("plain"), "\"plain\"");
  EXPECT_EQ(asJsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(asJsonString("line\nnext\ttab\r\b\f"), "\"line\\nnext\\ttab\\r\\b\\f\"");
  EXPECT_EQ(asJsonString(std::string("nul\0x\x1f", 6)), "\"nul\\u0000x\\u001f\"");
  EXPECT_EQ(asJsonString("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonWriterTest, ReplacesBytesThatAreNotUtf8SoTheOutputStaysValidJson) {
  const std::vector<std::string> invalid = {
      "\xff\xfe",            // never valid
      "ab\xC3",              // truncated two-byte sequence at the end
      "\xC0\xAF",            // overlong '/'
      "\xED\xA0\x80",        // a UTF-16 surrogate
      "\xF4\x90\x80\x80",    // beyond U+10FFFF
      "\xE2\x82" "x",        // truncated three-byte sequence
      "\x80 lone continuation",
  };
  for (const std::string& text : invalid) {
    const std::string out = asJsonString(text);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(out)) << out;
    EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << out;
  }
  EXPECT_EQ(nlohmann::json::parse(asJsonString("ab\xC3")).get<std::string>(), "ab\xEF\xBF\xBD");
  EXPECT_EQ(nlohmann::json::parse(asJsonString("\xE2\x82" "x")).get<std::string>(), "\xEF\xBF\xBD\xEF\xBF\xBDx");
}

TEST(JsonWriterTest, PlacesCommasBetweenMembersAndElements) {
  std::string out;
  JsonWriter writer(out);
  writer.beginObject().member("a", std::int64_t{-5}).member("b", true).key("c").beginArray();
  writer.value("x").null().beginObject().member("n", std::int64_t{1}).endObject().beginObject().endObject().endArray();
  writer.key("d").beginObject().endObject().member("e", "f").endObject();
  EXPECT_EQ(out, R"({"a":-5,"b":true,"c":["x",null,{"n":1},{}],"d":{},"e":"f"})");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

}  // namespace
}  // namespace meshward
