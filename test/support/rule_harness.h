#pragma once
// Test helper: runs one rule over an object written as YAML or JSON the way the engine would
// (admission::runRule), with the rule's declared defaults (or overridden parameters) and a fake
// cluster of namespaces. Every run is made twice: on the full objects, and on the objects as the
// machine would keep them for this rule (the reviewed object trimmed to the rule's declared
// reads; a manifest cluster trimmed to the kinds and fields the rule and its indexes declare, as
// the live cache keeps them). Different findings fail the test: the rule reads what it does not
// declare, and would see nothing of it in production.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/rule.h"
#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/cluster/offline_cluster_state.h"

namespace meshward::test_support {

using StringMap = std::map<std::string, std::string, std::less<>>;

class FakeClusterState final : public cluster::ClusterState {
 public:
  void addNamespace(cluster::NamespaceInfo info) { namespaces_[info.name] = std::move(info); }

  bool available() const override { return true; }
  bool ready() const override { return true; }
  std::optional<cluster::NamespaceInfo> findNamespace(std::string_view name) const override;

 private:
  std::map<std::string, cluster::NamespaceInfo, std::less<>> namespaces_;
};

// One YAML (or JSON) document as the API server would see it; throws std::runtime_error when
// the text is not a single valid document.
nlohmann::json objectFromYaml(std::string_view text);

// Every document of a YAML file, with the items of a kind: List expanded; throws on a bad file.
std::vector<nlohmann::json> objectsFromYamlFile(const std::string& path);

// Every index the registered rules declare, as manifests build them.
const std::vector<const cluster::IndexSpec*>& allIndexes();

// The manifests a ManifestCluster was built from (a base, so they exist before the state is built).
struct ManifestList {
  std::vector<cluster::Manifest> manifests;
};

// A cluster of manifests (an OfflineClusterState with every index) that remembers them, so the
// harness can build the twin the live cache would keep.
class ManifestCluster final : private ManifestList, public cluster::OfflineClusterState {
 public:
  explicit ManifestCluster(std::vector<cluster::Manifest> manifests)
      : ManifestList{std::move(manifests)}, OfflineClusterState(ManifestList::manifests, allIndexes()) {}

  const std::vector<cluster::Manifest>& manifests() const { return ManifestList::manifests; }
};

// The cluster a ManifestCluster makes of the documents of `yaml` (as `meshward check
// --cluster-state` would); throws std::runtime_error when the text does not parse.
std::unique_ptr<cluster::ClusterState> clusterFromYaml(std::string_view yaml);
// The same for objects written one YAML document each.
std::unique_ptr<cluster::ClusterState> clusterFromYaml(const std::vector<std::string>& documents);
// The same for a file under test/policies/testdata/.
std::unique_ptr<cluster::ClusterState> clusterFromTestdata(std::string_view relative);

// A file under test/policies/testdata/.
std::string testdataPath(std::string_view relative);

struct CorpusObject {
  std::string file;  // relative to the shared corpus, for failure messages
  nlohmann::json object;
};

// Every object of the shared corpus's Istio injection inputs and Linkerd injection examples.
std::vector<CorpusObject> injectionCorpus();

struct RuleRun {
  std::vector<policies::Finding> findings;
  std::vector<policies::PatchOperation> patches;

  std::vector<std::string> codes() const;
  // The patches as one RFC 6902 document.
  nlohmann::json patchDocument() const;
  // The findings' messages, one a line, for assertion output.
  std::string messages() const;
};

struct RequestOptions {
  std::string operation = "CREATE";
  std::string namespace_name;  // default: the object's metadata.namespace, else "default"
  nlohmann::json old_object;   // on DELETE the request's object (kind, name) is read from it
  const cluster::ClusterState* cluster = nullptr;  // default: the harness's namespaces
  std::string user = "tester";
  std::vector<std::string> groups;
  std::chrono::system_clock::time_point now{};  // RequestFacts::now
};

// A CREATE request in `namespace_name`.
RequestOptions inNamespace(std::string namespace_name);

class RuleHarness {
 public:
  // Settings start as defaultSettings(rule): the rule's declared defaults. Each run configures
  // the rule from settings() as the policy loader would (a refusal fails the test).
  explicit RuleHarness(const policies::Rule& rule);

  RuleHarness& withNamespace(std::string name, StringMap labels, StringMap annotations = {});
  policies::RuleSettings& settings() { return settings_; }

  RuleRun run(const nlohmann::json& object, const RequestOptions& options = {}) const;
  // One run on the objects as given, without the trimmed twin: for polling a live cache, where a
  // watch event landing between run()'s two runs would make them differ. Check the settled
  // state with run() afterwards.
  RuleRun runAsGiven(const nlohmann::json& object, const RequestOptions& options = {}) const {
    return runOnce(object, options, options.cluster != nullptr ? *options.cluster : cluster_);
  }
  // Whether the engine would run the rule for this object (its group, kind and the operation).
  bool appliesTo(const nlohmann::json& object, const RequestOptions& options = {}) const;
  RuleRun runYaml(std::string_view yaml, const RequestOptions& options = {}) const {
    return run(objectFromYaml(yaml), options);
  }

 private:
  // The run on the objects as given, without the trimmed twin.
  RuleRun runOnce(const nlohmann::json& object, const RequestOptions& options, const cluster::ClusterState& cluster) const;

  const policies::Rule& rule_;
  policies::RuleSettings settings_;
  FakeClusterState cluster_;
  policies::MeshSettings mesh_;
};

// One admission request written as YAML: CREATE has only `object`, DELETE only `old_object`.
struct Change {
  std::string operation;
  std::string object;
  std::string old_object;
};

Change creating(std::string object);
Change updating(std::string old_object, std::string object);
Change deleting(std::string old_object);

// Runs `change` against `cluster`.
RuleRun runChange(const RuleHarness& harness, const cluster::ClusterState& cluster, const Change& change);
// Runs `change` against the cluster of `cluster_yaml` plus, as in a real cluster, the old version
// of an updated or deleted object.
RuleRun runChange(const RuleHarness& harness, const std::string& cluster_yaml, const Change& change);

// The text of a file; "" when it cannot be read.
std::string readTextFile(const std::string& path);

// `object` with the run's patches applied (nlohmann::json::patch; throws when one does not apply).
nlohmann::json applyPatches(const nlohmann::json& object, const RuleRun& run);

}  // namespace meshward::test_support
