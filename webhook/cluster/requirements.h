#pragma once
// What the cluster state must follow, derived from the registered rules (admission/
// cluster_requirements.h): each kind with the fields to keep of its objects and the indexes it
// feeds. The live cache watches exactly these kinds (and RBAC grants exactly them).

#include <string>
#include <string_view>
#include <vector>

#include "webhook/cluster/field_set.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/kinds.h"

namespace meshward::cluster {

struct KindRequirement {
  KindInfo kind;
  // How metrics and logs name the kind: its name, qualified with its group ("Gateway.gateway.networking.k8s.io")
  // when an earlier-declared kind has the same name. Empty: the kind's name.
  std::string label;
  FieldSet fields;                         // apiVersion, kind, metadata.name and .namespace always included
  std::vector<const IndexSpec*> indexes;   // the indexes a live cache feeds from this kind

  std::string_view name() const { return label.empty() ? kind.kind : std::string_view(label); }
};

struct ClusterRequirements {
  std::vector<KindRequirement> kinds;  // sorted by (group, kind)
  std::vector<const IndexSpec*> indexes;  // every index, as manifests build them

  const KindRequirement* find(std::string_view group, std::string_view kind) const;
};

// The fields every kind keeps whatever the rules read.
const std::vector<std::string_view>& alwaysKeptFields();

}  // namespace meshward::cluster
