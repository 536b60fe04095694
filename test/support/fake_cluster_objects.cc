#include "test/support/fake_cluster_objects.h"

namespace meshward::test_support {
namespace {

using json = nlohmann::json;

json labelsObject(const Labels& labels) {
  json object = json::object();
  for (const auto& [key, value] : labels) {
    object[key] = value;
  }
  return object;
}

json appContainer() {
  return {
      {"name", "app"},
      {"image", "registry.example.com/shop/web:1.42.0"},
      {"imagePullPolicy", "IfNotPresent"},
      {"ports", {{{"containerPort", 8080}, {"name", "http"}, {"protocol", "TCP"}}}},
      {"env", {{{"name", "LOG_LEVEL"}, {"value", "info"}}, {{"name", "PORT"}, {"value", "8080"}}}},
      {"resources",
       {{"limits", {{"cpu", "1"}, {"memory", "512Mi"}}}, {"requests", {{"cpu", "250m"}, {"memory", "256Mi"}}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/app-health/app/readyz"}, {"port", 15020}, {"scheme", "HTTP"}}}, {"periodSeconds", 10}}},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
      {"volumeMounts",
       {{{"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"},
         {"name", "kube-api-access-x7k2p"},
         {"readOnly", true}}}}};
}

json proxyContainer() {
  return {
      {"name", "istio-proxy"},
      {"image", "docker.io/istio/proxyv2:1.22.3"},
      {"args",
       {"proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning",
        "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info"}},
      {"env",
       {{{"name", "PILOT_CERT_PROVIDER"}, {"value", "istiod"}},
        {{"name", "CA_ADDR"}, {"value", "istiod.istio-system.svc:15012"}},
        {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.name"}}}}}},
        {{"name", "POD_NAMESPACE"},
         {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}}},
        {{"name", "ISTIO_META_WORKLOAD_NAME"}, {"value", "web"}}}},
      {"ports", {{{"containerPort", 15090}, {"name", "http-envoy-prom"}, {"protocol", "TCP"}}}},
      {"resources",
       {{"limits", {{"cpu", "2"}, {"memory", "1Gi"}}}, {"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsGroup", 1337},
        {"runAsNonRoot", true},
        {"runAsUser", 1337}}},
      {"volumeMounts",
       {{{"mountPath", "/var/run/secrets/workload-spiffe-uds"}, {"name", "workload-socket"}},
        {{"mountPath", "/etc/istio/proxy"}, {"name", "istio-envoy"}},
        {{"mountPath", "/var/run/secrets/tokens"}, {"name", "istio-token"}}}}};
}

json istioObject(const std::string& kind, const std::string& namespace_name, const std::string& name,
                 const IstioShape& shape) {
  json object = {
      {"apiVersion", shape.api_version}, {"kind", kind}, {"metadata", {{"name", name}, {"namespace", namespace_name}}}};
  if (!shape.annotations.empty()) {
    object["metadata"]["annotations"] = shape.annotations;
  }
  return object;
}

// The built object, or it with the spec the test gave instead.
json withSpec(json object, const IstioShape& shape) {
  if (!shape.spec.is_null()) {
    object["spec"] = shape.spec;
  }
  return object;
}

}  // namespace

json namespaceObject(const std::string& name, const Labels& labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", labelsObject(labels)}}},
          {"spec", {{"finalizers", {"kubernetes"}}}},
          {"status", {{"phase", "Active"}}}};
}

json podObject(const std::string& namespace_name, const std::string& name, const PodShape& shape) {
  json containers = json::array({appContainer()});
  json annotations = {{"kubectl.kubernetes.io/default-container", "app"}, {"prometheus.io/scrape", "true"}};
  json labels = labelsObject(shape.labels);
  labels["pod-template-hash"] = "7d8f9c6b5d";
  if (shape.istio_sidecar) {
    containers.push_back(proxyContainer());
    annotations["sidecar.istio.io/status"] =
        R"({"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket",)"
        R"("credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token",)"
        R"("istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"})";
    annotations["istio.io/rev"] = "default";
    labels["security.istio.io/tlsMode"] = "istio";
    labels["service.istio.io/canonical-name"] = shape.labels.count("app") > 0 ? shape.labels.at("app") : "web";
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", namespace_name},
            {"labels", labels},
            {"annotations", annotations},
            {"creationTimestamp", "2024-05-01T10:00:00Z"},
            {"generateName", "web-7d8f9c6b5d-"},
            {"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"name", "web-7d8f9c6b5d"},
               {"uid", "0b6f4c1e-5a4d-4b8e-9f3a-1c2d3e4f5a6b"},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"spec",
           {{"containers", containers},
            {"dnsPolicy", "ClusterFirst"},
            {"nodeName", "worker-17"},
            {"restartPolicy", "Always"},
            {"schedulerName", "default-scheduler"},
            {"serviceAccountName", "web"},
            {"terminationGracePeriodSeconds", 30},
            {"tolerations",
             {{{"effect", "NoExecute"},
               {"key", "node.kubernetes.io/not-ready"},
               {"operator", "Exists"},
               {"tolerationSeconds", 300}}}},
            {"volumes",
             {{{"name", "kube-api-access-x7k2p"},
               {"projected",
                {{"defaultMode", 420},
                 {"sources", {{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}}}}}}},
              {{"name", "istio-envoy"}, {"emptyDir", {{"medium", "Memory"}}}}}}}},
          {"status",
           {{"phase", shape.phase},
            {"podIP", "10.42.17.23"},
            {"hostIP", "192.168.1.17"},
            {"qosClass", "Burstable"},
            {"startTime", "2024-05-01T10:00:01Z"},
            {"conditions",
             {{{"type", "Initialized"}, {"status", "True"}, {"lastTransitionTime", "2024-05-01T10:00:03Z"}},
              {{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2024-05-01T10:00:09Z"}},
              {{"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", "2024-05-01T10:00:01Z"}}}}}}};
}

json serviceObject(const std::string& namespace_name, const std::string& name, const Labels& selector) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", namespace_name}}},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", "10.96.12.34"},
            {"selector", labelsObject(selector)},
            {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}}},
            {"sessionAffinity", "None"}}},
          {"status", {{"loadBalancer", json::object()}}}};
}

