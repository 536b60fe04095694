#include "webhook/cluster/kube/api_discovery.h"

#include <gtest/gtest.h>

#include "webhook/admission/cluster_requirements.h"

#include "test/cluster/kube/live_test_support.h"
#include "webhook/cluster/manifest_loader.h"

namespace meshward::cluster::kube {
namespace {

using namespace std::chrono_literals;
using test_support::FakeKind;
using test_support::FakeKubeApiServer;

std::optional<std::string> discover(const FakeKubeApiServer& fake, std::string_view group, std::string_view resource) {
  StopSignal stop;
  auto client = ApiClient::create(fake.connection(), stop);
  if (!client) {
    ADD_FAILURE() << client.error();
    return std::nullopt;
  }
  Result<std::optional<std::string>> version = discoverServedVersion(**client, group, resource, 5s);
  if (!version) {
    ADD_FAILURE() << version.error();
    return std::nullopt;
  }
  return *version;
}

TEST(ApiDiscovery, UsesThePreferredVersion) {
  const FakeKubeApiServer fake;
  EXPECT_EQ(discover(fake, "networking.istio.io", "destinationrules"), "v1");
  EXPECT_EQ(discover(fake, "security.istio.io", "peerauthentications"), "v1");
}

TEST(ApiDiscovery, FallsBackToAVersionThatServesTheResource) {
  FakeKubeApiServer fake(FakeKubeApiServer::Options{{"test-token"}, false});
  fake.serveKind(FakeKind{"networking.istio.io", {"v1alpha3"}, "DestinationRule", "destinationrules", true});
  fake.serveKind(FakeKind{"networking.istio.io", {"v1", "v1beta1"}, "Gateway", "gateways", true});
  EXPECT_EQ(discover(fake, "networking.istio.io", "destinationrules"), "v1alpha3")
      << "the group prefers v1, which does not serve DestinationRules here";
  EXPECT_EQ(discover(fake, "networking.istio.io", "gateways"), "v1");
}

TEST(ApiDiscovery, AnUninstalledKindIsNotServed) {
  FakeKubeApiServer fake(FakeKubeApiServer::Options{{"test-token"}, false});
  EXPECT_EQ(discover(fake, "networking.istio.io", "destinationrules"), std::nullopt);
  fake.serveKind(FakeKind{"networking.istio.io", {"v1"}, "Gateway", "gateways", true});
  EXPECT_EQ(discover(fake, "networking.istio.io", "destinationrules"), std::nullopt)
      << "the group is served, the resource is not";
}

TEST(ApiDiscovery, FailuresAreErrorsNotAbsence) {
  FakeKubeApiServer fake;
  StopSignal stop;
  auto client = ApiClient::create(fake.connection("wrong-token"), stop);
  ASSERT_TRUE(client.ok()) << client.error();
  Result<std::optional<std::string>> version =
      discoverServedVersion(**client, "networking.istio.io", "destinationrules", 5s);
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().find("GET /apis/networking.istio.io: HTTP 401"), std::string::npos) << version.error();
}

TEST(ApiDiscovery, FindsTheVersionsIstiosOwnCrdsServe) {
  Result<std::vector<Manifest>> crds =
      loadManifests({std::string(MESHWARD_SHARED_DIR) + "/corpus/istio-crds/crd-all.gen.yaml"});
  ASSERT_TRUE(crds.ok()) << crds.error();
  FakeKubeApiServer fake(FakeKubeApiServer::Options{{"test-token"}, false});
  for (const Manifest& crd : *crds) {
    fake.serveKind(test_support::kindOfCrd(crd.object));
  }
  for (const KindRequirement& requirement : admission::registeredRequirements(ObjectSource::Live).kinds) {
    const WatchedKind& kind = requirement.kind;
    if (kind.discovered() && kind.group.ends_with("istio.io")) {
      EXPECT_EQ(discover(fake, kind.group, kind.resource), "v1") << kind.kind;
    }
  }
  EXPECT_EQ(discover(fake, "networking.istio.io", "proxyconfigs"), "v1beta1") << "ProxyConfig has no v1 yet";
}

}  // namespace
}  // namespace meshward::cluster::kube
