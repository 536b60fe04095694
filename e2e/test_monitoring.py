"""The chart's monitoring as it ships: the PrometheusRule's alerts, rendered by real Helm, pass
`promtool check rules` and their unit tests (test/monitoring/alerts_test.yaml: every alert firing
on a recorded sample and staying quiet on another); the Grafana dashboard ConfigMap carries
files/dashboards/meshward.json; and every series the alerts and the dashboard query is one the
real binary exposes."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

import chart_render
import support

MONITORING = {"metrics": {"prometheusRule": {"enabled": True}, "grafanaDashboard": {"enabled": True}}}
PROMETHEUS_OPERATOR = ["monitoring.coreos.com/v1"]
DASHBOARD = os.path.join(chart_render.CHART_DIR, "files", "dashboards", "meshward.json")
ALERT_TESTS = os.path.join(support.SOURCE_DIR, "test", "monitoring", "alerts_test.yaml")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def setUpModule():
    chart_render.require_helm()
    if shutil.which("promtool") is None:
        raise AssertionError("promtool not found (scripts/install-deps.sh installs Debian's prometheus)")


def promtool(*args, cwd=None):
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


def series_names(expression):
    """The metric families an expression reads (a histogram's _bucket/_sum/_count as the family)."""
    names = set()
    for name in re.findall(r"\bmeshward_[a-z_]+", expression):
        for suffix in HISTOGRAM_SUFFIXES:
            if name.endswith(suffix) and not name.endswith("_total"):
                name = name[:-len(suffix)]
        names.add(name)
    return names


class MonitoringTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rendered = chart_render.render(MONITORING, release="meshward", api_versions=PROMETHEUS_OPERATOR)
        cls.rule = cls.rendered.one("PrometheusRule")
        with open(DASHBOARD, encoding="utf-8") as source:
            cls.dashboard_text = source.read()
        cls.dashboard = json.loads(cls.dashboard_text)

    def exposed_families(self):
        server = self.start_server()
        return set(re.findall(r"(?m)^# TYPE (\S+) ", server.metrics_text()))

    def test_the_alerts_pass_promtool_check_and_their_unit_tests(self):
        with tempfile.TemporaryDirectory(prefix="meshward-rules-") as scratch:
            with open(os.path.join(scratch, "rules.yaml"), "w", encoding="utf-8") as out:
                yaml.safe_dump({"groups": self.rule["spec"]["groups"]}, out)
            shutil.copy(ALERT_TESTS, os.path.join(scratch, "alerts_test.yaml"))
            checked = promtool("check", "rules", "rules.yaml", cwd=scratch)
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
            self.assertIn("SUCCESS: 7 rules found", checked.stdout)
            tested = promtool("test", "rules", "alerts_test.yaml", cwd=scratch)
            self.assertEqual(tested.returncode, 0, tested.stdout + tested.stderr)

    def test_every_alert_is_tested_firing_and_quiet(self):
        with open(ALERT_TESTS, encoding="utf-8") as source:
            tests = yaml.safe_load(source)["tests"]
        fired, quiet = set(), set()
        for test in tests:
            for case in test.get("alert_rule_test", []):
                (fired if case.get("exp_alerts") else quiet).add(case["alertname"])
        alerts = {rule["alert"] for group in self.rule["spec"]["groups"] for rule in group["rules"]}
        self.assertEqual(fired, alerts, "an alert without a firing case")
        self.assertEqual(quiet, alerts, "an alert without a case where it stays quiet")

    def test_the_latency_alert_follows_the_webhook_timeout(self):
        rendered = chart_render.render({**MONITORING, "webhooks": {"timeoutSeconds": 10}},
                                       api_versions=PROMETHEUS_OPERATOR)
        rules = {rule["alert"]: rule for group in rendered.one("PrometheusRule")["spec"]["groups"]
                 for rule in group["rules"]}
        self.assertRegex(rules["MeshwardLatencyNearTimeout"]["expr"], r"> 5\n?$")

    def test_alerts_and_dashboard_query_only_series_meshward_exposes(self):
        exposed = self.exposed_families()
        queried = set()
        for group in self.rule["spec"]["groups"]:
            for rule in group["rules"]:
                queried |= series_names(rule["expr"])
        for panel in self.dashboard["panels"]:
            for target in panel["targets"]:
                queried |= series_names(target["expr"])
        self.assertTrue(queried)
        self.assertEqual(sorted(queried - exposed), [], "queried but not exposed by meshward")

    def test_the_dashboard_configmap_is_the_file_with_grafanas_label(self):
        config_map = self.rendered.one("ConfigMap", "meshward-dashboard")
        self.assertEqual(config_map["metadata"]["labels"]["grafana_dashboard"], "1")
        self.assertEqual(config_map["data"]["meshward.json"].strip(), self.dashboard_text.strip())
        titles = [panel["title"] for panel in self.dashboard["panels"]]
        for wanted in ("Findings by rule and action", "Admission latency (server side)", "Break-glass bypasses",
                       "Cache sync state by kind", "Watch restarts", "Audit backlog and losses"):
            self.assertIn(wanted, titles)
        ids = [panel["id"] for panel in self.dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(self.dashboard["uid"], "meshward")

    def test_nothing_is_rendered_unless_asked_and_the_rule_needs_the_operator(self):
        plain = chart_render.render()
        self.assertEqual(plain.all("PrometheusRule"), [])
        self.assertEqual([cm for cm in plain.all("ConfigMap") if cm["metadata"]["name"].endswith("-dashboard")], [])
        with self.assertRaisesRegex(chart_render.RenderError, r"monitoring\.coreos\.com/v1"):
            chart_render.render({"metrics": {"prometheusRule": {"enabled": True}}})


if __name__ == "__main__":
    unittest.main()
