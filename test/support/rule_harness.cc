#include "test/support/rule_harness.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "policies/policy.h"
#include "webhook/admission/cluster_requirements.h"
#include "webhook/admission/rule_runner.h"
#include "webhook/cluster/field_set.h"
#include "webhook/cluster/manifest_loader.h"
#include "webhook/cluster/object_key.h"
#include "webhook/cluster/offline_cluster_state.h"
#include "webhook/cluster/yaml_to_json.h"

namespace meshward::test_support {
namespace {

nlohmann::json convert(const YAML::Node& node) {
  Result<nlohmann::json> converted = cluster::yamlToJson(node);
  if (!converted) {
    throw std::runtime_error("YAML conversion failed: " + converted.error());
  }
  return std::move(*converted);
}

std::string stringAt(const nlohmann::json& object, const nlohmann::json::json_pointer& pointer) {
  if (!object.contains(pointer) || !object.at(pointer).is_string()) {
    return "";
  }
  return object.at(pointer).get<std::string>();
}

policies::RequestFacts requestFacts(const nlohmann::json& request_object, const RequestOptions& options) {
  const nlohmann::json& object = request_object.is_null() ? options.old_object : request_object;
  policies::RequestFacts facts;
  facts.operation = options.operation;
  facts.kind = stringAt(object, nlohmann::json::json_pointer("/kind"));
  const std::string api_version = stringAt(object, nlohmann::json::json_pointer("/apiVersion"));
  const size_t slash = api_version.find('/');
  facts.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  facts.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  facts.name = stringAt(object, nlohmann::json::json_pointer("/metadata/name"));
  facts.namespace_name = options.namespace_name;
  if (facts.namespace_name.empty()) {
    facts.namespace_name = stringAt(object, nlohmann::json::json_pointer("/metadata/namespace"));
  }
  if (facts.namespace_name.empty()) {
    facts.namespace_name = "default";
  }
  facts.user = options.user;
  facts.groups = options.groups;
  facts.now = options.now;
  return facts;
}

// The manifests as the machine keeps them for this one rule: only the kinds its inputs and
// indexes are fed from, trimmed to the fields they declare.
std::unique_ptr<cluster::ClusterState> asTheCacheKeepsIt(const policies::Rule& rule,
                                                         const std::vector<cluster::Manifest>& manifests) {
  Result<cluster::ClusterRequirements> live = admission::clusterRequirements({&rule}, cluster::ObjectSource::Live);
  Result<cluster::ClusterRequirements> offline =
      admission::clusterRequirements({&rule}, cluster::ObjectSource::Manifests);
  if (!live || !offline) {
    ADD_FAILURE() << rule.metadata().id << ": " << (live ? offline.error() : live.error());
    return nullptr;
  }
  std::vector<cluster::Manifest> kept;
  for (const cluster::Manifest& manifest : manifests) {
    const std::optional<cluster::ObjectKey> key = cluster::objectKeyOf(manifest.object);
    if (!key) {
      continue;
    }
    cluster::FieldSet fields;
    bool followed = false;
    for (const cluster::ClusterRequirements* requirements : {&*live, &*offline}) {
      if (const cluster::KindRequirement* requirement = requirements->find(key->group, key->kind)) {
        fields.merge(requirement->fields);
        followed = true;
      }
    }
    if (followed) {
      kept.push_back(cluster::Manifest{fields.trimCopy(manifest.object), manifest.file, manifest.line});
    }
  }
  return std::make_unique<cluster::OfflineClusterState>(kept, offline->indexes);
}

bool sameOutcome(const RuleRun& a, const RuleRun& b) {
  return a.findings == b.findings && a.patchDocument() == b.patchDocument();
}

}  // namespace

std::optional<cluster::NamespaceInfo> FakeClusterState::findNamespace(std::string_view name) const {
  const auto found = namespaces_.find(name);
  if (found == namespaces_.end()) {
    return std::nullopt;
  }
  return found->second;
}

nlohmann::json objectFromYaml(std::string_view text) {
  const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
  if (documents.size() != 1) {
    throw std::runtime_error("expected one YAML document, got " + std::to_string(documents.size()));
  }
  return convert(documents.front());
}

std::vector<nlohmann::json> objectsFromYamlFile(const std::string& path) {
  std::vector<nlohmann::json> objects;
  for (const YAML::Node& document : YAML::LoadAllFromFile(path)) {
    nlohmann::json object = convert(document);
    if (object.is_object() && object.value("kind", "") == "List" && object.contains("items") &&
        object["items"].is_array()) {
      for (nlohmann::json& item : object["items"]) {
        objects.push_back(std::move(item));
      }
    } else if (!object.is_null()) {
      objects.push_back(std::move(object));
    }
  }
  return objects;
}

const std::vector<const cluster::IndexSpec*>& allIndexes() {
  return admission::registeredRequirements(cluster::ObjectSource::Manifests).indexes;
}

std::unique_ptr<cluster::ClusterState> clusterFromYaml(std::string_view yaml) {
  Result<std::vector<cluster::Manifest>> manifests =
      cluster::parseManifests(yaml, "cluster.yaml", cluster::ManifestFormat::Yaml);
  if (!manifests) {
    throw std::runtime_error(manifests.error());
  }
  return std::make_unique<ManifestCluster>(std::move(*manifests));
}

std::unique_ptr<cluster::ClusterState> clusterFromYaml(const std::vector<std::string>& documents) {
  std::string yaml;
  for (const std::string& document : documents) {
    yaml += "---\n" + document + "\n";
  }
  return clusterFromYaml(yaml);
}

std::unique_ptr<cluster::ClusterState> clusterFromTestdata(std::string_view relative) {
  std::ifstream file(testdataPath(relative), std::ios::binary);
  if (!file) {
    throw std::runtime_error("cannot read " + testdataPath(relative));
  }
  return clusterFromYaml(std::string(std::istreambuf_iterator<char>(file), {}));
}

std::string testdataPath(std::string_view relative) {
  return std::string(MESHWARD_SOURCE_DIR) + "/test/policies/testdata/" + std::string(relative);
}

std::vector<CorpusObject> injectionCorpus() {
  std::vector<CorpusObject> corpus;
  const std::filesystem::path root = std::filesystem::path(MESHWARD_SHARED_DIR) / "corpus";
  for (const std::string folder : {"istio-injection", "other-meshes/linkerd/injection-examples"}) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(root / folder)) {
      const std::string extension = entry.path().extension().string();
      if (extension == ".yaml" || extension == ".yml") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& file : files) {
      for (nlohmann::json& object : objectsFromYamlFile(file.string())) {
        corpus.push_back(CorpusObject{std::filesystem::relative(file, root).string(), std::move(object)});
      }
    }
  }
  return corpus;
}

