#include "webhook/admission/admission_review.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace meshward::admission {
namespace {

using nlohmann::json;

std::string readFile(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

json minimalReview() {
  return json::parse(R"({
    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "namespace": "shop", "name": "web", "operation": "CREATE",
                "userInfo": {"username": "alice", "groups": ["dev", "system:authenticated"]},
                "object": {"metadata": {"name": "web"}}, "dryRun": true}})");
}

TEST(AdmissionReviewTest, DecodesEveryFieldTheEngineReads) {
  auto request = decodeAdmissionReview(minimalReview().dump());
  ASSERT_TRUE(request.ok()) << request.error();
  EXPECT_EQ(request->uid, "u-1");
  EXPECT_EQ(request->resource, "pods");
  EXPECT_EQ(request->facts.kind, "Pod");
  EXPECT_EQ(request->facts.namespace_name, "shop");
  EXPECT_EQ(request->facts.operation, "CREATE");
  EXPECT_EQ(request->facts.user, "alice");
  EXPECT_EQ(request->facts.groups, (std::vector<std::string>{"dev", "system:authenticated"}));
  EXPECT_TRUE(request->facts.dry_run);
  EXPECT_TRUE(request->old_object.is_null());
}

TEST(AdmissionReviewTest, DecodesRealCapturesFromTheCorpus) {
  const std::string dir = std::string(MESHWARD_SHARED_DIR) + "/corpus/admissionreviews/";
  for (const char* name : {"salesforce-pod-create.envelope-v1.json", "kubewarden-deployment-create.envelope-v1.json",
                           "linkerd2-deployment-create.envelope-v1beta1.json"}) {
    auto request = decodeAdmissionReview(readFile(dir + name));
    EXPECT_TRUE(request.ok()) << name << ": " << request.error();
  }
  for (const char* name : {"kubewarden-pod-delete.request.json", "kubewarden-deployment-delete.request.json",
                           "kubewarden-deployment-update.request.json", "kubewarden-namespace-create.request.json",
                           "kubewarden-pod-create-by-replicaset-controller.request.json"}) {
    const std::string wrapped =
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + readFile(dir + name) + "}";
    auto request = decodeAdmissionReview(wrapped);
    EXPECT_TRUE(request.ok()) << name << ": " << request.error();
  }
}

TEST(AdmissionReviewTest, RejectsMalformedInputWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty body"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid")", "malformed JSON"},
      {"[1,2]", "JSON object"},
      {R"({"apiVersion":"v1","kind":"Pod"})", "not an AdmissionReview"},
      {R"({"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{}})", "unsupported apiVersion"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "request must be an object"},
      {std::string(100000, '[') + std::string(100000, ']'), "nested deeper"},
      {"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\xff\xfe\"}}",
       "malformed JSON"},
  };
  for (const auto& [body, expected] : cases) {
    auto request = decodeAdmissionReview(body);
    ASSERT_FALSE(request.ok()) << body.substr(0, 80);
    EXPECT_NE(request.error().find(expected), std::string::npos) << request.error();
  }
}

TEST(AdmissionReviewTest, RejectsAWrongTypeForEveryFieldItReads) {
  const std::vector<std::pair<std::string, json>> wrong = {
      {"/request/uid", 5},           {"/request/uid", ""},
      {"/request/kind", "Pod"},      {"/request/kind/kind", json::array()},
      {"/request/kind/group", 1},    {"/request/kind/version", true},
      {"/request/resource", "pods"}, {"/request/resource/resource", 3},
      {"/request/namespace", 7},     {"/request/name", json::object()},
      {"/request/operation", "PATCH"}, {"/request/operation", 1},
      {"/request/userInfo", "alice"}, {"/request/userInfo/username", 1},
      {"/request/userInfo/groups", "dev"}, {"/request/userInfo/groups", json::array({1})},
      {"/request/dryRun", "yes"},    {"/request/object", "x"},
      {"/request/object", nullptr},  {"/request/oldObject", 42},
      {"/request/subResource", 1},   {"/apiVersion", 1},
      {"/kind", nullptr},
  };
  for (const auto& [pointer, value] : wrong) {
    json review = minimalReview();
    review[json::json_pointer(pointer)] = value;
    auto request = decodeAdmissionReview(review.dump());
    EXPECT_FALSE(request.ok()) << pointer << " = " << value.dump();
  }
}

TEST(AdmissionReviewTest, AnswersInTheRequestsVersionWithStatusWarningsAndPatch) {
  json review = minimalReview();
  review["apiVersion"] = "admission.k8s.io/v1beta1";
  auto request = decodeAdmissionReview(review.dump());
  ASSERT_TRUE(request.ok());
  Decision decision;
  decision.allowed = false;
  decision.status_code = 403;
  decision.status_reason = "Forbidden";
  decision.message = "[rule] broken";
  decision.warnings = {"[other] careful"};
  decision.patch.push_back({"add", "/metadata/labels", json{{"a", "b"}}, "rule"});
  decision.audit_annotations.emplace_back("denied-by", "rule");
  const json response = json::parse(encodeAdmissionResponse(*request, decision));
  EXPECT_EQ(response["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(response["response"]["uid"], "u-1");
  EXPECT_EQ(response["response"]["allowed"], false);
  EXPECT_EQ(response["response"]["status"]["code"], 403);
  EXPECT_EQ(response["response"]["status"]["reason"], "Forbidden");
  EXPECT_EQ(response["response"]["status"]["message"], "[rule] broken");
  EXPECT_EQ(response["response"]["warnings"][0], "[other] careful");
  EXPECT_EQ(response["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(response["response"]["patch"], "W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscyIsInZhbHVlIjp7ImEiOiJiIn19XQ==");
  EXPECT_EQ(response["response"]["auditAnnotations"]["denied-by"], "rule");
}

TEST(AdmissionReviewTest, AllowedWithoutPatchCarriesNoStatusNoPatch) {
  auto request = decodeAdmissionReview(minimalReview().dump());
  ASSERT_TRUE(request.ok());
  const json response = json::parse(encodeAdmissionResponse(*request, Decision{}));
  EXPECT_EQ(response["response"]["allowed"], true);
  EXPECT_FALSE(response["response"].contains("status"));
  EXPECT_FALSE(response["response"].contains("patch"));
  EXPECT_FALSE(response["response"].contains("patchType"));
  EXPECT_FALSE(response["response"].contains("warnings"));
}


}  // namespace
}  // namespace meshward::admission
