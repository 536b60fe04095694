#include "webhook/common/utf8.h"

#include <gtest/gtest.h>

namespace meshward {
namespace {

TEST(Utf8, FindsTheFirstByteThatIsNotWellFormed) {
  EXPECT_EQ(firstInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(firstInvalidUtf8("plain ascii"), std::nullopt);
  EXPECT_EQ(firstInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(firstInvalidUtf8("\xEF\xBB\xBFkind: Pod"), std::nullopt) << "a byte order mark is UTF-8";
  EXPECT_EQ(firstInvalidUtf8("caf\xE9"), 3u) << "Latin-1";
  EXPECT_EQ(firstInvalidUtf8("ab\x80"), 2u) << "a stray continuation byte";
  EXPECT_EQ(firstInvalidUtf8("\xC0\xAF"), 0u) << "an overlong '/'";
  EXPECT_EQ(firstInvalidUtf8("x\xED\xA0\x80"), 1u) << "a UTF-16 surrogate";
  EXPECT_EQ(firstInvalidUtf8("\xF4\x90\x80\x80"), 0u) << "past U+10FFFF";
  EXPECT_EQ(firstInvalidUtf8("ok\xE2\x82"), 2u) << "cut short";
}

TEST(Utf8, DescribesTheFirstBadByteByLineAndColumn) {
  EXPECT_EQ(describeInvalidUtf8("kind: Pod\n"), std::nullopt);
  EXPECT_EQ(describeInvalidUtf8("\xFF"), "1:1: not UTF-8 (byte 0xFF)");
  EXPECT_EQ(describeInvalidUtf8("a: 1\nname: caf\xE9\n"), "2:10: not UTF-8 (byte 0xE9)");
}

// Found by the manifest_check fuzz target: yaml-cpp's "unknown escape character" quotes one byte
// of a multi-byte character, and `meshward check` printed it raw.
TEST(Utf8, QuotedInputBecomesPrintableUtf8) {
  EXPECT_EQ(printableUtf8("caf\xC3\xA9"), "caf\xC3\xA9") << "UTF-8 stays as it is";
  EXPECT_EQ(printableUtf8("unknown escape character: \xC3"), "unknown escape character: \\xC3");
  EXPECT_EQ(printableUtf8("\xED\xA0\x80!"), "\\xED\\xA0\\x80!");
  EXPECT_FALSE(firstInvalidUtf8(printableUtf8("\x80\xFF\xC0\xAF")));
}

}  // namespace
}  // namespace meshward
