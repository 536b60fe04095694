"""Shared helpers of the end-to-end suite: start the real `meshward` binary on free 127.0.0.1
ports, talk to it over real TLS, build AdmissionReviews, apply JSON Patches, read metrics and
the audit log. Standard library only; curl/openssl are run by the tests themselves."""

import base64
import copy
import http.client
import json
import os
import re
import select
import selectors
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import uuid

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(E2E_DIR, "testdata")
SOURCE_DIR = os.environ.get("MESHWARD_SOURCE_DIR", os.path.dirname(E2E_DIR))
SHARED_DIR = os.environ.get("MESHWARD_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
BINARY = os.environ.get("MESHWARD_BINARY", os.path.join(SOURCE_DIR, "build", "meshward"))
GENERATE_CERTS = os.path.join(SOURCE_DIR, "certs", "generate.sh")
CLUSTER_STATE = os.path.join(TESTDATA, "cluster-state")

# Bounds for waits on a condition. Generous, because the suite also runs against the
# ASan+UBSan build (2-5x slower); a passing run never waits for them to expire.
STARTUP_SECONDS = 60
REQUEST_SECONDS = 30
RELOAD_SECONDS = 15
EXIT_SECONDS = 60
POLL_SECONDS = 0.05

MESH_NAMESPACE = "mesh-apps"      # labelled istio-injection=enabled in testdata/cluster-state
PLAIN_NAMESPACE = "plain-apps"    # no injection label
ADMIN_GROUPS = ["system:masters", "system:authenticated"]
DEVELOPER_GROUPS = ["developers", "system:authenticated"]

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "SUMMARY: UndefinedBehaviorSanitizer", "SUMMARY: AddressSanitizer")

RESOURCES = {"Pod": "pods", "Deployment": "deployments", "Namespace": "namespaces",
             "Service": "services", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets",
             "AuthorizationPolicy": "authorizationpolicies", "MutatingWebhookConfiguration": "mutatingwebhookconfigurations"}


def free_port(avoid=None):
    """A port that was free on 127.0.0.1 a moment ago (the server binds it next)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != avoid:
            return port


def read_pipe_lines(stream, wanted, seconds):
    """JSON records, one per newline-terminated line, from a pipe until `wanted` arrived or nothing
    came for `seconds`."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    data = b""
    while data.count(b"\n") < wanted and selector.select(timeout=seconds):
        chunk = os.read(stream.fileno(), 1 << 16)
        if not chunk:
            break
        data += chunk
    selector.close()
    return [json.loads(line) for line in data.split(b"\n") if line.strip()]


def wait_until(condition, seconds, what):
    """Polls `condition` until it returns a truthy value; raises AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(POLL_SECONDS)


def load_json(relative_path):
    with open(os.path.join(TESTDATA, relative_path), encoding="utf-8") as source:
        return json.load(source)


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            return source.read()
    except FileNotFoundError:
        return ""


def generate_certs(out_dir, *extra_args, service="meshward", namespace="meshward-system"):
    """Runs certs/generate.sh; returns the caBundle it printed."""
    args = [GENERATE_CERTS, "--out", out_dir] + list(extra_args)
    if service:
        args += ["--service", service, "--namespace", namespace]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise AssertionError(f"generate.sh {args} failed ({result.returncode}): {result.stderr}")
    return result.stdout.strip()


def tls_context(ca_file, client_cert=None, client_key=None):
    context = ssl.create_default_context(cafile=ca_file)
    if client_cert:
        context.load_cert_chain(client_cert, client_key)
    return context


def error_body(body):
    """The parsed JSON error body of a transport error, or None when it is not one."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(document, dict) and isinstance(document.get("error"), str) and document["error"]:
        return document
    return None


# ---------------------------------------------------------------------------------------------
# AdmissionReviews