RequestOptions inNamespace(std::string namespace_name) {
  RequestOptions options;
  options.namespace_name = std::move(namespace_name);
  return options;
}

std::vector<std::string> RuleRun::codes() const {
  std::vector<std::string> all;
  for (const policies::Finding& finding : findings) {
    all.push_back(finding.code);
  }
  return all;
}

nlohmann::json RuleRun::patchDocument() const {
  nlohmann::json document = nlohmann::json::array();
  for (const policies::PatchOperation& operation : patches) {
    document.push_back(operation.toJson());
  }
  return document;
}

std::string RuleRun::messages() const {
  std::string text;
  for (const policies::Finding& finding : findings) {
    text += finding.code + " [" + std::string(policies::actionName(finding.action)) + "] " + finding.message + "\n";
  }
  return text;
}

RuleHarness::RuleHarness(const policies::Rule& rule) : rule_(rule), settings_(policies::defaultSettings(rule)) {}

RuleHarness& RuleHarness::withNamespace(std::string name, StringMap labels, StringMap annotations) {
  cluster_.addNamespace(cluster::NamespaceInfo{std::move(name), std::move(labels), std::move(annotations)});
  return *this;
}

RuleRun RuleHarness::runOnce(const nlohmann::json& object, const RequestOptions& options,
                             const cluster::ClusterState& cluster) const {
  const policies::RequestFacts facts = requestFacts(object, options);
  policies::RequestMemo memo;
  policies::RuleSettings settings = settings_;
  Result<std::shared_ptr<const policies::RuleConfig>> config = rule_.configure(settings);
  if (!config) {
    ADD_FAILURE() << rule_.metadata().id << " refuses the settings: " << config.error();
    return RuleRun{};
  }
  settings.config = std::move(*config);
  policies::RuleContext context{facts, object, options.old_object, cluster, settings, mesh_};
  context.memo = &memo;
  admission::RuleOutcome outcome = admission::runRule(rule_, context);
  return RuleRun{std::move(outcome.findings), std::move(outcome.patches)};
}