json destinationRuleObject(const std::string& namespace_name, const std::string& name, const std::string& host,
                           const std::vector<std::string>& subsets, const IstioShape& shape) {
  json subset_list = json::array();
  for (const std::string& subset : subsets) {
    subset_list.push_back({{"name", subset}, {"labels", {{"version", subset}}}});
  }
  json rule = istioObject("DestinationRule", namespace_name, name, shape);
  rule["metadata"]["generation"] = 1;
  rule["spec"] = {{"host", host}, {"trafficPolicy", {{"tls", {{"mode", "ISTIO_MUTUAL"}}}}}, {"subsets", subset_list}};
  if (!shape.export_to.empty()) {
    rule["spec"]["exportTo"] = shape.export_to;
  }
  return withSpec(std::move(rule), shape);
}

json virtualServiceObject(const std::string& namespace_name, const std::string& name,
                          const std::vector<std::string>& destinations, const IstioShape& shape) {
  json route = json::array();
  for (const std::string& destination : destinations) {
    const std::size_t slash = destination.find('/');
    json target = {{"host", destination.substr(0, slash)}};
    if (slash != std::string::npos) {
      target["subset"] = destination.substr(slash + 1);
    }
    route.push_back({{"destination", target}});
  }
  json service = istioObject("VirtualService", namespace_name, name, shape);
  service["spec"] = {{"hosts", shape.hosts.empty() ? std::vector<std::string>{name} : shape.hosts},
                     {"http", {{{"route", route}}}}};
  if (!shape.gateways.empty()) {
    service["spec"]["gateways"] = shape.gateways;
  }
  if (!shape.export_to.empty()) {
    service["spec"]["exportTo"] = shape.export_to;
  }
  return withSpec(std::move(service), shape);
}

json gatewayObject(const std::string& namespace_name, const std::string& name, const IstioShape& shape) {
  json gateway = istioObject("Gateway", namespace_name, name, shape);
  gateway["spec"] = {
      {"selector", {{"istio", "ingressgateway"}}},
      {"servers",
       {{{"port", {{"number", 80}, {"name", "http"}, {"protocol", "HTTP"}}}, {"hosts", {"*.example.com"}}}}}};
  return withSpec(std::move(gateway), shape);
}

}  // namespace meshward::test_support
