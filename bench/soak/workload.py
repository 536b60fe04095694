"""What the soak sends and what the API stand-in holds: a generated cluster (namespaces, a few
hundred pods with and without sidecars, Services, DestinationRules, VirtualServices, a Gateway,
PeerAuthentications) and the request mix, each valid review with the decision it must get and
each invalid request with the 4xx it must get."""

import json
import os
import sys

SOAK_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(SOAK_DIR))
sys.path.insert(0, os.path.join(SOURCE_DIR, "e2e"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench", "load"))

import generate  # noqa: E402  bench/load/generate.py: pods shaped like real ones
import support  # noqa: E402  e2e/support.py: AdmissionReviews

INJECTED = ["shop", "payments", "web"]
PLAIN = ["legacy", "batch"]
CHURN = {"churn-a": True, "churn-b": False}  # namespaces the chaos thread changes: injected at start?
APPS = [f"svc-{index:02d}" for index in range(6)]
PODS_PER_APP = 12
UID_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"  # replaced per request (same length)
ADMINS = ["system:masters", "system:authenticated"]
MAX_REQUEST_BYTES = 1 << 20  # meshward runs with this --max-request-bytes


def namespace(name, injected):
    labels = {"kubernetes.io/metadata.name": name}
    if injected:
        labels["istio-injection"] = "enabled"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(namespace_name, name, app, with_sidecar):
    return generate.pod(namespace_name, name, app, with_sidecar)


def service(namespace_name, app):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": app, "namespace": namespace_name, "labels": {"app": app}},
            "spec": {"selector": {"app": app}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}


def destination_rule(namespace_name, app, subsets=("v1", "v2")):
    rule = generate.destination_rule(namespace_name, app)
    rule["spec"]["subsets"] = [{"name": version, "labels": {"version": version}} for version in subsets]
    return rule


def virtual_service(namespace_name, app, subsets=(("v1", 90), ("v2", 10)), gateways=None, name=None):
    host = f"{app}.{namespace_name}.svc.cluster.local"
    spec = {"hosts": [host], "http": [{"route": [{"destination": {"host": host, "subset": subset}, "weight": weight}
                                                 for subset, weight in subsets]}]}
    if gateways:
        spec["gateways"] = list(gateways)
    return {"apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
            "metadata": {"name": name or app, "namespace": namespace_name}, "spec": spec}


def gateway():
    return {"apiVersion": "networking.istio.io/v1beta1", "kind": "Gateway",
            "metadata": {"name": "public-gateway", "namespace": "istio-system"},
            "spec": {"selector": {"istio": "ingressgateway"},
                     "servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["*"],
                                  "tls": {"mode": "SIMPLE", "credentialName": "public-cert"}}]}}


def peer_authentication(namespace_name, mode, name="default"):
    return {"apiVersion": "security.istio.io/v1beta1", "kind": "PeerAuthentication",
            "metadata": {"name": name, "namespace": namespace_name}, "spec": {"mtls": {"mode": mode}}}


def authorization_policy(namespace_name, name, spec):
    return {"apiVersion": "security.istio.io/v1beta1", "kind": "AuthorizationPolicy",
            "metadata": {"name": name, "namespace": namespace_name}, "spec": spec}


def cluster_objects():
    """The cluster the stand-in starts with (namespaces first)."""
    namespaces = [namespace(name, True) for name in INJECTED] + [namespace(name, False) for name in PLAIN]
    namespaces += [namespace(name, injected) for name, injected in CHURN.items()]
    namespaces.append(namespace("istio-system", False))
    objects = list(namespaces)
    for namespace_name in INJECTED + PLAIN:
        sidecars = namespace_name in INJECTED
        for app in APPS:
            objects += [pod(namespace_name, f"{app}-7d8f9c6b5d-{index:05d}", app, sidecars)
                        for index in range(PODS_PER_APP)]
            objects.append(service(namespace_name, app))
            if sidecars:
                objects.append(destination_rule(namespace_name, app))
                objects.append(virtual_service(namespace_name, app, gateways=["istio-system/public-gateway", "mesh"]))
    objects.append(gateway())
    objects.append(peer_authentication("payments", "STRICT"))
    objects.append(peer_authentication("legacy", "PERMISSIVE"))
    objects.append(authorization_policy("payments", "allow-frontends", {
        "action": "ALLOW", "rules": [{"from": [{"source": {"namespaces": ["shop", "web"]}}],
                                      "to": [{"operation": {"methods": ["GET", "POST"]}}]}]}))
    return objects