RuleRun RuleHarness::run(const nlohmann::json& object, const RequestOptions& options) const {
  const cluster::ClusterState& cluster = options.cluster != nullptr ? *options.cluster : cluster_;
  RuleRun full = runOnce(object, options, cluster);

  const policies::RequestFacts facts = requestFacts(object, options);
  if (!rule_.metadata().appliesTo(facts.group, facts.kind, facts.operation)) {
    return full;  // the engine would not run it; what it reads of such an object is not declared
  }
  const cluster::FieldSet reads = admission::reviewedFields(rule_.metadata(), facts.group, facts.kind);
  RequestOptions trimmed_options = options;
  trimmed_options.namespace_name = facts.namespace_name;
  trimmed_options.old_object = options.old_object.is_object() ? reads.trimCopy(options.old_object) : options.old_object;
  const nlohmann::json trimmed_object = object.is_object() ? reads.trimCopy(object) : object;
  std::unique_ptr<cluster::ClusterState> kept;
  if (const auto* manifests = dynamic_cast<const ManifestCluster*>(&cluster)) {
    kept = asTheCacheKeepsIt(rule_, manifests->manifests());
  }
  const RuleRun trimmed = runOnce(trimmed_object, trimmed_options, kept != nullptr ? *kept : cluster);
  if (!sameOutcome(full, trimmed)) {
    ADD_FAILURE() << rule_.metadata().id
                  << " judges differently on what the machine keeps of the objects (it reads fields or kinds it "
                     "does not declare in inputs/reads/indexes).\nOn the full objects:\n"
                  << full.messages() << full.patchDocument().dump() << "\nOn the kept fields:\n"
                  << trimmed.messages() << trimmed.patchDocument().dump() << "\nThe object as kept: "
                  << trimmed_object.dump();
  }
  return full;
}

bool RuleHarness::appliesTo(const nlohmann::json& object, const RequestOptions& options) const {
  const policies::RequestFacts facts = requestFacts(object, options);
  return rule_.metadata().appliesTo(facts.group, facts.kind, facts.operation);
}

nlohmann::json applyPatches(const nlohmann::json& object, const RuleRun& run) {
  return object.patch(run.patchDocument());
}

Change creating(std::string object) { return Change{"CREATE", std::move(object), ""}; }

Change updating(std::string old_object, std::string object) {
  return Change{"UPDATE", std::move(object), std::move(old_object)};
}

Change deleting(std::string old_object) { return Change{"DELETE", "", std::move(old_object)}; }

RuleRun runChange(const RuleHarness& harness, const cluster::ClusterState& cluster, const Change& change) {
  RequestOptions options;
  options.operation = change.operation;
  options.cluster = &cluster;
  if (!change.old_object.empty()) {
    options.old_object = objectFromYaml(change.old_object);
  }
  return harness.run(change.object.empty() ? nlohmann::json() : objectFromYaml(change.object), options);
}

RuleRun runChange(const RuleHarness& harness, const std::string& cluster_yaml, const Change& change) {
  const std::unique_ptr<cluster::ClusterState> cluster =
      clusterFromYaml(change.old_object.empty() ? cluster_yaml : cluster_yaml + "\n---\n" + change.old_object);
  return runChange(harness, *cluster, change);
}

std::string readTextFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace meshward::test_support
