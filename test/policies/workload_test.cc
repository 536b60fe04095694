#include "policies/common/workload.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/common/json_fields.h"
#include "policies/common/quantity_field.h"
#include "policies/meshes/istio.h"
#include "policies/meshes/mesh_profile.h"
#include "test/support/rule_harness.h"

namespace meshward::policies {
namespace {

using test_support::objectFromYaml;

TEST(WorkloadTest, FindsThePodTemplateOfEveryWorkloadKind) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"Pod", "{metadata: {name: x}, spec: {containers: []}}", ""},
      {"Deployment", "{spec: {template: {metadata: {name: x}, spec: {}}}}", "/spec/template"},
      {"StatefulSet", "{spec: {template: {metadata: {name: x}, spec: {}}}}", "/spec/template"},
      {"DaemonSet", "{spec: {template: {metadata: {name: x}, spec: {}}}}", "/spec/template"},
      {"ReplicaSet", "{spec: {template: {metadata: {name: x}, spec: {}}}}", "/spec/template"},
      {"Job", "{spec: {template: {metadata: {name: x}, spec: {}}}}", "/spec/template"},
      {"CronJob", "{spec: {jobTemplate: {spec: {template: {metadata: {name: x}, spec: {}}}}}}",
       "/spec/jobTemplate/spec/template"},
  };
  for (const auto& [kind, yaml, pointer] : cases) {
    const nlohmann::json object = objectFromYaml(yaml);
    const std::optional<PodTemplate> pod = findPodTemplate(kind, object);
    ASSERT_TRUE(pod.has_value()) << kind;
    EXPECT_EQ(pod->pointer, pointer) << kind;
    EXPECT_EQ(pod->isPod(), kind == "Pod");
    EXPECT_EQ(pod->node, &object.at(nlohmann::json::json_pointer(pointer))) << kind;
    ASSERT_NE(pod->metadata, nullptr) << kind;
    EXPECT_EQ(pod->metadata->at("name"), "x") << kind;
    EXPECT_NE(pod->spec, nullptr) << kind;
    EXPECT_EQ(podTemplatePointer(kind), std::optional<std::string_view>(pointer));
  }
  EXPECT_EQ(podWorkloadKinds().size(), cases.size());
}

TEST(WorkloadTest, MissingOrMistypedTemplatesAreAbsent) {
  EXPECT_FALSE(findPodTemplate("Service", objectFromYaml("{spec: {template: {}}}")));
  EXPECT_FALSE(findPodTemplate("Deployment", objectFromYaml("{spec: {}}")));
  EXPECT_FALSE(findPodTemplate("Deployment", objectFromYaml("{spec: {template: [1]}}")));
  EXPECT_FALSE(findPodTemplate("Deployment", objectFromYaml("{spec: 5}")));
  EXPECT_FALSE(findPodTemplate("CronJob", objectFromYaml("{spec: {jobTemplate: {spec: null}}}")));
  EXPECT_FALSE(findPodTemplate("Pod", nlohmann::json()));
  EXPECT_FALSE(findPodTemplate("Pod", objectFromYaml("[1]")));

  const std::optional<PodTemplate> pod =
      findPodTemplate("Deployment", objectFromYaml("{spec: {template: {metadata: 5, spec: []}}}"));
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ(pod->metadata, nullptr);
  EXPECT_EQ(pod->spec, nullptr);
  EXPECT_EQ(pod->annotation("a"), std::nullopt);
  EXPECT_TRUE(podContainers(*pod).empty());
}

TEST(WorkloadTest, LabelsAndAnnotationsOfTheWrongTypeReadAsAbsent) {
  const nlohmann::json object =
      objectFromYaml("{metadata: {labels: {a: b, n: 5}, annotations: {c: d, list: [1], nothing: null}}}");
  const PodTemplate pod = findPodTemplate("Pod", object).value();
  EXPECT_EQ(pod.label("a"), "b");
  EXPECT_EQ(pod.label("n"), std::nullopt);
  EXPECT_EQ(pod.annotation("c"), "d");
  EXPECT_EQ(pod.annotation("list"), std::nullopt);
  ASSERT_NE(pod.annotationValue("list"), nullptr);
  EXPECT_TRUE(pod.annotationValue("list")->is_array());
  EXPECT_EQ(pod.annotationValue("missing"), nullptr);
  EXPECT_EQ(pod.noun(), "pod");
}

