"""charts/meshward rendered without Helm (chart_render.py): the objects of every certificate
mode, the webhook configurations (compared with `meshward rules -o json`), RBAC, the Deployment,
the policy ConfigMap loaded by the real binary, and the generated caBundle verified against the
certificate a real server presents."""

import base64
import json
import os
import re
import socket
import ssl
import subprocess
import tempfile
import unittest

import chart_render
import support
import webhook_dispatcher

NAMESPACE = "meshward-system"
SERVICE_DNS_NAME = f"meshward.{NAMESPACE}.svc"
COMMAND_SECONDS = 120
CERT_MANAGER = ("cert-manager.io/v1",)
DEFAULT_OBJECTS = [
    ("ClusterRole", "meshward"), ("ClusterRoleBinding", "meshward"), ("ConfigMap", "meshward-policy"),
    ("Deployment", "meshward"), ("MutatingWebhookConfiguration", "00-meshward"), ("PodDisruptionBudget", "meshward"),
    ("Secret", "meshward-tls"), ("Service", "meshward"), ("ServiceAccount", "meshward"),
    ("ValidatingWebhookConfiguration", "meshward"),
]
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
WEBHOOK_TYPES = {"ValidatingWebhookConfiguration": ("validating", "/validate"),
                 "MutatingWebhookConfiguration": ("mutating", "/mutate")}
SIDECAR_300MI = os.path.join(support.TESTDATA, "chart", "sidecar-300mi.yaml")


def setUpModule():
    if not os.access(support.BINARY, os.X_OK):
        raise unittest.SkipTest(f"meshward binary not found at {support.BINARY} (set MESHWARD_BINARY)")
    chart_render.build_renderer()


def meshward(*args):
    return subprocess.run([support.BINARY, *args], capture_output=True, text=True, timeout=COMMAND_SECONDS,
                          check=False)


def webhooks_of(rendered):
    """[(configuration kind, webhook)] of every webhook in the rendered configurations."""
    return [(configuration["kind"], webhook)
            for kind in WEBHOOK_TYPES for configuration in rendered.all(kind)
            for webhook in configuration["webhooks"]]


def admission_tuples(rules):
    """{(apiGroup, apiVersion, resource, operation)} that a webhook's rules match."""
    return {(group, version, resource, operation)
            for rule in rules for group in rule["apiGroups"] for version in rule["apiVersions"]
            for resource in rule["resources"] for operation in rule["operations"]}


def pem(base64_text):
    return base64.b64decode(base64_text, validate=True).decode()


def container(rendered):
    return rendered.one("Deployment")["spec"]["template"]["spec"]["containers"][0]


def flag_value(args, flag):
    return args[args.index(flag) + 1]


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


