#pragma once
// What every mesh-guard benchmark does per iteration: one rule's evaluate() on one request against
// a prepared cluster state, labelled with the first finding ("MW0901: Deployment istio-system/...").

#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "policies/policy.h"
#include "policies/rule.h"

namespace meshward::bench {

// `facts` names the request (operation, kind, namespace, name, user, time); the rule runs with its
// declared defaults unless `settings` is given.
inline void evaluateRule(benchmark::State& state, const policies::Rule& rule, const policies::RequestFacts& facts,
                         const nlohmann::json& object, const nlohmann::json& old_object,
                         const cluster::ClusterState& cluster, const policies::RuleSettings& settings) {
  const policies::MeshSettings mesh;
  const policies::RuleContext context{facts, object, old_object, cluster, settings, mesh};
  std::string label = "no finding";
  for (auto _ : state) {
    policies::Report report(rule.metadata().id, settings.action);
    rule.evaluate(context, report);
    if (!report.findings().empty()) {
      const std::string& message = report.findings().front().message;
      label = std::string(report.findings().front().code) + ": " + message.substr(0, 90);
    }
    benchmark::DoNotOptimize(report.findings());
  }
  state.SetLabel(label);
}

}  // namespace meshward::bench