# ---------------------------------------------------------------------------------------------
# The request mix

class Request:
    """One kind of request of the mix. `expect` is ("allowed", patched) or ("denied", rule id) for
    a review, ("any", None) for a corpus review (its first decision must then never change), or
    ("status", code) for invalid input. `raw` requests go over their own TLS socket."""

    def __init__(self, name, path, body, expect, weight, *, method="POST", content_type="application/json",
                 raw=False):
        self.name = name
        self.path = path
        self.body = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        self.expect = expect
        self.weight = weight
        self.method = method
        self.content_type = content_type
        self.raw = raw
        self.has_uid = UID_PLACEHOLDER.encode() in self.body

    @property
    def valid(self):
        return self.expect[0] != "status"

    def body_with_uid(self, uid):
        return self.body.replace(UID_PLACEHOLDER.encode(), uid.encode(), 1) if self.has_uid else self.body


def review(obj, **options):
    options.setdefault("uid", UID_PLACEHOLDER)
    return support.review(obj, **options)


def new_pod(namespace_name, proxy_limit=None, proxy_request=None, labels=None, annotations=None):
    """A Pod as a ReplicaSet creates it (no name yet, no status), with proxy memory annotations."""
    created = pod(namespace_name, "", "svc-03", False)
    del created["metadata"]["name"]
    del created["status"]
    del created["spec"]["nodeName"]
    if proxy_limit:
        created["metadata"]["annotations"]["sidecar.istio.io/proxyMemoryLimit"] = proxy_limit
    if proxy_request:
        created["metadata"]["annotations"]["sidecar.istio.io/proxyMemory"] = proxy_request
    created["metadata"]["labels"].update(labels or {})
    created["metadata"]["annotations"].update(annotations or {})
    return created


def denied_pod(namespace_name="shop"):
    return new_pod(namespace_name, "64Mi", "64Mi")


def deployment(namespace_name, image_tag, with_strategy=True):
    template = new_pod(namespace_name, "512Mi", "128Mi")
    template["metadata"] = {"labels": {"app": "svc-03", "version": "v1"},
                            "annotations": template["metadata"]["annotations"]}
    template["spec"]["containers"][0]["image"] = f"registry.example.com/shop/svc-03:{image_tag}"
    spec = {"replicas": 4, "selector": {"matchLabels": {"app": "svc-03"}}, "template": template}
    if with_strategy:
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "svc-03", "namespace": namespace_name, "labels": {"app": "svc-03"}}, "spec": spec}


