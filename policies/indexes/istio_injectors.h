#pragma once
// Index "istio-injectors": the sidecar-injector MutatingWebhookConfigurations of Istio's control
// plane revisions (istio-sidecar-injector[-REV], labelled istio.io/rev) and of its revision tags
// (istio-revision-tag-TAG, labelled istio.io/tag and istio.io/rev), so "does revision or tag X have
// an injector" and "which tags point at revision R" never walk the cluster.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/cluster/cluster_state.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/kinds.h"

namespace meshward::policies {

inline constexpr cluster::KindInfo MutatingWebhookConfiguration{
    "admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "v1", false};

inline constexpr std::string_view kDefaultRevision = "default";
inline constexpr std::string_view kRevisionTagLabel = "istio.io/tag";

// One injector webhook: the revision it injects, and the tag it stands for ("" for the revision's own).
struct Injector {
  std::string revision;
  std::string tag;

  bool operator==(const Injector&) const = default;
};

// The injector a MutatingWebhookConfiguration is, by its name and labels; nullopt for any other webhook.
std::optional<Injector> injectorOf(std::string_view name, const nlohmann::json& configuration);

// What the injectors of a cluster serve.
struct Injectors {
  std::map<std::string, std::string, std::less<>> tags;  // tag -> revision
  std::set<std::string, std::less<>> revisions;          // revisions with their own injector

  bool empty() const { return tags.empty() && revisions.empty(); }
  // A namespace or pod naming `name` in istio.io/rev gets a sidecar from some injector.
  bool serves(std::string_view name) const { return revisions.contains(name) || tags.contains(name); }
  // The revision `name` (from an istio.io/rev label) reaches: a tag's revision, else the name itself.
  std::string resolve(std::string_view name) const;
  // The names (the revision itself and its tags) that select `revision`.
  std::vector<std::string> namesOf(std::string_view revision) const;
  // "default, canary; tags: prod -> canary"
  std::string describe() const;
};

class InjectorIndex final : public cluster::ObjectIndex {
 public:
  void update(const cluster::ObjectKey& key, const nlohmann::json& configuration) override;
  void remove(const cluster::ObjectKey& key) override;

  Injectors injectors() const;

 private:
  std::map<std::string, Injector, std::less<>> by_name_;
};

const cluster::IndexSpec& istioInjectorsIndex();

// The cluster's injectors; empty when it has none, or the state keeps no such index.
Injectors istioInjectors(const cluster::ClusterState& cluster);

// What a namespace's or pod's labels ask of the injectors: the istio.io/rev value, else
// "default" for a namespace labelled istio-injection=enabled (a pod: sidecar.istio.io/inject=true);
// nullopt when they ask for nothing, or opt out (a namespace: istio-injection=disabled; a pod:
// sidecar.istio.io/inject=false).
std::optional<std::string> selectedRevision(const cluster::Labels& labels, bool is_namespace);

}  // namespace meshward::policies
