"""Real admission decisions over TLS: deny/allow by sidecar-memory, v1beta1, the mutating
webhook's JSON Patch, dry-run, break-glass, the audit log, and every corpus AdmissionReview."""

import copy
import glob
import json
import os
import re
import unittest

import support

DENIED_POD = "objects/pod-proxy-limit-64mi.json"
FIXED_POD = "objects/pod-proxy-limit-512mi.json"
HOLD_APPLICATION = re.compile(r'"?holdApplicationUntilProxyStarts"?\s*:\s*true')
PROXY_CONFIG = "proxy.istio.io/config"


def with_break_glass(obj, reason="INC-4711: proxies OOM at 256Mi until the leak fix ships"):
    obj = copy.deepcopy(obj)
    obj["metadata"].setdefault("labels", {})["meshward.dev/break-glass"] = "true"
    obj["metadata"].setdefault("annotations", {})["meshward.dev/break-glass-reason"] = reason
    return obj


class AdmissionTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.start_server()

    def admit(self, document, path="/validate"):
        answer_status, _, body = self.server.post_json(path, document)
        self.assertEqual(answer_status, 200, f"{body[:500]!r}{self.server.diagnostics()}")
        answer = json.loads(body)
        self.assertEqual(answer.get("kind"), "AdmissionReview", answer)
        self.assertEqual(answer.get("apiVersion"), document["apiVersion"], answer)
        response = answer["response"]
        self.assertEqual(response.get("uid"), document["request"]["uid"], response)
        self.assertIsInstance(response.get("allowed"), bool, response)
        return response

    def assertDeniedBySidecarMemory(self, response):
        self.assertFalse(response["allowed"], response)
        status = response["status"]
        self.assertEqual(status["code"], 403, status)
        self.assertEqual(status["reason"], "Forbidden", status)
        for line in status["message"].splitlines():
            self.assertRegex(line, r"^\[[a-z0-9-]+\] \S", f"deny message lines are '[rule-id] message': {status}")
        self.assertIn("[sidecar-memory]", status["message"])

    # -- validating ------------------------------------------------------------------------------

    def test_sidecar_limit_of_64mi_is_denied_with_403_and_the_rule_id(self):
        document = support.review(support.load_json(DENIED_POD))
        response = self.admit(document)
        self.assertDeniedBySidecarMemory(response)
        self.assertIn("sidecar-memory", response.get("auditAnnotations", {}).get("denied-by", ""), response)
        record = self.server.audit_record(document["request"]["uid"], "validate")
        self.assertEqual(record["decision"], "denied")
        self.assertIn("sidecar-memory", [finding["rule"] for finding in record["findings"]])
        self.assertIs(record["dryRun"], False)
        self.assertIsNone(record["breakGlass"])

    def test_the_fixed_pod_is_allowed_without_status(self):
        response = self.admit(support.review(support.load_json(FIXED_POD)))
        self.assertTrue(response["allowed"], response)
        self.assertNotIn("patch", response)
        self.assertEqual(response.get("status", {}).get("code", 200), 200, response)

    def test_the_same_pod_outside_the_mesh_is_allowed(self):
        pod = support.load_json(DENIED_POD)
        pod["metadata"]["namespace"] = support.PLAIN_NAMESPACE
        self.assertTrue(self.admit(support.review(pod))["allowed"])

    def test_v1beta1_request_gets_a_v1beta1_answer(self):
        document = support.review(support.load_json(DENIED_POD), api_version="admission.k8s.io/v1beta1")
        self.assertDeniedBySidecarMemory(self.admit(document))
        document = support.review(support.load_json(FIXED_POD), api_version="admission.k8s.io/v1beta1")
        self.assertTrue(self.admit(document)["allowed"])

    def test_update_is_judged_like_create(self):
        old = support.load_json(FIXED_POD)
        new = support.load_json(DENIED_POD)
        self.assertDeniedBySidecarMemory(self.admit(support.review(new, operation="UPDATE", old_object=old)))

    def test_delete_is_allowed(self):
        document = support.review(None, operation="DELETE", old_object=support.load_json(DENIED_POD))
        self.assertTrue(self.admit(document)["allowed"])

    def test_dry_run_gets_the_same_decision_and_is_audited_as_dry_run(self):
        document = support.review(support.load_json(DENIED_POD), dry_run=True)
        self.assertDeniedBySidecarMemory(self.admit(document))
        record = self.server.audit_record(document["request"]["uid"], "validate")
        self.assertIs(record["dryRun"], True)
        self.assertEqual(record["decision"], "denied")

    def test_audit_record_has_every_field(self):
        document = support.review(support.load_json(DENIED_POD), user="jane", groups=["developers"])
        self.admit(document)
        record = self.server.audit_record(document["request"]["uid"], "validate")
        expected = {"time", "uid", "webhook", "operation", "dryRun", "user", "groups", "resource", "namespace",
                    "name", "decision", "findings", "mutations", "breakGlass", "latencyMicros", "policyHash"}
        self.assertLessEqual(expected, set(record), record)
        self.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual((record["webhook"], record["operation"], record["user"], record["groups"]),
                         ("validate", "CREATE", "jane", ["developers"]))
        self.assertEqual(record["resource"].get("kind"), "Pod", record)
        self.assertEqual(record["resource"].get("version"), "v1", record)
        self.assertEqual(record["resource"].get("group"), "", record)
        self.assertEqual((record["namespace"], record["name"]), (support.MESH_NAMESPACE, "reviews-v1"))
        for finding in record["findings"]:
            self.assertLessEqual({"rule", "code", "action", "message"}, set(finding), finding)
        self.assertIsInstance(record["latencyMicros"], int)
        self.assertGreaterEqual(record["latencyMicros"], 0)
        self.assertTrue(record["policyHash"].startswith("sha256:"), record)

    # -- break-glass -----------------------------------------------------------------------------

    def test_break_glass_by_a_cluster_admin_is_allowed_with_warnings_and_audited(self):
        before = support.metric_sum(self.server.metrics(), "meshward_break_glass_total")
        pod = with_break_glass(support.load_json(DENIED_POD))
        document = support.review(pod, user="oncall-admin", groups=support.ADMIN_GROUPS)
        response = self.admit(document)
        self.assertTrue(response["allowed"], response)
        self.assertTrue(response.get("warnings"), f"bypassed findings must come back as warnings: {response}")
        for warning in response["warnings"]:
            self.assertLessEqual(len(warning), 120, warning)
        self.assertIn("sidecar-memory", " ".join(response["warnings"]))
        self.assertEqual(response.get("auditAnnotations", {}).get("break-glass-user"), "oncall-admin", response)
        record = self.server.audit_record(document["request"]["uid"], "validate")
        self.assertEqual(record["decision"], "allowed")
        self.assertEqual(record["breakGlass"]["user"], "oncall-admin")
        self.assertIn("INC-4711", record["breakGlass"]["reason"])
        self.assertIn("sidecar-memory", json.dumps(record["breakGlass"]["bypassed"]))
        after = support.metric_sum(self.server.metrics(), "meshward_break_glass_total")
        self.assertGreater(after, before)
        self.assertGreater(support.metric_sum(self.server.metrics(), "meshward_break_glass_total",
                                              rule="sidecar-memory"), 0)

    def test_break_glass_label_from_a_developer_is_denied_naming_who_may(self):
        pod = with_break_glass(support.load_json(DENIED_POD))
        response = self.admit(support.review(pod, user="jane", groups=support.DEVELOPER_GROUPS))
        self.assertDeniedBySidecarMemory(response)
        self.assertIn("system:masters", response["status"]["message"])

    def test_break_glass_without_a_reason_is_denied(self):
        pod = with_break_glass(support.load_json(DENIED_POD), reason="  ")
        response = self.admit(support.review(pod, user="oncall-admin", groups=support.ADMIN_GROUPS))
        self.assertDeniedBySidecarMemory(response)

    # -- mutating --------------------------------------------------------------------------------

    def test_mutate_adds_proxy_defaults_and_is_idempotent(self):
        for fixture in ("objects/pod-without-annotations.json", FIXED_POD):
            with self.subTest(fixture=fixture):
                pod = support.load_json(fixture)
                document = support.review(pod)
                response = self.admit(document, "/mutate")
                self.assertTrue(response["allowed"], response)
                self.assertEqual(response.get("patchType"), "JSONPatch", response)
                operations = support.decoded_patch(response)
                self.assertTrue(operations, response)
                mutated = support.apply_patch(pod, operations)
                config = mutated["metadata"]["annotations"][PROXY_CONFIG]
                self.assertRegex(config, HOLD_APPLICATION)
                self.assertIn("terminationDrainDuration", config)
                self.assertEqual(mutated["spec"], pod["spec"], "proxy-defaults must only touch annotations")
                self.assertIn("proxy-defaults", response.get("auditAnnotations", {}).get("mutated-by", ""))
                record = self.server.audit_record(document["request"]["uid"], "mutate")
                self.assertIn("proxy-defaults", [mutation["rule"] for mutation in record["mutations"]])

                again = self.admit(support.review(mutated), "/mutate")
                self.assertTrue(again["allowed"], again)
                self.assertNotIn("patch", again, f"re-sending the mutated pod must need no patch: "
                                                 f"{support.decoded_patch(again)}")
                self.assertNotIn("patchType", again)

    def test_mutate_keeps_an_existing_proxy_config(self):
        pod = support.load_json(FIXED_POD)
        pod["metadata"]["annotations"][PROXY_CONFIG] = "concurrency: 2\n"
        response = self.admit(support.review(pod), "/mutate")
        mutated = support.apply_patch(pod, support.decoded_patch(response))
        config = mutated["metadata"]["annotations"][PROXY_CONFIG]
        self.assertRegex(config, HOLD_APPLICATION)
        self.assertRegex(config, r'"?concurrency"?\s*:\s*2')

    def test_mutate_leaves_a_pod_outside_the_mesh_alone(self):
        pod = support.load_json("objects/pod-without-annotations.json")
        pod["metadata"]["namespace"] = support.PLAIN_NAMESPACE
        response = self.admit(support.review(pod), "/mutate")
        self.assertTrue(response["allowed"])
        self.assertNotIn("patch", response)

    def test_mutate_sets_a_safe_rollout_strategy_on_a_mesh_deployment(self):
        deployment = support.load_json("objects/deployment-without-strategy.json")
        response = self.admit(support.review(deployment), "/mutate")
        mutated = support.apply_patch(deployment, support.decoded_patch(response))
        rolling = mutated["spec"].get("strategy", {}).get("rollingUpdate", {})
        self.assertIn(rolling.get("maxUnavailable"), (0, "0"), mutated["spec"])
        self.assertIn(rolling.get("maxSurge"), (1, "1"), mutated["spec"])
        template_annotations = mutated["spec"]["template"]["metadata"]["annotations"]
        self.assertRegex(template_annotations.get(PROXY_CONFIG, ""), HOLD_APPLICATION)
        again = self.admit(support.review(mutated), "/mutate")
        self.assertNotIn("patch", again, support.decoded_patch(again))

    def test_mutating_rules_never_run_on_validate_and_validating_never_deny_on_mutate(self):
        self.assertNotIn("patch", self.admit(support.review(support.load_json(FIXED_POD)), "/validate"))
        self.assertTrue(self.admit(support.review(support.load_json(DENIED_POD)), "/mutate")["allowed"])

    # -- the shared corpus -----------------------------------------------------------------------

    def test_every_corpus_admission_review_gets_a_well_formed_answer(self):
        files = sorted(glob.glob(os.path.join(support.SHARED_DIR, "corpus", "admissionreviews", "*.json")))
        self.assertGreaterEqual(len(files), 10, f"corpus not found under {support.SHARED_DIR}")
        for path in files:
            with open(path, encoding="utf-8") as source:
                document = json.load(source)
            if ".request." in os.path.basename(path):
                document = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": document}
            for webhook in ("/validate", "/mutate"):
                with self.subTest(file=os.path.basename(path), webhook=webhook):
                    response = self.admit(document, webhook)
                    if not response["allowed"]:
                        self.assertEqual(response["status"]["code"], 403, response)
                        self.assertTrue(response["status"]["message"], response)
                    if "patch" in response:
                        self.assertEqual(response.get("patchType"), "JSONPatch", response)
                        target = document["request"].get("object")
                        support.apply_patch(target, support.decoded_patch(response))
                    for warning in response.get("warnings", []):
                        self.assertLessEqual(len(warning), 120, warning)


if __name__ == "__main__":
    unittest.main()
