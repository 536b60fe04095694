"""meshward installed by its chart and driven the way kube-apiserver drives it: the chart is
rendered (default values, chart-generated certificates), meshward serves with the rendered
ConfigMap's policy and the rendered Secret's key pair, and watches the Kubernetes API stand-in
(test/support/fake_kube_apiserver) that holds each scenario's cluster; requests go through the
rendered webhook configurations (webhook_dispatcher.py). Each scenario is a folder of plain
manifests under e2e/scenarios/ with its steps and expected outcomes in scenario.json. The last
test is the operations scenario: bad requests, certificate rotation under load, and the audit
log's break-glass report."""

import base64
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import chart_render
import support
import webhook_dispatcher

SCENARIOS = os.path.join(support.E2E_DIR, "scenarios")
FOLLOW_SECONDS = 10  # bound on "the watch event is seen" (normally well under a second)
RELEASE_NAMESPACE = "meshward-system"


def load(scenario_dir, relative):
    with open(os.path.join(scenario_dir, relative), encoding="utf-8") as source:
        return json.load(source)


def objects_in(scenario_dir, relative_dir):
    directory = os.path.join(scenario_dir, relative_dir)
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        document = load(directory, name)
        found.extend(document if isinstance(document, list) else [document])
    return found


class Installation:
    """What the chart installs, rendered once: the webhook configurations, the policy, the key pair."""

    def __init__(self, work_dir, values=None):
        chart_render.build_renderer()
        os.makedirs(work_dir, exist_ok=True)
        rendered = chart_render.render(values, namespace=RELEASE_NAMESPACE)
        self.configurations = (rendered.all("MutatingWebhookConfiguration") +
                               rendered.all("ValidatingWebhookConfiguration"))
        self.service = rendered.one("Service")
        config_map = rendered.one("ConfigMap")
        (policy_name, policy_text), = config_map["data"].items()
        self.policy = os.path.join(work_dir, policy_name)
        secret = next(s for s in rendered.all("Secret") if s.get("type") == "kubernetes.io/tls")
        self.certificate = os.path.join(work_dir, "tls.crt")
        self.key = os.path.join(work_dir, "tls.key")
        self.ca_bundle = self.configurations[0]["webhooks"][0]["clientConfig"]["caBundle"]
        self.ca_file = os.path.join(work_dir, "ca-bundle.crt")
        with open(self.ca_file, "wb") as out:
            out.write(base64.b64decode(self.ca_bundle))
        with open(self.policy, "w", encoding="utf-8") as out:
            out.write(policy_text)
        for path, field in ((self.certificate, "tls.crt"), (self.key, "tls.key")):
            with open(path, "wb") as out:
                out.write(base64.b64decode(secret["data"][field]))

    def endpoints(self, port):
        endpoints = webhook_dispatcher.Endpoints()
        metadata = self.service["metadata"]
        endpoints.add(metadata.get("namespace", RELEASE_NAMESPACE), metadata["name"], port)
        return endpoints


@unittest.skipUnless(os.access(support.FAKE_APISERVER, os.X_OK),
                     f"fake_kube_apiserver not found at {support.FAKE_APISERVER}")
class ApiServerScenarioTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work_dir = tempfile.mkdtemp(prefix="meshward-scenarios-")
        cls.installation = Installation(cls.work_dir)
        cls.audit_log = os.path.join(cls.work_dir, "audit.log")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work_dir, ignore_errors=True)

    # -- one scenario --------------------------------------------------------------------------

    def start(self, name, cluster, installation=None):
        """The API stand-in holding `cluster`, and meshward installed as the chart installs it."""
        installation = installation or self.installation
        scenario_work = os.path.join(self.work_dir, name)
        api = support.FakeApiServer(os.path.join(scenario_work, "api"))
        self.addCleanup(api.stop)
        if cluster:
            api.apply(*cluster)
        server = support.MeshwardServer(
            scenario_work, tls=(installation.certificate, installation.key, None),
            config=installation.policy, cluster_state=None, audit_log=False,
            extra_args=["--kubeconfig", api.kubeconfig, "--audit-log", self.audit_log])
        server.start(wait_for=None)
        self.addCleanup(server.stop)
        support.wait_until(lambda: self.ready(server, installation), support.STARTUP_SECONDS, f"{name}: meshward ready")
        dispatcher = webhook_dispatcher.Dispatcher(installation.configurations,
                                                   installation.endpoints(server.port), scenario_work)
        for obj in cluster:
            if obj["kind"] == "Namespace":
                dispatcher.set_namespace(obj["metadata"]["name"], obj["metadata"].get("labels"))
        return api, server, dispatcher

    def ca_context(self, installation=None):
        """Trusts the chart's CA; the host name is not checked (the certificate names the service)."""
        context = support.tls_context((installation or self.installation).ca_file)
        context.check_hostname = False
        return context

    def ready(self, server, installation=None):
        if not server.alive():
            raise support.ServerError(f"meshward exited{server.diagnostics()}")
        try:
            return server.request("GET", "/readyz", timeout=5, context=self.ca_context(installation))[0] == 200
        except OSError:
            return False

    def run_scenario(self, name):
        scenario_dir = os.path.join(SCENARIOS, name)
        scenario = load(scenario_dir, "scenario.json")
        installation = None
        if "values" in scenario:  # the chart installed with these values instead of its defaults
            installation = Installation(os.path.join(self.work_dir, name + "-installation"),
                                        with_placeholders(scenario["values"]))
        api, server, dispatcher = self.start(name, objects_in(scenario_dir, "cluster"), installation)
        for number, step in enumerate(scenario["steps"], start=1):
            where = f"{name} step {number}"
            if "apply" in step or "remove" in step:
                api.apply(*[load(scenario_dir, relative) for relative in step.get("apply", [])])
                for relative in step.get("remove", []):
                    api.remove(load(scenario_dir, relative))
                continue
            obj = load(scenario_dir, step["admit"]) if step["admit"] else None
            old = load(scenario_dir, step["old"]) if step.get("old") else None

            def admit():
                return dispatcher.admit(obj, operation=step.get("operation", "CREATE"), old_object=old,
                                        user=step.get("user", "jane"), groups=step.get("groups"))
            if step.get("eventually"):  # until the watch events reach meshward: the outcome and its message
                def settled():
                    result = admit()
                    return (result.allowed == step["expect"]["allowed"] and
                            all(text in result.message for text in step["expect"].get("message", [])))
                support.wait_until(settled, FOLLOW_SECONDS, f"{where}: allowed={step['expect']['allowed']}")
            result = admit()
            self.check(where, step["expect"], result, server)
        self.assertEqual(server.sanitizer_reports(), [], name)

    def check(self, where, expect, result, server):
        context = f"{where}: {result}{server.diagnostics(10)}"
        self.assertEqual(result.allowed, expect["allowed"], context)
        errors = [call for call in result.calls if call.outcome.startswith("error")]
        self.assertEqual(errors, [], context)
        for text in expect.get("message", []):
            self.assertIn(text, result.message, context)
        for text in expect.get("warnings", []):
            self.assertTrue(any(text in warning for warning in result.warnings), context)
        for rule in expect.get("mutated_by", []):
            self.assertTrue(any(rule in value for key, value in result.audit_annotations.items()
                                if key.endswith("/mutated-by")), context)
        if "annotation" in expect:
            value = result.object
            for key in expect["annotation"]["path"]:
                value = value[key]
            for text in expect["annotation"]["contains"]:
                self.assertIn(text, value, context)
        if "audit_break_glass_user" in expect:
            records = [json.loads(line) for line in support.read_text(self.audit_log).splitlines() if line]
            self.assertTrue(any((record.get("breakGlass") or {}).get("user") == expect["audit_break_glass_user"]
                                for record in records), context)

    # -- the scenarios -------------------------------------------------------------------------

    def test_1_strict_mtls_with_a_legacy_pod(self):
        self.run_scenario("01-strict-mtls")

    def test_2_sync_waves_and_make_before_break(self):
        self.run_scenario("02-sync-waves")

    def test_3_sidecar_memory(self):
        self.run_scenario("03-sidecar-memory")

    def test_4_break_glass(self):
        self.run_scenario("04-break-glass")

    def test_5_authorization_lockout(self):
        self.run_scenario("05-authorization-lockout")

    def test_6_control_plane_revisions(self):
        self.run_scenario("06-control-plane-revisions")

    def test_7_injection_under_strict(self):
        self.run_scenario("07-injection-under-strict")

    def test_8_change_governance(self):
        self.run_scenario("08-change-governance")

    def test_8b_change_governance_owners(self):
        self.run_scenario("10-change-governance-owners")

    def test_9_operations(self):
        """Bad requests get 4xx and the server stays healthy; the certificate files are replaced
        mid-run and new handshakes see the new certificate with no failed request; `meshward audit
        --break-glass` on the run's audit log lists scenario 4's bypass."""
        if not os.path.exists(self.audit_log) or "oncall-alice" not in support.read_text(self.audit_log):
            self.run_scenario("04-break-glass")
        api, server, dispatcher = self.start("09-operations", objects_in(os.path.join(SCENARIOS, "03-sidecar-memory"),
                                                                         "cluster"))
        for body, content_type, status in ((b"{", "application/json", 400), (b"{}", "text/plain", 415),
                                           (b'{"kind":"AdmissionReview"}', "application/json", 400)):
            answer = server.request("POST", "/validate", body, {"Content-Type": content_type},
                                    context=self.ca_context())
            self.assertEqual(answer[0], status, body)
        self.assertTrue(self.ready(server), server.diagnostics())

        deployment = load(os.path.join(SCENARIOS, "03-sidecar-memory"), "requests/deployment-default.json")
        rotated = os.path.join(self.work_dir, "rotated")
        support.generate_certs(rotated, service=self.installation.service["metadata"]["name"],
                               namespace=RELEASE_NAMESPACE)
        new_ca = support.read_text(os.path.join(rotated, "ca.crt"))
        old_ca = base64.b64decode(self.installation.ca_bundle).decode()
        # A rotation first makes the caBundle trust both CAs, then replaces the key pair.
        both = webhook_dispatcher.Dispatcher([with_ca_bundle(c, old_ca + new_ca)
                                              for c in self.installation.configurations],
                                             self.installation.endpoints(server.port), server.work_dir)
        only_new = webhook_dispatcher.Dispatcher([with_ca_bundle(c, new_ca) for c in self.installation.configurations],
                                                 self.installation.endpoints(server.port), server.work_dir)
        for namespace_dispatcher in (both, only_new):
            namespace_dispatcher.namespaces = dict(dispatcher.namespaces)
        failures, answered, stop = [], [0], threading.Event()

        def load_loop():
            while not stop.is_set():
                result = both.admit(deployment)
                if not result.allowed or any(c.outcome.startswith("error") for c in result.calls):
                    failures.append(result)
                answered[0] += 1
        worker = threading.Thread(target=load_loop)
        worker.start()
        try:
            support.wait_until(lambda: answered[0] > 20, support.RELOAD_SECONDS, "requests before the rotation")
            before = answered[0]
            # Same file names, replaced atomically, the way the kubelet updates a mounted Secret.
            for source, target in ((os.path.join(rotated, "tls.crt"), self.installation.certificate),
                                   (os.path.join(rotated, "tls.key"), self.installation.key)):
                shutil.copyfile(source, target + ".new")
                os.replace(target + ".new", target)
            support.wait_until(lambda: only_new.admit(deployment).allowed, support.RELOAD_SECONDS,
                               "a handshake verified by the new CA")
            support.wait_until(lambda: answered[0] > before + 20, support.RELOAD_SECONDS, "requests after the rotation")
        finally:
            stop.set()
            worker.join()
        self.assertEqual(failures, [], server.diagnostics())

        report = subprocess.run([support.BINARY, "audit", "--break-glass", self.audit_log],
                                capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(report.returncode, 0, report.stderr)
        self.assertIn("oncall-alice", report.stdout)
        self.assertIn("INC-4711", report.stdout)
        self.assertEqual(server.sanitizer_reports(), [])


def with_placeholders(values):
    """`values` with "{{closedWindow}}" replaced by a maintenance window that is closed now and for
    the next day (the whole of the weekday two days ahead, UTC), for scenarios about windows."""
    closed_day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%a")
    text = json.dumps(values).replace("{{closedWindow}}", f"{closed_day} 00:00-24:00 UTC")
    return json.loads(text)


def with_ca_bundle(configuration, ca_pem):
    copied = json.loads(json.dumps(configuration))
    for hook in copied.get("webhooks", []):
        hook["clientConfig"]["caBundle"] = base64.b64encode(ca_pem.encode()).decode()
    return copied


if __name__ == "__main__":
    unittest.main()
