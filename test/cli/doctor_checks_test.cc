#include "webhook/cli/doctor_checks.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/server/self_signed.h"

namespace meshward::cli {
namespace {

using nlohmann::json;

std::vector<std::string> checks(const std::vector<DoctorFinding>& findings) {
  std::vector<std::string> names;
  for (const DoctorFinding& finding : findings) {
    names.push_back(finding.check);
  }
  return names;
}

std::string describe(const std::vector<DoctorFinding>& findings) {
  std::string text;
  for (const DoctorFinding& finding : findings) {
    text += "[" + finding.check + "] " + finding.subject + ": " + finding.problem + " / fix: " + finding.fix + "\n";
  }
  return text;
}

// The rules of one webhook type exactly as the registered rules read them, one rule per tuple.
json rulesFor(std::string_view webhook_type, bool istio) {
  json rules = json::array();
  for (const auto& [group, resource, operation] : expectedTuples(webhook_type)) {
    if (group.ends_with(".istio.io") == istio) {
      rules.push_back({{"apiGroups", {group}}, {"apiVersions", {"*"}}, {"resources", {resource}},
                       {"operations", {operation}}, {"scope", "*"}});
    }
  }
  return rules;
}

json webhook(const std::string& name, const std::string& failure_policy, json rules) {
  return {{"name", name},
          {"clientConfig", {{"service", {{"namespace", "meshward-system"}, {"name", "meshward"}, {"port", 443}}}}},
          {"failurePolicy", failure_policy},
          {"timeoutSeconds", 3},
          {"namespaceSelector",
           {{"matchExpressions",
             {{{"key", "kubernetes.io/metadata.name"},
               {"operator", "NotIn"},
               {"values", {"meshward-system", "kube-system", "kube-node-lease"}}}}}}},
          {"rules", std::move(rules)}};
}

json configurationList(const std::string& kind, std::vector<json> configurations) {
  return {{"kind", kind + "List"}, {"items", configurations}};
}

json configuration(const std::string& name, std::vector<json> webhooks) {
  return {{"metadata", {{"name", name}}}, {"webhooks", webhooks}};
}

// The configurations as the chart installs them, and Istio's injectors.
struct Installed {
  json validating_ = configurationList(
      "ValidatingWebhookConfiguration",
      {configuration("meshward", {webhook("istio.validate.meshward.dev", "Fail", rulesFor("validating", true)),
                                  webhook("workloads.validate.meshward.dev", "Ignore", rulesFor("validating", false))})});
  json mutating_ = configurationList(
      "MutatingWebhookConfiguration",
      {configuration("00-meshward", {webhook("workloads.mutate.meshward.dev", "Ignore", rulesFor("mutating", false))}),
       configuration("istio-sidecar-injector", {{{"name", "rev.namespace.sidecar-injector.istio.io"}}}),
       configuration("istio-revision-tag-default", {{{"name", "rev.namespace.sidecar-injector.istio.io"}}})});

