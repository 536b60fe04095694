#include "policies/common/virtual_service_destinations.h"

#include <gtest/gtest.h>

#include "policies/request_memo.h"
#include "test/support/rule_harness.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;

RequestFacts virtualServiceCreate() {
  RequestFacts facts;
  facts.operation = "CREATE";
  facts.kind = "VirtualService";
  facts.namespace_name = "shop";
  facts.name = "reviews";
  return facts;
}

cluster::Manifest manifestOf(const std::string& yaml) { return cluster::Manifest{objectFromYaml(yaml), "test.yaml", 1}; }

class VirtualServiceDestinationsTest : public ::testing::Test {
 protected:
  const cluster::OfflineClusterState state_{
      std::vector<cluster::Manifest>{
          manifestOf("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: "
                     "shop}\nspec: {host: reviews, subsets: [{name: v1}, {name: v2}]}"),
          manifestOf("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: private, namespace: "
                     "other}\nspec: {host: reviews.shop.svc.cluster.local, exportTo: [.], subsets: [{name: v1}]}"),
      },
      {&destinationRulesByHostIndex()}};
  const nlohmann::json virtual_service_ = objectFromYaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  http:
    - route:
        - destination: {host: reviews, subset: v1}
        - destination: {host: reviews.shop.svc.cluster.local, subset: v2}
        - destination: {host: ratings}
)");
  const RequestFacts facts_ = virtualServiceCreate();
  const nlohmann::json none_;
  const RuleSettings settings_{};
  const MeshSettings mesh_{};
};

TEST_F(VirtualServiceDestinationsTest, LooksUpEachHostOnceAndIsSharedThroughTheMemo) {
  RequestMemo memo;
  RuleContext context{facts_, virtual_service_, none_, state_, settings_, mesh_};
  context.memo = &memo;
  const std::shared_ptr<const VirtualServiceDestinations> first = virtualServiceDestinations(context);
  EXPECT_EQ(virtualServiceDestinations(context), first) << "the second rule of the request reuses the first's";

  ASSERT_EQ(first->with_subset.size(), 2u) << "the destination without a subset is left out";
  EXPECT_EQ(first->namespace_name, "shop");
  ASSERT_EQ(first->rules_by_host.size(), 1u) << "two spellings of one host, one lookup";
  EXPECT_EQ(first->rulesFor("reviews.shop.svc.cluster.local").size(), 2u);
  EXPECT_TRUE(first->rulesFor("ratings.shop.svc.cluster.local").empty());

  const std::vector<DestinationRuleSubsets> v1 = first->rulesDefining(first->with_subset[0]);
  ASSERT_EQ(v1.size(), 1u) << "the rule exported to its own namespace only is not visible from shop";
  EXPECT_EQ(v1[0].name, "reviews");
}

TEST_F(VirtualServiceDestinationsTest, WithoutAMemoEachCallWorksItOutAlone) {
  RuleContext context{facts_, virtual_service_, none_, state_, settings_, mesh_};
  EXPECT_NE(virtualServiceDestinations(context), virtualServiceDestinations(context));
  EXPECT_EQ(virtualServiceDestinations(context)->rules_by_host.size(), 1u);
}

}  // namespace
}  // namespace meshward::policies
