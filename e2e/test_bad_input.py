"""Bad input against the running binary: wrong methods and content types, oversized, malformed,
deeply nested and mistyped bodies, huge strings and slow clients. Every transport error must be
an HTTP error with a JSON {"error": ...} body, and afterwards the server must still be healthy
and exit 0 on SIGTERM (in the sanitizer build: with no report)."""

import copy
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
import unittest

import support

DEFAULT_MAX_REQUEST_BYTES = 3 * 1024 * 1024
SMALL_MAX_REQUEST_BYTES = 65536
# The contract says a slow client is cut off "within ~15 s"; this is the hard bound we enforce.
SLOW_CLIENT_BOUND_SECONDS = 30
SLOW_TEST_LIMIT_SECONDS = 60


def valid_review():
    return support.review(support.load_json("objects/pod-proxy-limit-512mi.json"))


def set_field(document, dotted_path, value):
    """Sets request.<dotted_path> (or a top-level field for a path starting with '/')."""
    if dotted_path.startswith("/"):
        document[dotted_path[1:]] = value
        return document
    target = document["request"]
    *parents, last = dotted_path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return document


def review_of_size(total_bytes):
    """A valid AdmissionReview padded (with a label value) to exactly `total_bytes` bytes."""
    document = valid_review()
    document["request"]["object"]["metadata"]["labels"]["padding"] = ""
    base = len(json.dumps(document).encode())
    document["request"]["object"]["metadata"]["labels"]["padding"] = "x" * (total_bytes - base)
    body = json.dumps(document).encode()
    assert len(body) == total_bytes, (len(body), total_bytes)
    return document, body


class BadInputTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.start_server("default-limits")
        cls.small = cls.start_server("small-limit", extra_args=["--max-request-bytes", str(SMALL_MAX_REQUEST_BYTES)])

    @classmethod
    def tearDownClass(cls):
        problems = []
        for server in (cls.server, cls.small):
            try:
                status = server.request("GET", "/healthz")[0]
                if status != 200:
                    problems.append(f"{server.work_dir}: /healthz answered {status} after the bad input")
            except (OSError, ssl.SSLError) as error:
                problems.append(f"{server.work_dir}: /healthz failed after the bad input: {error}")
            try:
                code = server.stop()
            except support.ServerError as error:
                code = str(error)
            if code != 0:
                problems.append(f"{server.work_dir}: exit code {code} on SIGTERM{server.diagnostics(80)}")
            reports = server.sanitizer_reports()
            if reports:
                problems.append(f"{server.work_dir}: sanitizer reports {reports}{server.diagnostics(80)}")
        super().tearDownClass()
        if problems:
            raise AssertionError("\n".join(problems))

    # -- helpers ---------------------------------------------------------------------------------

    def assertJsonError(self, status, headers, body, expected_status, case=""):
        self.assertEqual(status, expected_status, f"{case}: body {body[:300]!r}{self.server.diagnostics(10)}")
        self.assertIsNotNone(support.error_body(body),
                             f"{case}: the error body must be JSON with 'error': {body[:300]!r}")
        self.assertIn("application/json", headers.get("content-type", ""), case)

    def post(self, body, content_type="application/json", path="/validate", server=None):
        server = server or self.server
        return server.request("POST", path, body, {"Content-Type": content_type})

    def assertRejected(self, body, case, expected_status=400, path="/validate"):
        status, headers, answer = self.post(body, path=path)
        self.assertJsonError(status, headers, answer, expected_status, case)

    # -- method and content type -----------------------------------------------------------------

    def test_wrong_method_is_405(self):
        for method, path in (("GET", "/validate"), ("GET", "/mutate"), ("PUT", "/validate"), ("DELETE", "/mutate")):
            with self.subTest(method=method, path=path):
                status, headers, body = self.server.request(method, path)
                self.assertJsonError(status, headers, body, 405, f"{method} {path}")

    def test_non_json_content_type_is_415(self):
        body = json.dumps(valid_review()).encode()
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/yaml"):
            for path in ("/validate", "/mutate"):
                with self.subTest(content_type=content_type, path=path):
                    status, headers, answer = self.post(body, content_type, path)
                    self.assertJsonError(status, headers, answer, 415, content_type)

    def test_json_content_type_with_charset_is_accepted(self):
        status, _, body = self.post(json.dumps(valid_review()).encode(), "application/json; charset=utf-8")
        self.assertEqual(status, 200, body[:300])

    # -- size limits -----------------------------------------------------------------------------

    def test_small_limit_answers_413_one_byte_over_and_200_at_the_limit(self):
        _, at_limit = review_of_size(SMALL_MAX_REQUEST_BYTES)
        status, _, body = self.post(at_limit, server=self.small)
        self.assertEqual(status, 200, body[:300])
        _, over = review_of_size(SMALL_MAX_REQUEST_BYTES + 1)
        status, headers, body = self.small.post_streamed("/validate", over)
        self.assertJsonError(status, headers, body, 413, "one byte over --max-request-bytes")

    def test_default_limit_is_3_mib(self):
        for size, expected in ((DEFAULT_MAX_REQUEST_BYTES + 1, "413"), (DEFAULT_MAX_REQUEST_BYTES, "200")):
            with self.subTest(size=size):
                _, body = review_of_size(size)
                status, answer = self.curl_post(body)
                self.assertEqual(status, expected, answer[:300])
                if expected == "413":
                    self.assertIsNotNone(support.error_body(answer), answer[:300])

    def test_chunked_body_over_the_limit_is_refused(self):
        """Without a Content-Length the limit cannot be checked up front: the server must either
        refuse chunked bodies (411 Length Required) or stop at the limit (413), never buffer it all."""
        _, body = review_of_size(4 * SMALL_MAX_REQUEST_BYTES)
        head = (b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        parts = [b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192]) for i in range(0, len(body), 8192)]
        with self.small.raw_tls_socket() as connection:
            status, headers, answer = support.send_and_read_response(connection, [head] + parts + [b"0\r\n\r\n"],
                                                                     support.REQUEST_SECONDS)
        self.assertIn(status, (411, 413), answer[:300])
        self.assertJsonError(status, headers, answer, status, "chunked body 4x over --max-request-bytes")

    def curl_post(self, body):
        path = os.path.join(self.tmp, "curl-body.json")
        with open(path, "wb") as out:
            out.write(body)
        answer_path = os.path.join(self.tmp, "curl-answer")
        result = subprocess.run(
            ["curl", "--silent", "--show-error", "--max-time", "60", "--cacert", self.server.ca_file,
             "-H", "Content-Type: application/json", "--data-binary", f"@{path}", "-o", answer_path,
             "-w", "%{http_code}", f"https://127.0.0.1:{self.server.port}/validate"],
            capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(answer_path, "rb") as answer:
            return result.stdout, answer.read()

    # -- malformed bodies ------------------------------------------------------------------------

    def test_malformed_json_is_400(self):
        valid = json.dumps(valid_review()).encode()
        cases = {
            "empty body": b"",
            "truncated JSON": valid[: len(valid) // 2],
            "trailing garbage": valid + b"}",
            "not JSON at all": b"apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n",
            "NUL bytes": b"\x00" * 64,
            "invalid UTF-8 in a string": valid.replace(b'"reviews-v1"', b'"reviews-\xff\xfe-v1"', 1),
            "100k-deep unclosed array": b"[" * 100_000,
            "100k-deep closed array": b"[" * 100_000 + b"]" * 100_000,
            "100k-deep object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
            "deep nesting inside the object": valid.replace(b'"labels": {', b'"labels": {"x": ' + b"[" * 100_000 +
                                                            b"]" * 100_000 + b", ", 1),
        }
        self.assertNotEqual(cases["invalid UTF-8 in a string"], valid)
        self.assertNotEqual(cases["deep nesting inside the object"], valid)
        for case, body in cases.items():
            with self.subTest(case=case):
                self.assertRejected(body, case)
        self.assertEqual(self.server.request("GET", "/healthz")[0], 200, self.server.diagnostics())

    def test_not_an_admission_review_is_400(self):
        pod = support.load_json("objects/pod-proxy-limit-512mi.json")
        without_request = valid_review()
        del without_request["request"]
        without_uid = valid_review()
        del without_uid["request"]["uid"]
        without_kind = valid_review()
        del without_kind["request"]["kind"]
        without_operation = valid_review()
        del without_operation["request"]["operation"]
        cases = {
            "a bare Pod": pod,
            "a JSON array": [valid_review()],
            "a JSON string": "AdmissionReview",
            "a JSON number": 42,
            "null": None,
            "kind Pod": set_field(valid_review(), "/kind", "Pod"),
            "apiVersion v2": set_field(valid_review(), "/apiVersion", "admission.k8s.io/v2"),
            "no request": without_request,
            "request null": set_field(valid_review(), "/request", None),
            "missing request.uid": without_uid,
            "empty request.uid": set_field(valid_review(), "uid", ""),
            "missing request.kind": without_kind,
            "missing request.operation": without_operation,
            "unknown operation": set_field(valid_review(), "operation", "PATCH"),
            "object null on CREATE": set_field(valid_review(), "object", None),
            "object null on UPDATE": set_field(set_field(valid_review(), "operation", "UPDATE"), "object", None),
        }
        for case, document in cases.items():
            with self.subTest(case=case):
                self.assertRejected(json.dumps(document).encode(), case)
                self.assertRejected(json.dumps(document).encode(), case, path="/mutate")

    def test_wrong_type_for_every_field_the_server_reads_is_400(self):
        cases = [
            ("/apiVersion", 1), ("/kind", ["AdmissionReview"]), ("/request", "request"), ("/request", []),
            ("uid", 123), ("uid", {"id": "x"}), ("uid", True),
            ("kind", "Pod"), ("kind", ["Pod"]), ("kind.kind", 5), ("kind.kind", None), ("kind.group", 1),
            ("kind.version", []),
            ("resource", "pods"), ("resource.resource", 7),
            ("operation", 1), ("operation", ["CREATE"]), ("operation", None),
            ("userInfo", "jane"), ("userInfo", ["jane"]), ("userInfo.username", 7),
            ("userInfo.groups", "system:masters"), ("userInfo.groups", [1]), ("userInfo.groups", [None]),
            ("userInfo.groups", {"system:masters": True}),
            ("dryRun", "true"), ("dryRun", 1), ("dryRun", []),
            ("object", "pod"), ("object", []), ("object", 42),
            ("oldObject", 42), ("oldObject", "old"), ("oldObject", [{}]),
            ("namespace", 5), ("namespace", ["mesh-apps"]), ("namespace", {}),
            ("name", True), ("name", 1.5), ("name", ["reviews-v1"]),
            ("subResource", 3),
        ]
        for field, value in cases:
            with self.subTest(field=field, value=value):
                document = set_field(valid_review(), field, copy.deepcopy(value))
                self.assertRejected(json.dumps(document).encode(), f"{field}={value!r}")

    # -- odd but valid bodies --------------------------------------------------------------------

    def test_huge_strings_and_odd_quantities_under_the_limit_get_a_normal_answer(self):
        two_mib = "v" * (2 * 1024 * 1024)
        cases = {
            "2 MiB label value": lambda pod: pod["metadata"]["labels"].update(big=two_mib),
            "2 MiB annotation": lambda pod: pod["metadata"]["annotations"].update(note=two_mib),
            "2 MiB proxyMemoryLimit": lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/proxyMemoryLimit": "9" * (2 * 1024 * 1024)}),
            "overflowing quantity": lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/proxyMemoryLimit": "99999999999999999999999Ei"}),
            "negative quantity": lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/proxyMemoryLimit": "-1Gi"}),
            "exponent quantity": lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/proxyMemoryLimit": "1e400"}),
            "unicode label": lambda pod: pod["metadata"]["labels"].update({"\u00fcber": "\u2603" * 1000}),
            "10k containers": lambda pod: pod["spec"].update(
                containers=[{"name": f"c{i}", "image": "x"} for i in range(10_000)]),
        }
        for case, mutate in cases.items():
            document = valid_review()
            mutate(document["request"]["object"])
            for path in ("/validate", "/mutate"):
                with self.subTest(case=case, path=path):
                    self.assertNormalAnswer(document, path, case)

    def test_mistyped_object_internals_get_an_answer_or_a_400_never_a_crash(self):
        cases = {
            "non-string annotation value": lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/proxyMemoryLimit": 512}),
            "annotations as a list": lambda pod: pod["metadata"].update(annotations=["a"]),
            "labels as a string": lambda pod: pod["metadata"].update(labels="app=reviews"),
            "containers as an object": lambda pod: pod["spec"].update(containers={"name": "x"}),
            "container as a string": lambda pod: pod["spec"].update(containers=["reviews"]),
            "resources as a string": lambda pod: pod["spec"]["containers"][0].update(resources="lots"),
            "memory limit as a number": lambda pod: pod["spec"]["containers"][0]["resources"]["limits"].update(
                memory=268435456),
            "metadata missing": lambda pod: pod.pop("metadata"),
            "spec null": lambda pod: pod.update(spec=None),
        }
        for case, mutate in cases.items():
            document = valid_review()
            mutate(document["request"]["object"])
            for path in ("/validate", "/mutate"):
                with self.subTest(case=case, path=path):
                    status, headers, body = self.post(json.dumps(document).encode(), path=path)
                    self.assertIn(status, (200, 400), f"{case}: {body[:300]!r}{self.server.diagnostics(10)}")
                    if status == 400:
                        self.assertJsonError(status, headers, body, 400, case)
                    else:
                        self.assertNormalAnswer(document, path, case, (status, body))

    def assertNormalAnswer(self, document, path, case, answered=None):
        status, body = answered or self.post(json.dumps(document).encode(), path=path)[::2]
        self.assertEqual(status, 200, f"{case}: {body[:300]!r}{self.server.diagnostics(10)}")
        response = json.loads(body)["response"]
        self.assertEqual(response["uid"], document["request"]["uid"])
        self.assertIsInstance(response["allowed"], bool)
        if "patch" in response:
            support.apply_patch(document["request"]["object"], support.decoded_patch(response))

    def test_out_of_range_numbers_never_crash(self):
        valid = json.dumps(valid_review()).encode()
        for literal in (b"1e400", b"-1e400", b"123456789012345678901234567890", b"-0", b"1E-400"):
            with self.subTest(literal=literal):
                body = valid.replace(b'"containerPort": 9080', b'"containerPort": ' + literal, 1)
                self.assertNotEqual(body, valid)
                status, headers, answer = self.post(body)
                self.assertIn(status, (200, 400), answer[:300])
                if status == 400:
                    self.assertJsonError(status, headers, answer, 400, str(literal))

    # -- slow and idle clients -------------------------------------------------------------------

    def test_slow_and_idle_clients_are_cut_off_while_others_are_served(self):
        review_body = json.dumps(valid_review()).encode()
        head = support.http_request_bytes("POST", "/validate", review_body)
        body_start = head.index(b"\r\n\r\n") + 4
        scenarios = {
            "one header byte a second": (True, b"", head),
            "one body byte a second": (True, head[:body_start], head[body_start:]),
            "TLS handshake, then silence": (True, b"", b""),
            "TCP connect, no handshake": (False, b"", b""),
        }
        results = {}
        threads = [threading.Thread(target=self._slow_client, args=(name, tls, prefix, drip, results), daemon=True)
                   for name, (tls, prefix, drip) in scenarios.items()]
        for thread in threads:
            thread.start()
        served = 0
        while alive := [thread for thread in threads if thread.is_alive()]:
            status, _, body = self.post(review_body)
            self.assertEqual(status, 200, f"a normal request failed while slow clients were connected: {body[:200]!r}")
            served += 1
            alive[0].join(0.25)
        for thread in threads:
            thread.join(SLOW_TEST_LIMIT_SECONDS)
        self.assertGreater(served, 0)
        report = ", ".join(f"{name}: {results.get(name)}" for name in scenarios)
        print(f"\n[slow clients] cut off after (seconds): {report}; {served} normal requests served meanwhile",
              file=sys.stderr)
        for name in scenarios:
            with self.subTest(client=name):
                elapsed = results.get(name)
                self.assertIsInstance(elapsed, float, f"{name}: {elapsed}")
                self.assertLessEqual(elapsed, SLOW_CLIENT_BOUND_SECONDS, f"{name} was held for {elapsed:.1f}s")

    def _slow_client(self, name, use_tls, prefix, drip, results):
        """Connects, sends `prefix`, then one byte of `drip` a second until the server hangs up.
        Stores the seconds from connection set-up to hang-up (or why there is none) in results."""
        try:
            raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=support.REQUEST_SECONDS)
            connection = self.server.context().wrap_socket(raw, server_hostname="127.0.0.1") if use_tls else raw
        except (OSError, ssl.SSLError) as error:
            results[name] = f"could not connect: {error}"
            return
        with connection:
            started = time.monotonic()
            try:
                connection.sendall(prefix)
                connection.settimeout(0.0)
                position = 0
                while time.monotonic() - started < SLOW_TEST_LIMIT_SECONDS:
                    readable, _, _ = select.select([connection], [], [], 1.0)
                    if readable:
                        try:
                            if not connection.recv(4096):
                                break
                        except (ssl.SSLWantReadError, BlockingIOError):
                            pass
                        continue
                    if position < len(drip):
                        connection.sendall(drip[position:position + 1])
                        position += 1
                else:
                    results[name] = f"still connected after {SLOW_TEST_LIMIT_SECONDS}s"
                    return
            except (OSError, ssl.SSLError):
                pass
            results[name] = round(time.monotonic() - started, 1)

if __name__ == "__main__":
    unittest.main()