class HelmTest(unittest.TestCase):
    """The chart as real Helm sees it: lint, and values.schema.json refusing what cannot work."""

    def helm(self, *args):
        return subprocess.run([chart_render.require_helm(), *args], capture_output=True, text=True, timeout=120,
                              check=False, env=dict(os.environ, KUBECONFIG=os.devnull))

    def test_lint_is_clean_in_every_certificate_mode(self):
        for sets in ([], ["certificates.mode=certManager"],
                     ["certificates.mode=existingSecret", "certificates.existingSecret.name=tls",
                      "certificates.existingSecret.caBundle=Q0E="]):
            with self.subTest(sets=sets):
                arguments = [argument for assignment in sets for argument in ("--set", assignment)]
                result = self.helm("lint", "--strict", chart_render.CHART_DIR, *arguments)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("1 chart(s) linted, 0 chart(s) failed", result.stdout)

    def test_the_schema_refuses_values_that_cannot_work_saying_which(self):
        cases = {
            "replicaCount=0": "replicaCount: Must be greater than or equal to 1",
            "replicaCount=two": "replicaCount: Invalid type. Expected: integer, given: string",
            "webhooks.timeoutSeconds=31": "webhooks.timeoutSeconds: Must be less than or equal to 30",
            "webhooks.validating.istio.failurePolicy=Deny": "failurePolicy must be one of the following",
            "server.webhookPort=70000": "server.webhookPort: Must be less than or equal to 65535",
            "server.reloadInterval=soon": "server.reloadInterval: Does not match pattern",
            "certificates.certManager.issuerRef.kind=Vault": "issuerRef.kind must be one of the following",
            "replicasCount=3": "Additional property replicasCount is not allowed",
            "podDisruptionBudget.enabled=maybe": "podDisruptionBudget.enabled: Invalid type. Expected: boolean",
        }
        for assignment, message in cases.items():
            with self.subTest(assignment=assignment):
                with self.assertRaises(chart_render.RenderError) as refused:
                    chart_render.render(sets=[assignment])
                self.assertIn("values don't meet the specifications of the schema", str(refused.exception))
                self.assertIn(message, str(refused.exception))

    def test_values_a_user_is_likely_to_set_render(self):
        likely = [
            {"replicaCount": 3, "priorityClassName": "system-cluster-critical"},
            {"image": {"repository": "registry.example.com/meshward", "tag": "0.1.0", "pullPolicy": "Always"}},
            {"webhooks": {"validating": {"istio": {"failurePolicy": "Ignore"}}, "timeoutSeconds": 5}},
            {"policy": {"rules": {"sidecar-memory": {"action": "warn"}}}},
            {"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}}},
            {"nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [{"key": "dedicated", "operator": "Exists"}]},
            {"server": {"logLevel": "debug", "extraArgs": ["--workers", "16"]}},
        ]
        for values in likely:
            with self.subTest(values=values):
                rendered = chart_render.render(values, api_versions=["monitoring.coreos.com/v1"])
                self.assertEqual(len(rendered.all("Deployment")), 1)


class GitOpsTest(unittest.TestCase):
    """What Argo CD or Flux applies is what stays: re-rendering gives the same webhook configurations
    byte for byte in the modes meant for GitOps, and nothing patches them at run time."""

    MODES = {
        "certManager": {"certificates": {"mode": "certManager"}},
        "existingSecret": {"certificates": {"mode": "existingSecret",
                                            "existingSecret": {"name": "meshward-tls", "caBundle": "Q0EgYnVuZGxl"}}},
    }

    def configurations(self, values):
        rendered = chart_render.render(values, namespace=NAMESPACE, api_versions=CERT_MANAGER)
        return [json.dumps(document, sort_keys=True) for kind in WEBHOOK_TYPES for document in rendered.all(kind)]

    def test_rendering_twice_gives_identical_webhook_configurations(self):
        for mode, values in self.MODES.items():
            with self.subTest(mode=mode):
                first = self.configurations(values)
                self.assertEqual(len(first), 2)
                self.assertEqual(first, self.configurations(values))

    def test_the_server_never_writes_to_the_api(self):
        # The ClusterRole meshward runs with grants get, list and watch only: it cannot patch its
        # own webhook configurations (or anything else).
        verbs = {verb for rule in chart_render.render(namespace=NAMESPACE).one("ClusterRole")["rules"]
                 for verb in rule["verbs"]}
        self.assertEqual(verbs, {"get", "list", "watch"})


class ChartFilesTest(unittest.TestCase):
    def test_the_charts_policy_is_policies_default_yaml_byte_for_byte(self):
        with open(os.path.join(support.SOURCE_DIR, "policies", "default.yaml"), "rb") as source:
            expected = source.read()
        with open(os.path.join(chart_render.CHART_DIR, "files", "default-policy.yaml"), "rb") as shipped:
            self.assertEqual(shipped.read(), expected,
                             "copy policies/default.yaml to charts/meshward/files/default-policy.yaml")

    def test_the_default_image_is_the_binarys_version(self):
        version = meshward("version").stdout.split()[1]
        self.assertEqual(container(chart_render.render())["image"], f"meshward:{version}")


class DefaultInstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rendered = chart_render.render(namespace=NAMESPACE)

    def test_objects_are_the_expected_kinds_and_names(self):
        self.assertEqual(self.rendered.kinds_and_names(), sorted(DEFAULT_OBJECTS))

    def test_every_object_is_labelled_and_namespaced_objects_are_in_the_release_namespace(self):
        for document in self.rendered.documents:
            with self.subTest(kind=document["kind"]):
                metadata = document["metadata"]
                self.assertEqual(metadata["labels"]["app.kubernetes.io/managed-by"], "Helm")
                self.assertEqual(metadata["labels"]["app.kubernetes.io/instance"], "meshward")
                if document["kind"] in CLUSTER_SCOPED:
                    self.assertNotIn("namespace", metadata)
                else:
                    self.assertEqual(metadata["namespace"], NAMESPACE)

    def test_every_webhook_calls_the_service_on_443_at_its_path(self):
        service = self.rendered.one("Service")
        https_port = next(port for port in service["spec"]["ports"] if port["name"] == "https")
        self.assertEqual((https_port["port"], https_port["targetPort"]), (443, "https"))
        container_port = next(port for port in container(self.rendered)["ports"] if port["name"] == "https")
        self.assertEqual(container_port["containerPort"], 8443)
        self.assertEqual(len(webhooks_of(self.rendered)), 4)
        for kind, webhook in webhooks_of(self.rendered):
            with self.subTest(webhook=webhook["name"]):
                self.assertEqual(webhook["clientConfig"]["service"],
                                 {"name": service["metadata"]["name"], "namespace": NAMESPACE,
                                  "path": WEBHOOK_TYPES[kind][1], "port": https_port["port"]})

    def test_webhook_settings(self):
        for kind, webhook in webhooks_of(self.rendered):
            with self.subTest(webhook=webhook["name"]):
                self.assertEqual(webhook["sideEffects"], "None")
                self.assertEqual(webhook["admissionReviewVersions"], ["v1"])
                self.assertEqual(webhook["matchPolicy"], "Equivalent")
                self.assertEqual(webhook["timeoutSeconds"], 3)
                groups = {group for rule in webhook["rules"] for group in rule["apiGroups"]}
                istio = {group.endswith(".istio.io") for group in groups}
                self.assertEqual(len(istio), 1, f"{webhook['name']} mixes Istio and workload kinds: {groups}")
                self.assertEqual(webhook["failurePolicy"], "Fail" if istio == {True} else "Ignore")
                if kind == "MutatingWebhookConfiguration":
                    self.assertEqual(webhook["reinvocationPolicy"], "IfNeeded")
                else:
                    self.assertNotIn("reinvocationPolicy", webhook)
        names = sorted(webhook["name"] for _, webhook in webhooks_of(self.rendered))
        self.assertEqual(names, ["istio.validate.meshward.dev", "meshconfig.validate.meshward.dev",
                                 "workloads.mutate.meshward.dev", "workloads.validate.meshward.dev"])

    def test_the_mutating_configuration_runs_before_istios_injector(self):
        name = self.rendered.one("MutatingWebhookConfiguration")["metadata"]["name"]
        for istio_injector in ("istio-sidecar-injector", "istio-revision-tag-default", "istio-sidecar-injector-1-22"):
            self.assertLess(name, istio_injector)

    def test_webhook_rules_are_exactly_what_meshward_rules_reads(self):
        result = meshward("rules", "-o", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        from_binary = {"validating": set(), "mutating": set()}
        for rule in json.loads(result.stdout)["rules"]:
            for kind in rule["kinds"]:
                for version in kind["apiVersions"]:
                    for operation in rule["operations"]:
                        from_binary[rule["type"]].add((kind["apiGroup"], version, kind["resource"], operation))
        from_chart = {"validating": set(), "mutating": set()}
        for kind, webhook in webhooks_of(self.rendered):
            from_chart[WEBHOOK_TYPES[kind][0]] |= admission_tuples(webhook["rules"])
        for webhook_type in from_binary:
            with self.subTest(webhook_type=webhook_type):
                chart_only = sorted(from_chart[webhook_type] - from_binary[webhook_type])
                binary_only = sorted(from_binary[webhook_type] - from_chart[webhook_type])
                self.assertEqual((chart_only, binary_only), ([], []),
                                 "(sent to meshward but read by no rule, read by a rule but not sent): "
                                 "update webhooks in charts/meshward/values.yaml")

    def test_rbac_is_exactly_get_list_watch_on_the_live_cache_kinds(self):
        listed = meshward("rules", "-o", "json")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        derived = json.loads(listed.stdout)["clusterState"]["rbac"]
        self.assertEqual(self.rendered.one("ClusterRole")["rules"], derived,
                         "charts/meshward/templates/rbac.yaml differs from what the rules read "
                         "(`meshward rules -o json` .clusterState.rbac)")
        binding = self.rendered.one("ClusterRoleBinding")
        self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                              "name": "meshward"})
        self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "meshward", "namespace": NAMESPACE}])
        self.assertEqual(self.rendered.all("Role") + self.rendered.all("RoleBinding"), [])

    def test_deployment_is_highly_available_and_restricted(self):
        deployment = self.rendered.one("Deployment")
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        self.assertEqual(spec["replicas"], 2)
        self.assertEqual(spec["strategy"]["rollingUpdate"], {"maxUnavailable": 0, "maxSurge": 1})
        self.assertEqual(pod["serviceAccountName"], self.rendered.one("ServiceAccount")["metadata"]["name"])
        self.assertNotIn("priorityClassName", pod)
        self.assertEqual(pod["securityContext"]["runAsNonRoot"], True)
        self.assertEqual(pod["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        self.assertEqual(container(self.rendered)["securityContext"],
                         {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                          "capabilities": {"drop": ["ALL"]}})
        pod_labels = spec["template"]["metadata"]["labels"]
        self.assertEqual(pod_labels["sidecar.istio.io/inject"], "false")
        anti_affinity = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
        self.assertEqual(anti_affinity["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname")
        spread = pod["topologySpreadConstraints"][0]
        self.assertEqual(spread["topologyKey"], "topology.kubernetes.io/zone")
        for selector in (spec["selector"], anti_affinity["podAffinityTerm"]["labelSelector"], spread["labelSelector"],
                         self.rendered.one("PodDisruptionBudget")["spec"]["selector"]):
            self.assertLessEqual(selector["matchLabels"].items(), pod_labels.items())
        self.assertLessEqual(self.rendered.one("Service")["spec"]["selector"].items(), pod_labels.items())
        self.assertEqual(self.rendered.one("PodDisruptionBudget")["spec"]["maxUnavailable"], 1)
        resources = container(self.rendered)["resources"]
        for section in ("requests", "limits"):
            self.assertEqual(set(resources[section]), {"cpu", "memory"}, section)

    def test_probes_are_https_health_and_readiness_on_the_webhook_port(self):
        server = container(self.rendered)
        self.assertEqual(server["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "https", "scheme": "HTTPS"})
        self.assertEqual(server["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "https", "scheme": "HTTPS"})

    def test_server_listens_on_all_addresses_and_reads_the_mounted_policy_and_pair(self):
        server = container(self.rendered)
        args = server["args"]
        self.assertEqual(args[0], "serve")
        self.assertEqual(flag_value(args, "--listen"), "0.0.0.0:8443")
        self.assertEqual(flag_value(args, "--metrics-listen"), "0.0.0.0:9090")
        mounts = {mount["name"]: mount for mount in server["volumeMounts"]}
        volumes = {volume["name"]: volume for volume in self.rendered.one("Deployment")["spec"]["template"]["spec"]["volumes"]}
        for mount in mounts.values():
            self.assertNotIn("subPath", mount, "a subPath mount never sees ConfigMap/Secret updates")
        policy_dir, policy_file = os.path.split(flag_value(args, "--config"))
        self.assertEqual(mounts["policy"]["mountPath"], policy_dir)
        self.assertEqual(volumes["policy"]["configMap"]["name"], "meshward-policy")
        self.assertIn(policy_file, self.rendered.one("ConfigMap")["data"])
        secret = self.rendered.one("Secret")
        self.assertEqual(volumes["tls"]["secret"]["secretName"], secret["metadata"]["name"])
        for flag in ("--tls-cert", "--tls-key"):
            tls_dir, tls_file = os.path.split(flag_value(args, flag))
            self.assertEqual(mounts["tls"]["mountPath"], tls_dir)
            self.assertIn(tls_file, secret["data"])

    def test_every_flag_the_chart_passes_is_a_meshward_serve_flag(self):
        usage = meshward("serve", "--help").stdout
        flags = [arg for arg in container(self.rendered)["args"] if arg.startswith("--")]
        self.assertGreater(len(flags), 5)
        for flag in flags:
            self.assertRegex(usage, rf"(?m)^\s+{re.escape(flag)}\b")

    def test_policy_configmap_is_the_default_policy_and_loads(self):
        policy = self.rendered.one("ConfigMap")["data"]["policy.yaml"]
        with open(os.path.join(support.SOURCE_DIR, "policies", "default.yaml"), encoding="utf-8") as source:
            self.assertEqual(policy, source.read())
        with tempfile.TemporaryDirectory(prefix="meshward-chart-") as scratch:
            result = meshward("check", "--config", write(scratch, "policy.yaml", policy), SIDECAR_300MI)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_notes_say_how_to_verify_and_break_glass(self):
        notes = self.rendered.notes
        self.assertIn("rollout status deployment/meshward", notes)
        self.assertIn("validatingwebhookconfiguration/meshward", notes)
        self.assertIn("mutatingwebhookconfiguration/00-meshward", notes)
        self.assertIn('meshward.dev/break-glass: "true"', notes)
        self.assertIn('groups ["system:masters"]', notes)
        self.assertIn("kubectl delete validatingwebhookconfiguration meshward", notes)


class GeneratedCertificateTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rendered = chart_render.render(namespace=NAMESPACE)
        cls.secret = cls.rendered.one("Secret")

    def ca_bundles(self, rendered):
        return {webhook["clientConfig"]["caBundle"] for _, webhook in webhooks_of(rendered)}

    def test_every_webhook_carries_the_secrets_ca(self):
        self.assertEqual(self.secret["type"], "kubernetes.io/tls")
        self.assertEqual(self.ca_bundles(self.rendered), {self.secret["data"]["ca.crt"]})

    def test_the_ca_bundle_verifies_the_certificate_meshward_serves_under_the_service_name(self):
        work_dir = os.path.join(self.tmp, "served")
        os.makedirs(work_dir)
        files = {name: write(work_dir, name, pem(self.secret["data"][name])) for name in ("tls.crt", "tls.key")}
        ca_bundle = write(work_dir, "ca-bundle.pem", pem(next(iter(self.ca_bundles(self.rendered)))))
        other_ca = write(work_dir, "other-ca.pem", pem(chart_render.render().one("Secret")["data"]["ca.crt"]))
        policy = write(work_dir, "policy.yaml", self.rendered.one("ConfigMap")["data"]["policy.yaml"])
        server = self.start_server("served", wait_for=None, tls=(files["tls.crt"], files["tls.key"], ca_bundle),
                                   config=policy)
        support.wait_until(lambda: self.get_readyz(server, ca_bundle) == 200, support.STARTUP_SECONDS,
                           f"/readyz over TLS verified for {SERVICE_DNS_NAME}")
        self.assertEqual(self.s_client(server, ca_bundle).returncode, 0)
        refused = self.s_client(server, other_ca)
        self.assertNotEqual(refused.returncode, 0, "a CA from another install must not verify this certificate")
        self.assertExitsCleanly(server)

    @staticmethod
    def get_readyz(server, ca_file):
        """Status of GET /readyz with the certificate checked against ca_file for the Service name (None when not up)."""
        context = ssl.create_default_context(cafile=ca_file)
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=support.REQUEST_SECONDS) as raw:
                with context.wrap_socket(raw, server_hostname=SERVICE_DNS_NAME) as connection:
                    connection.sendall(f"GET /readyz HTTP/1.1\r\nHost: {SERVICE_DNS_NAME}\r\n"
                                       "Connection: close\r\n\r\n".encode())
                    return support.read_http_response(connection, support.REQUEST_SECONDS)[0]
        except ConnectionRefusedError:
            return None

    @staticmethod
    def s_client(server, ca_file):
        return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}",
                               "-servername", SERVICE_DNS_NAME, "-verify_hostname", SERVICE_DNS_NAME,
                               "-CAfile", ca_file, "-verify_return_error", "-brief"],
                              input="", capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False)

    def test_an_upgrade_reuses_the_secret_it_finds_so_the_ca_bundle_does_not_churn(self):
        upgraded = chart_render.render(namespace=NAMESPACE, lookup_objects=[self.secret])
        self.assertEqual(upgraded.one("Secret")["data"], self.secret["data"])
        self.assertEqual(self.ca_bundles(upgraded), {self.secret["data"]["ca.crt"]})

    def test_a_fresh_render_or_an_incomplete_secret_gets_a_new_pair(self):
        incomplete = json.loads(json.dumps(self.secret))
        del incomplete["data"]["tls.key"]
        for lookup_objects in (None, [incomplete]):
            with self.subTest(lookup=lookup_objects is not None):
                fresh = chart_render.render(namespace=NAMESPACE, lookup_objects=lookup_objects)
                self.assertNotEqual(fresh.one("Secret")["data"]["ca.crt"], self.secret["data"]["ca.crt"])
                self.assertEqual(self.ca_bundles(fresh), {fresh.one("Secret")["data"]["ca.crt"]})

    def test_the_serving_certificate_names_the_service(self):
        with tempfile.TemporaryDirectory(prefix="meshward-chart-") as scratch:
            certificate = write(scratch, "tls.crt", pem(self.secret["data"]["tls.crt"]))
            text = subprocess.run(["openssl", "x509", "-in", certificate, "-noout", "-text"], capture_output=True,
                                  text=True, timeout=COMMAND_SECONDS, check=True).stdout
        for name in ("meshward", f"meshward.{NAMESPACE}", SERVICE_DNS_NAME, f"{SERVICE_DNS_NAME}.cluster.local"):
            self.assertIn(f"DNS:{name}", text)


class CertManagerTest(unittest.TestCase):
    def render(self, **certificate_values):
        values = {"certificates": {"mode": "certManager", "certManager": certificate_values}}
        return chart_render.render(values, namespace=NAMESPACE, api_versions=CERT_MANAGER)

    def test_a_self_signed_ca_issues_the_serving_certificate_and_cainjector_fills_the_ca_bundle(self):
        rendered = self.render()
        self.assertEqual(rendered.all("Secret"), [])
        serving = rendered.one("Certificate", "meshward-tls")
        ca = rendered.one("Certificate", "meshward-ca")
        self.assertIn(SERVICE_DNS_NAME, serving["spec"]["dnsNames"])
        self.assertEqual(serving["spec"]["issuerRef"], {"kind": "Issuer", "name": "meshward-ca"})
        self.assertEqual(rendered.one("Issuer", "meshward-ca")["spec"], {"ca": {"secretName": ca["spec"]["secretName"]}})
        self.assertEqual(ca["spec"]["isCA"], True)
        self.assertEqual(ca["spec"]["issuerRef"]["name"], "meshward-selfsigned")
        self.assertEqual(rendered.one("Issuer", "meshward-selfsigned")["spec"], {"selfSigned": {}})
        volumes = rendered.one("Deployment")["spec"]["template"]["spec"]["volumes"]
        self.assertIn({"name": "tls", "secret": {"secretName": serving["spec"]["secretName"]}}, volumes)
        for kind in WEBHOOK_TYPES:
            configuration = rendered.one(kind)
            self.assertEqual(configuration["metadata"]["annotations"],
                             {"cert-manager.io/inject-ca-from": f"{NAMESPACE}/meshward-tls"})
            for webhook in configuration["webhooks"]:
                self.assertNotIn("caBundle", webhook["clientConfig"])

    def test_a_given_issuer_replaces_the_self_signed_ca(self):
        issuer = {"kind": "ClusterIssuer", "name": "internal-ca", "group": "cert-manager.io"}
        rendered = self.render(issuerRef=issuer)
        self.assertEqual(rendered.all("Issuer"), [])
        self.assertEqual([certificate["spec"]["issuerRef"] for certificate in rendered.all("Certificate")], [issuer])

    def test_without_cert_manager_in_the_cluster_the_install_stops(self):
        with self.assertRaisesRegex(chart_render.RenderError, r"cert-manager\.io/v1"):
            chart_render.render({"certificates": {"mode": "certManager"}})


class ExistingSecretTest(unittest.TestCase):
    CA_BUNDLE = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()

    def test_the_secret_is_mounted_and_the_ca_bundle_is_used(self):
        rendered = chart_render.render({"certificates": {"mode": "existingSecret", "existingSecret": {
            "name": "webhook-pair", "caBundle": self.CA_BUNDLE}}})
        self.assertEqual(rendered.all("Secret") + rendered.all("Certificate"), [])
        volumes = rendered.one("Deployment")["spec"]["template"]["spec"]["volumes"]
        self.assertIn({"name": "tls", "secret": {"secretName": "webhook-pair"}}, volumes)
        self.assertEqual({webhook["clientConfig"]["caBundle"] for _, webhook in webhooks_of(rendered)},
                         {self.CA_BUNDLE})

    def test_name_and_ca_bundle_are_required(self):
        for missing, existing in (("name", {"caBundle": self.CA_BUNDLE}), ("caBundle", {"name": "webhook-pair"})):
            with self.subTest(missing=missing):
                with self.assertRaisesRegex(chart_render.RenderError, rf"certificates\.existingSecret\.{missing}"):
                    chart_render.render({"certificates": {"mode": "existingSecret", "existingSecret": existing}})

    def test_an_unknown_mode_is_refused(self):
        with self.assertRaisesRegex(chart_render.RenderError,
                                    r'certificates\.mode must be one of the following: "generate", "certManager", '
                                    r'"existingSecret"'):
            chart_render.render(sets=["certificates.mode=vault"])


class ValuesTest(unittest.TestCase):
    def test_namespace_exclusions_survive_a_user_namespace_selector(self):
        user_expression = {"key": "team", "operator": "In", "values": ["payments"]}
        values = {"webhooks": {"namespaceSelector": {"matchLabels": {"mesh": "on"},
                                                     "matchExpressions": [user_expression]}}}
        for namespace in (NAMESPACE, "guard"):
            rendered = chart_render.render(values, namespace=namespace)
            for _, webhook in webhooks_of(rendered):
                with self.subTest(namespace=namespace, webhook=webhook["name"]):
                    selector = webhook["namespaceSelector"]
                    self.assertEqual(selector["matchLabels"], {"mesh": "on"})
                    self.assertIn(user_expression, selector["matchExpressions"])
                    exclusion = {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                                 "values": [namespace, "kube-system", "kube-node-lease"]}
                    self.assertIn(exclusion, selector["matchExpressions"])
        exclusion = {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                     "values": [NAMESPACE, "kube-system", "kube-node-lease"]}
        for _, webhook in webhooks_of(chart_render.render(namespace=NAMESPACE)):
            expected = [exclusion]
            if webhook["name"] == "meshconfig.validate.meshward.dev":
                expected.append({"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["istio-system"]})
            self.assertEqual(webhook["namespaceSelector"]["matchExpressions"], expected, webhook["name"])

    def test_the_mesh_config_webhook_sees_only_the_mesh_root_namespace(self):
        moved_root = {"policy": {"meshRootNamespace": "mesh-root"}}
        for values, root in ((None, "istio-system"), (moved_root, "mesh-root")):
            webhook = next(webhook for _, webhook in webhooks_of(chart_render.render(values))
                           if webhook["name"] == "meshconfig.validate.meshward.dev")
            self.assertEqual(admission_tuples(webhook["rules"]),
                             {("", "*", "configmaps", operation) for operation in ("CREATE", "UPDATE", "DELETE")})
            self.assertIn({"key": "kubernetes.io/metadata.name", "operator": "In", "values": [root]},
                          webhook["namespaceSelector"]["matchExpressions"])
            for namespace, sent in ((root, True), ("shop", False)):
                self.assertEqual(webhook_dispatcher.selector_matches(
                    webhook["namespaceSelector"], {"kubernetes.io/metadata.name": namespace}), sent, namespace)

    def test_policy_overrides_merge_into_the_default_and_take_effect(self):
        values = {"policy": {"breakGlass": {"enabled": False},
                             "rules": {"sidecar-memory": {"minProxyMemoryLimit": "512Mi"}}}}
        rendered = chart_render.render(values)
        policy = rendered.one("ConfigMap")["data"]["policy.yaml"]
        self.assertRegex(policy, r"(?m)^  enabled: false$")
        self.assertRegex(policy, r"(?m)^    minProxyMemoryRequest: 128Mi$", "untouched defaults stay")
        self.assertRegex(policy, r"(?m)^  proxy-defaults:$")
        self.assertIn("Break-glass is disabled by the policy", rendered.notes)
        with tempfile.TemporaryDirectory(prefix="meshward-chart-") as scratch:
            result = meshward("check", "-o", "json", "--config", write(scratch, "policy.yaml", policy), SIDECAR_300MI)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        denied = [finding["rule"] for finding in json.loads(result.stdout)["findings"] if finding["action"] == "deny"]
        self.assertEqual(denied, ["sidecar-memory"])

    def test_installing_into_the_mesh_root_namespace_is_refused(self):
        with self.assertRaisesRegex(chart_render.RenderError, r'not "istio-system"'):
            chart_render.render(namespace="istio-system")
        moved_root = {"policy": {"meshRootNamespace": "mesh-root"}}
        with self.assertRaisesRegex(chart_render.RenderError, r'not "mesh-root"'):
            chart_render.render(moved_root, namespace="mesh-root")
        chart_render.render(moved_root, namespace="istio-system")

    def test_the_mutating_configuration_name_must_sort_before_istio(self):
        with self.assertRaisesRegex(chart_render.RenderError, r"must sort before"):
            chart_render.render(sets=["webhooks.mutatingConfigurationName=zz-meshward"])
        rendered = chart_render.render(sets=["webhooks.mutatingConfigurationName=10-guard"])
        self.assertEqual(rendered.one("MutatingWebhookConfiguration")["metadata"]["name"], "10-guard")

    def test_failure_policy_can_be_relaxed_for_a_first_rollout(self):
        rendered = chart_render.render(sets=["webhooks.validating.istio.failurePolicy=Ignore"])
        self.assertEqual({webhook["failurePolicy"] for _, webhook in webhooks_of(rendered)}, {"Ignore"})
        self.assertEqual(len(rendered.one("ValidatingWebhookConfiguration")["webhooks"][0]["rules"]), 4,
                         "overriding one key keeps the webhook's rules")

    def test_webhooks_disabled_keeps_the_server_without_configurations(self):
        rendered = chart_render.render(sets=["webhooks.enabled=false"])
        self.assertEqual(webhooks_of(rendered), [])
        self.assertEqual(len(rendered.all("Deployment") + rendered.all("Secret")), 2)
        self.assertIn("does not call meshward", rendered.notes)

    def test_release_name_prefixes_every_name(self):
        rendered = chart_render.render(release="edge", namespace="guard")
        self.assertIn(("Deployment", "edge-meshward"), rendered.kinds_and_names())
        self.assertIn(("MutatingWebhookConfiguration", "00-edge-meshward"), rendered.kinds_and_names())
        for _, webhook in webhooks_of(rendered):
            self.assertEqual(webhook["clientConfig"]["service"]["name"], "edge-meshward")
        certificate = pem(rendered.one("Secret", "edge-meshward-tls")["data"]["tls.crt"])
        self.assertIn("BEGIN CERTIFICATE", certificate)

    def test_priority_class_and_scheduling_values(self):
        rendered = chart_render.render({"priorityClassName": "system-cluster-critical", "replicaCount": 3,
                                        "tolerations": [{"key": "dedicated", "operator": "Exists"}]})
        pod = rendered.one("Deployment")["spec"]["template"]["spec"]
        self.assertEqual(pod["priorityClassName"], "system-cluster-critical")
        self.assertEqual(pod["tolerations"], [{"key": "dedicated", "operator": "Exists"}])
        self.assertEqual(rendered.one("Deployment")["spec"]["replicas"], 3)

    def test_service_monitor_scrapes_the_metrics_port(self):
        self.assertEqual(chart_render.render().all("ServiceMonitor"), [])
        with self.assertRaisesRegex(chart_render.RenderError, r"monitoring\.coreos\.com/v1"):
            chart_render.render(sets=["metrics.serviceMonitor.enabled=true"])
        rendered = chart_render.render(sets=["metrics.serviceMonitor.enabled=true"],
                                       api_versions=["monitoring.coreos.com/v1"])
        monitor = rendered.one("ServiceMonitor")
        service = rendered.one("Service")
        self.assertLessEqual(monitor["spec"]["selector"]["matchLabels"].items(), service["metadata"]["labels"].items())
        endpoint = monitor["spec"]["endpoints"][0]
        metrics_port = next(port for port in service["spec"]["ports"] if port["name"] == endpoint["port"])
        self.assertEqual(metrics_port["port"], 9090)
        self.assertEqual(endpoint["path"], "/metrics")


if __name__ == "__main__":
    unittest.main()
