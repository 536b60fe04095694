#include "webhook/admission/review_decoder.h"

#include <gtest/gtest.h>

#include "policies/registry.h"
#include "webhook/common/small_file.h"

namespace meshward::admission {
namespace {

using nlohmann::json;
using policies::RuleType;

std::string readFile(const std::string& path) {
  Result<std::string> text = readSmallFile(path);
  EXPECT_TRUE(text.ok()) << text.error();
  return text.ok() ? *text : std::string();
}

std::vector<std::string> corpusReviews() {
  const std::string dir = std::string(MESHWARD_SHARED_DIR) + "/corpus/admissionreviews/";
  std::vector<std::string> bodies;
  for (const char* name : {"salesforce-pod-create.envelope-v1.json", "kubewarden-deployment-create.envelope-v1.json",
                           "linkerd2-deployment-create.envelope-v1beta1.json",
                           "linkerd2-deployment-create-inject-disabled.envelope-v1beta1.json"}) {
    bodies.push_back(readFile(dir + name));
  }
  for (const char* name : {"kubewarden-pod-delete.request.json", "kubewarden-deployment-delete.request.json",
                           "kubewarden-deployment-update.request.json", "kubewarden-namespace-create.request.json",
                           "kubewarden-pod-create-by-replicaset-controller.request.json",
                           "kubewarden-pod-create-privileged.request.json",
                           "kubewarden-service-create-nodeport.request.json"}) {
    bodies.push_back(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" +
                     readFile(dir + name) + "}");
  }
  return bodies;
}

json review(const std::string& kind, json object) {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "u-1"},
            {"kind", {{"group", kind == "VirtualService" ? "networking.istio.io" : ""}, {"version", "v1"}, {"kind", kind}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "things"}}},
            {"namespace", "shop"},
            {"name", "web"},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "alice"}, {"groups", {"dev"}}}},
            {"object", std::move(object)}}}};
}

void expectSameEnvelope(const AdmissionRequest& fast, const AdmissionRequest& full) {
  EXPECT_EQ(fast.api_version, full.api_version);
  EXPECT_EQ(fast.uid, full.uid);
  EXPECT_EQ(fast.resource, full.resource);
  EXPECT_EQ(fast.sub_resource, full.sub_resource);
  EXPECT_EQ(fast.facts.operation, full.facts.operation);
  EXPECT_EQ(fast.facts.group, full.facts.group);
  EXPECT_EQ(fast.facts.version, full.facts.version);
  EXPECT_EQ(fast.facts.kind, full.facts.kind);
  EXPECT_EQ(fast.facts.namespace_name, full.facts.namespace_name);
  EXPECT_EQ(fast.facts.name, full.facts.name);
  EXPECT_EQ(fast.facts.user, full.facts.user);
  EXPECT_EQ(fast.facts.groups, full.facts.groups);
  EXPECT_EQ(fast.facts.dry_run, full.facts.dry_run);
}

class ReviewDecoderTest : public ::testing::Test {
 protected:
  const ReviewFields fields_{policies::allRules()};
  const ReviewDecoder decoder_{fields_};
  const ReviewDecoder whole_{std::nullopt};
};

TEST_F(ReviewDecoderTest, DecodesTheEnvelopeExactlyAsTheFullDecoder) {
  for (const std::string& body : corpusReviews()) {
    for (RuleType webhook : {RuleType::Validating, RuleType::Mutating}) {
      Result<AdmissionRequest> fast = decoder_.decode(body, webhook);
      Result<AdmissionRequest> full = decodeAdmissionReview(body);
      ASSERT_TRUE(fast.ok()) << fast.error();
      ASSERT_TRUE(full.ok());
      expectSameEnvelope(*fast, *full);
      // Built whole, the objects are the full decoder's to the last value and type.
      Result<AdmissionRequest> unfiltered = whole_.decode(body, webhook);
      ASSERT_TRUE(unfiltered.ok());
      EXPECT_EQ(unfiltered->object.dump(), full->object.dump());
      EXPECT_EQ(unfiltered->old_object.dump(), full->old_object.dump());
    }
  }
}