def valid_requests():
    mix = []

    def add(name, path, document, expect, weight=10):
        mix.append(Request(name, path, document, expect, weight))

    add("pod-denied", "/validate", review(denied_pod()), ("denied", "sidecar-memory"))
    add("pod-allowed", "/validate", review(new_pod("shop", "512Mi", "128Mi")), ("allowed", False))
    add("pod-plain-allowed", "/validate", review(denied_pod("legacy")), ("allowed", False))
    add("pod-mutated", "/mutate", review(new_pod("web")), ("allowed", True))
    add("pod-plain-mutate", "/mutate", review(new_pod("batch")), ("allowed", False))
    add("deployment-mutated", "/mutate", review(deployment("shop", "1.43.0", with_strategy=False)),
        ("allowed", True))
    add("deployment-update", "/validate",
        review(deployment("shop", "1.43.0"), operation="UPDATE", old_object=deployment("shop", "1.42.0")),
        ("allowed", False))
    add("virtualservice-ok", "/validate", review(virtual_service("shop", "svc-01", name="svc-01-canary")),
        ("allowed", False))
    add("virtualservice-missing-subset", "/validate",
        review(virtual_service("shop", "svc-01", subsets=(("v1", 50), ("v9", 50)), name="svc-01-v9")),
        ("denied", "virtualservice-subset-exists"))
    add("virtualservice-missing-gateway", "/validate",
        review(virtual_service("web", "svc-02", gateways=["istio-system/no-such-gateway"], name="svc-02-public")),
        ("denied", "virtualservice-gateway-exists"))
    add("peerauthentication-mesh-strict", "/validate", review(peer_authentication("istio-system", "STRICT")),
        ("denied", "strict-mtls-needs-sidecars"))
    add("peerauthentication-shop-strict", "/validate", review(peer_authentication("shop", "STRICT")),
        ("allowed", False))
    add("destinationrule-subset-removed", "/validate",
        review(destination_rule("shop", "svc-02", subsets=("v1",)), operation="UPDATE",
               old_object=destination_rule("shop", "svc-02")),
        ("denied", "referenced-subset-removal"))
    add("gateway-delete", "/validate", review(None, operation="DELETE", old_object=gateway()),
        ("denied", "referenced-gateway-removal"), weight=5)
    add("namespace-uninjected-under-strict", "/validate",
        review(namespace("payments", False), operation="UPDATE", old_object=namespace("payments", True)),
        ("denied", "injection-kept-under-strict"))
    add("authorizationpolicy-deny-all", "/validate",
        review(authorization_policy("shop", "deny-everything", {"action": "DENY", "rules": [{}]})),
        ("denied", "authorization-policy-lockout"), weight=5)
    add("authorizationpolicy-allow-shop", "/validate",
        review(authorization_policy("payments", "allow-shop", {
            "action": "ALLOW", "rules": [{"from": [{"source": {"namespaces": ["shop"]}}]}]})),
        ("allowed", False), weight=5)
    glass = denied_pod()
    glass["metadata"]["labels"]["meshward.dev/break-glass"] = "true"
    glass["metadata"]["annotations"]["meshward.dev/break-glass-reason"] = "INC-4711: soak test break-glass"
    add("break-glass", "/validate", review(glass, user="oncall", groups=ADMINS), ("allowed", False), weight=3)
    add("pod-denied-v1beta1", "/validate", review(denied_pod(), api_version="admission.k8s.io/v1beta1"),
        ("denied", "sidecar-memory"), weight=5)
    add("pod-delete", "/validate", review(None, operation="DELETE", old_object=pod("shop", "x-1", "svc-00", True)),
        ("allowed", False), weight=5)
    add("pod-dry-run-denied", "/validate", review(denied_pod("web"), dry_run=True), ("denied", "sidecar-memory"),
        weight=3)
    return mix


def corpus_requests():
    """The shared corpus's real AdmissionReviews on both webhooks (their decision: whatever the
    first answer says, then never another)."""
    folder = os.path.join(support.SHARED_DIR, "corpus", "admissionreviews")
    mix = []
    if not os.path.isdir(folder):
        return mix
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as source:
            document = json.load(source)
        if ".request." in name:
            document = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": document}
        document["request"]["uid"] = UID_PLACEHOLDER
        for path in ("/validate", "/mutate"):
            mix.append(Request(f"corpus:{name.split('.')[0]}{path}", path, document, ("any", None), 1))
    return mix


def invalid_requests():
    valid = json.dumps(support.review(support.load_json("objects/pod-proxy-limit-512mi.json"))).encode()
    bare_pod = json.dumps(support.load_json("objects/pod-proxy-limit-512mi.json")).encode()
    v2 = json.loads(valid)
    v2["apiVersion"] = "admission.k8s.io/v2"
    no_uid = json.loads(valid)
    del no_uid["request"]["uid"]
    nested = valid.replace(b'"labels": {', b'"labels": {"x": ' + b"[" * 20000 + b"]" * 20000 + b", ", 1)
    assert nested != valid
    oversize = valid[:-1] + b', "padding": "' + b"x" * MAX_REQUEST_BYTES + b'"}'
    return [
        Request("bad:truncated-json", "/validate", valid[: len(valid) // 2], ("status", 400), 3),
        Request("bad:not-a-review", "/mutate", bare_pod, ("status", 400), 2),
        Request("bad:apiversion-v2", "/validate", v2, ("status", 400), 2),
        Request("bad:no-uid", "/mutate", no_uid, ("status", 400), 2),
        Request("bad:deep-nesting", "/validate", nested, ("status", 400), 1),
        Request("bad:deep-nesting-bare", "/validate", b"[" * 50000, ("status", 400), 1),
        Request("bad:content-type", "/validate", valid, ("status", 415), 2, content_type="text/plain"),
        Request("bad:get-validate", "/validate", b"", ("status", 405), 1, method="GET"),
        Request("bad:no-such-path", "/admit", valid, ("status", 404), 1),
        Request("bad:oversize", "/validate", oversize, ("status", 413), 0.2, raw=True),
    ]


def request_mix():
    return valid_requests() + corpus_requests() + invalid_requests()
