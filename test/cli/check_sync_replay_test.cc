#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test/cluster/scratch_directory.h"
#include "test/support/fake_cluster_objects.h"
#include "webhook/cli/check_command.h"

namespace meshward::cli {
namespace {

using Subsets = std::vector<std::string>;

// The Argo CD sync wave annotation, none for "".
test_support::IstioShape inWave(const std::string& wave) {
  test_support::IstioShape shape;
  if (!wave.empty()) {
    shape.annotations = {{"argocd.argoproj.io/sync-wave", wave}};
  }
  return shape;
}

std::string destinationRule(const std::string& name, const std::string& wave, const Subsets& subsets = {"v1", "v2"}) {
  return test_support::destinationRuleObject("shop", name, "reviews", subsets, inWave(wave)).dump();
}

std::string virtualService(const std::string& name, const std::string& wave, const std::string& subset = "v2") {
  test_support::IstioShape shape = inWave(wave);
  shape.hosts = {"reviews"};
  return test_support::virtualServiceObject("shop", name, {"reviews/" + subset}, shape).dump();
}

std::string gateway(const std::string& name, const std::string& wave) {
  return test_support::gatewayObject("shop", name, inWave(wave)).dump();
}

std::string boundVirtualService(const std::string& name, const std::string& wave, const std::string& gateway_name) {
  test_support::IstioShape shape = inWave(wave);
  shape.hosts = {"shop.example.com"};
  shape.gateways = {gateway_name};
  return test_support::virtualServiceObject("shop", name, {"web"}, shape).dump();
}

struct CheckRun {
  int exit_code = -1;
  nlohmann::json report;
  std::string err;

  // The sync-wave-order findings as "code action Kind name".
  std::vector<std::string> syncWaveFindings() const {
    std::vector<std::string> found;
    for (const nlohmann::json& finding : report["findings"]) {
      if (finding["rule"] == "sync-wave-order") {
        found.push_back(finding["code"].get<std::string>() + " " + finding["action"].get<std::string>() + " " +
                        finding["kind"].get<std::string>() + " " + finding["name"].get<std::string>());
      }
    }
    return found;
  }
  // The `index`th sync-wave-order finding.
  nlohmann::json finding(std::size_t index) const {
    std::size_t seen = 0;
    for (const nlohmann::json& candidate : report["findings"]) {
      if (candidate["rule"] == "sync-wave-order" && seen++ == index) {
        return candidate;
      }
    }
    return nullptr;
  }
  std::string message(std::size_t index) const { return finding(index).value("message", ""); }
};

using Found = std::vector<std::string>;

class SyncWavePlanTest : public ::testing::Test {
 protected:
  // Checks `documents` (one file each, in order) with --cluster-state holding `live` when it is not empty.
  CheckRun check(const std::vector<std::string>& documents, const std::vector<std::string>& live = {},
                 const std::vector<std::string>& extra_arguments = {}) {
    const std::string folder = "run-" + std::to_string(runs_++);
    std::vector<std::string> arguments = {"-o", "json"};
    arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
    for (std::size_t i = 0; i < live.size(); ++i) {
      scratch_.write(folder + "/live/" + std::to_string(i) + ".yaml", live[i]);
    }
    if (!live.empty()) {
      arguments.push_back("--cluster-state");
      arguments.push_back((scratch_.path() / folder / "live").string());
    }
    for (std::size_t i = 0; i < documents.size(); ++i) {
      scratch_.write(folder + "/sync/" + std::to_string(i) + ".yaml", documents[i]);
    }
    arguments.push_back((scratch_.path() / folder / "sync").string());
    return run(arguments);
  }

  static CheckRun run(const std::vector<std::string>& arguments) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    CheckRun result;
    result.exit_code = runCheckCommand(arguments, in, out, err);
    result.err = err.str();
    result.report = nlohmann::json::parse(out.str(), nullptr, false);
    return result;
  }

  std::string policy(const std::string& action) {
    return scratch_.write(
        "policy-" + action + ".yaml",
        "apiVersion: meshward.dev/v1alpha1\nkind: Policy\nrules:\n  sync-wave-order:\n    action: " + action + "\n");
  }

