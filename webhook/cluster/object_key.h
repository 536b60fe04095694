#pragma once
// Who an object is: (group, kind, namespace, name) read from its apiVersion and metadata, with
// the namespace the API server would give it (its own, "default", or none for cluster-scoped kinds).

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meshward::cluster {

struct GroupVersion {
  std::string group;  // "" for the core group
  std::string version;
};

// "networking.istio.io/v1beta1" -> {"networking.istio.io", "v1beta1"}; "v1" -> {"", "v1"}.
GroupVersion splitApiVersion(std::string_view api_version);

// True for the built-in kinds that live outside namespaces (Namespace, ClusterRole, CRDs...).
bool isClusterScoped(std::string_view group, std::string_view kind);

struct ObjectKey {
  std::string group;
  std::string kind;
  std::string namespace_name;  // "" for cluster-scoped kinds
  std::string name;            // "" when the object only has metadata.generateName

  auto operator<=>(const ObjectKey&) const = default;
};

// The key of a Kubernetes object; nullopt when it is not an object with a string apiVersion and kind.
std::optional<ObjectKey> objectKeyOf(const nlohmann::json& object);

}  // namespace meshward::cluster
