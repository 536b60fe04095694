#include "policies/indexes/istio_injectors.h"

#include "policies/meshes/istio.h"
#include "webhook/common/json_fields.h"

namespace meshward::policies {
namespace {

constexpr std::string_view kInjectorName = "istio-sidecar-injector";
constexpr std::string_view kTagPrefix = "istio-revision-tag-";

}  // namespace

std::optional<Injector> injectorOf(std::string_view name, const nlohmann::json& configuration) {
  const nlohmann::json* labels = objectMember(objectMember(&configuration, "metadata"), "labels");
  const std::optional<std::string_view> revision = stringMember(labels, istio::kRevisionLabel);
  const std::optional<std::string_view> tag = stringMember(labels, kRevisionTagLabel);
  Injector injector;
  if (name.starts_with(kTagPrefix) || tag) {
    injector.tag = std::string(tag.value_or(name.substr(std::min(name.size(), kTagPrefix.size()))));
    injector.revision = std::string(revision.value_or(kDefaultRevision));
    return injector.tag.empty() ? std::nullopt : std::optional<Injector>(injector);
  }
  if (revision) {
    injector.revision = std::string(*revision);
    return injector;
  }
  if (name == kInjectorName) {
    injector.revision = std::string(kDefaultRevision);
    return injector;
  }
  if (name.starts_with(std::string(kInjectorName) + "-")) {
    injector.revision = std::string(name.substr(kInjectorName.size() + 1));
    return injector;
  }
  return std::nullopt;
}

std::string Injectors::resolve(std::string_view name) const {
  const auto tag = tags.find(name);
  return tag == tags.end() ? std::string(name) : tag->second;
}

std::vector<std::string> Injectors::namesOf(std::string_view revision) const {
  std::vector<std::string> names = {std::string(revision)};
  for (const auto& [tag, target] : tags) {
    if (target == revision && tag != revision) {
      names.push_back(tag);
    }
  }
  return names;
}

std::string Injectors::describe() const {
  std::string text;
  for (const std::string& revision : revisions) {
    text += (text.empty() ? "" : ", ") + revision;
  }
  if (!tags.empty()) {
    text += text.empty() ? "tags: " : "; tags: ";
    bool first = true;
    for (const auto& [tag, revision] : tags) {
      text += (first ? "" : ", ") + tag + " -> " + revision;
      first = false;
    }
  }
  return text;
}

void InjectorIndex::update(const cluster::ObjectKey& key, const nlohmann::json& configuration) {
  if (std::optional<Injector> injector = injectorOf(key.name, configuration)) {
    by_name_.insert_or_assign(key.name, std::move(*injector));
  } else {
    by_name_.erase(key.name);
  }
}

void InjectorIndex::remove(const cluster::ObjectKey& key) {
  const auto found = by_name_.find(key.name);
  if (found != by_name_.end()) {
    by_name_.erase(found);
  }
}

Injectors InjectorIndex::injectors() const {
  Injectors injectors;
  for (const auto& [name, injector] : by_name_) {
    if (injector.tag.empty()) {
      injectors.revisions.insert(injector.revision);
    } else {
      injectors.tags.insert_or_assign(injector.tag, injector.revision);
    }
  }
  return injectors;
}

const cluster::IndexSpec& istioInjectorsIndex() {
  static const cluster::SingleKindIndexSpec<InjectorIndex> spec("istio-injectors", MutatingWebhookConfiguration,
                                                                {"/metadata/labels"});
  return spec;
}

Injectors istioInjectors(const cluster::ClusterState& cluster) {
  return cluster::queryIndex<InjectorIndex>(cluster, istioInjectorsIndex(),
                                            [](const InjectorIndex& index) { return index.injectors(); });
}

std::optional<std::string> selectedRevision(const cluster::Labels& labels, bool is_namespace) {
  const auto find = [&](std::string_view key) -> std::optional<std::string_view> {
    const auto found = labels.find(key);
    return found == labels.end() ? std::nullopt : std::optional<std::string_view>(found->second);
  };
  if (is_namespace ? find(istio::kInjectionNamespaceLabel) == "disabled" : find(istio::kInjectKey) == "false") {
    return std::nullopt;
  }
  if (const std::optional<std::string_view> revision = find(istio::kRevisionLabel)) {
    return std::string(*revision);
  }
  const std::string_view enabling_key = is_namespace ? istio::kInjectionNamespaceLabel : istio::kInjectKey;
  const std::string_view enabling_value = is_namespace ? "enabled" : "true";
  if (find(enabling_key) == enabling_value) {
    return std::string(kDefaultRevision);
  }
  return std::nullopt;
}

}  // namespace meshward::policies