  json& istioWebhook() { return validating_["items"][0]["webhooks"][0]; }
};

TEST(DoctorChecks, ConfigurationsAsTheChartInstallsThemAreHealthy) {
  const Installed installed;
  const std::vector<DoctorFinding> findings = checkConfigurations(installed.validating_, installed.mutating_);
  EXPECT_TRUE(findings.empty()) << describe(findings);
}

TEST(DoctorChecks, EachMisconfigurationIsFoundWithItsFix) {
  struct Case {
    std::string name;
    std::function<void(Installed&)> change;
    std::string check;
    std::string said;
  };
  const std::vector<Case> cases = {
      {"the Istio webhook fails open", [](Installed& t) { t.istioWebhook()["failurePolicy"] = "Ignore"; },
       "failure-policy", "chart value webhooks.validating.istio.failurePolicy"},
      {"the workloads webhook fails closed",
       [](Installed& t) { t.validating_["items"][0]["webhooks"][1]["failurePolicy"] = "Fail"; }, "failure-policy",
       "meshward's own replacement pods among them"},
      {"a long timeout", [](Installed& t) { t.istioWebhook()["timeoutSeconds"] = 10; }, "timeout",
       "timeoutSeconds is 10 (set)"},
      {"no timeout: the API server's default of 10 s", [](Installed& t) { t.istioWebhook().erase("timeoutSeconds"); },
       "timeout", "the API server's default"},
      {"kube-system not excluded",
       [](Installed& t) {
         t.istioWebhook()["namespaceSelector"]["matchExpressions"][0]["values"] = json::array({"meshward-system"});
       },
       "namespace-selector", "lets requests from namespace kube-system through"},
      {"no namespaceSelector at all", [](Installed& t) { t.istioWebhook().erase("namespaceSelector"); },
       "namespace-selector", "namespace meshward-system through, meshward's own"},
      {"a resource the rules read is not sent",
       [](Installed& t) { t.istioWebhook()["rules"].erase(0); }, "rules", "which meshward's rules judge"},
      {"a resource no rule reads is sent",
       [](Installed& t) {
         t.validating_["items"][0]["webhooks"][1]["rules"].push_back(
             {{"apiGroups", {""}}, {"resources", {"secrets"}}, {"operations", {"CREATE"}}});
       },
       "rules", "the API server sends CREATE secrets, which no rule of this meshward reads"},
      {"the mutating configuration sorts after Istio's injector",
       [](Installed& t) { t.mutating_["items"][0]["metadata"]["name"] = "meshward"; }, "order",
       "it sorts after Istio's injector istio-revision-tag-default"},
      {"no mutating webhook", [](Installed& t) { t.mutating_["items"].erase(0); }, "installed",
       "MutatingWebhookConfiguration: no webhook of meshward"},
  };
  for (const Case& test_case : cases) {
    Installed fresh;
    test_case.change(fresh);
    const std::vector<DoctorFinding> findings = checkConfigurations(fresh.validating_, fresh.mutating_);
    const std::vector<std::string> found = checks(findings);
    EXPECT_NE(std::find(found.begin(), found.end(), test_case.check), found.end()) << test_case.name << "\n"
                                                                                     << describe(findings);
    EXPECT_NE(describe(findings).find(test_case.said), std::string::npos) << test_case.name << "\n" << describe(findings);
    for (const DoctorFinding& finding : findings) {
      EXPECT_FALSE(finding.fix.empty()) << test_case.name;
    }
  }
}

TEST(DoctorServiceCheck, AServiceWithoutAReadyEndpointFailsEveryCall) {
  const json service = {{"metadata", {{"name", "meshward"}}}};
  const json ready = {{"subsets", {{{"addresses", {{{"ip", "10.0.0.1"}}}}}}}};
  const json not_ready = {{"subsets", {{{"notReadyAddresses", {{{"ip", "10.0.0.1"}}, {{"ip", "10.0.0.2"}}}}}}}};
  EXPECT_TRUE(checkService("meshward-system/meshward", service, ready).empty());
  const std::vector<DoctorFinding> pending = checkService("meshward-system/meshward", service, not_ready);
  ASSERT_EQ(checks(pending), std::vector<std::string>{"endpoints"});
  EXPECT_NE(pending[0].problem.find("no ready endpoint (2 not ready)"), std::string::npos) << pending[0].problem;
  EXPECT_EQ(checks(checkService("meshward-system/meshward", service, std::nullopt)), std::vector<std::string>{"endpoints"});
  EXPECT_EQ(checks(checkService("meshward-system/meshward", std::nullopt, std::nullopt)),
            std::vector<std::string>{"service"});
}

std::string base64(const std::string& text) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    const unsigned chunk = (static_cast<unsigned char>(text[i]) << 16) |
                           (i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) << 8 : 0) |
                           (i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < text.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

server::SelfSignedCertificate pair(std::vector<std::string> names, std::chrono::hours validity) {
  server::SelfSignedOptions options;
  options.dns_names = std::move(names);
  options.ip_addresses = {};
  options.validity = validity;
  return *server::generateSelfSigned(options);
}

MeshwardWebhook withCaBundle(const std::string& ca_pem) {
  json hook = webhook("istio.validate.meshward.dev", "Fail", json::array());
  hook["clientConfig"]["caBundle"] = base64(ca_pem);
  return {"ValidatingWebhookConfiguration", "meshward", hook};
}

TEST(DoctorCertificateCheck, TheCaBundleMustVerifyTheServingCertificateForTheServiceName) {
  const auto now = std::chrono::system_clock::now();
  const server::SelfSignedCertificate good = pair({"meshward.meshward-system.svc"}, std::chrono::hours(24 * 365));
  EXPECT_TRUE(checkCertificates(withCaBundle(good.ca_pem), good.cert_pem, now).empty());
  EXPECT_TRUE(checkCertificates(withCaBundle(good.ca_pem), std::nullopt, now).empty()) << "not readable: not checked";

  const server::SelfSignedCertificate other = pair({"meshward.meshward-system.svc"}, std::chrono::hours(24 * 365));
  const std::vector<DoctorFinding> wrong_ca = checkCertificates(withCaBundle(other.ca_pem), good.cert_pem, now);
  ASSERT_EQ(checks(wrong_ca), std::vector<std::string>{"ca-bundle"});
  EXPECT_NE(wrong_ca[0].problem.find("does not verify the serving certificate for meshward.meshward-system.svc"),
            std::string::npos)
      << wrong_ca[0].problem;

  const server::SelfSignedCertificate wrong_name = pair({"webhook.default.svc"}, std::chrono::hours(24 * 365));
  EXPECT_EQ(checks(checkCertificates(withCaBundle(wrong_name.ca_pem), wrong_name.cert_pem, now)),
            std::vector<std::string>{"ca-bundle"});

  const server::SelfSignedCertificate short_lived = pair({"meshward.meshward-system.svc"}, std::chrono::hours(24 * 3));
  const std::vector<std::string> expiring = checks(checkCertificates(withCaBundle(short_lived.ca_pem), short_lived.cert_pem, now));
  EXPECT_NE(std::find(expiring.begin(), expiring.end(), "certificate-expiry"), expiring.end());
  EXPECT_NE(std::find(expiring.begin(), expiring.end(), "ca-expiry"), expiring.end());

  EXPECT_EQ(checks(checkCertificates(withCaBundle(""), good.cert_pem, now)), std::vector<std::string>{"ca-bundle"});
}

TEST(LabelSelector, MatchesAsTheApiServerDoes) {
  const json selector = {{"matchLabels", {{"team", "a"}}},
                         {"matchExpressions",
                          {{{"key", "env"}, {"operator", "In"}, {"values", {"prod", "stage"}}},
                           {{"key", "legacy"}, {"operator", "DoesNotExist"}}}}};
  EXPECT_TRUE(labelSelectorMatches(&selector, {{"team", "a"}, {"env", "prod"}}));
  EXPECT_FALSE(labelSelectorMatches(&selector, {{"team", "a"}, {"env", "dev"}}));
  EXPECT_FALSE(labelSelectorMatches(&selector, {{"team", "a"}, {"env", "prod"}, {"legacy", "x"}}));
  EXPECT_FALSE(labelSelectorMatches(&selector, {{"env", "prod"}}));
  EXPECT_TRUE(labelSelectorMatches(nullptr, {}));
  const json empty = json::object();
  EXPECT_TRUE(labelSelectorMatches(&empty, {{"any", "thing"}}));
}

}  // namespace
}  // namespace meshward::cli
