"""Process lifecycle: SIGTERM stops accepting, finishes in-flight requests, flushes the audit
log and exits 0; where audit lines go; start-up errors exit non-zero with a useful message."""

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import unittest

import support

START_FAILURE_SECONDS = 30
# A client that uploads slowly: the pause between its 20-byte pieces (pacing, not a wait).
TRICKLE_PAUSE_SECONDS = 0.05


def refuses_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


class GracefulShutdownTest(support.ServerTestCase):
    def test_in_flight_request_is_answered_after_sigterm(self):
        server = self.start_server("in-flight")
        answered = []
        for _ in range(3):
            document = support.review(support.load_json("objects/pod-proxy-limit-64mi.json"))
            server.admit(document)
            answered.append(document["request"]["uid"])

        # The request is in flight once the server has read its headers (it says so with 100
        # Continue); half the body follows before SIGTERM, the rest trickles in after it.
        document = support.review(support.load_json("objects/pod-proxy-limit-64mi.json"))
        body = json.dumps(document).encode()
        head = support.http_request_bytes("POST", "/validate", body, extra_headers="Expect: 100-continue\r\n")
        head = head[: len(head) - len(body)]
        half = len(body) // 2
        with server.raw_tls_socket() as connection:
            connection.sendall(head)
            interim, _, _ = support.read_http_response(connection, support.REQUEST_SECONDS)
            self.assertEqual(interim, 100, "the server should answer Expect: 100-continue")
            connection.sendall(body[:half])
            server.process.send_signal(signal.SIGTERM)
            stopped_accepting = self._wait_for_refusal(server.port)
            try:
                for start in range(half, len(body), 20):
                    connection.sendall(body[start:start + 20])
                    time.sleep(TRICKLE_PAUSE_SECONDS)
                status, _, answer = support.read_http_response(connection, support.REQUEST_SECONDS)
            except (OSError, ssl.SSLError) as error:
                self.fail(f"the in-flight request was not answered ({error}); listener closed: "
                          f"{stopped_accepting}{server.diagnostics()}")
        self.assertEqual(status, 200, answer[:300])
        response = json.loads(answer)["response"]
        self.assertEqual(response["uid"], document["request"]["uid"])
        self.assertFalse(response["allowed"])
        answered.append(document["request"]["uid"])

        code = server.stop()
        self.assertEqual(code, 0, server.diagnostics())
        self.assertTrue(stopped_accepting, "the listener kept accepting connections after SIGTERM")
        self.assertEqual(server.sanitizer_reports(), [], server.diagnostics(80))
        self.assertEqual(sorted(record["uid"] for record in server.audit_records()), sorted(answered))

    def test_burst_interrupted_by_sigterm_loses_no_audit_line(self):
        server = self.start_server("burst")
        answered = []
        ended = []  # (uid, how) of the request that ended each client
        mismatched = []
        lock = threading.Lock()
        enough = threading.Event()

        def client():
            while True:
                document = support.review(support.load_json("objects/pod-proxy-limit-512mi.json"))
                try:
                    status, _, body = server.post_json("/validate", document, timeout=support.REQUEST_SECONDS)
                except (OSError, ssl.SSLError, http.client.HTTPException) as error:
                    ended.append((document["request"]["uid"], repr(error)))
                    return
                if status != 200:
                    ended.append((document["request"]["uid"], f"HTTP {status}"))
                    return
                if json.loads(body)["response"]["uid"] != document["request"]["uid"]:
                    mismatched.append(document["request"]["uid"])
                with lock:
                    answered.append(document["request"]["uid"])
                    if len(answered) >= 20:
                        enough.set()

        threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        self.assertTrue(enough.wait(support.STARTUP_SECONDS), "the burst did not get going")
        server.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(support.EXIT_SECONDS)
            self.assertFalse(thread.is_alive(), "a client kept being served long after SIGTERM")
        code = server.stop()
        self.assertEqual(code, 0, server.diagnostics())
        self.assertEqual(server.sanitizer_reports(), [], server.diagnostics(80))
        self.assertEqual(mismatched, [], "answers carried another request's uid")
        audited = [record["uid"] for record in server.audit_records()]
        self.assertEqual(len(audited), len(set(audited)), "an audit line was written twice")
        unanswered = sorted(set(audited) - set(answered))
        unaudited = sorted(set(answered) - set(audited))
        self.assertEqual((unanswered, unaudited), ([], []),
                         f"audit lines must match the {len(answered)} answered requests exactly: "
                         f"(audited but never answered, answered but not audited); the clients ended "
                         f"with {ended}{server.diagnostics()}")

    def test_audit_lines_go_to_stdout_without_audit_log(self):
        server = self.start_server("stdout-audit", audit_log=False)
        document = support.review(support.load_json("objects/pod-proxy-limit-64mi.json"))
        server.admit(document)
        self.assertEqual(server.stop(), 0, server.diagnostics())
        lines = [line for line in server.stdout().splitlines() if line.strip()]
        records = [json.loads(line) for line in lines]
        self.assertEqual([record["uid"] for record in records], [document["request"]["uid"]],
                         "stdout holds exactly the audit lines (logs go to stderr)")

    def test_audit_stdout_with_audit_log_writes_both(self):
        server = self.start_server("both-audit", extra_args=["--audit-stdout"])
        document = support.review(support.load_json("objects/pod-proxy-limit-512mi.json"))
        server.admit(document)
        self.assertEqual(server.stop(), 0, server.diagnostics())
        from_stdout = [json.loads(line)["uid"] for line in server.stdout().splitlines() if line.strip()]
        from_file = [record["uid"] for record in server.audit_records()]
        self.assertEqual(from_stdout, [document["request"]["uid"]])
        self.assertEqual(from_file, [document["request"]["uid"]])

    @staticmethod
    def _wait_for_refusal(port):
        try:
            return support.wait_until(lambda: refuses_connections(port), 10, "the listener to close")
        except AssertionError:
            return False


