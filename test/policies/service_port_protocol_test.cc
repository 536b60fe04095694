#include "policies/service_port_protocol/service_port_protocol_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;
using test_support::RuleHarness;
using test_support::RuleRun;

using Codes = std::vector<std::string>;

// A Service in `namespace_name` with the ports of `ports` (a YAML flow sequence).
nlohmann::json serviceWith(const std::string& ports, const std::string& namespace_name = "shop") {
  return objectFromYaml("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: " + namespace_name +
                        "}\nspec:\n  selector: {app: web}\n  ports: " + ports);
}

class ServicePortProtocolTest : public ::testing::Test {
 protected:
  ServicePortProtocolTest() {
    harness_.withNamespace("shop", {{"istio-injection", "enabled"}});
    harness_.withNamespace("ambient", {{"istio.io/dataplane-mode", "ambient"}});
    harness_.withNamespace("plain", {});
    harness_.withNamespace("opted-out", {{"istio-injection", "disabled"}, {"istio.io/rev", "canary"}});
  }

  RuleRun run(const nlohmann::json& service) { return harness_.run(service); }

  ServicePortProtocolRule rule_;
  RuleHarness harness_{rule_};
};

TEST_F(ServicePortProtocolTest, PassingAndFailingPortsSideBySide) {
  struct Case {
    std::string ports;
    Codes codes;
  };
  const std::vector<Case> cases = {
      {"[{name: https, port: 443, targetPort: 8443}]", {}},
      {"[{name: tls-web, port: 443}]", {}},
      {"[{name: http, port: 443, appProtocol: https}]", {"MW2001"}},  // contradiction
      {"[{name: web, port: 443, appProtocol: https}]", {}},
      {"[{name: web, port: 443}]", {}},  // no protocol named: Istio sniffs it
      {"[{name: http, port: 80}, {name: https, port: 443}]", {}},
      {"[{name: http, port: 443}]", {"MW2001"}},  // istio/istio#14520
      {"[{name: http-web, port: 443}]", {"MW2001"}},
      {"[{name: grpc, port: 443}]", {"MW2001"}},
      {"[{name: web, port: 443, appProtocol: http}]", {"MW2001"}},
      {"[{name: http-api, port: 8080, appProtocol: tcp}]", {"MW2001"}},
      {"[{name: grpc-api, port: 8080, appProtocol: http2}]", {}},  // both HTTP
      {"[{name: HTTP, port: 443}]", {"MW2001"}},
      {"[{name: https, port: 443}, {name: http, port: 443}]", {"MW2001"}},
  };
  for (const Case& test : cases) {
    const RuleRun result = run(serviceWith(test.ports));
    EXPECT_EQ(result.codes(), test.codes) << test.ports << "\n" << result.messages();
  }
}

TEST_F(ServicePortProtocolTest, TheMessageSaysWhatBreaksAndHowToFixIt) {
  const RuleRun plaintext = run(serviceWith("[{name: http, port: 443}]"));
  ASSERT_EQ(plaintext.codes(), Codes{"MW2001"});
  EXPECT_EQ(plaintext.findings[0].action, Action::Warn);
  EXPECT_EQ(plaintext.findings[0].message,
            "Service shop/web: spec.ports[0] (http) is port 443 but Istio treats it as plaintext http (from its name), "
            "so TLS that clients send to 443 reaches Envoy as garbled HTTP and fails (istio/istio#14520). Name it "
            "https or tls (or https-<suffix>), or set appProtocol: https; use http only if the port really serves "
            "plaintext.");
  const RuleRun contradiction = run(serviceWith("[{name: http-api, port: 8080, appProtocol: tcp}]"));
  ASSERT_EQ(contradiction.codes(), Codes{"MW2001"});
  EXPECT_NE(contradiction.findings[0].message.find("has appProtocol tcp but a name that says http"), std::string::npos)
      << contradiction.findings[0].message;
}

TEST_F(ServicePortProtocolTest, OnlyMeshNamespacesAreJudged) {
  const std::string bad = "[{name: http, port: 443}]";
  EXPECT_EQ(run(serviceWith(bad, "ambient")).codes(), Codes{"MW2001"});
  EXPECT_EQ(run(serviceWith(bad, "plain")).codes(), Codes{});
  EXPECT_EQ(run(serviceWith(bad, "opted-out")).codes(), Codes{}) << "istio-injection=disabled wins";
  EXPECT_EQ(run(serviceWith(bad, "unknown")).codes(), Codes{}) << "no namespace, no judgement";
}

TEST_F(ServicePortProtocolTest, WrongShapesNeverThrow) {
  for (const std::string ports : {"[1, {name: 5, port: \"443\"}, {port: 443}]", "{}", "null", "[{name: http, port: 443.0}]"}) {
    EXPECT_EQ(run(serviceWith(ports)).codes(), Codes{}) << ports;
  }
  EXPECT_TRUE(harness_.appliesTo(serviceWith("[]")));
  test_support::RequestOptions deleting;
  deleting.operation = "DELETE";
  EXPECT_FALSE(harness_.appliesTo(serviceWith("[]"), deleting));
}

}  // namespace
}  // namespace meshward::policies
