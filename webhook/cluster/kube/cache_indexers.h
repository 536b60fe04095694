#pragma once
// The secondary indexes the live cache keeps, as ObjectIndexers of their kinds' caches: pods
// without a sidecar per namespace (Pods), subsets by host (DestinationRules), and the hosts and
// Gateways VirtualServices reference (VirtualServices).

#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/cluster/destination_rule_host_index.h"
#include "webhook/cluster/kube/kind_cache.h"
#include "webhook/cluster/pod_sidecar_index.h"
#include "webhook/cluster/virtual_service_reference_index.h"

namespace meshward::cluster::kube {

class PodSidecarIndexer final : public ObjectIndexer {
 public:
  void update(std::string_view namespace_name, std::string_view name, const nlohmann::json& pod) override {
    if (std::optional<PodWithoutSidecar> without_sidecar = runningPodWithoutSidecar(name, pod)) {
      index_.update(namespace_name, std::move(*without_sidecar));
    } else {
      index_.remove(namespace_name, name);
    }
  }
  void remove(std::string_view namespace_name, std::string_view name) override { index_.remove(namespace_name, name); }
  const PodSidecarIndex& index() const { return index_; }

 private:
  PodSidecarIndex index_;
};

class DestinationRuleIndexer final : public ObjectIndexer {
 public:
  void update(std::string_view namespace_name, std::string_view name, const nlohmann::json& rule) override {
    index_.update(namespace_name, name, rule);
  }
  void remove(std::string_view namespace_name, std::string_view name) override { index_.remove(namespace_name, name); }
  const DestinationRuleHostIndex& index() const { return index_; }

 private:
  DestinationRuleHostIndex index_;
};

class VirtualServiceIndexer final : public ObjectIndexer {
 public:
  void update(std::string_view namespace_name, std::string_view name, const nlohmann::json& service) override {
    index_.update(namespace_name, name, service);
  }
  void remove(std::string_view namespace_name, std::string_view name) override { index_.remove(namespace_name, name); }
  const VirtualServiceReferenceIndex& index() const { return index_; }

 private:
  VirtualServiceReferenceIndex index_;
};

}  // namespace meshward::cluster::kube
