#include "policies/indexes/destination_rules_by_host.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::policies {
namespace {

using json = nlohmann::json;

json ruleFor(const std::string& host, const std::string& extra_spec = "") {
  return json::parse(R"({"spec":{"host":")" + host + R"(","subsets":[{"name":"v1"}])" + extra_spec + "}}");
}

std::vector<std::string> namesFor(const DestinationRuleHostIndex& index, std::string_view host) {
  std::vector<std::string> names;
  for (const DestinationRuleSubsets& rule : index.query(host)) {
    names.push_back(rule.namespace_name + "/" + rule.name);
  }
  return names;
}

TEST(DestinationRuleHostIndexWildcards, MatchesWildcardHostsLabelByLabel) {
  DestinationRuleHostIndex index;
  index.update("shop", "exact", ruleFor("reviews.example.com"));
  index.update("shop", "one-level", ruleFor("*.example.com"));
  index.update("shop", "deeper", ruleFor("*.eu.example.com"));
  index.update("istio-system", "everything", ruleFor("*"));
  index.update("shop", "short", ruleFor("reviews"));
  index.update("shop", "cluster-wide", ruleFor("*.svc.cluster.local"));

  struct Case {
    std::string host;
    std::vector<std::string> rules;
  };
  const std::vector<Case> cases = {
      {"reviews.example.com", {"istio-system/everything", "shop/exact", "shop/one-level"}},
      {"ratings.eu.example.com", {"istio-system/everything", "shop/deeper", "shop/one-level"}},
      {"RATINGS.EU.example.com", {"istio-system/everything", "shop/deeper", "shop/one-level"}},
      {"example.com", {"istio-system/everything"}},
      {"reviews.example.org", {"istio-system/everything"}},
      {"reviews.shop.svc.cluster.local", {"istio-system/everything", "shop/cluster-wide", "shop/short"}},
      {"*.eu.example.com", {"istio-system/everything", "shop/deeper", "shop/one-level"}},
      {"", {}},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(namesFor(index, test.host), test.rules) << test.host;
  }
}

TEST(DestinationRuleHostIndexWildcards, ForgetsWildcardRulesThatAreRemovedOrChangeHost) {
  DestinationRuleHostIndex index;
  index.update("shop", "dr", ruleFor("*.example.com"));
  index.update("shop", "dr", ruleFor("reviews.example.com"));
  EXPECT_TRUE(index.query("ratings.example.com").empty()) << "no longer a wildcard";
  EXPECT_EQ(namesFor(index, "reviews.example.com"), std::vector<std::string>{"shop/dr"});
  index.update("shop", "dr", ruleFor("*"));
  EXPECT_EQ(namesFor(index, "anything.at.all"), std::vector<std::string>{"shop/dr"});
  index.remove("shop", "dr");
  EXPECT_TRUE(index.query("anything.at.all").empty());
  index.update("shop", "dr", ruleFor("*.example.com"));
  index.clear();
  EXPECT_TRUE(index.query("reviews.example.com").empty());
}

TEST(DestinationRuleHostIndexExportTo, KeepsExportToAsWritten) {
  DestinationRuleHostIndex index;
  index.update("shop", "private", ruleFor("reviews", R"(,"exportTo":[".","other",7])"));
  index.update("shop", "public", ruleFor("ratings"));
  const std::vector<DestinationRuleSubsets> private_rules = index.query("reviews.shop.svc.cluster.local");
  ASSERT_EQ(private_rules.size(), 1u);
  EXPECT_EQ(private_rules[0].export_to, (std::vector<std::string>{".", "other"}));
  const std::vector<DestinationRuleSubsets> public_rules = index.query("ratings.shop.svc.cluster.local");
  ASSERT_EQ(public_rules.size(), 1u);
  EXPECT_TRUE(public_rules[0].export_to.empty());
}

TEST(DestinationRuleHostIndexExportTo, SummaryReadsExportToOfAnyShape) {
  EXPECT_TRUE(summarizeDestinationRule("shop", "dr", json::parse(R"({"spec":{"host":"a","exportTo":"*"}})"))
                  .export_to.empty());
  EXPECT_EQ(summarizeDestinationRule("shop", "dr", json::parse(R"({"spec":{"host":"a","exportTo":["*"]}})")).export_to,
            std::vector<std::string>{"*"});
}

}  // namespace
}  // namespace meshward::policies