TEST(WorkloadTest, ListsContainersAndNativeSidecars) {
  const nlohmann::json object = objectFromYaml(R"(
spec:
  containers: [{name: app}, 5, {name: 7}, {name: istio-proxy}]
  initContainers: [{name: setup}, {name: linkerd-proxy, restartPolicy: Always}, {name: istio-proxy}]
)");
  const PodTemplate pod = findPodTemplate("Pod", object).value();
  const std::vector<ContainerRef> containers = podContainers(pod);
  ASSERT_EQ(containers.size(), 6u);
  EXPECT_EQ(containers[0].displayName(), "container \"app\"");
  EXPECT_EQ(containers[1].displayName(), "containers[2]");
  EXPECT_TRUE(containers[1].runsWithApplication());
  EXPECT_EQ(containers[3].name, "setup");
  EXPECT_FALSE(containers[3].runsWithApplication());
  EXPECT_TRUE(containers[4].restart_always);
  EXPECT_TRUE(containers[4].runsWithApplication());

  ASSERT_TRUE(findLongRunningContainer(pod, "istio-proxy").has_value());
  EXPECT_FALSE(findLongRunningContainer(pod, "istio-proxy")->init);
  ASSERT_TRUE(findLongRunningContainer(pod, "linkerd-proxy").has_value());
  EXPECT_FALSE(findLongRunningContainer(pod, "setup").has_value());
}

TEST(WorkloadTest, DescribesTheWorkloadForMessages) {
  RequestFacts request;
  request.kind = "Deployment";
  request.namespace_name = "production";
  request.name = "api";
  EXPECT_EQ(describeObject(request, nlohmann::json::object()), "Deployment production/api");

  const nlohmann::json pod = objectFromYaml("{kind: Pod, metadata: {generateName: api-7d9f-, namespace: shop}}");
  EXPECT_EQ(describeObject(RequestFacts{}, pod), "Pod shop/api-7d9f-<generated>");
  EXPECT_EQ(objectNamespace(RequestFacts{}, pod), "shop");
  EXPECT_EQ(describeObject(RequestFacts{}, objectFromYaml("{metadata: 5}")), "object <unnamed>");
}

struct InjectionCase {
  std::string description;
  std::string pod_metadata;
  std::optional<cluster::NamespaceInfo> namespace_info;
  bool istio;
  bool linkerd;
};

// The names of exactly the meshes whose proxy the pod runs or will run.
std::vector<std::string> proxyNames(const PodTemplate& pod, const std::optional<cluster::NamespaceInfo>& namespace_info) {
  std::vector<std::string> names;
  for (const MeshProfile* profile : proxiesOf(pod, namespace_info)) {
    names.emplace_back(profile->name);
  }
  return names;
}

std::vector<std::string> expectedNames(bool istio, bool linkerd) {
  std::vector<std::string> names;
  if (istio) {
    names.emplace_back("istio");
  }
  if (linkerd) {
    names.emplace_back("linkerd");
  }
  return names;
}

TEST(SidecarInjectionTest, FollowsTheMeshesInjectionRules) {
  const auto labelled = [](std::map<std::string, std::string, std::less<>> labels) {
    return std::optional<cluster::NamespaceInfo>(cluster::NamespaceInfo{"ns", std::move(labels), {}});
  };
  const auto annotated = [](std::map<std::string, std::string, std::less<>> annotations) {
    return std::optional<cluster::NamespaceInfo>(cluster::NamespaceInfo{"ns", {}, std::move(annotations)});
  };
  const std::optional<cluster::NamespaceInfo> unknown;
  const std::vector<InjectionCase> cases = {
      {"plain pod, unknown namespace", "{}", unknown, false, false},
      {"namespace istio-injection=enabled", "{}", labelled({{"istio-injection", "enabled"}}), true, false},
      {"namespace revision label", "{}", labelled({{"istio.io/rev", "canary"}}), true, false},
      {"disabled beats revision", "{}", labelled({{"istio-injection", "disabled"}, {"istio.io/rev", "canary"}}), false,
       false},
      {"pod label opts out", "{labels: {sidecar.istio.io/inject: 'false'}}", labelled({{"istio-injection", "enabled"}}),
       false, false},
      {"pod annotation opts out", "{annotations: {sidecar.istio.io/inject: 'false'}}",
       labelled({{"istio.io/rev", "canary"}}), false, false},
      {"pod label beats annotation",
       "{labels: {sidecar.istio.io/inject: 'true'}, annotations: {sidecar.istio.io/inject: 'false'}}", unknown, true,
       false},
      {"pod asks in a plain namespace", "{labels: {sidecar.istio.io/inject: 'true'}}", labelled({}), true, false},
      {"pod annotation asks", "{annotations: {sidecar.istio.io/inject: 'true'}}", unknown, true, false},
      {"pod revision label", "{labels: {istio.io/rev: canary}}", unknown, true, false},
      {"pod asks but namespace disabled", "{labels: {sidecar.istio.io/inject: 'true'}}",
       labelled({{"istio-injection", "disabled"}}), false, false},
      {"inject value of the wrong type", "{labels: {sidecar.istio.io/inject: true}}", unknown, false, false},
      {"linkerd pod annotation", "{annotations: {linkerd.io/inject: enabled}}", unknown, false, true},
      {"linkerd ingress mode", "{annotations: {linkerd.io/inject: ingress}}", unknown, false, true},
      {"linkerd namespace annotation", "{}", annotated({{"linkerd.io/inject", "enabled"}}), false, true},
      {"linkerd namespace label", "{}", labelled({{"linkerd.io/inject", "enabled"}}), false, true},
      {"linkerd pod opts out", "{annotations: {linkerd.io/inject: disabled}}",
       annotated({{"linkerd.io/inject", "enabled"}}), false, false},
      {"linkerd namespace disabled", "{}", annotated({{"linkerd.io/inject", "disabled"}}), false, false},
  };
  for (const InjectionCase& test : cases) {
    const nlohmann::json object = objectFromYaml("{metadata: " + test.pod_metadata + ", spec: {}}");
    const PodTemplate pod = findPodTemplate("Pod", object).value();
    EXPECT_EQ(proxyNames(pod, test.namespace_info), expectedNames(test.istio, test.linkerd)) << test.description;
  }
}