class StartupErrorTest(support.ServerTestCase):
    def run_serve(self, *args, port=None):
        argv = [support.BINARY, "serve", "--listen", f"127.0.0.1:{port or support.free_port()}",
                "--metrics-listen", f"127.0.0.1:{support.free_port()}", *args]
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=START_FAILURE_SECONDS,
                                  cwd=self.tmp, check=False)
        except subprocess.TimeoutExpired as expired:
            self.fail(f"meshward serve {' '.join(args)} kept running instead of failing: {expired.stderr}")

    def test_tls_cert_without_tls_key_is_a_usage_error(self):
        certs = os.path.join(self.tmp, "certs")
        support.generate_certs(certs)
        for flag, other in (("--tls-cert", "--tls-key"), ("--tls-key", "--tls-cert")):
            with self.subTest(flag=flag):
                result = self.run_serve(flag, os.path.join(certs, "tls.crt" if flag == "--tls-cert" else "tls.key"))
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(other, result.stderr)

    def test_missing_certificate_file_is_named(self):
        missing = os.path.join(self.tmp, "nowhere", "tls.crt")
        result = self.run_serve("--tls-cert", missing, "--tls-key", missing.replace(".crt", ".key"))
        self.assertNotEqual(result.returncode, 0)
        self.assertGreater(result.returncode, 0, "killed by a signal")
        self.assertIn(missing, result.stderr)

    def test_bad_config_exits_non_zero_with_file_and_line(self):
        policy = os.path.join(self.tmp, "bad-policy.yaml")
        with open(policy, "w", encoding="utf-8") as out:
            out.write("apiVersion: meshward.dev/v1alpha1\nkind: Policy\nrulez:\n  sidecar-memory: {}\n")
        result = self.run_serve("--config", policy)
        self.assertGreater(result.returncode, 0, result.stderr)
        self.assertIn(f"{policy}:3", result.stderr)

    def test_config_with_a_bad_value_names_its_line(self):
        policy = os.path.join(self.tmp, "bad-value.yaml")
        with open(policy, "w", encoding="utf-8") as out:
            out.write("apiVersion: meshward.dev/v1alpha1\nkind: Policy\nrules:\n  sidecar-memory:\n"
                      "    action: explode\n")
        result = self.run_serve("--config", policy)
        self.assertGreater(result.returncode, 0, result.stderr)
        self.assertIn(f"{policy}:5", result.stderr)

    def test_unknown_flag_is_a_usage_error(self):
        result = self.run_serve("--no-such-flag")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--no-such-flag", result.stderr)

    def test_listen_address_in_use_fails_with_a_message(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = self.run_serve(port=port)
        self.assertGreater(result.returncode, 0, result.stderr)
        self.assertIn(str(port), result.stderr)

if __name__ == "__main__":
    unittest.main()