def review(obj, *, operation="CREATE", user="jane", groups=None, api_version="admission.k8s.io/v1",
           dry_run=False, old_object=None, uid=None):
    """An AdmissionReview for `obj` as the API server would send it."""
    source = obj if obj is not None else old_object
    group, _, version = source.get("apiVersion", "v1").rpartition("/")
    kind = source["kind"]
    metadata = source.get("metadata", {})
    request = {
        "uid": uid or str(uuid.uuid4()),
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": RESOURCES.get(kind, kind.lower() + "s")},
        "operation": operation,
        "userInfo": {"username": user, "groups": list(groups if groups is not None else DEVELOPER_GROUPS)},
        "dryRun": dry_run,
        "object": obj,
        "oldObject": old_object,
    }
    if "namespace" in metadata:
        request["namespace"] = metadata["namespace"]
    if "name" in metadata:
        request["name"] = metadata["name"]
    return {"apiVersion": api_version, "kind": "AdmissionReview", "request": request}


def decoded_patch(response):
    """The JSON Patch of an AdmissionResponse as a list of operations ([] when absent)."""
    if "patch" not in response:
        return []
    return json.loads(base64.b64decode(response["patch"], validate=True))


def _pointer_tokens(pointer):
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} does not start with /")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _array_index(container, token, allow_end):
    if token == "-" and allow_end:
        return len(container)
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise ValueError(f"bad array index {token!r}")
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise ValueError(f"array index {index} out of range")
    return index


