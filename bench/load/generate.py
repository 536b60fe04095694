"""Generates the load harness's data into OUT_DIR (nothing of it is committed):
OUT_DIR/cluster-state/  a cluster of 100 namespaces (90 injected), 50,000 pods shaped like real ones
                        (the 5,000 in the ten namespaces without injection have no sidecar) and
                        5,000 DestinationRules with three subsets, as kube List files;
OUT_DIR/requests/       the AdmissionReview bodies of the mix, and mix.txt ("PATH FILE" a line).

Usage: python3 generate.py OUT_DIR [--pods 50000] [--destination-rules 5000]"""

import argparse
import json
import os

NAMESPACES = 100
NOT_INJECTED_EVERY = 10  # ns-000, ns-010, ... run without sidecars
PODS_PER_FILE = 1000
APP_NAMESPACE = "ns-042"

SIDECAR_STATUS = json.dumps({
    "initContainers": ["istio-init"], "containers": ["istio-proxy"],
    "volumes": ["workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data",
                "istio-podinfo", "istio-token", "istiod-ca-cert"],
    "imagePullSecrets": None, "revision": "default"}, separators=(",", ":"))


def namespace_name(index):
    return f"ns-{index:03d}"


def injected(index):
    return index % NOT_INJECTED_EVERY != 0


def app_container(app):
    return {
        "name": "app", "image": f"registry.example.com/shop/{app}:1.42.0", "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
        "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/app-health/app/readyz", "port": 15020, "scheme": "HTTP"},
                           "periodSeconds": 10},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "name": "kube-api-access-x7k2p", "readOnly": True}],
    }


def proxy_container(app):
    return {
        "name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.3",
        "args": ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning"],
        "env": [{"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
                {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                {"name": "ISTIO_META_WORKLOAD_NAME", "value": app}],
        "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsGroup": 1337,
                            "runAsNonRoot": True, "runAsUser": 1337},
    }


def pod(namespace, name, app, with_sidecar):
    containers = [app_container(app)]
    labels = {"app": app, "version": "v1", "pod-template-hash": "7d8f9c6b5d"}
    annotations = {"kubectl.kubernetes.io/default-container": "app", "prometheus.io/scrape": "true"}
    if with_sidecar:
        containers.append(proxy_container(app))
        annotations["sidecar.istio.io/status"] = SIDECAR_STATUS
        labels["security.istio.io/tlsMode"] = "istio"
        labels["service.istio.io/canonical-name"] = app
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations,
                     "creationTimestamp": "2024-05-01T10:00:00Z", "generateName": f"{app}-7d8f9c6b5d-",
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-7d8f9c6b5d",
                                          "uid": "0b6f4c1e-5a4d-4b8e-9f3a-1c2d3e4f5a6b", "controller": True}]},
        "spec": {"containers": containers, "dnsPolicy": "ClusterFirst", "nodeName": "worker-17",
                 "restartPolicy": "Always", "serviceAccountName": app, "terminationGracePeriodSeconds": 30},
        "status": {"phase": "Running", "podIP": "10.42.17.23", "hostIP": "192.168.1.17", "qosClass": "Burstable",
                   "startTime": "2024-05-01T10:00:01Z"},
    }


def destination_rule(namespace, service):
    return {
        "apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
        "metadata": {"name": service, "namespace": namespace, "generation": 1},
        "spec": {"host": f"{service}.{namespace}.svc.cluster.local",
                 "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
                 "subsets": [{"name": version, "labels": {"version": version}} for version in ("v1", "v2", "v3")]},
    }


def kube_list(items):
    return {"apiVersion": "v1", "kind": "List", "items": items}


def write_json(path, document):
    with open(path, "w", encoding="utf-8") as output:
        json.dump(document, output, separators=(",", ":"))


def write_cluster_state(directory, pod_count, rule_count):
    os.makedirs(directory, exist_ok=True)
    namespaces = [{"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": namespace_name(index),
                                "labels": {"istio-injection": "enabled"} if injected(index) else {}}}
                  for index in range(NAMESPACES)]
    namespaces.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system"}})
    write_json(os.path.join(directory, "namespaces.json"), kube_list(namespaces))
    batch = []
    for number in range(pod_count):
        index = number % NAMESPACES
        app = f"svc-{(number // NAMESPACES) % 50:02d}"
        batch.append(pod(namespace_name(index), f"{app}-7d8f9c6b5d-{number:06d}", app, injected(index)))
        if len(batch) == PODS_PER_FILE or number == pod_count - 1:
            write_json(os.path.join(directory, f"pods-{number // PODS_PER_FILE:03d}.json"), kube_list(batch))
            batch = []
    rules = [destination_rule(namespace_name(number % NAMESPACES), f"svc-{(number // NAMESPACES):02d}")
             for number in range(rule_count)]
    write_json(os.path.join(directory, "destinationrules.json"), kube_list(rules))