// Each envelope field, well and badly typed, absent and null: the decoder reads the envelope
// straight from simdjson's document and must decide each exactly as the full decoder does.
TEST_F(ReviewDecoderTest, DecidesEveryEnvelopeFieldAsTheFullDecoder) {
  const json base = review("Pod", {{"metadata", {{"name", "web"}}}});
  const std::vector<std::pair<json::json_pointer, json>> variants = {
      {json::json_pointer("/apiVersion"), "admission.k8s.io/v1beta1"},
      {json::json_pointer("/apiVersion"), "admission.k8s.io/v2"},
      {json::json_pointer("/apiVersion"), 1},
      {json::json_pointer("/apiVersion"), nullptr},
      {json::json_pointer("/kind"), "AdmissionReviewList"},
      {json::json_pointer("/kind"), json::array()},
      {json::json_pointer("/request"), "x"},
      {json::json_pointer("/request"), nullptr},
      {json::json_pointer("/request/uid"), ""},
      {json::json_pointer("/request/uid"), 7},
      {json::json_pointer("/request/uid"), nullptr},
      {json::json_pointer("/request/kind"), "Pod"},
      {json::json_pointer("/request/kind"), nullptr},
      {json::json_pointer("/request/kind/kind"), ""},
      {json::json_pointer("/request/kind/kind"), false},
      {json::json_pointer("/request/kind/group"), nullptr},
      {json::json_pointer("/request/kind/group"), 3},
      {json::json_pointer("/request/kind/version"), json::object()},
      {json::json_pointer("/request/resource"), nullptr},
      {json::json_pointer("/request/resource"), "pods"},
      {json::json_pointer("/request/resource/resource"), 1.5},
      {json::json_pointer("/request/resource/resource"), nullptr},
      {json::json_pointer("/request/subResource"), "status"},
      {json::json_pointer("/request/subResource"), 2},
      {json::json_pointer("/request/namespace"), nullptr},
      {json::json_pointer("/request/namespace"), json::array({"a"})},
      {json::json_pointer("/request/name"), true},
      {json::json_pointer("/request/operation"), "DELETE"},
      {json::json_pointer("/request/operation"), "PATCH"},
      {json::json_pointer("/request/operation"), nullptr},
      {json::json_pointer("/request/userInfo"), nullptr},
      {json::json_pointer("/request/userInfo"), "alice"},
      {json::json_pointer("/request/userInfo/username"), 5},
      {json::json_pointer("/request/userInfo/groups"), nullptr},
      {json::json_pointer("/request/userInfo/groups"), "dev"},
      {json::json_pointer("/request/userInfo/groups"), json::array({"dev", nullptr})},
      {json::json_pointer("/request/userInfo/groups"), json::array()},
      {json::json_pointer("/request/dryRun"), true},
      {json::json_pointer("/request/dryRun"), nullptr},
      {json::json_pointer("/request/dryRun"), "true"},
      {json::json_pointer("/request/object"), nullptr},
      {json::json_pointer("/request/object"), json::array()},
      {json::json_pointer("/request/oldObject"), json::object({{"metadata", {{"name", "old"}}}})},
      {json::json_pointer("/request/oldObject"), 0},
  };
  for (const auto& [pointer, value] : variants) {
    json changed = base;
    changed[pointer] = value;
    const std::string body = changed.dump();
    Result<AdmissionRequest> fast = decoder_.decode(body, RuleType::Validating);
    Result<AdmissionRequest> full = decodeAdmissionReview(body);
    ASSERT_EQ(fast.ok(), full.ok()) << body;
    if (full.ok()) {
      expectSameEnvelope(*fast, *full);
      EXPECT_EQ(fast->old_object.is_null(), full->old_object.is_null()) << body;
    } else {
      EXPECT_EQ(fast.error(), full.error()) << body;
    }
  }
  json without_operation = base;
  without_operation["request"].erase("operation");
  EXPECT_EQ(decoder_.decode(without_operation.dump(), RuleType::Validating).error(),
            decodeAdmissionReview(without_operation.dump()).error());
}

