#include "webhook/cli/check_report.h"

#include <sstream>

#include <gtest/gtest.h>

namespace meshward::cli {
namespace {

CheckedFinding findingOf(policies::Action action, std::string kind, std::string namespace_name, std::string name,
                         std::string message) {
  return CheckedFinding{policies::Finding{"some-rule", "MW9999", action, std::move(message)},
                        std::move(kind),
                        std::move(namespace_name),
                        std::move(name),
                        "dir/app.yaml",
                        7};
}

std::string textOf(const CheckReport& report) {
  std::ostringstream out;
  printCheckText(report, out);
  return out.str();
}

TEST(CheckReportText, NamesTheObjectUnlessTheMessageAlreadyDoes) {
  CheckReport report;
  report.findings = {
      findingOf(policies::Action::Deny, "Pod", "shop", "web", "Pod shop/web: too little memory"),
      findingOf(policies::Action::Warn, "Gateway", "shop", "edge", "port 80 has no TLS"),
      findingOf(policies::Action::Deny, "ClusterRole", "", "reader", "too broad"),
      findingOf(policies::Action::Warn, "Pod", "shop", "", "generated name"),
  };
  EXPECT_EQ(textOf(report),
            "dir/app.yaml:7: DENY [some-rule] (MW9999) Pod shop/web: too little memory\n"
            "dir/app.yaml:7: WARN [some-rule] (MW9999) Gateway shop/edge: port 80 has no TLS\n"
            "dir/app.yaml:7: DENY [some-rule] (MW9999) ClusterRole reader: too broad\n"
            "dir/app.yaml:7: WARN [some-rule] (MW9999) Pod shop/(unnamed): generated name\n"
            "checked 0 objects in 0 files: 0 denied, 0 with warnings, 0 audited, 0 would be mutated\n");
}

TEST(CheckReportText, LeavesAuditFindingsToJson) {
  CheckReport report;
  report.findings = {findingOf(policies::Action::Audit, "Pod", "shop", "web", "recorded only")};
  report.summary = CheckSummary{.objects = 1, .files = 1, .skipped = 2, .audited = 1};
  EXPECT_EQ(textOf(report),
            "checked 1 object in 1 file: 0 denied, 0 with warnings, 1 audited, 0 would be mutated, 2 documents "
            "skipped (no apiVersion/kind)\n");
  const nlohmann::ordered_json json = checkReportJson(report);
  ASSERT_EQ(json["findings"].size(), 1u);
  EXPECT_EQ(json["findings"][0]["action"], "audit");
  EXPECT_EQ(json["findings"][0]["line"], 7);
  EXPECT_EQ(json["summary"]["skipped"], 2);
}

}  // namespace
}  // namespace meshward::cli