TEST(SidecarInjectionTest, AnExistingProxyContainerMeansASidecar) {
  const std::optional<cluster::NamespaceInfo> disabled =
      cluster::NamespaceInfo{"ns", {{"istio-injection", "disabled"}}, {}};
  const nlohmann::json injected = objectFromYaml(
      "{metadata: {labels: {sidecar.istio.io/inject: 'false'}}, spec: {containers: [{name: istio-proxy}]}}");
  EXPECT_TRUE(istio::willRunProxy(findPodTemplate("Pod", injected).value(), disabled));

  const nlohmann::json native = objectFromYaml(
      "{spec: {initContainers: [{name: istio-proxy, restartPolicy: Always}, {name: linkerd-proxy, "
      "restartPolicy: Always}]}}");
  EXPECT_EQ(proxyNames(findPodTemplate("Pod", native).value(), std::nullopt), expectedNames(true, true));

  const nlohmann::json init_only = objectFromYaml("{spec: {initContainers: [{name: istio-proxy}]}}");
  EXPECT_FALSE(istio::willRunProxy(findPodTemplate("Pod", init_only).value(), std::nullopt));

  const nlohmann::json consul =
      objectFromYaml("{metadata: {annotations: {consul.hashicorp.com/connect-inject: 'true'}}, spec: {}}");
  EXPECT_EQ(proxyNames(findPodTemplate("Pod", consul).value(), std::nullopt), std::vector<std::string>{"consul"});
}

TEST(JsonFieldsTest, ReadsOnlyTheExpectedTypes) {
  const nlohmann::json object = objectFromYaml("{s: text, n: 5, o: {a: 1}, l: [1]}");
  EXPECT_EQ(stringMember(&object, "s"), "text");
  EXPECT_EQ(stringMember(&object, "n"), std::nullopt);
  EXPECT_NE(objectMember(&object, "o"), nullptr);
  EXPECT_EQ(objectMember(&object, "l"), nullptr);
  EXPECT_NE(arrayMember(&object, "l"), nullptr);
  EXPECT_EQ(arrayMember(&object, "o"), nullptr);
  EXPECT_EQ(member(nullptr, "s"), nullptr);
  EXPECT_EQ(member(object.at("l"), "s"), nullptr);
  EXPECT_EQ(describeJsonType(object.at("n")), "a number");
  EXPECT_EQ(describeJsonType(nlohmann::json()), "null");
}

TEST(JsonFieldsTest, EscapesPointerTokens) {
  EXPECT_EQ(escapePointerToken("proxy.istio.io/config"), "proxy.istio.io~1config");
  EXPECT_EQ(escapePointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(escapePointerToken("plain"), "plain");
}

TEST(QuantityFieldTest, ReadsStringsAndNumbersAndFlagsTheRest) {
  const nlohmann::json values = objectFromYaml("{s: 256Mi, n: 1024, f: 0.5, bad: lots, b: true, o: {}, z: null}");
  EXPECT_EQ(readQuantityField(&values.at("s")).bytes, 256 * 1024 * 1024);
  EXPECT_TRUE(readQuantityField(&values.at("n")).valid());
  EXPECT_EQ(readQuantityField(&values.at("n")).bytes, 1024);
  EXPECT_EQ(readQuantityField(&values.at("f")).bytes, 1);
  EXPECT_TRUE(readQuantityField(&values.at("bad")).invalid());
  EXPECT_EQ(readQuantityField(&values.at("bad")).text, "lots");
  EXPECT_TRUE(readQuantityField(&values.at("b")).invalid());
  EXPECT_EQ(readQuantityField(&values.at("b")).text, "true");
  EXPECT_TRUE(readQuantityField(&values.at("o")).invalid());
  EXPECT_EQ(readQuantityField(&values.at("z")).state, QuantityField::State::Absent);
  EXPECT_EQ(readQuantityField(nullptr).state, QuantityField::State::Absent);
}

}  // namespace
}  // namespace meshward::policies
