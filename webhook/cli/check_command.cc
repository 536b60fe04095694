#include "webhook/cli/check_command.h"

#include <algorithm>
#include <exception>
#include <iostream>
#include <optional>
#include <set>
#include <tuple>

#include "policies/policy.h"
#include "policies/registry.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/admission/engine.h"
#include "webhook/admission/set_evaluation.h"
#include "webhook/cli/arguments.h"
#include "webhook/cli/check_report.h"
#include "webhook/cli/check_request.h"
#include "webhook/cli/commands.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/common/rfc3339.h"

namespace meshward::cli {
namespace {

constexpr int kExitClean = 0;
constexpr int kExitDenied = 1;
constexpr int kExitUsage = 2;

constexpr const char* kCheckHelp = R"(Usage: meshward check [-o text|json] [--config FILE] [--cluster-state DIR]
                      [--as USER [--as-group GROUP]...] [--now TIME] PATH...

Evaluates manifests with the same engine and rules as the webhook, as if each object were
created now by an anonymous user (so a break-glass label is reported, never honoured): the
mutating rules first, then the validating rules on the object as the mutations leave it. The rule
sync-wave-order looks at the whole set instead: it replays an Argo CD sync of the objects in
Argo CD's apply order (sync-wave, kind, name) on top of --cluster-state.

  PATH                  a manifest file, a directory (its *.yaml, *.yml and *.json files,
                        recursively, hidden ones skipped) or "-" for standard input. Multi-document
                        YAML, JSON and List kinds are read; documents without apiVersion/kind
                        (mesh config, values files) are skipped with a note on stderr.
  --config FILE         the policy file (default: the built-in policy)
  --cluster-state DIR   manifests of what is already in the cluster (namespaces, other
                        objects the rules look up); may be repeated. The PATH objects are
                        added on top, replacing objects with the same identity.
  --as USER             judge the objects as created by USER (who owns what change-governance
                        guards; whether a break-glass label is honoured), in group
                        system:authenticated and each --as-group
  --now TIME            judge them as created at TIME (RFC 3339, e.g. 2026-12-10T09:30:00+01:00)
                        instead of now: what change-governance's maintenance windows see
  -o, --output F        text (default): "file:line: DENY [rule] (code) Kind ns/name: message"
                        for deny and warn findings, then a summary line; json: {"findings":
                        [...], "summary": {...}} including audit-only findings.

Exit status: 0 when nothing would be denied, 1 when something would, 2 on a usage error or
input that cannot be read or parsed.
)";

const std::vector<FlagSpec> kCheckFlags = {
    {"-o", true, "--output"},
    {"--config", true, ""},
    {"--cluster-state", true, ""},
    {"--as", true, ""},
    {"--as-group", true, ""},
    {"--now", true, ""},
    {"--help", false, "-h"},
};

bool isReported(policies::Action action) {
  return action == policies::Action::Deny || action == policies::Action::Warn || action == policies::Action::Audit;
}

bool hasAction(const std::vector<CheckedFinding>& findings, size_t first, policies::Action action) {
  return std::any_of(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                     [&](const CheckedFinding& checked) { return checked.finding.action == action; });
}

class Checker {
 public:
  // `rules`: those to run object by object (the others judged the set as a whole).
  Checker(const policies::Policy& policy, const cluster::ClusterState& state,
          std::vector<const policies::Rule*> rules, CheckRequester requester, std::ostream& err)
      : policy_(policy), state_(state), rules_(std::move(rules)), requester_(std::move(requester)), err_(err) {}

  // `planned`: the sync plan's findings about this object.
  void check(const cluster::Manifest& manifest, const std::vector<policies::Finding>& planned) {
    const std::optional<cluster::ObjectKey> key = cluster::objectKeyOf(manifest.object);
    if (!key) {
      ++report_.summary.skipped;
      err_ << manifest.file << ":" << manifest.line << ": skipped: not a Kubernetes object (no apiVersion/kind)\n";
      return;
    }
    ++report_.summary.objects;
    files_.insert(manifest.file);
    const admission::AdmissionRequest request =
        checkRequestFor(manifest.object, *key, "meshward-check-" + std::to_string(report_.summary.objects), requester_);
    try {
      evaluate(request, manifest, planned);
    } catch (const std::exception& error) {
      failed_ = true;
      err_ << manifest.file << ":" << manifest.line << ": internal error while checking " << key->kind << " "
           << key->name << ": " << error.what() << "\n";
    }
  }

  bool failed() const { return failed_; }

  CheckReport finish() {
    report_.summary.files = files_.size();
    return std::move(report_);
  }

 private:
  void evaluate(const admission::AdmissionRequest& request, const cluster::Manifest& manifest,
                const std::vector<policies::Finding>& planned) {
    // As kube-apiserver does: mutating webhooks first, then the validating ones on the object
    // as the mutations left it.
    const admission::Decision mutating =
        admission::evaluate(policies::RuleType::Mutating, request, policy_, state_, rules_);
    std::optional<admission::AdmissionRequest> mutated;
    if (!mutating.patch.empty()) {
      mutated = request;
      mutated->object = request.object.patch(mutating.patchDocument());
    }
    const admission::Decision validating = admission::evaluate(
        policies::RuleType::Validating, mutated ? *mutated : request, policy_, state_, rules_);
    const size_t first = report_.findings.size();
    std::set<std::tuple<std::string, std::string, policies::Action, std::string>> seen;
    for (const std::vector<policies::Finding>* findings : {&validating.findings, &mutating.findings, &planned}) {
      for (const policies::Finding& finding : *findings) {
        if (!isReported(finding.action) ||
            !seen.emplace(finding.rule, finding.code, finding.action, finding.message).second) {
          continue;
        }
        const policies::RequestFacts& facts = request.facts;
        report_.findings.push_back(
            CheckedFinding{finding, facts.kind, facts.namespace_name, facts.name, manifest.file, manifest.line});
      }
    }
    CheckSummary& summary = report_.summary;
    const bool plan_denies = std::any_of(planned.begin(), planned.end(), [](const policies::Finding& finding) {
      return finding.action == policies::Action::Deny;
    });
    summary.denied += (!validating.allowed || !mutating.allowed || plan_denies) ? 1 : 0;
    summary.warned += hasAction(report_.findings, first, policies::Action::Warn) ? 1 : 0;
    summary.audited += hasAction(report_.findings, first, policies::Action::Audit) ? 1 : 0;
    summary.mutated += mutating.patch.empty() ? 0 : 1;
    summary.mutations += mutating.patch.size();
  }