TEST_F(ReviewDecoderTest, BuildsOfTheObjectOnlyWhatTheRulesForItsKindRead) {
  for (const std::string& body : corpusReviews()) {
    Result<AdmissionRequest> full = decodeAdmissionReview(body);
    ASSERT_TRUE(full.ok());
    for (RuleType webhook : {RuleType::Validating, RuleType::Mutating}) {
      Result<AdmissionRequest> fast = decoder_.decode(body, webhook);
      ASSERT_TRUE(fast.ok());
      const cluster::FieldSet& kept = fields_.forKind(webhook, full->facts.group, full->facts.kind);
      const json expected_object = full->object.is_object() ? kept.trimCopy(full->object) : full->object;
      const json expected_old = full->old_object.is_object() ? kept.trimCopy(full->old_object) : full->old_object;
      EXPECT_EQ(fast->object, expected_object) << full->facts.kind;
      EXPECT_EQ(fast->old_object, expected_old) << full->facts.kind;
      EXPECT_FALSE(fast->object.contains("status"));
      if (fast->object.contains("metadata")) {
        EXPECT_FALSE(fast->object["metadata"].contains("managedFields"));
      }
    }
  }
}

TEST_F(ReviewDecoderTest, BuildsOfAPodSpecOnlyTheContainersNamesAndResources) {
  const json container = {{"name", "app"},
                          {"image", "shop/app:1"},
                          {"env", {{{"name", "A"}, {"value", "1"}}}},
                          {"readinessProbe", {{"httpGet", {{"path", "/ready"}, {"port", 8080}}}}},
                          {"resources", {{"limits", {{"memory", "512Mi"}}}}}};
  const json pod = {{"metadata", {{"name", "web"}, {"managedFields", {{{"manager", "kubectl"}}}}}},
                    {"spec", {{"containers", {container}}, {"dnsPolicy", "ClusterFirst"}, {"volumes", json::array()}}},
                    {"status", {{"phase", "Running"}}}};
  Result<AdmissionRequest> request = decoder_.decode(review("Pod", pod).dump(), RuleType::Mutating);
  ASSERT_TRUE(request.ok()) << request.error();
  EXPECT_EQ(request->object["spec"],
            (json{{"containers", {{{"name", "app"}, {"resources", {{"limits", {{"memory", "512Mi"}}}}}}}}}));
  EXPECT_EQ(request->object["metadata"], (json{{"name", "web"}}));
  EXPECT_FALSE(request->object.contains("status"));
}

TEST_F(ReviewDecoderTest, KeepsOnlyTheEnginesFieldsOfAKindNoRuleAdmits) {
  json object = {{"metadata",
                  {{"generateName", "cfg-"},
                   {"labels", {{"meshward.dev/break-glass", "true"}, {"app", "x"}}},
                   {"annotations", {{"meshward.dev/break-glass-reason", "incident 7"}, {"big", std::string(1000, 'x')}}}}},
                 {"data", {{"key", "value"}}}};
  Result<AdmissionRequest> request = decoder_.decode(review("Secret", object).dump(), RuleType::Validating);
  ASSERT_TRUE(request.ok()) << request.error();
  EXPECT_EQ(request->object, (json{{"metadata",
                                    {{"generateName", "cfg-"},
                                     {"labels", {{"meshward.dev/break-glass", "true"}}},
                                     {"annotations", {{"meshward.dev/break-glass-reason", "incident 7"}}}}}}));
}

TEST_F(ReviewDecoderTest, RefusesMalformedBodiesWithTheFullDecodersAnswer) {
  const std::string valid = review("Pod", {{"metadata", {{"name", "web"}}}}).dump();
  const std::vector<std::string> bodies = {
      "",
      "   ",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid")",
      "[1,2]",
      valid + " x",
      valid.substr(0, valid.size() - 1),
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\xff\xfe\"}}",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\ud800"}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"a	b"}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":1,}})",
  };
  for (const std::string& body : bodies) {
    Result<AdmissionRequest> fast = decoder_.decode(body, RuleType::Validating);
    Result<AdmissionRequest> full = decodeAdmissionReview(body);
    ASSERT_FALSE(fast.ok()) << body;
    ASSERT_FALSE(full.ok()) << body;
    EXPECT_EQ(fast.error(), full.error()) << body;
  }
}

