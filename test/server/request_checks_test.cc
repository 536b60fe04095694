#include "webhook/server/request_checks.h"

#include <gtest/gtest.h>

namespace meshward::server {
namespace {

constexpr std::size_t kLimit = 100;

BodyFraming post(std::vector<std::string_view> content_lengths, bool chunked = false) {
  return BodyFraming{"POST", chunked, std::move(content_lengths)};
}

int refusalStatus(const BodyFraming& framing) {
  auto refusal = refuseUnboundedBody(framing, kLimit);
  return refusal ? refusal->status : 0;
}

TEST(RequestChecksTest, AcceptsBodiesWithinTheDeclaredLimit) {
  EXPECT_EQ(refusalStatus(post({"0"})), 0);
  EXPECT_EQ(refusalStatus(post({"100"})), 0);
  EXPECT_EQ(refusalStatus(BodyFraming{"GET", false, {}}), 0) << "a GET needs no length";
}

TEST(RequestChecksTest, ReadsAndDiscardsModeratelyOversizedBodiesBeforeAnswering413) {
  EXPECT_EQ(drainableBodyBytes(kLimit), 2 * kLimit);
  EXPECT_EQ(drainableBodyBytes(std::size_t{64} << 20), (std::size_t{64} << 20) + (std::size_t{16} << 20));
  EXPECT_EQ(refusalStatus(post({"101"})), 0) << "read and thrown away, so the client receives the 413";
  EXPECT_EQ(refusalStatus(post({"200"})), 0);
  EXPECT_EQ(refusalStatus(post({"201"})), 413) << "too large to drain: refused from the header";
}

TEST(RequestChecksTest, RefusesWhatCannotBeBounded) {
  EXPECT_EQ(refusalStatus(post({"99999999999999999999999"})), 400) << "overflowing length";
  EXPECT_EQ(refusalStatus(post({"12abc"})), 400);
  EXPECT_EQ(refusalStatus(post({"10", "20"})), 400) << "conflicting lengths";
  EXPECT_EQ(refusalStatus(post({})), 411) << "a POST without a length is read until EOF";
  EXPECT_EQ(refusalStatus(BodyFraming{"DELETE", false, {}}), 411);
  EXPECT_EQ(refusalStatus(post({"10"}, true)), 411) << "chunked bodies are not bounded by cpp-httplib 0.11";
}

TEST(RequestChecksTest, The413MessageNamesBothSizes) {
  auto refusal = refuseUnboundedBody(post({"5000"}), kLimit);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->body.find("5000"), std::string::npos) << refusal->body;
  EXPECT_NE(refusal->body.find("100 bytes"), std::string::npos) << refusal->body;
}

TEST(RequestChecksTest, DeclaredLengthAgreesAcrossRepeatedHeaders) {
  EXPECT_EQ(declaredBodyLength(post({"42", " 42 "})), 42u);
  EXPECT_FALSE(declaredBodyLength(post({})));
}

TEST(RequestChecksTest, BodyFollowsOnlyWithAPositiveOrUnreadableLengthOrChunking) {
  EXPECT_FALSE(bodyFollows(post({})));
  EXPECT_FALSE(bodyFollows(post({"0"})));
  EXPECT_TRUE(bodyFollows(post({"1"})));
  EXPECT_TRUE(bodyFollows(post({"x"})));
  EXPECT_TRUE(bodyFollows(post({}, true)));
}

TEST(RequestChecksTest, JsonContentTypeAllowsParametersAndCase) {
  EXPECT_TRUE(isJsonContentType("application/json"));
  EXPECT_TRUE(isJsonContentType("application/json; charset=utf-8"));
  EXPECT_TRUE(isJsonContentType("Application/JSON;charset=UTF-8"));
  EXPECT_TRUE(isJsonContentType(" application/json "));
  EXPECT_FALSE(isJsonContentType(""));
  EXPECT_FALSE(isJsonContentType("text/plain"));
  EXPECT_FALSE(isJsonContentType("application/jsonx"));
  EXPECT_FALSE(isJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(isJsonContentType("application/json-patch+json"));
}

}  // namespace
}  // namespace meshward::server