  const policies::Policy& policy_;
  const cluster::ClusterState& state_;
  const std::vector<const policies::Rule*> rules_;
  const CheckRequester requester_;
  std::ostream& err_;
  CheckReport report_;
  std::set<std::string> files_;
  bool failed_ = false;
};

int usageError(std::ostream& err, const std::string& message) {
  err << "meshward check: " << message << "\n\n" << kCheckHelp;
  return kExitUsage;
}

int inputError(std::ostream& err, const std::string& message) {
  err << "meshward check: " << message << "\n";
  return kExitUsage;
}

// Who and when from --as, --as-group and --now; an error names the flag.
Result<CheckRequester> requesterFrom(const ParsedArguments& arguments) {
  CheckRequester requester;
  if (const std::optional<std::string> user = arguments.value("--as")) {
    if (user->empty()) {
      return Error{"--as needs a user name"};
    }
    requester.user = *user;
    requester.groups = {"system:authenticated"};
    for (const std::string& group : arguments.values("--as-group")) {
      requester.groups.push_back(group);
    }
  } else if (!arguments.values("--as-group").empty()) {
    return Error{"--as-group needs --as (the user the groups belong to)"};
  }
  if (const std::optional<std::string> now = arguments.value("--now")) {
    const auto time = parseRfc3339(*now);
    if (!time) {
      return Error{"--now must be an RFC 3339 time such as 2026-12-10T09:30:00Z, not \"" + *now + "\""};
    }
    requester.now = *time;
  }
  return requester;
}

}  // namespace

int runCheckCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const Result<ParsedArguments> arguments = parseArguments(args, kCheckFlags);
  if (!arguments) {
    return usageError(err, arguments.error());
  }
  if (arguments->has("--help")) {
    out << kCheckHelp;
    return kExitClean;
  }
  const std::string output = arguments->valueOr("-o", "text");
  if (output != "text" && output != "json") {
    return usageError(err, "-o must be text or json, not \"" + output + "\"");
  }
  if (arguments->positional().empty()) {
    return usageError(err, "no PATH to check");
  }
  Result<CheckRequester> requester = requesterFrom(*arguments);
  if (!requester) {
    return usageError(err, requester.error());
  }

  const std::optional<std::string> config = arguments->value("--config");
  const Result<policies::Policy> policy = config ? policies::loadPolicyFile(*config) : policies::loadBuiltInPolicy();
  if (!policy) {
    return inputError(err, policy.error());
  }
  Result<std::vector<cluster::Manifest>> cluster_manifests =
      cluster::loadManifests(arguments->values("--cluster-state"), in, cluster::LoadOptions{.lenient = true});
  if (!cluster_manifests) {
    return inputError(err, cluster_manifests.error());
  }
  Result<std::vector<cluster::Manifest>> manifests = cluster::loadManifests(arguments->positional(), in);
  if (!manifests) {
    return inputError(err, manifests.error());
  }

  const std::vector<const cluster::IndexSpec*>& indexes =
      admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes;
  const cluster::OfflineClusterState before_sync(*cluster_manifests, indexes);
  std::vector<cluster::Manifest>& everything = *cluster_manifests;
  everything.insert(everything.end(), manifests->begin(), manifests->end());
  const cluster::OfflineClusterState state(everything, indexes);

  const admission::SetDecision set_decision =
      admission::evaluateSet(policies::ChangeSet{*manifests, before_sync, state}, *policy, policies::allRules());
  for (const admission::RuleError& failure : set_decision.rule_errors) {
    err << "meshward check: internal error in " << failure.rule << " while judging the set: " << failure.what << "\n";
  }
  if (!set_decision.rule_errors.empty()) {
    return kExitUsage;
  }
  std::vector<const policies::Rule*> per_object = policies::allRules();
  std::erase_if(per_object, [&](const policies::Rule* rule) {
    return std::find(set_decision.judged.begin(), set_decision.judged.end(), rule) != set_decision.judged.end();
  });
  const std::vector<policies::SetFinding>& planned = set_decision.findings;
  Checker checker(*policy, state, std::move(per_object), std::move(*requester), err);
  auto next_planned = planned.begin();
  for (std::size_t i = 0; i < manifests->size(); ++i) {
    std::vector<policies::Finding> planned_here;
    for (; next_planned != planned.end() && next_planned->object == i; ++next_planned) {
      planned_here.push_back(next_planned->finding);
    }
    checker.check((*manifests)[i], planned_here);
  }
  const CheckReport report = checker.finish();
  if (output == "json") {
    out << checkReportJson(report).dump(2) << "\n";
  } else {
    printCheckText(report, out);
  }
  if (checker.failed()) {
    return kExitUsage;
  }
  return report.summary.denied > 0 ? kExitDenied : kExitClean;
}

int runCheck(const std::vector<std::string>& args) { return runCheckCommand(args, std::cin, std::cout, std::cerr); }

}  // namespace meshward::cli