TEST_F(ReviewDecoderTest, BoundsNestingExactlyAsTheDepthGuard) {
  const auto nested = [](int depth) {
    return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","x":)" +
           std::string(static_cast<std::size_t>(depth - 2), '[') + std::string(static_cast<std::size_t>(depth - 2), ']') +
           "}}";
  };
  for (int depth : {kMaxJsonDepth - 1, kMaxJsonDepth, kMaxJsonDepth + 1, 100000}) {
    const std::string body = nested(depth);
    Result<AdmissionRequest> fast = decoder_.decode(body, RuleType::Validating);
    Result<AdmissionRequest> full = decodeAdmissionReview(body);
    ASSERT_FALSE(fast.ok());
    EXPECT_EQ(fast.error(), full.error()) << depth;  // "nested deeper" or, within the bound, "request.kind ..."
  }
  EXPECT_NE(decoder_.decode(nested(kMaxJsonDepth + 1), RuleType::Validating).error().find("nested deeper"),
            std::string::npos);
  EXPECT_EQ(decoder_.decode(nested(kMaxJsonDepth), RuleType::Validating).error().find("nested deeper"),
            std::string::npos);
}

TEST_F(ReviewDecoderTest, ServesWhatOnlyNlohmannAcceptsThroughTheFullDecoder) {
  const std::string body = review("Pod", {{"metadata", {{"name", "web"}}}, {"spec", {{"n", 1}}}}).dump();
  const std::string with_bom = "\xEF\xBB\xBF" + body;
  std::string big_number = body;
  big_number.replace(big_number.find(R"("n":1)"), 5, R"("n":123456789012345678901234567890)");
  for (const std::string& accepted : {with_bom, big_number}) {
    Result<AdmissionRequest> fast = decoder_.decode(accepted, RuleType::Validating);
    Result<AdmissionRequest> full = decodeAdmissionReview(accepted);
    ASSERT_TRUE(full.ok()) << full.error();
    ASSERT_TRUE(fast.ok()) << fast.error();
    EXPECT_EQ(fast->uid, full->uid);
    EXPECT_EQ(fast->object["spec"], full->object["spec"]) << accepted;
  }
}

TEST_F(ReviewDecoderTest, TypesNumbersAsNlohmannDoes) {
  json object = {{"metadata", {{"name", "web"}}}, {"spec", {{"a", 1}, {"b", -2}, {"c", 1.5}, {"d", 18446744073709551615ull}}}};
  Result<AdmissionRequest> request = whole_.decode(review("Pod", object).dump(), RuleType::Validating);
  ASSERT_TRUE(request.ok());
  const json& spec = request->object["spec"];
  EXPECT_TRUE(spec["a"].is_number_unsigned());
  EXPECT_TRUE(spec["b"].is_number_integer() && !spec["b"].is_number_unsigned());
  EXPECT_TRUE(spec["c"].is_number_float());
  EXPECT_EQ(spec["d"].get<std::uint64_t>(), 18446744073709551615ull);
}

TEST_F(ReviewDecoderTest, TheLastOfDuplicateKeysDecidesTheKindAsInTheFullDecoder) {
  std::string body = review("ConfigMap", {{"metadata", {{"name", "x"}}}, {"spec", {{"hosts", {"a"}}}}}).dump();
  // request.kind names a ConfigMap first and a VirtualService last: the VirtualService's fields are built.
  body.insert(body.find("\"kind\":{"), R"("kind":{"group":"","version":"v1","kind":"ConfigMap"},)");
  const std::string last = R"("kind":{"group":"","version":"v1","kind":"ConfigMap"})";
  body.replace(body.rfind(last), last.size(),
               R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"})");
  Result<AdmissionRequest> fast = decoder_.decode(body, RuleType::Validating);
  Result<AdmissionRequest> full = decodeAdmissionReview(body);
  ASSERT_TRUE(fast.ok()) << fast.error();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(fast->facts.kind, full->facts.kind);
  EXPECT_EQ(fast->object, fields_.forKind(RuleType::Validating, full->facts.group, full->facts.kind).trimCopy(full->object));
}

}  // namespace
}  // namespace meshward::admission
