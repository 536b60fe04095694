"""`meshward doctor` against the Kubernetes API stand-in holding what the chart installs, rendered
by real Helm: healthy as installed; each misconfiguration reported with its fix and exit 1; an
unreachable or unreadable cluster exit 2."""

import base64
import copy
import json
import os
import subprocess
import tempfile
import unittest

import chart_render
import support

NAMESPACE = "meshward-system"
SERVED = [
    {"group": "admissionregistration.k8s.io", "versions": ["v1"], "kind": "ValidatingWebhookConfiguration",
     "resource": "validatingwebhookconfigurations", "namespaced": False},
    {"group": "", "versions": ["v1"], "kind": "Endpoints", "resource": "endpoints", "namespaced": True},
    {"group": "", "versions": ["v1"], "kind": "Secret", "resource": "secrets", "namespaced": True},
]
ISTIO_INJECTOR = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                  "metadata": {"name": "istio-sidecar-injector", "labels": {"istio.io/rev": "default"}},
                  "webhooks": [{"name": "rev.namespace.sidecar-injector.istio.io", "sideEffects": "None",
                                "admissionReviewVersions": ["v1"],
                                "clientConfig": {"service": {"name": "istiod", "namespace": "istio-system"}}}]}


def endpoints(ready):
    address = [{"ip": "10.0.0.12"}]
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "meshward", "namespace": NAMESPACE},
            "subsets": [{"addresses": address} if ready else {"notReadyAddresses": address}]}


@unittest.skipUnless(os.access(support.FAKE_APISERVER, os.X_OK), "fake_kube_apiserver not built")
class DoctorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rendered = chart_render.render(namespace=NAMESPACE)

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="meshward-doctor-")
        self.api = support.FakeApiServer(os.path.join(self.scratch, "api"))
        self.addCleanup(self.api.stop)
        for kind in SERVED:
            self.api.control("POST", "/serve-kind", kind)
        installed = (self.rendered.all("ValidatingWebhookConfiguration") + self.rendered.all("MutatingWebhookConfiguration")
                     + [self.rendered.one("Service")] + [s for s in self.rendered.all("Secret") if s["type"] == "kubernetes.io/tls"])
        self.api.apply(*installed, endpoints(True), ISTIO_INJECTOR)

    def doctor(self, *args):
        return subprocess.run([support.BINARY, "doctor", "--kubeconfig", self.api.kubeconfig, *args],
                              capture_output=True, text=True, timeout=60, check=False)

    def validating(self):
        return copy.deepcopy(self.rendered.one("ValidatingWebhookConfiguration"))

    def test_what_the_chart_installs_is_healthy(self):
        result = self.doctor()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"meshward doctor: 4 webhooks of meshward at https://127\.0\.0\.1:\d+, 0 problems")
        report = json.loads(self.doctor("-o", "json").stdout)
        self.assertEqual((report["problems"], report["notes"], report["services"]), ([], [], [f"{NAMESPACE}/meshward"]))

    def test_each_misconfiguration_is_reported_with_its_fix(self):
        broken = self.validating()
        istio = next(hook for hook in broken["webhooks"] if hook["name"] == "istio.validate.meshward.dev")
        istio["failurePolicy"] = "Ignore"
        istio["timeoutSeconds"] = 10
        istio["namespaceSelector"] = {}
        istio["rules"] = istio["rules"][1:]
        mutating = copy.deepcopy(self.rendered.one("MutatingWebhookConfiguration"))
        self.api.remove(mutating)
        mutating["metadata"]["name"] = "meshward-defaults"
        self.api.apply(broken, mutating, endpoints(False))
        result = self.doctor("-o", "json")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        found = {problem["check"] for problem in json.loads(result.stdout)["problems"]}
        self.assertEqual(found, {"failure-policy", "timeout", "namespace-selector", "rules", "order", "endpoints"})
        text = self.doctor().stdout
        self.assertIn("FAIL [timeout] ValidatingWebhookConfiguration meshward, webhook istio.validate.meshward.dev: "
                      "timeoutSeconds is 10", text)
        self.assertIn("fix: set failurePolicy: Fail (chart value webhooks.validating.istio.failurePolicy)", text)
        self.assertIn("it sorts after Istio's injector istio-sidecar-injector", text)

    def test_a_caBundle_that_does_not_sign_the_serving_certificate(self):
        broken = self.validating()
        other = chart_render.render(namespace=NAMESPACE).one("ValidatingWebhookConfiguration")  # a fresh CA
        for hook, fresh in zip(broken["webhooks"], other["webhooks"]):
            hook["clientConfig"]["caBundle"] = fresh["clientConfig"]["caBundle"]
        self.api.apply(broken)
        result = self.doctor()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("its caBundle does not verify the serving certificate for meshward.meshward-system.svc", result.stdout)

    def test_an_unreadable_serving_secret_is_a_note_not_a_failure(self):
        result = self.doctor("--tls-secret", "no-such-secret")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("note: the serving certificate of meshward-system/meshward is not checked against the caBundle: "
                      "Secret meshward-system/no-such-secret is not found", result.stdout)

    def test_no_cluster_is_exit_2(self):
        result = subprocess.run([support.BINARY, "doctor"], capture_output=True, text=True, timeout=60, check=False,
                                env={k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"})
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("no cluster: give --kubeconfig FILE", result.stderr)
        self.api.stop()
        unreachable = self.doctor()
        self.assertEqual(unreachable.returncode, 2, unreachable.stdout + unreachable.stderr)
        self.assertIn("cannot read the webhook configurations", unreachable.stderr)


if __name__ == "__main__":
    unittest.main()
