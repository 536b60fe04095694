#include "policies/change_governance/change_governance_rule.h"

#include <algorithm>
#include <array>

#include "policies/change_governance/change_category.h"
#include "policies/change_governance/maintenance_window.h"
#include "policies/change_governance/owners.h"
#include "policies/common/name_list.h"
#include "policies/common/workload.h"
#include "webhook/common/join.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kWindows = "windows";
// The owners parameter of each category, in ChangeCategory order.
constexpr std::array<std::string_view, 4> kOwnerParameters = {"envoyFilterOwners", "meshWideOwners",
                                                               "namespaceWideOwners", "injectionOwners"};

std::string windowProblem(std::string_view text) {
  const Result<MaintenanceWindow> window = MaintenanceWindow::parse(text);
  return window ? "" : window.error();
}

struct GovernanceConfig final : RuleConfig {
  std::vector<Owners> owners;  // by ChangeCategory
  std::vector<MaintenanceWindow> windows;

  const Owners& ownersOf(ChangeCategory category) const { return owners[static_cast<std::size_t>(category)]; }
};

std::string describeRequester(const RequestFacts& request) {
  std::vector<std::string> groups;
  for (const std::string& group : request.groups) {
    if (group != "system:authenticated") {
      groups.push_back(group);
    }
  }
  return request.user + (groups.empty() ? "" : " (groups " + joinStrings(groups, ", ") + ")");
}

std::string describeWindows(const std::vector<MaintenanceWindow>& windows) {
  return joinStrings(windows, "; ", [](const MaintenanceWindow& window) -> const std::string& { return window.text(); });
}

}  // namespace

const RuleMetadata& ChangeGovernanceRule::metadata() const {
  static const RuleMetadata metadata{
      .id = "change-governance",
      .type = RuleType::Validating,
      .kinds = governedKinds(),
      .operations = {"CREATE", "UPDATE", "DELETE"},
      .default_action = Action::Off,
      .description =
          "Admits high-risk mesh changes (EnvoyFilters, mesh-wide and namespace-wide policies, the mesh config, "
          "injection labels) only from their owners and inside maintenance windows.",
      .codes = {messages::HighRiskChangeByNonOwner, messages::HighRiskChangeOutsideWindow},
      .parameters =
          {
              {.name = kOwnerParameters[0],
               .type = ParamType::StringList,
               .default_value = "[]",
               .description = "Who may create, change or delete EnvoyFilters (user:NAME or group:NAME; empty: anyone).",
               .check_value = ownerEntryProblem},
              {.name = kOwnerParameters[1],
               .type = ParamType::StringList,
               .default_value = "[]",
               .description = "Who may make mesh-wide changes: a PeerAuthentication without selector, an "
                              "AuthorizationPolicy, Sidecar or DestinationRule in the root namespace, the mesh config "
                              "ConfigMap (user:NAME or group:NAME; empty: anyone).",
               .check_value = ownerEntryProblem},
              {.name = kOwnerParameters[2],
               .type = ParamType::StringList,
               .default_value = "[]",
               .description = "Who may change namespace-wide PeerAuthentications (user:NAME or group:NAME; empty: anyone).",
               .check_value = ownerEntryProblem},
              {.name = kOwnerParameters[3],
               .type = ParamType::StringList,
               .default_value = "[]",
               .description = "Who may set or change the istio-injection and istio.io/rev labels of Namespaces "
                              "(user:NAME or group:NAME; empty: anyone).",
               .check_value = ownerEntryProblem},
              {.name = kWindows,
               .type = ParamType::StringList,
               .default_value = "[]",
               .description = "When high-risk changes may be made: \"DAYS HH:MM-HH:MM ZONE\" entries such as "
                              "\"Mon-Fri 09:00-17:00 Europe/Berlin\" (an end not after the start closes the next "
                              "day); empty: at any time.",
               .check_value = windowProblem},
          },
      .inputs = {},
      .reads = governedReads(),
      .indexes = {},
      .meshes = {Mesh::Istio},
  };
  return metadata;
}

Result<std::shared_ptr<const RuleConfig>> ChangeGovernanceRule::configure(const RuleSettings& settings) const {
  auto config = std::make_shared<GovernanceConfig>();
  for (const std::string_view parameter : kOwnerParameters) {
    config->owners.emplace_back(settings.list(parameter));
  }
  for (const std::string& text : settings.list(kWindows)) {
    Result<MaintenanceWindow> window = MaintenanceWindow::parse(text);
    if (!window) {
      return Error{std::string(kWindows) + ": " + window.error()};
    }
    config->windows.push_back(std::move(*window));
  }
  return std::shared_ptr<const RuleConfig>(std::move(config));
}

void ChangeGovernanceRule::evaluate(const RuleContext& context, Report& report) const {
  const std::optional<HighRiskChange> change = classifyChange(context);
  if (!change) {
    return;
  }
  const RequestFacts& request = context.request;
  const GovernanceConfig& config = context.config<GovernanceConfig>();
  const nlohmann::json& subject = context.object.is_object() ? context.object : context.old_object;
  const std::string what = describeObject(request, subject) + " (" + change->what + ", category " +
                           std::string(categoryName(change->category)) + "): " +
                           std::string(describeOperation(request.operation));

  const Owners& owners = config.ownersOf(change->category);
  if (!owners.anyone() && !owners.includes(request.user, request.groups)) {
    report.finding(messages::HighRiskChangeByNonOwner,
                   what + " is a high-risk mesh change that only its owners may make (" + owners.describe() +
                       "), not " + describeRequester(request) +
                       ". Ask one of them to apply it; if it cannot wait, break glass (meshward.dev/break-glass with "
                       "a reason), which is audited.");
  }
  if (config.windows.empty()) {
    return;
  }
  const bool inside = std::any_of(config.windows.begin(), config.windows.end(),
                                  [&](const MaintenanceWindow& window) { return window.contains(request.now); });
  if (inside) {
    return;
  }
  const MaintenanceWindow* next = &config.windows.front();
  for (const MaintenanceWindow& window : config.windows) {
    if (window.nextOpening(request.now) < next->nextOpening(request.now)) {
      next = &window;
    }
  }
  const MaintenanceWindow::TimePoint opens = next->nextOpening(request.now);
  report.finding(messages::HighRiskChangeOutsideWindow,
                 what + " is a high-risk mesh change, made outside every maintenance window (" +
                     describeWindows(config.windows) + "). The next window opens " + next->describeLocal(opens) +
                     " (" + describeWait(request.now, opens) +
                     "); apply it then, or break glass (meshward.dev/break-glass with a reason) if it cannot wait.");
}

}  // namespace meshward::policies
