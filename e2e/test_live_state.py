"""Live cluster state: `meshward serve --kubeconfig K` against the Kubernetes API stand-in
(test/support/fake_kube_apiserver, a process on 127.0.0.1): not ready until every watched kind
is listed, then ready; the sidecar-memory and proxy-defaults rules read live namespace labels and
follow their changes; dropped watches, expired resourceVersions and malformed events are
survived; the cluster-state metrics pass promtool; a server signed by another CA is a clear error
and never ready; SIGTERM exits 0."""

import copy
import json
import os
import subprocess
import unittest

import support

DENIED_POD = "objects/pod-proxy-limit-64mi.json"  # a 64Mi proxy limit: denied where a sidecar is injected
FOLLOW_SECONDS = 10  # bound on "the change is seen" (normally well under a second)


def namespace(name, labels=None):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}


def pod_in(namespace_name):
    pod = copy.deepcopy(support.load_json(DENIED_POD))
    pod["metadata"]["namespace"] = namespace_name
    return pod


@unittest.skipUnless(os.access(support.FAKE_APISERVER, os.X_OK), f"fake_kube_apiserver not found at {support.FAKE_APISERVER}")
class LiveStateTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = support.FakeApiServer(os.path.join(cls.tmp, "fake"))
        cls.addClassCleanup(cls.fake.stop)
        cls.fake.apply(namespace("mesh-apps", {"istio-injection": "enabled"}), namespace("plain-apps"))
        cls.server = cls.start_server("live", cluster_state=None, extra_args=["--kubeconfig", cls.fake.kubeconfig])

    def allowed(self, pod):
        return self.server.admit(support.review(pod))["allowed"]

    def wait_for_decision(self, pod, allowed, what):
        support.wait_until(lambda: self.allowed(pod) == allowed, FOLLOW_SECONDS, what)

    def test_rules_read_live_namespace_labels(self):
        self.assertFalse(self.allowed(pod_in("mesh-apps")), "mesh-apps is labelled istio-injection=enabled")
        self.assertTrue(self.allowed(pod_in("plain-apps")), "no sidecar is injected in plain-apps")
        mutated = self.server.admit(support.review(pod_in("mesh-apps")), "/mutate")
        self.assertIn("proxy-defaults", mutated.get("auditAnnotations", {}).get("mutated-by", ""), mutated)
        self.assertTrue(support.decoded_patch(mutated), "proxy-defaults patches pods that get a sidecar")
        untouched = self.server.admit(support.review(pod_in("plain-apps")), "/mutate")
        self.assertEqual(support.decoded_patch(untouched), [], "no sidecar, no proxy defaults")

    def test_follows_namespace_changes(self):
        self.fake.apply(namespace("late-apps"))
        self.wait_for_decision(pod_in("late-apps"), True, "late-apps to be seen without injection")
        self.fake.apply(namespace("late-apps", {"istio-injection": "enabled"}))
        self.wait_for_decision(pod_in("late-apps"), False, "the injection label of late-apps to be seen")
        self.fake.control("POST", "/remove", {"kind": "Namespace", "name": "late-apps"})
        self.wait_for_decision(pod_in("late-apps"), True, "the deletion of late-apps to be seen")

    def test_survives_dropped_watches_expiry_and_malformed_events(self):
        self.fake.apply(namespace("fault-apps"))
        self.wait_for_decision(pod_in("fault-apps"), True, "fault-apps to be seen")
        lists_before = self.fake.stats()["lists"]["namespaces"]

        self.fake.control("POST", "/drop-watches")
        self.fake.apply(namespace("fault-apps", {"istio-injection": "enabled"}))
        self.wait_for_decision(pod_in("fault-apps"), False, "a change after a dropped watch")

        watches_before = self.fake.stats()["watches"]["namespaces"]
        self.fake.control("POST", "/apply?delivery=silent", [namespace("fault-apps")])
        self.fake.control("POST", "/expire?style=event")
        self.wait_for_decision(pod_in("fault-apps"), True, "a change lost with the expired history (relisted)")
        self.assertGreater(self.fake.stats()["lists"]["namespaces"], lists_before)

        # The stand-in counts a watch once it is registered: the raw line then reaches it.
        support.wait_until(lambda: self.fake.stats()["watches"]["namespaces"] > watches_before, FOLLOW_SECONDS,
                           "the namespace watch after the relist")
        self.fake.control("POST", "/raw-line?resource=namespaces", "{not json")
        support.wait_until(lambda: self.restarts("malformed") >= 1, FOLLOW_SECONDS, "the malformed event counted")
        self.fake.apply(namespace("fault-apps", {"istio-injection": "enabled"}))
        self.wait_for_decision(pod_in("fault-apps"), False, "a change after a malformed event")
        self.assertEqual(self.server.request("GET", "/readyz")[0], 200)
        for reason in ("connection", "expired"):
            self.assertGreaterEqual(self.restarts(reason), 1, reason)

    def restarts(self, reason):
        return support.metric_sum(self.server.metrics(), "meshward_cluster_state_watch_restarts_total",
                                  kind="Namespace", reason=reason)

    def test_cluster_state_metrics_pass_promtool(self):
        samples = self.server.metrics()
        listed = subprocess.run([support.BINARY, "rules", "-o", "json"], capture_output=True, text=True, timeout=60,
                                check=True)
        kinds = [kind["label"] for kind in json.loads(listed.stdout)["clusterState"]["kinds"]]
        self.assertIn("Gateway.gateway.networking.k8s.io", kinds)
        for kind in kinds:
            self.assertEqual(support.metric_sum(samples, "meshward_cluster_state_synced", kind=kind), 1, kind)
        self.assertGreaterEqual(support.metric_sum(samples, "meshward_cluster_state_objects", kind="Namespace"), 2)
        checked = subprocess.run(["promtool", "check", "metrics"], input=self.server.metrics_text().encode(),
                                 capture_output=True, timeout=60, check=False)
        self.assertEqual(checked.returncode, 0, checked.stdout.decode() + checked.stderr.decode())


