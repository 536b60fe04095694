#include "webhook/admission/cluster_requirements.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policies/indexes/pods_without_sidecar.h"
#include "policies/registry.h"

namespace meshward::admission {
namespace {

std::vector<std::string> kindNames(const cluster::ClusterRequirements& requirements) {
  std::vector<std::string> names;
  for (const cluster::KindRequirement& requirement : requirements.kinds) {
    names.push_back(std::string(requirement.kind.group) + "/" + std::string(requirement.kind.kind));
  }
  return names;
}

TEST(ClusterRequirements, TheLiveCacheFollowsExactlyWhatTheRegisteredRulesRead) {
  const cluster::ClusterRequirements& live = registeredRequirements(cluster::ObjectSource::Live);
  EXPECT_EQ(kindNames(live), (std::vector<std::string>{"/Namespace", "/Pod",
                                                        "admissionregistration.k8s.io/MutatingWebhookConfiguration",
                                                        "gateway.networking.k8s.io/Gateway",
                                                        "networking.istio.io/DestinationRule",
                                                        "networking.istio.io/Gateway",
                                                        "networking.istio.io/VirtualService",
                                                        "security.istio.io/AuthorizationPolicy",
                                                        "security.istio.io/PeerAuthentication"}));
  const cluster::KindRequirement* pods = live.find("", "Pod");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->indexes, (std::vector<const cluster::IndexSpec*>{&policies::podsWithSidecarIndex(),
                                                                    &policies::podsWithoutSidecarIndex()}));
  const std::vector<std::string> fields = pods->fields.pointers();
  for (const std::string expected : {"/metadata/name", "/metadata/labels", "/metadata/annotations/istio.io~1rev",
                                     "/spec/containers/*/name", "/status/phase"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), expected), fields.end()) << expected;
  }
  EXPECT_EQ(std::find(fields.begin(), fields.end(), "/spec"), fields.end()) << "pods are trimmed, not kept whole";
}

// A rule that declares a field pointer the machine cannot use.
class BadReadsRule final : public policies::Rule {
 public:
  BadReadsRule() {
    metadata_.id = "bad-reads";
    metadata_.inputs = {{cluster::kinds::Pod}};
    metadata_.reads = {{cluster::kinds::Pod, {"spec/containers"}}};
  }
  const policies::RuleMetadata& metadata() const override { return metadata_; }
  void evaluate(const policies::RuleContext&, policies::Report&) const override {}

 private:
  policies::RuleMetadata metadata_;
};

TEST(ClusterRequirements, AnUnusableDeclarationNamesTheRule) {
  const BadReadsRule bad;
  const Result<cluster::ClusterRequirements> derived = clusterRequirements({&bad});
  ASSERT_FALSE(derived.ok());
  EXPECT_NE(derived.error().find("rule bad-reads declares an unusable field of Pod"), std::string::npos)
      << derived.error();
}

TEST(ClusterRequirements, ReadsOfAdmittedKindsDoNotMakeTheCacheWatchThem) {
  const cluster::ClusterRequirements& live = registeredRequirements(cluster::ObjectSource::Live);
  EXPECT_EQ(live.find("apps", "Deployment"), nullptr) << "rules read Deployments only under review";
  const Result<cluster::ClusterRequirements> none = clusterRequirements({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->kinds.empty());
}

}  // namespace
}  // namespace meshward::admission