def apply_patch(document, operations):
    """Applies RFC 6902 add/replace/remove/test operations to a copy of `document`."""
    result = copy.deepcopy(document)
    for operation in operations:
        op = operation["op"]
        tokens = _pointer_tokens(operation["path"])
        if not tokens:
            raise ValueError("operations on the whole document are not expected from meshward")
        parent = result
        for token in tokens[:-1]:
            parent = parent[_array_index(parent, token, False)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if op == "test":
            current = parent[_array_index(parent, last, False)] if isinstance(parent, list) else parent[last]
            if current != operation["value"]:
                raise ValueError(f"test failed at {operation['path']}")
        elif op == "add":
            if isinstance(parent, list):
                parent.insert(_array_index(parent, last, True), copy.deepcopy(operation["value"]))
            elif isinstance(parent, dict):
                parent[last] = copy.deepcopy(operation["value"])
            else:
                raise ValueError(f"add into a scalar at {operation['path']}")
        elif op == "replace":
            if isinstance(parent, list):
                parent[_array_index(parent, last, False)] = copy.deepcopy(operation["value"])
            elif last in parent:
                parent[last] = copy.deepcopy(operation["value"])
            else:
                raise ValueError(f"replace of a missing member {operation['path']}")
        elif op == "remove":
            if isinstance(parent, list):
                del parent[_array_index(parent, last, False)]
            elif last in parent:
                del parent[last]
            else:
                raise ValueError(f"remove of a missing member {operation['path']}")
        else:
            raise ValueError(f"unexpected patch op {op!r}")
    return result


# ---------------------------------------------------------------------------------------------
# Metrics

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """[(name, {label: value}, float)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise AssertionError(f"unparseable metrics line: {line!r}")
        labels = dict(_LABEL.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def metric_sum(samples, name, **labels):
    """Sum of every sample of `name` whose labels include `labels`."""
    return sum(value for sample_name, sample_labels, value in samples
               if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items()))


# ---------------------------------------------------------------------------------------------
# Raw HTTP over a socket (for slow clients and requests cut in the middle)

def read_http_response(sock, seconds, data=b""):
    """Reads one HTTP/1.1 response with a Content-Length body (`data`: bytes already read):
    (status, headers, body)."""
    deadline = time.monotonic() + seconds
    while b"\r\n\r\n" not in data:
        data += _recv_some(sock, deadline)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += _recv_some(sock, deadline)
    return status, headers, body[:length]


def _recv_some(sock, deadline):
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("connection closed before a complete response")
    return chunk


def send_and_read_response(sock, parts, seconds):
    """Sends `parts` one after another, but stops sending as soon as the server answers (a
    server may reject a request from its headers alone and close): (status, headers, body)."""
    early = b""
    for index, part in enumerate(parts):
        if index == 1:
            select.select([sock], [], [], 1.0)
        early = _bytes_already_sent(sock)
        if early is None or early:
            break
        try:
            sock.sendall(part)
        except (OSError, ssl.SSLError) as send_error:
            # The server answered and closed between the check above and this write: its answer
            # is already on its way, so read it (and report the write error if there is none).
            try:
                return read_http_response(sock, seconds)
            except (OSError, ssl.SSLError, ValueError):
                raise send_error from None
    return read_http_response(sock, seconds, early or b"")


def _bytes_already_sent(sock):
    """Application bytes the server has sent so far without blocking: b"" when none, None
    when it closed. (A readable TLS socket may only hold session tickets.)"""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return sock.recv(65536) or None
    except (ssl.SSLWantReadError, BlockingIOError):
        return b""
    finally:
        sock.settimeout(timeout)


def http_request_bytes(method, path, body=b"", content_type="application/json", extra_headers=""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}\r\n")
    return head.encode("latin-1") + body


# ---------------------------------------------------------------------------------------------
# The server

class ServerError(AssertionError):
    pass


class MeshwardServer:
    """One `meshward serve` process on free 127.0.0.1 ports, its logs in files under `work_dir`.

    tls=None lets the server generate its own certificate (the CA file is named in its first
    log line); tls=(cert, key, ca) serves the given pair. client_cert=(cert, key) is what the
    helpers present when the server is started with --client-ca."""

    def __init__(self, work_dir, *, tls=None, client_ca=None, client_cert=None, config=None,
                 cluster_state=CLUSTER_STATE, extra_args=(), audit_log=True, stdout_pipe=False):
        self.work_dir = work_dir
        self.tls = tls
        self.client_ca = client_ca
        self.config = config
        self.cluster_state = cluster_state
        self.extra_args = list(extra_args)
        self.audit_log = os.path.join(work_dir, "audit.log") if audit_log else None
        self.stdout_path = os.path.join(work_dir, "server.stdout")
        self.stdout_pipe = stdout_pipe  # stdout a pipe that only the test reads (self.process.stdout)
        self.stderr_path = os.path.join(work_dir, "server.stderr")
        self.process = None
        self.port = None
        self.metrics_port = None
        self.ca_file = tls[2] if tls else None
        self.client_cert, self.client_key = client_cert or (None, None)

    # -- process -------------------------------------------------------------------------------

    def argv(self):
        args = [BINARY, "serve", "--listen", f"127.0.0.1:{self.port}",
                "--metrics-listen", f"127.0.0.1:{self.metrics_port}", "--reload-interval", "200ms"]
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        if self.client_ca:
            args += ["--client-ca", self.client_ca]
        if self.config:
            args += ["--config", self.config]
        if self.cluster_state:
            args += ["--cluster-state", self.cluster_state]
        if self.audit_log:
            args += ["--audit-log", self.audit_log]
        return args + self.extra_args

    def start(self, wait_for="/readyz"):
        """Starts the server and waits until `wait_for` answers 200 (None: do not wait). Retries
        with new ports when one was taken between free_port() and the server's bind."""
        for _attempt in range(3):
            self.port = free_port()
            self.metrics_port = free_port(avoid=self.port)
            with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
                self.process = subprocess.Popen(self.argv(), stdout=subprocess.PIPE if self.stdout_pipe else stdout,
                                                stderr=stderr, stdin=subprocess.DEVNULL,
                                                cwd=self.work_dir, env=dict(os.environ, TMPDIR=self.work_dir))
            try:
                if self.tls is None:
                    self.ca_file = self._wait_for_generated_ca()
                if wait_for is not None:
                    self.wait_for_status(wait_for, 200, STARTUP_SECONDS)
                return self
            except ServerError:
                if self.process.poll() is not None and re.search(r"in use|bind", self.stderr(), re.I):
                    continue
                raise
        raise ServerError(f"could not find free ports for meshward in 3 attempts{self.diagnostics()}")

    def _wait_for_generated_ca(self):
        """The CA file named in the first log line (polled until the file holds a certificate)."""
        def first_line():
            return self.stderr().split("\n", 1)[0] if "\n" in self.stderr() else ""

        def named_ca():
            if self.process.poll() is not None:
                raise ServerError(f"meshward exited ({self.process.returncode}) before naming its CA"
                                  f"{self.diagnostics()}")
            return ca_path_in(first_line(), self.work_dir)
        try:
            return wait_until(named_ca, STARTUP_SECONDS, "the CA file named in the first log line")
        except ServerError:
            raise
        except AssertionError:
            raise ServerError(f"the first log line names no readable CA file: {first_line()!r}") from None

    def stop(self, sig=signal.SIGTERM, seconds=EXIT_SECONDS):
        """Signals the server and returns its exit code (killing it if it hangs)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=seconds)
                raise ServerError(f"meshward did not exit within {seconds}s of signal {sig}")
        return self.process.returncode

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=EXIT_SECONDS)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stderr(self):
        return read_text(self.stderr_path)

    def stdout(self):
        return read_text(self.stdout_path)

    def diagnostics(self, lines=40):
        tail = "\n".join(self.stderr().splitlines()[-lines:])
        state = "running" if self.alive() else f"exited {self.process.returncode if self.process else None}"
        return f"\n--- meshward ({state}) stderr tail ---\n{tail}\n---"

    def sanitizer_reports(self):
        return [line for line in self.stderr().splitlines() if any(marker in line for marker in SANITIZER_MARKERS)]

    # -- HTTPS ---------------------------------------------------------------------------------

    def context(self, ca_file=None):
        return tls_context(ca_file or self.ca_file, self.client_cert, self.client_key)

    def connection(self, timeout=REQUEST_SECONDS, context=None):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=context or self.context())

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_SECONDS, context=None):
        """One request on a fresh connection: (status, headers, body bytes)."""
        connection = self.connection(timeout, context)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def post_json(self, path, document, timeout=REQUEST_SECONDS):
        body = document if isinstance(document, (bytes, bytearray)) else json.dumps(document).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"}, timeout)

    def post_streamed(self, path, body, content_type="application/json", timeout=REQUEST_SECONDS):
        """POSTs `body` in 16 KiB pieces on a raw TLS socket, stopping as soon as the server
        answers (e.g. 413 from the Content-Length alone): (status, headers, body)."""
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        parts = [head] + [body[i:i + 16384] for i in range(0, len(body), 16384)]
        with self.raw_tls_socket(timeout) as connection:
            return send_and_read_response(connection, parts, timeout)

    def admit(self, document, path="/validate"):
        """POSTs an AdmissionReview and returns the AdmissionResponse; fails on anything but 200."""
        status, _, body = self.post_json(path, document)
        if status != 200:
            raise AssertionError(f"POST {path} answered {status}: {body[:500]!r}{self.diagnostics()}")
        answer = json.loads(body)
        return answer["response"]

    def wait_for_status(self, path, status, seconds):
        def answered():
            if self.process.poll() is not None:
                raise ServerError(f"meshward exited with {self.process.returncode}{self.diagnostics()}")
            try:
                return self.request("GET", path, timeout=5)[0] == status
            except (OSError, ssl.SSLError, http.client.HTTPException):
                return False
        try:
            wait_until(answered, seconds, f"GET {path} -> {status}")
        except AssertionError as error:
            if isinstance(error, ServerError):
                raise
            raise ServerError(f"{error}{self.diagnostics()}") from None

    # -- metrics and audit ---------------------------------------------------------------------

    def metrics_text(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=REQUEST_SECONDS)
        try:
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            body = response.read().decode()
            if response.status != 200:
                raise AssertionError(f"GET /metrics answered {response.status}: {body[:300]}")
            return body
        finally:
            connection.close()

    def metrics(self):
        return parse_metrics(self.metrics_text())

    def audit_records(self):
        records = []
        for line in read_text(self.audit_log).splitlines():
            if line.strip():
                records.append(json.loads(line))
        return records

    def audit_record(self, uid, webhook=None, seconds=RELOAD_SECONDS):
        """The audit record of request `uid` (written before the answer, so normally at once);
        with `webhook`, the record must say it came from that webhook ("validate" | "mutate")."""
        records = wait_until(lambda: [record for record in self.audit_records() if record.get("uid") == uid],
                             seconds, f"the audit record of {uid}")
        if webhook is not None and all(record.get("webhook") != webhook for record in records):
            raise AssertionError(f"audit record of {uid} has webhook {[r.get('webhook') for r in records]}, "
                                 f"expected {webhook!r}")
        return next(record for record in records if webhook is None or record.get("webhook") == webhook)

    def raw_tls_socket(self, timeout=REQUEST_SECONDS, context=None):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            return (context or self.context()).wrap_socket(raw, server_hostname="127.0.0.1")
        except BaseException:
            raw.close()
            raise


def ca_path_in(line, work_dir):
    """The first path in `line` naming a PEM certificate file (relative paths from work_dir)."""
    for candidate in re.findall(r"[\w./~-]*[\w-]+\.(?:pem|crt)\b|/[^\s'\",;()\[\]]+", line):
        path = candidate if os.path.isabs(candidate) else os.path.join(work_dir, candidate)
        if "BEGIN CERTIFICATE" in read_text(path):
            return path
    return None


class ServerTestCase(unittest.TestCase):
    """Base class: a temporary folder per test class, servers killed when the class ends."""

    @classmethod
    def setUpClass(cls):
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"meshward binary not found at {BINARY} (set MESHWARD_BINARY)")
        temporary = tempfile.TemporaryDirectory(prefix="meshward-e2e-")
        cls.addClassCleanup(temporary.cleanup)
        cls.tmp = temporary.name

    @classmethod
    def start_server(cls, name="server", wait_for="/readyz", **options):
        """Starts a server that is killed when the class ends, even if setUpClass fails later."""
        work_dir = os.path.join(cls.tmp, name)
        os.makedirs(work_dir, exist_ok=True)
        server = MeshwardServer(work_dir, **options)
        cls.addClassCleanup(server.kill)
        return server.start(wait_for)

    def assertExitsCleanly(self, server):
        """SIGTERM -> exit 0 and no sanitizer report in the log."""
        code = server.stop()
        self.assertEqual(code, 0, f"meshward exited with {code} on SIGTERM{server.diagnostics()}")
        self.assertEqual(server.sanitizer_reports(), [], server.diagnostics(80))


# -- the Kubernetes API stand-in ----------------------------------------------------------------

FAKE_APISERVER = os.environ.get("FAKE_KUBE_APISERVER", os.path.join(os.path.dirname(BINARY), "test", "fake_kube_apiserver"))


class ApiStandInError(AssertionError):
    """The API stand-in did not start, or refused a control request."""


class FakeApiServer:
    """One fake_kube_apiserver process (test/support): its kubeconfig and its control listener."""

    def __init__(self, work_dir, *extra_args, binary=None):
        os.makedirs(work_dir, exist_ok=True)
        self.stderr_path = os.path.join(work_dir, "fake.stderr")
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen([binary or FAKE_APISERVER, "--dir", work_dir, *extra_args],
                                            stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        line = self.process.stdout.readline()
        if not line:
            raise ApiStandInError(f"fake_kube_apiserver did not start: {read_text(self.stderr_path)}")
        started = json.loads(line)
        self.port = started["port"]
        self.control_port = started["control_port"]
        self.kubeconfig = started["kubeconfig"]

    def control(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=REQUEST_SECONDS)
        try:
            payload = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
            connection.request(method, path, body=payload)
            response = connection.getresponse()
            text = response.read().decode()
            if response.status != 200:
                raise ApiStandInError(f"API stand-in {method} {path} -> {response.status}: {text[:300]}")
            return json.loads(text) if text else None
        finally:
            connection.close()

    def apply(self, *objects, silent=False):
        """Adds or replaces objects; `silent` changes them without a watch event (only a relist sees it)."""
        self.control("POST", "/apply?delivery=silent" if silent else "/apply", list(objects))

    def remove(self, obj):
        """Deletes `obj` (its apiVersion, kind, namespace and name) from the stand-in."""
        api_version, metadata = obj["apiVersion"], obj["metadata"]
        self.control("POST", "/remove", {"group": api_version.split("/")[0] if "/" in api_version else "",
                                         "kind": obj["kind"], "namespace": metadata.get("namespace", ""),
                                         "name": metadata["name"]})

    def stats(self):
        return self.control("GET", "/stats")

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=EXIT_SECONDS)
        self.process.stdout.close()
        return self.process.returncode
