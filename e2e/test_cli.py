"""The offline commands of the real binary: `meshward check` on folders of manifests,
`meshward audit` over an audit log written by a real server, `meshward rules` and `version`."""

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import support

COMMAND_SECONDS = 120
# Every rule meshward ships (ids are a contract): a new rule is added here on purpose.
RULE_IDS = ("authorization-policy-lockout", "change-governance", "injection-kept-under-strict", "proxy-defaults",
            "referenced-gateway-removal", "referenced-subset-removal", "revision-exists", "revision-in-use",
            "rollout-strategy", "service-port-protocol", "sidecar-memory", "strict-mtls-needs-sidecars",
            "sync-wave-order", "virtualservice-gateway-exists", "virtualservice-subset-exists")


def meshward(*args, cwd=None):
    return subprocess.run([support.BINARY, *args], capture_output=True, text=True, timeout=COMMAND_SECONDS,
                          cwd=cwd, check=False)


class CliTestCase(support.ServerTestCase):
    def assertExit(self, result, expected):
        self.assertGreaterEqual(result.returncode, 0, f"killed by signal {-result.returncode}: {result.stderr}")
        self.assertEqual(result.returncode, expected, f"stdout: {result.stdout[:2000]}\nstderr: {result.stderr[:2000]}")

    def copy_case(self, name):
        """A temporary copy of testdata/check/<name>."""
        target = os.path.join(tempfile.mkdtemp(dir=self.tmp), name)
        shutil.copytree(os.path.join(support.TESTDATA, "check", name), target)
        return target


class CheckTest(CliTestCase):
    def test_bad_deployment_in_an_injected_namespace_exits_1_with_json_findings(self):
        folder = self.copy_case("bad")
        result = meshward("check", "-o", "json", folder)
        self.assertExit(result, 1)
        report = json.loads(result.stdout)
        self.assertIsInstance(report.get("summary"), dict, report)
        denials = [finding for finding in report["findings"] if finding.get("action") == "deny"]
        self.assertEqual(len(denials), 1, report)
        finding = denials[0]
        self.assertLessEqual({"rule", "code", "action", "kind", "namespace", "name", "file", "line", "message"},
                             set(finding), finding)
        self.assertEqual((finding["rule"], finding["kind"], finding["namespace"], finding["name"]),
                         ("sidecar-memory", "Deployment", "shop", "cart"))
        self.assertTrue(finding["file"].endswith("deployment.yaml"), finding)
        with open(os.path.join(folder, "deployment.yaml"), encoding="utf-8") as manifest:
            deployment_line = manifest.read().splitlines().index("apiVersion: apps/v1") + 1
        self.assertEqual(finding["line"], deployment_line, "the line where the Deployment document starts")
        self.assertRegex(finding["code"], r"^MW\d+")
        self.assertTrue(finding["message"])

    def test_bad_deployment_text_output_names_file_line_and_rule(self):
        folder = self.copy_case("bad")
        result = meshward("check", folder)
        self.assertExit(result, 1)
        self.assertRegex(result.stdout, r"deployment\.yaml:\d+: DENY \[sidecar-memory\]")

    def test_the_namespace_label_is_what_makes_it_bad(self):
        folder = self.copy_case("bad")
        with open(os.path.join(folder, "namespace.yaml"), "w", encoding="utf-8") as out:
            out.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
        self.assertExit(meshward("check", folder), 0)

    def test_fixed_deployment_exits_0(self):
        result = meshward("check", "-o", "json", self.copy_case("good"))
        self.assertExit(result, 0)
        report = json.loads(result.stdout)
        self.assertEqual([f for f in report["findings"] if f.get("action") == "deny"], [], report)

    def test_cluster_state_flag_supplies_the_namespace(self):
        folder = self.copy_case("bad")
        state = tempfile.mkdtemp(dir=self.tmp)
        shutil.move(os.path.join(folder, "namespace.yaml"), os.path.join(state, "namespace.yaml"))
        self.assertExit(meshward("check", folder), 0)
        self.assertExit(meshward("check", "--cluster-state", state, folder), 1)

    def test_broken_yaml_exits_2_with_file_and_line(self):
        folder = self.copy_case("broken")
        result = meshward("check", folder)
        self.assertExit(result, 2)
        self.assertRegex(result.stderr, r"deployment\.yaml:\d+")

    def test_missing_path_exits_2_naming_it(self):
        missing = os.path.join(self.tmp, "does-not-exist.yaml")
        result = meshward("check", missing)
        self.assertExit(result, 2)
        self.assertIn(missing, result.stderr)

    def test_usage_errors_exit_2(self):
        self.assertExit(meshward("check"), 2)
        self.assertExit(meshward("check", "-o", "xml", self.copy_case("good")), 2)

    def test_config_turns_the_rule_off(self):
        policy = os.path.join(self.tmp, "off.yaml")
        with open(policy, "w", encoding="utf-8") as out:
            out.write("apiVersion: meshward.dev/v1alpha1\nkind: Policy\nrules:\n  sidecar-memory:\n    action: 'off'\n")
        self.assertExit(meshward("check", "--config", policy, self.copy_case("bad")), 0)

    def test_istio_samples_from_the_corpus_are_checked_without_errors(self):
        samples = os.path.join(support.SHARED_DIR, "corpus", "istio-samples")
        self.assertTrue(os.path.isdir(samples), samples)
        result = meshward("check", samples)
        self.assertGreaterEqual(result.returncode, 0, f"crashed: {result.stderr[-2000:]}")
        self.assertIn(result.returncode, (0, 1), result.stderr[-2000:])
        result = meshward("check", "-o", "json", samples)
        self.assertIn(result.returncode, (0, 1), result.stderr[-2000:])
        self.assertIsInstance(json.loads(result.stdout)["findings"], list)


class AuditCommandTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.start_server()
        denied = support.load_json("objects/pod-proxy-limit-64mi.json")
        glass = copy.deepcopy(denied)
        glass["metadata"]["labels"]["meshward.dev/break-glass"] = "true"
        glass["metadata"]["annotations"]["meshward.dev/break-glass-reason"] = "INC-4711 proxies OOM"
        server.admit(support.review(denied, user="jane"))
        server.admit(support.review(support.load_json("objects/pod-proxy-limit-512mi.json"), user="jane"))
        server.admit(support.review(glass, user="oncall-admin", groups=support.ADMIN_GROUPS))
        if server.stop() != 0:
            raise AssertionError(f"the server did not exit 0{server.diagnostics()}")
        cls.audit_log = server.audit_log

    def test_text_summary_mentions_the_rule(self):
        result = meshward("audit", self.audit_log)
        self.assertExit(result, 0)
        self.assertIn("sidecar-memory", result.stdout)
        self.assertIn("jane", result.stdout)

    def test_json_lists_every_record(self):
        result = meshward("audit", "-o", "json", self.audit_log)
        self.assertExit(result, 0)
        report = json.loads(result.stdout)
        self.assertEqual(len(report["records"]), 3, report)
        self.assertIsInstance(report["summary"], dict)

    def test_filters(self):
        for args, expected in ((["--decision", "denied"], 1), (["--decision", "allowed"], 2),
                               (["--user", "jane"], 2), (["--rule", "sidecar-memory"], 2), (["--since", "1h"], 3)):
            with self.subTest(args=args):
                result = meshward("audit", "-o", "json", *args, self.audit_log)
                self.assertExit(result, 0)
                self.assertEqual(len(json.loads(result.stdout)["records"]), expected, result.stdout)

    def test_break_glass_lists_the_bypass(self):
        result = meshward("audit", "--break-glass", self.audit_log)
        self.assertExit(result, 0)
        self.assertIn("oncall-admin", result.stdout)
        self.assertIn("INC-4711 proxies OOM", result.stdout)
        self.assertIn("sidecar-memory", result.stdout)
        self.assertNotIn("jane", result.stdout)

    def test_unreadable_file_exits_2(self):
        result = meshward("audit", os.path.join(self.tmp, "missing.log"))
        self.assertExit(result, 2)


class RulesAndVersionTest(CliTestCase):
    def test_rules_json_lists_exactly_the_shipped_rules(self):
        result = meshward("rules", "-o", "json")
        self.assertExit(result, 0)
        rules = json.loads(result.stdout)["rules"]
        self.assertEqual(sorted(rule["id"] for rule in rules), sorted(RULE_IDS))
        for rule in rules:
            with self.subTest(rule=rule["id"]):
                self.assertIn(rule["type"], ("validating", "mutating"))
                self.assertTrue(rule["description"])
                self.assertTrue(rule["kinds"])

    def test_rules_text_lists_exactly_the_shipped_rules(self):
        result = meshward("rules")
        self.assertExit(result, 0)
        headings = re.findall(r"(?m)^(\S+) \((?:validating|mutating), default \w+\)$", result.stdout)
        self.assertEqual(sorted(headings), sorted(RULE_IDS), result.stdout)

    def test_version(self):
        result = meshward("version")
        self.assertExit(result, 0)
        self.assertRegex(result.stdout, r"\d+\.\d+\.\d+")

    def test_unknown_command_exits_2(self):
        result = meshward("frobnicate")
        self.assertExit(result, 2)
        self.assertTrue(re.search("frobnicate", result.stderr))


if __name__ == "__main__":
    unittest.main()
