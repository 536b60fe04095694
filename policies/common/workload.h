#pragma once
// The pod inside a workload: where Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
// Jobs and CronJobs keep their pod template, and a type-tolerant view of its containers.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/field_reads.h"
#include "policies/request_facts.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/kinds.h"

namespace meshward::policies {

// Every kind that runs pods and whose pod (template) meshward's pod rules read.
const std::vector<cluster::KindInfo>& podWorkloadKinds();

// What the readers of the pod (template) of each of those kinds read: its metadata, and of its
// spec the containers' names and resources, init containers' restartPolicy, hostNetwork.
const std::vector<FieldReads>& podTemplateReads();

// The entry of podTemplateReads() for one of podWorkloadKinds().
const FieldReads& podTemplateReadsOf(const cluster::KindInfo& kind);

// Where `kind` keeps its pod template: "" for a Pod (the object is the pod), "/spec/template",
// "/spec/jobTemplate/spec/template"; nullopt for a kind that has no pod template.
std::optional<std::string_view> podTemplatePointer(std::string_view kind);

struct PodTemplate {
  std::string pointer;                       // JSON pointer of `node` inside the object
  const nlohmann::json* node = nullptr;      // the pod, or the template: always an object
  const nlohmann::json* metadata = nullptr;  // nullptr when absent or not an object
  const nlohmann::json* spec = nullptr;      // nullptr when absent or not an object

  bool isPod() const { return pointer.empty(); }
  // String values only: a label or annotation of another type reads as absent.
  std::optional<std::string_view> label(std::string_view key) const;
  std::optional<std::string_view> annotation(std::string_view key) const;
  // The raw annotation value of any type, or nullptr when absent.
  const nlohmann::json* annotationValue(std::string_view key) const;
  // "pod template" or "pod", for fix instructions.
  std::string_view noun() const { return isPod() ? "pod" : "pod template"; }
};

// nullopt when the kind has no pod template or the object has none (absent or not an object).
std::optional<PodTemplate> findPodTemplate(std::string_view kind, const nlohmann::json& object);

struct ContainerRef {
  std::string name;                      // "" when missing or not a string
  const nlohmann::json* spec = nullptr;  // always an object
  bool init = false;                     // listed in initContainers
  bool restart_always = false;           // an init container with restartPolicy: Always (native sidecar)
  std::size_t index = 0;                 // position in its list

  // Regular containers and native sidecars run for the pod's whole life; other init containers exit.
  bool runsWithApplication() const { return !init || restart_always; }
  // `container "api"` or `initContainers[2]` when unnamed.
  std::string displayName() const;
};

// containers first, then initContainers; entries that are not objects are skipped.
std::vector<ContainerRef> podContainers(const PodTemplate& pod);

// The container named `name` that runs for the pod's whole life (a regular container or a
// native sidecar), or nullopt.
std::optional<ContainerRef> findLongRunningContainer(const PodTemplate& pod, std::string_view name);

// The string labels of an object's metadata (values of another type read as absent); empty when
// `metadata` is null or has none.
cluster::Labels labelsAt(const nlohmann::json* metadata);

// The namespace of the request, else of the object's metadata; "" when neither says.
std::string objectNamespace(const RequestFacts& request, const nlohmann::json& object);

// "Deployment production/api" (any kind: "DestinationRule shop/reviews"), for the start of a
// finding's message.
std::string describeObject(const RequestFacts& request, const nlohmann::json& object);

}  // namespace meshward::policies
