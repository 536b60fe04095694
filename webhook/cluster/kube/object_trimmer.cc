#include "webhook/cluster/kube/object_trimmer.h"

#include <string>

namespace meshward::cluster::kube {
namespace {

constexpr std::string_view kKeptAnnotationDomains[] = {"istio.io", "linkerd.io", "meshward.dev"};
constexpr std::string_view kKeptAnnotations[] = {"argocd.argoproj.io/sync-wave"};
constexpr std::string_view kDroppedAnnotations[] = {"sidecar.istio.io/status"};

bool endsWithDomain(std::string_view domain, std::string_view suffix) {
  if (domain == suffix) {
    return true;
  }
  return domain.size() > suffix.size() && domain.substr(domain.size() - suffix.size()) == suffix &&
         domain[domain.size() - suffix.size() - 1] == '.';
}

// Moves `key` from `from` to `to` when present (and, with `type_check`, of the right type).
template <typename TypeCheck>
void moveMember(nlohmann::json& from, nlohmann::json& to, std::string_view key, TypeCheck type_check) {
  auto found = from.find(key);
  if (found != from.end() && type_check(*found)) {
    to[std::string(key)] = std::move(*found);
  }
}

void moveAny(nlohmann::json& from, nlohmann::json& to, std::string_view key) {
  moveMember(from, to, key, [](const nlohmann::json&) { return true; });
}

void moveString(nlohmann::json& from, nlohmann::json& to, std::string_view key) {
  moveMember(from, to, key, [](const nlohmann::json& value) { return value.is_string(); });
}

nlohmann::json trimMetadata(nlohmann::json& metadata) {
  nlohmann::json kept = nlohmann::json::object();
  if (!metadata.is_object()) {
    return kept;
  }
  moveString(metadata, kept, "name");
  moveString(metadata, kept, "namespace");
  moveString(metadata, kept, "creationTimestamp");
  moveMember(metadata, kept, "labels", [](const nlohmann::json& value) { return value.is_object(); });
  auto annotations = metadata.find("annotations");
  if (annotations != metadata.end() && annotations->is_object()) {
    nlohmann::json kept_annotations = nlohmann::json::object();
    for (auto& [key, value] : annotations->items()) {
      if (keepsAnnotation(key)) {
        kept_annotations[key] = std::move(value);
      }
    }
    if (!kept_annotations.empty()) {
      kept["annotations"] = std::move(kept_annotations);
    }
  }
  auto owners = metadata.find("ownerReferences");
  if (owners != metadata.end() && owners->is_array()) {
    nlohmann::json kept_owners = nlohmann::json::array();
    for (nlohmann::json& owner : *owners) {
      if (!owner.is_object()) {
        continue;
      }
      nlohmann::json kept_owner = nlohmann::json::object();
      moveString(owner, kept_owner, "apiVersion");
      moveString(owner, kept_owner, "kind");
      moveString(owner, kept_owner, "name");
      moveAny(owner, kept_owner, "controller");
      kept_owners.push_back(std::move(kept_owner));
    }
    kept["ownerReferences"] = std::move(kept_owners);
  }
  return kept;
}

nlohmann::json trimContainers(nlohmann::json& containers, bool init) {
  nlohmann::json kept = nlohmann::json::array();
  for (nlohmann::json& container : containers) {
    if (!container.is_object()) {
      continue;
    }
    nlohmann::json kept_container = nlohmann::json::object();
    moveString(container, kept_container, "name");
    moveMember(container, kept_container, "resources", [](const nlohmann::json& value) { return value.is_object(); });
    if (init) {
      moveString(container, kept_container, "restartPolicy");
    }
    kept.push_back(std::move(kept_container));
  }
  return kept;
}

void trimPod(nlohmann::json& object, nlohmann::json& kept) {
  auto spec = object.find("spec");
  if (spec != object.end() && spec->is_object()) {
    nlohmann::json kept_spec = nlohmann::json::object();
    moveMember(*spec, kept_spec, "hostNetwork", [](const nlohmann::json& value) { return value.is_boolean(); });
    moveString(*spec, kept_spec, "serviceAccountName");
    for (const auto& [field, init] :
         {std::pair<std::string_view, bool>{"containers", false}, {"initContainers", true}}) {
      auto containers = spec->find(field);
      if (containers != spec->end() && containers->is_array()) {
        kept_spec[std::string(field)] = trimContainers(*containers, init);
      }
    }
    kept["spec"] = std::move(kept_spec);
  }
  auto status = object.find("status");
  if (status != object.end() && status->is_object()) {
    nlohmann::json kept_status = nlohmann::json::object();
    moveString(*status, kept_status, "phase");
    kept["status"] = std::move(kept_status);
  }
}

void trimService(nlohmann::json& object, nlohmann::json& kept) {
  auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) {
    return;
  }
  nlohmann::json kept_spec = nlohmann::json::object();
  for (const std::string_view field : {"type", "selector", "ports", "clusterIP", "externalName"}) {
    moveAny(*spec, kept_spec, field);
  }
  kept["spec"] = std::move(kept_spec);
}

}  // namespace

bool keepsAnnotation(std::string_view key) {
  for (const std::string_view dropped : kDroppedAnnotations) {
    if (key == dropped) {
      return false;
    }
  }
  for (const std::string_view exact : kKeptAnnotations) {
    if (key == exact) {
      return true;
    }
  }
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) {
    return false;
  }
  const std::string_view domain = key.substr(0, slash);
  for (const std::string_view kept : kKeptAnnotationDomains) {
    if (endsWithDomain(domain, kept)) {
      return true;
    }
  }
  return false;
}

nlohmann::json trimObject(const WatchedKind& kind, std::string_view api_version, nlohmann::json&& object) {
  nlohmann::json kept = nlohmann::json::object();
  kept["apiVersion"] = std::string(api_version);
  kept["kind"] = std::string(kind.kind);
  if (!object.is_object()) {
    kept["metadata"] = nlohmann::json::object();
    return kept;
  }
  auto metadata = object.find("metadata");
  kept["metadata"] = metadata == object.end() ? nlohmann::json::object() : trimMetadata(*metadata);
  if (kind.group.empty() && kind.kind == "Pod") {
    trimPod(object, kept);
  } else if (kind.group.empty() && kind.kind == "Service") {
    trimService(object, kept);
  } else if (kind.discovered()) {
    moveAny(object, kept, "spec");
  }
  return kept;
}

}  // namespace meshward::cluster::kube
