"""The plain-HTTP metrics listener: the exposition passes `promtool check metrics`, the
counters move with admission decisions, findings, mutations and HTTP status codes, and clients that
send their request byte by byte are cut off after the listener's budget instead of holding its
workers."""

import json
import socket
import threading
import subprocess
import time
import unittest

import support

SMALL_MAX_REQUEST_BYTES = 65536
METRICS_CONNECTION_BUDGET_SECONDS = 10  # kMetricsConnectionBudget


class MetricsTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.start_server(extra_args=["--max-request-bytes", str(SMALL_MAX_REQUEST_BYTES)])

    def scrape(self):
        return self.server.metrics()

    def test_exposition_passes_promtool(self):
        self.server.admit(support.review(support.load_json("objects/pod-proxy-limit-64mi.json")))
        scraped = subprocess.run(["curl", "--silent", "--show-error", "--fail", "--max-time", "30",
                                  f"http://127.0.0.1:{self.server.metrics_port}/metrics"],
                                 capture_output=True, timeout=60, check=False)
        self.assertEqual(scraped.returncode, 0, scraped.stderr)
        checked = subprocess.run(["promtool", "check", "metrics"], input=scraped.stdout, capture_output=True,
                                 timeout=60, check=False)
        self.assertEqual(checked.returncode, 0,
                         f"promtool: {checked.stdout.decode()}{checked.stderr.decode()}\n{scraped.stdout.decode()}")

    def test_every_documented_family_is_exposed(self):
        text = self.server.metrics_text()
        for family in ("meshward_admission_requests_total", "meshward_admission_duration_seconds",
                       "meshward_rule_findings_total", "meshward_mutations_total", "meshward_break_glass_total",
                       "meshward_http_requests_total", "meshward_policy_reloads_total", "meshward_tls_reloads_total",
                       "meshward_tls_certificate_expiry_timestamp_seconds", "meshward_build_info"):
            with self.subTest(family=family):
                self.assertRegex(text, rf"(?m)^# TYPE {family} ")

    def test_build_info_and_certificate_expiry(self):
        samples = self.scrape()
        build = [labels for name, labels, value in samples if name == "meshward_build_info" and value == 1]
        self.assertEqual(len(build), 1, samples)
        self.assertRegex(build[0].get("version", ""), r"^\d+\.\d+\.\d+")
        expiry = support.metric_sum(samples, "meshward_tls_certificate_expiry_timestamp_seconds")
        now = time.time()
        self.assertGreater(expiry, now + 86400, "the generated certificate should be valid for more than a day")
        self.assertLess(expiry, now + 2 * 366 * 86400)

    def test_admission_counters_move_with_decisions(self):
        before = self.scrape()
        self.server.admit(support.review(support.load_json("objects/pod-proxy-limit-64mi.json")))
        self.server.admit(support.review(support.load_json("objects/pod-proxy-limit-64mi.json"), dry_run=True))
        self.server.admit(support.review(support.load_json("objects/pod-proxy-limit-512mi.json")))
        self.server.admit(support.review(support.load_json("objects/pod-without-annotations.json")), "/mutate")
        after = self.scrape()

        def moved(name, **labels):
            return support.metric_sum(after, name, **labels) - support.metric_sum(before, name, **labels)

        requests = "meshward_admission_requests_total"
        self.assertEqual(moved(requests, kind="Pod", operation="CREATE", decision="denied", dry_run="false"), 1)
        self.assertEqual(moved(requests, decision="denied", dry_run="true"), 1)
        self.assertEqual(moved(requests, decision="allowed", dry_run="false"), 2)
        webhooks = {labels.get("webhook") for name, labels, _ in after if name == requests}
        self.assertEqual(len(webhooks), 2, f"one webhook label value each for /validate and /mutate: {webhooks}")
        allowed_by_webhook = sorted(moved(requests, webhook=webhook, decision="allowed") for webhook in webhooks)
        self.assertEqual(allowed_by_webhook, [1, 1])
        self.assertEqual(moved("meshward_admission_duration_seconds_count"), 4)
        self.assertGreater(moved("meshward_admission_duration_seconds_sum"), 0)
        self.assertEqual(moved("meshward_rule_findings_total", rule="sidecar-memory", action="deny"), 2)
        self.assertEqual(moved("meshward_mutations_total", rule="proxy-defaults"), 1)
        infinite = [value for name, labels, value in after
                    if name == "meshward_admission_duration_seconds_bucket" and labels.get("le") == "+Inf"]
        self.assertEqual(infinite, [support.metric_sum(after, "meshward_admission_duration_seconds_count")])

    def test_http_counters_count_every_status_code(self):
        before = self.scrape()
        valid = json.dumps(support.review(support.load_json("objects/pod-proxy-limit-512mi.json"))).encode()
        self.assertEqual(self.server.request("GET", "/validate")[0], 405)
        self.assertEqual(self.server.request("POST", "/validate", valid, {"Content-Type": "text/plain"})[0], 415)
        self.assertEqual(self.server.post_json("/validate", b"{\"truncated")[0], 400)
        self.assertEqual(self.server.post_streamed("/validate", b"x" * (SMALL_MAX_REQUEST_BYTES + 1))[0], 413)
        self.assertEqual(self.server.post_json("/validate", valid)[0], 200)
        self.assertEqual(self.server.request("GET", "/healthz")[0], 200)
        after = self.scrape()
        for code in ("200", "400", "405", "413", "415"):
            with self.subTest(code=code):
                moved = (support.metric_sum(after, "meshward_http_requests_total", code=code)
                         - support.metric_sum(before, "meshward_http_requests_total", code=code))
                self.assertGreaterEqual(moved, 1, f"meshward_http_requests_total{{code=\"{code}\"}} did not move")
        moved_400 = (support.metric_sum(after, "meshward_http_requests_total", path="/validate", code="400")
                     - support.metric_sum(before, "meshward_http_requests_total", path="/validate", code="400"))
        self.assertEqual(moved_400, 1)

    def test_slow_clients_are_cut_off_and_scrapes_answer_again(self):
        before = support.metric_sum(self.scrape(), "meshward_connections_timed_out_total")
        slow = [socket.create_connection(("127.0.0.1", self.server.metrics_port), timeout=support.REQUEST_SECONDS)
                for _ in range(3)]  # more than the listener's two workers
        ended = [None] * len(slow)

        def trickle(index):
            """A header a byte a second, each within the read timeout, until the server hangs up."""
            client = slow[index]
            started = time.monotonic()
            try:
                client.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
                while time.monotonic() - started < METRICS_CONNECTION_BUDGET_SECONDS + 20:
                    client.sendall(b"a")
                    time.sleep(1)
            except OSError:
                ended[index] = time.monotonic() - started

        threads = [threading.Thread(target=trickle, args=(index,)) for index in range(len(slow))]
        for thread in threads:
            thread.start()
        try:
            # Both workers are held: this scrape waits until the budget frees them. It starts later
            # than the slow clients, so it is younger than the budget when its turn comes.
            time.sleep(3)
            self.assertIn("meshward_connections_timed_out_total", self.server.metrics_text())
        finally:
            for thread in threads:
                thread.join()
            for client in slow:
                client.close()
        for seconds in ended:
            self.assertIsNotNone(seconds, "a client trickling its request was never cut off")
            self.assertLess(seconds, METRICS_CONNECTION_BUDGET_SECONDS + 5)
        after = support.metric_sum(self.scrape(), "meshward_connections_timed_out_total")
        self.assertEqual(after - before, len(slow))

if __name__ == "__main__":
    unittest.main()