  testing::ScratchDirectory scratch_;
  int runs_ = 0;
};

TEST_F(SyncWavePlanTest, VirtualServiceBeforeItsDestinationRuleIsReportedOnce) {
  const CheckRun result = check({virtualService("reviews", "0"), destinationRule("reviews", "1")});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.report.dump(2);
  ASSERT_EQ(result.syncWaveFindings(), (Found{"MW0701 warn VirtualService reviews"})) << result.report.dump(2);
  const nlohmann::json finding = result.finding(0);
  EXPECT_EQ(finding["file"], (scratch_.path() / "run-0/sync/0.yaml").string());
  EXPECT_EQ(finding["line"], 1);
  EXPECT_EQ(finding["message"],
            "VirtualService shop/reviews: Argo CD applies it (sync-wave 0) before DestinationRule shop/reviews "
            "(sync-wave 1, " +
                (scratch_.path() / "run-0/sync/1.yaml").string() +
                ":1), which defines what it routes to: subset v2 of reviews.shop.svc.cluster.local (http[0].route[0]). "
                "Until the DestinationRule is applied, Envoy answers 503 for those routes. Give the VirtualService a "
                "later sync-wave, e.g. argocd.argoproj.io/sync-wave: \"2\".");
  EXPECT_EQ(result.report["summary"]["warned"], 1);
}

TEST_F(SyncWavePlanTest, OrderDecidesWithinAndAcrossWaves) {
  struct Case {
    std::string name;
    std::vector<std::string> documents;
    Found found;
  };
  const std::vector<Case> cases = {
      {"DestinationRule in an earlier wave", {virtualService("reviews", ""), destinationRule("reviews", "-1")}, {}},
      {"DestinationRule in a later wave, VirtualService unannotated",
       {virtualService("reviews", ""), destinationRule("reviews", "3")},
       {"MW0701 warn VirtualService reviews"}},
      {"same wave, the VirtualService's name first",
       {virtualService("a-reviews", "1"), destinationRule("reviews", "1")},
       {"MW0701 warn VirtualService a-reviews"}},
      {"same wave, the DestinationRule's name first",
       {virtualService("z-reviews", "1"), destinationRule("reviews", "1")},
       {}},
      {"same wave and name: either order",
       {virtualService("reviews", "1"), destinationRule("reviews", "1")},
       {"MW0701 warn VirtualService reviews"}},
      {"one of two defining rules comes first",
       {virtualService("reviews", "1"), destinationRule("reviews", "2"), destinationRule("early", "0")},
       {}},
      {"no annotation anywhere, names in the risky order",
       {virtualService("a-reviews", ""), destinationRule("reviews", "")},
       {}},
      {"Gateway in a later wave",
       {boundVirtualService("web", "0", "public"), gateway("public", "1")},
       {"MW0701 warn VirtualService web"}},
      {"Gateway in an earlier wave", {boundVirtualService("web", "0", "shop/public"), gateway("public", "-1")}, {}},
      {"a subset nobody defines is another rule's finding",
       {virtualService("reviews", "0", "v9"), destinationRule("reviews", "1")},
       {}},
      {"a Gateway nobody defines is another rule's finding", {boundVirtualService("web", "0", "missing")}, {}},
  };
  for (const Case& test : cases) {
    const CheckRun result = check(test.documents);
    EXPECT_NE(result.exit_code, 2) << test.name << "\n" << result.err;
    EXPECT_EQ(result.syncWaveFindings(), test.found) << test.name << "\n" << result.report.dump(2);
  }
}

TEST_F(SyncWavePlanTest, MessagesSayHowTheWaveOrdersThem) {
  CheckRun result = check({virtualService("a-reviews", "1"), destinationRule("reviews", "1")});
  ASSERT_EQ(result.syncWaveFindings().size(), 1u) << result.report.dump(2);
  EXPECT_NE(result.message(0).find("VirtualService shop/a-reviews: Argo CD applies it (sync-wave 1) before "
                                   "DestinationRule shop/reviews (sync-wave 1, "),
            std::string::npos)
      << result.message(0);
  EXPECT_NE(result.message(0).find(" in the same wave (a wave's objects go by kind, then name)"), std::string::npos)
      << result.message(0);

  result = check({virtualService("reviews", "1"), destinationRule("reviews", "1")});
  ASSERT_EQ(result.syncWaveFindings().size(), 1u) << result.report.dump(2);
  EXPECT_NE(result.message(0).find("Argo CD may apply it (sync-wave 1) before DestinationRule shop/reviews"),
            std::string::npos)
      << result.message(0);

  result = check({boundVirtualService("web", "0", "public"), gateway("public", "1")});
  ASSERT_EQ(result.syncWaveFindings().size(), 1u) << result.report.dump(2);
  EXPECT_NE(result.message(0).find("which it binds to: gateways[0]. Until the Gateway is applied, its routes are not "
                                   "served on that Gateway (404)."),
            std::string::npos)
      << result.message(0);
}

TEST_F(SyncWavePlanTest, WhatIsLiveAlreadyIsThereFromTheStart) {
  const CheckRun rule_live =
      check({virtualService("reviews", "0"), destinationRule("reviews", "1")}, {destinationRule("reviews", "")});
  EXPECT_TRUE(rule_live.syncWaveFindings().empty()) << rule_live.report.dump(2);

  const CheckRun subset_added_later = check({virtualService("reviews", "0"), destinationRule("reviews", "1")},
                                            {destinationRule("reviews", "", Subsets{"v1"})});
  EXPECT_EQ(subset_added_later.syncWaveFindings(), (Found{"MW0701 warn VirtualService reviews"}))
      << subset_added_later.report.dump(2);

  const CheckRun gateway_live =
      check({boundVirtualService("web", "0", "public"), gateway("public", "1")}, {gateway("public", "")});
  EXPECT_TRUE(gateway_live.syncWaveFindings().empty()) << gateway_live.report.dump(2);
}

// Live: reviews routes to v1, which the DestinationRule defines. The sync moves the route to v2 and
// drops v1 from the DestinationRule; the drop must come after the route change.
TEST_F(SyncWavePlanTest, SubsetRemovalBeforeTheRouteChangeIsReported) {
  const std::vector<std::string> live = {virtualService("reviews", "", "v1"), destinationRule("reviews", "")};
  const Subsets drops_v1 = {"v2"};
  struct Case {
    std::string name;
    std::vector<std::string> documents;
    std::vector<std::string> live;
    Found found;
  };
  const std::vector<Case> cases = {
      {"removal in an earlier wave",
       {virtualService("reviews", "1"), destinationRule("reviews", "0", drops_v1)},
       live,
       {"MW0702 warn DestinationRule reviews"}},
      {"removal in the same wave and with the same name",
       {virtualService("reviews", "1"), destinationRule("reviews", "1", drops_v1)},
       live,
       {"MW0702 warn DestinationRule reviews"}},
      {"removal after the route change",
       {virtualService("reviews", "1"), destinationRule("reviews", "2", drops_v1)},
       live,
       {}},
      {"nothing live uses v1", {virtualService("reviews", "1"), destinationRule("reviews", "0", drops_v1)}, {}, {}},
      {"another live rule keeps v1 defined",
       {virtualService("reviews", "1"), destinationRule("reviews", "0", drops_v1)},
       {virtualService("reviews", "", "v1"), destinationRule("reviews", ""),
        destinationRule("spare", "", Subsets{"v1"})},
       {}},
      {"the VirtualService keeps using v1: a missing subset, not an ordering problem",
       {virtualService("reviews", "1", "v1"), destinationRule("reviews", "0", drops_v1)},
       live,
       {}},
      {"no annotation anywhere", {virtualService("reviews", ""), destinationRule("reviews", "", drops_v1)}, live, {}},
  };
  for (const Case& test : cases) {
    const CheckRun result = check(test.documents, test.live);
    EXPECT_NE(result.exit_code, 2) << test.name << "\n" << result.err;
    Found found;
    for (const std::string& finding : result.syncWaveFindings()) {
      found.push_back(finding);
    }
    EXPECT_EQ(found, test.found) << test.name << "\n" << result.report.dump(2);
  }
}

TEST_F(SyncWavePlanTest, RemovalMessageNamesTheChangeItMustWaitFor) {
  const CheckRun result = check({virtualService("reviews", "1"), destinationRule("reviews", "0", Subsets{"v2"})},
                                {virtualService("reviews", "", "v1"), destinationRule("reviews", "")});
  ASSERT_EQ(result.syncWaveFindings(), (Found{"MW0702 warn DestinationRule reviews"})) << result.report.dump(2);
  const nlohmann::json finding = result.finding(0);
  EXPECT_EQ(finding["file"], (scratch_.path() / "run-0/sync/1.yaml").string());
  EXPECT_EQ(finding["message"],
            "DestinationRule shop/reviews: Argo CD applies it (sync-wave 0) before the change of VirtualService "
            "shop/reviews (sync-wave 1, " +
                (scratch_.path() / "run-0/sync/0.yaml").string() +
                ":1) that stops routing to what it takes away: removes subset v1 of reviews.shop.svc.cluster.local "
                "(http[0].route[0]). In between, the live VirtualService still routes there and Envoy answers 503 for "
                "those routes. Give the DestinationRule a later sync-wave, e.g. argocd.argoproj.io/sync-wave: \"2\".");
}

TEST_F(SyncWavePlanTest, HostAndExportToChangesTakeSubsetsAwayToo) {
  const std::vector<std::string> live = {virtualService("reviews", "", "v1"), destinationRule("reviews", "")};
  const std::string moved_host =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: shop, "
      "annotations: {argocd.argoproj.io/sync-wave: \"0\"}}\nspec: {host: ratings, subsets: [{name: v1}]}\n";
  CheckRun result = check({virtualService("reviews", "1"), moved_host}, live);
  ASSERT_EQ(result.syncWaveFindings(), (Found{"MW0702 warn DestinationRule reviews"})) << result.report.dump(2);
  EXPECT_NE(result.message(0).find("changes its host from \"reviews\" to \"ratings\", leaving subset v1 of "
                                   "reviews.shop.svc.cluster.local undefined"),
            std::string::npos)
      << result.message(0);

  const std::string hidden =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: shop, "
      "annotations: {argocd.argoproj.io/sync-wave: \"0\"}}\nspec: {host: reviews, exportTo: [billing], subsets: "
      "[{name: v1}, {name: v2}]}\n";
  // v2 is not visible from shop once the sync is done either: virtualservice-subset-exists' finding.
  result = check({virtualService("reviews", "1"), hidden}, live);
  ASSERT_EQ(result.syncWaveFindings(), (Found{"MW0702 warn DestinationRule reviews"})) << result.report.dump(2);
  EXPECT_NE(result.message(0).find("no longer exports subset v1 of reviews.shop.svc.cluster.local to namespace shop "
                                   "(exportTo)"),
            std::string::npos)
      << result.message(1);
}

TEST_F(SyncWavePlanTest, ThePolicyActionAppliesToThePlan) {
  const std::vector<std::string> documents = {virtualService("reviews", "0"), destinationRule("reviews", "1")};
  const CheckRun denied = check(documents, {}, {"--config", policy("deny")});
  EXPECT_EQ(denied.exit_code, 1) << denied.err;
  EXPECT_EQ(denied.syncWaveFindings(), (Found{"MW0701 deny VirtualService reviews"}));
  EXPECT_EQ(denied.report["summary"]["denied"], 1);

  const CheckRun audited = check(documents, {}, {"--config", policy("audit")});
  EXPECT_EQ(audited.exit_code, 0) << audited.err;
  EXPECT_EQ(audited.syncWaveFindings(), (Found{"MW0701 audit VirtualService reviews"}));
  EXPECT_EQ(audited.report["summary"]["audited"], 1);
  EXPECT_EQ(audited.report["summary"]["warned"], 0);

  const CheckRun off = check(documents, {}, {"--config", policy("off")});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_TRUE(off.syncWaveFindings().empty()) << off.report.dump(2);
}

TEST_F(SyncWavePlanTest, TextOutputShowsThePlanFindings) {
  scratch_.write("text/vs.yaml", virtualService("reviews", "0"));
  scratch_.write("text/dr.yaml", destinationRule("reviews", "1"));
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(runCheckCommand({(scratch_.path() / "text").string()}, in, out, err), 0) << err.str();
  EXPECT_NE(out.str().find((scratch_.path() / "text/vs.yaml").string() +
                           ":1: WARN [sync-wave-order] (MW0701) VirtualService shop/reviews: Argo CD applies it "
                           "(sync-wave 0) before"),
            std::string::npos)
      << out.str();
}

TEST_F(SyncWavePlanTest, InvalidWavesAreReportedAsAtAdmission) {
  const CheckRun result = check({virtualService("reviews", "first"), destinationRule("reviews", "")});
  ASSERT_EQ(result.syncWaveFindings(),
            (Found{"MW0701 warn VirtualService reviews", "MW0701 warn VirtualService reviews"}))
      << result.report.dump(2);
  EXPECT_NE(result.message(0).find("annotation argocd.argoproj.io/sync-wave is \"first\", which is not an integer"),
            std::string::npos)
      << result.message(0);
  EXPECT_NE(result.message(1).find("Argo CD may apply it (sync-wave 0, \"first\" is not an integer) before"),
            std::string::npos)
      << result.message(1);
}

TEST_F(SyncWavePlanTest, IgnoredNamespacesAreNotReported) {
  test_support::IstioShape shape = inWave("0");
  shape.hosts = {"reviews"};
  const std::string in_kube_system =
      test_support::virtualServiceObject("kube-system", "reviews", {"reviews/v2"}, shape).dump();
  const CheckRun result = check({in_kube_system, destinationRule("reviews", "1")});
  EXPECT_TRUE(result.syncWaveFindings().empty()) << result.report.dump(2);
}

// The gitops corpus holds real Argo CD sync-wave manifests (Applications, a Namespace, a Service, a
// PeerAuthentication, a Deployment...) but, as its SOURCES.md records, no VirtualService,
// DestinationRule or Gateway: the replay has nothing to order there and reports nothing.
TEST(SyncWavePlanCorpus, TheGitopsCorpusHasNothingToReorder) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code =
      runCheckCommand({"-o", "json", std::string(MESHWARD_SHARED_DIR) + "/corpus/gitops"}, in, out, err);
  EXPECT_NE(exit_code, 2) << err.str();
  const nlohmann::json report = nlohmann::json::parse(out.str());
  EXPECT_GE(report["summary"]["objects"].get<int>(), 16);
  for (const nlohmann::json& finding : report["findings"]) {
    EXPECT_NE(finding["rule"], "sync-wave-order") << finding.dump();
  }
}

}  // namespace
}  // namespace meshward::cli