@unittest.skipUnless(os.access(support.FAKE_APISERVER, os.X_OK), f"fake_kube_apiserver not found at {support.FAKE_APISERVER}")
class LiveStateLifecycleTest(support.ServerTestCase):
    def test_not_ready_until_listed_then_sigterm_exits_cleanly(self):
        fake = support.FakeApiServer(os.path.join(self.tmp, "slow-fake"))
        self.addCleanup(fake.stop)
        fake.control("POST", "/delay?ms=1500")
        server = self.start_server("slow", wait_for=None, cluster_state=None,
                                   extra_args=["--kubeconfig", fake.kubeconfig])
        server.wait_for_status("/readyz", 503, support.STARTUP_SECONDS)
        fake.control("POST", "/delay?ms=0")
        server.wait_for_status("/readyz", 200, support.STARTUP_SECONDS)
        self.assertExitsCleanly(server)

    def test_a_server_signed_by_another_ca_is_a_clear_error_and_never_ready(self):
        fake = support.FakeApiServer(os.path.join(self.tmp, "fake"))
        self.addCleanup(fake.stop)
        other = support.FakeApiServer(os.path.join(self.tmp, "other"))
        other.stop()
        with open(fake.kubeconfig, encoding="utf-8") as source:
            config = json.load(source)
        with open(other.kubeconfig, encoding="utf-8") as source:
            config["clusters"][0]["cluster"]["certificate-authority-data"] = \
                json.load(source)["clusters"][0]["cluster"]["certificate-authority-data"]
        wrong_ca = os.path.join(self.tmp, "wrong-ca.kubeconfig")
        with open(wrong_ca, "w", encoding="utf-8") as target:
            json.dump(config, target)
        server = self.start_server("wrong-ca", wait_for=None, cluster_state=None, extra_args=["--kubeconfig", wrong_ca])
        support.wait_until(lambda: "certificate is not trusted" in server.stderr(), support.STARTUP_SECONDS,
                           "the certificate error in the log")
        self.assertEqual(server.request("GET", "/readyz")[0], 503)
        self.assertEqual(fake.stats()["lists"]["namespaces"], 0)
        self.assertExitsCleanly(server)

    def test_an_unusable_kubeconfig_is_a_start_up_error(self):
        broken = os.path.join(self.tmp, "broken.kubeconfig")
        with open(broken, "w", encoding="utf-8") as target:
            target.write("current-context: nowhere\ncontexts: []\n")
        result = subprocess.run([support.BINARY, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                                 "--kubeconfig", broken], capture_output=True, text=True, timeout=support.EXIT_SECONDS,
                                env=dict(os.environ, TMPDIR=self.tmp), check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("no context named 'nowhere'", result.stderr)


if __name__ == "__main__":
    unittest.main()