def review(uid, kind, resource, namespace, name, operation, new_object, old_object=None):
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": uid, "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource,
            "namespace": namespace, "name": name, "operation": operation,
            "userInfo": {"username": "system:serviceaccount:argocd:argocd-application-controller",
                         "uid": "5c0c7d9e-2f4b-4c1a-9d7e-3b8a6f1e2d4c",
                         "groups": ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"]},
            "object": new_object, "oldObject": old_object, "dryRun": False,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions" if operation == "CREATE" else
                        "UpdateOptions", "fieldManager": "argocd-controller"},
        },
    }


def virtual_service_create():
    host = f"svc-07.{APP_NAMESPACE}.svc.cluster.local"
    canary = "svc-08.ns-043.svc.cluster.local"
    service = {
        "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
        "metadata": {"name": "svc-07", "namespace": APP_NAMESPACE,
                     "annotations": {"argocd.argoproj.io/sync-wave": "2"}},
        "spec": {"hosts": [host], "http": [
            {"match": [{"headers": {"x-canary": {"exact": "true"}}}],
             "route": [{"destination": {"host": canary, "subset": "v3"}}]},
            {"route": [{"destination": {"host": host, "subset": "v1"}, "weight": 90},
                       {"destination": {"host": host, "subset": "v2"}, "weight": 10}],
             "timeout": "5s", "retries": {"attempts": 3, "perTryTimeout": "2s"}}]},
    }
    group = {"group": "networking.istio.io", "version": "v1beta1"}
    return review("6d1c0e4a-0001-4f00-8000-000000000001", dict(group, kind="VirtualService"),
                  dict(group, resource="virtualservices"), APP_NAMESPACE, "svc-07", "CREATE", service)


def pod_create():
    new_pod = pod(APP_NAMESPACE, "", "svc-07", False)
    del new_pod["metadata"]["name"]
    del new_pod["status"]
    del new_pod["spec"]["nodeName"]
    return review("6d1c0e4a-0002-4f00-8000-000000000002", {"group": "", "version": "v1", "kind": "Pod"},
                  {"group": "", "version": "v1", "resource": "pods"}, APP_NAMESPACE, "", "CREATE", new_pod)


def deployment(image_tag, generation):
    template = pod(APP_NAMESPACE, "", "svc-07", False)
    template["metadata"] = {"labels": {"app": "svc-07", "version": "v1"},
                            "annotations": {"sidecar.istio.io/proxyMemory": "128Mi",
                                            "sidecar.istio.io/proxyMemoryLimit": "512Mi"}}
    template["spec"]["containers"][0]["image"] = f"registry.example.com/shop/svc-07:{image_tag}"
    del template["status"]
    del template["spec"]["nodeName"]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "svc-07", "namespace": APP_NAMESPACE, "generation": generation,
                     "labels": {"app": "svc-07"}, "uid": "9a8b7c6d-0000-4000-8000-000000000007"},
        "spec": {"replicas": 6, "selector": {"matchLabels": {"app": "svc-07"}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                 "template": template},
    }


def deployment_update():
    group = {"group": "apps", "version": "v1"}
    return review("6d1c0e4a-0003-4f00-8000-000000000003", dict(group, kind="Deployment"),
                  dict(group, resource="deployments"), APP_NAMESPACE, "svc-07", "UPDATE",
                  deployment("1.43.0", 8), deployment("1.42.0", 7))


def mesh_wide_strict_peer_authentication():
    policy = {"apiVersion": "security.istio.io/v1beta1", "kind": "PeerAuthentication",
              "metadata": {"name": "default", "namespace": "istio-system"},
              "spec": {"mtls": {"mode": "STRICT"}}}
    group = {"group": "security.istio.io", "version": "v1beta1"}
    return review("6d1c0e4a-0004-4f00-8000-000000000004", dict(group, kind="PeerAuthentication"),
                  dict(group, resource="peerauthentications"), "istio-system", "default", "CREATE", policy)


def write_requests(directory):
    os.makedirs(directory, exist_ok=True)
    mix = [("/validate", "virtualservice-create.json", virtual_service_create()),
           ("/mutate", "pod-create.json", pod_create()),
           ("/validate", "deployment-update.json", deployment_update()),
           ("/validate", "peerauthentication-strict.json", mesh_wide_strict_peer_authentication())]
    lines = []
    for path, file_name, body in mix:
        write_json(os.path.join(directory, file_name), body)
        lines.append(f"{path} {os.path.join(directory, file_name)}\n")
    with open(os.path.join(directory, "mix.txt"), "w", encoding="utf-8") as output:
        output.writelines(lines)
    with open(os.path.join(directory, "virtualservice-create.txt"), "w", encoding="utf-8") as output:
        output.write(lines[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--pods", type=int, default=50000)
    parser.add_argument("--destination-rules", type=int, default=5000)
    arguments = parser.parse_args()
    write_cluster_state(os.path.join(arguments.out_dir, "cluster-state"), arguments.pods, arguments.destination_rules)
    write_requests(os.path.join(arguments.out_dir, "requests"))


if __name__ == "__main__":
    main()
