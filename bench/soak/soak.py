"""The soak test of issue 16: `meshward serve --kubeconfig` against the Kubernetes API stand-in
for MINUTES while client threads send a mix of valid and invalid AdmissionReviews over
keep-alive TLS and a chaos thread drops watches, expires history (410s), changes the cluster,
rewrites the policy and replaces the key pair. It samples meshward's RSS, open file descriptors,
threads, answers and audit lines, and at the end (after SIGTERM, which flushes the audit log)
checks: no 5xx, one audit line per 200 admission answer (and for every uid answered 200), every
decision as expected, every chaos step followed, the cache equal to the cluster, no fd growth
and no RSS growth over the second half of the load (what grows early is pools and malloc arenas
settling). Prints a Markdown table and PASS/FAIL lines; exits 1 on any FAIL.

Usage: python3 bench/soak/soak.py --minutes 30 --build-dir build-release [--clients 4] [--rate 200]
Everything listens on 127.0.0.1; processes and the work folder go away at the end (--keep keeps
the folder). Standard library only."""

import argparse
import collections
import datetime
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import chaos
import workload

support = workload.support
MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Accounting of every request sent

class Accounting:
    """Thread-safe counts of what the clients and probes sent and got."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = collections.Counter()          # HTTP status -> answers
        self.by_request = collections.defaultdict(collections.Counter)  # request name -> status -> answers
        self.transport_errors = collections.Counter()   # request name + error type -> count
        self.error_examples = []
        self.wrong = collections.Counter()              # request name -> unexpected answers
        self.wrong_examples = []
        self.uid_mismatches = 0
        self.ok_uids = []                               # uids of every 200 admission answer
        self.first_decision = {}                        # corpus request name -> (allowed, patched)

    def answered(self, name, status, uid=None):
        with self.lock:
            self.by_status[status] += 1
            self.by_request[name][status] += 1
            if status == 200 and uid is not None:
                self.ok_uids.append(uid)

    def transport_error(self, name, error):
        with self.lock:
            self.transport_errors[f"{name}: {type(error).__name__}"] += 1
            if len(self.error_examples) < 20:
                self.error_examples.append(f"{time.strftime('%H:%M:%S')} {name}: {error!r}")

    def unexpected(self, name, what):
        with self.lock:
            self.wrong[name] += 1
            if len(self.wrong_examples) < 20:
                self.wrong_examples.append(f"{time.strftime('%H:%M:%S')} {name}: {what}")

    def snapshot(self):
        with self.lock:
            total = sum(self.by_status.values())
            return {"answered": total, "ok": self.by_status[200],
                    "4xx": sum(n for status, n in self.by_status.items() if 400 <= status < 500),
                    "5xx": sum(n for status, n in self.by_status.items() if status >= 500),
                    "errors": sum(self.transport_errors.values()), "wrong": sum(self.wrong.values())}


def check_answer(accounting, request, uid, status, body):
    """Compares one answer with what `request` expects; returns True when it is a 200 review."""
    kind, detail = request.expect
    if kind == "status":
        if status != detail:
            accounting.unexpected(request.name, f"HTTP {status} (expected {detail}): {body[:200]!r}")
        elif support.error_body(body) is None:
            accounting.unexpected(request.name, f"HTTP {status} without a JSON error body: {body[:200]!r}")
        return False
    if status != 200:
        accounting.unexpected(request.name, f"HTTP {status}: {body[:300]!r}")
        return False
    try:
        response = json.loads(body)["response"]
    except (ValueError, KeyError, TypeError) as error:
        accounting.unexpected(request.name, f"not an AdmissionReview answer ({error}): {body[:300]!r}")
        return True
    if response.get("uid") != uid:
        with accounting.lock:
            accounting.uid_mismatches += 1
        accounting.unexpected(request.name, f"answer for uid {response.get('uid')!r}, sent {uid!r}")
    decision = (bool(response.get("allowed")), "patch" in response)
    if kind == "any":
        with accounting.lock:
            first = accounting.first_decision.setdefault(request.name, decision)
        if decision != first:
            accounting.unexpected(request.name, f"decision {decision}, first answer was {first}")
    elif kind == "allowed":
        if decision != (True, detail):
            message = response.get("status", {}).get("message", "")
            accounting.unexpected(request.name, f"allowed={decision[0]} patched={decision[1]} (expected allowed, "
                                                f"patched={detail}) {message[:300]}")
    elif kind == "denied":
        message = response.get("status", {}).get("message", "")
        if decision[0] or f"[{detail}]" not in message:
            accounting.unexpected(request.name, f"allowed={decision[0]}, expected a [{detail}] denial: "
                                                f"{message[:300]}")
    return True


# ---------------------------------------------------------------------------------------------
# Clients

class Client(threading.Thread):
    """Sends the mix at `rate` requests/s over one keep-alive TLS connection, reconnecting every
    few hundred requests (new handshakes meet replaced certificates) and whenever the server
    closes; a request is never retried (its uid would be audited twice)."""

    def __init__(self, harness, index, rate, seed):
        super().__init__(name=f"client-{index}", daemon=True)
        self.harness = harness
        self.period = 1.0 / rate
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.connection = None
        self.sent_on_connection = 0
        self.reconnect_after = 0
        self.connections = 0

    def run(self):
        mix = self.harness.mix
        weights = [request.weight for request in mix]
        due = time.monotonic()
        while not self.stop_event.is_set():
            request = self.random.choices(mix, weights)[0]
            self.send(request)
            due += self.period
            delay = due - time.monotonic()
            if delay > 0:
                self.stop_event.wait(delay)
            elif delay < -1:
                due = time.monotonic()  # fell behind (a slow moment): do not burst to catch up
        self.close()

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, request):
        uid = str(uuid.uuid4())
        body = request.body_with_uid(uid)
        accounting = self.harness.accounting
        try:
            if request.raw:
                status, _, answer = self.raw(request, body)
            else:
                status, answer = self.keep_alive(request, body)
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as error:
            self.close()
            accounting.transport_error(request.name, error)
            return
        review_ok = check_answer(accounting, request, uid, status, answer)
        accounting.answered(request.name, status, uid if review_ok else None)

    def keep_alive(self, request, body):
        if self.connection is None or self.sent_on_connection >= self.reconnect_after:
            self.close()
            self.connection = http.client.HTTPSConnection("127.0.0.1", self.harness.port, timeout=30,
                                                          context=self.harness.certs.context())
            self.connection.connect()
            self.connections += 1
            self.sent_on_connection = 0
            self.reconnect_after = self.random.randint(100, 500)
        headers = {"Content-Type": request.content_type} if request.method == "POST" else {}
        self.connection.request(request.method, request.path, body=body if request.method == "POST" else None,
                                headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        self.sent_on_connection += 1
        if response.will_close or self.connection.sock is None:
            self.close()  # the server closed it (e.g. a refused body left unread)
        return response.status, answer

    def raw(self, request, body):
        """Headers, then the body in pieces on its own connection, stopping when the server answers
        from the headers alone (413 from the Content-Length)."""
        head = support.http_request_bytes(request.method, request.path, b"", request.content_type,
                                          "Connection: close\r\n")
        head = head.replace(b"Content-Length: 0", f"Content-Length: {len(body)}".encode(), 1)
        parts = [head] + [body[i:i + 65536] for i in range(0, len(body), 65536)]
        raw = socket.create_connection(("127.0.0.1", self.harness.port), timeout=30)
        with self.harness.certs.context().wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return support.send_and_read_response(tls, parts, 30)


class Prober(threading.Thread):
    """GET /readyz and /healthz once a second on a new connection each, as the kubelet probes."""

    def __init__(self, harness):
        super().__init__(name="prober", daemon=True)
        self.harness = harness
        self.stop_event = threading.Event()
        self.polls = collections.Counter()
        self.failures = []

    def run(self):
        while not self.stop_event.wait(1.0):
            for path in ("/readyz", "/healthz"):
                try:
                    connection = http.client.HTTPSConnection("127.0.0.1", self.harness.port, timeout=10,
                                                             context=self.harness.certs.context())
                    try:
                        connection.request("GET", path)
                        response = connection.getresponse()
                        status, body = response.status, response.read()
                    finally:
                        connection.close()
                except (OSError, ssl.SSLError, http.client.HTTPException) as error:
                    status, body = type(error).__name__, repr(error).encode()
                self.polls[(path, status)] += 1
                if status != 200 and len(self.failures) < 20:
                    self.failures.append(f"{self.harness.elapsed():7.1f}s GET {path}: {status} {body[:200]!r}")

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


# ---------------------------------------------------------------------------------------------
# The audit log, read as it grows (and rotates: FILE -> FILE.1 -> ...)

class AuditTail:
    """Counts complete lines of the audit file and its rotations by inode, so a rotation neither
    loses nor double-counts a line; keeps every record's uid and the policyHash of the probes."""

    def __init__(self, path, keep_files=5):
        self.path = path
        self.keep_files = keep_files
        self.offsets = {}   # inode -> bytes consumed (up to the last newline)
        self.lines = 0
        self.malformed = 0
        self.uids = collections.Counter()
        self.probe_hashes = {}
        self.probe_uids = set()
        self.files_seen = 0
        self.lock = threading.Lock()

    def update(self):
        with self.lock:
            for candidate in [self.path] + [f"{self.path}.{index}" for index in range(1, self.keep_files + 1)]:
                try:
                    source = open(candidate, "rb")
                except FileNotFoundError:
                    continue
                with source:
                    inode = os.fstat(source.fileno()).st_ino
                    if inode not in self.offsets:
                        self.offsets[inode] = 0
                        self.files_seen += 1
                    source.seek(self.offsets[inode])
                    data = source.read()
                    end = data.rfind(b"\n") + 1
                    self.offsets[inode] += end
                    for line in data[:end].splitlines():
                        self.record(line)

    def record(self, line):
        if not line.strip():
            return
        self.lines += 1
        try:
            record = json.loads(line)
            uid = record["uid"]
        except (ValueError, KeyError, TypeError):
            self.malformed += 1
            return
        self.uids[uid] += 1
        if uid in self.probe_uids:
            self.probe_hashes[uid] = record.get("policyHash")


# ---------------------------------------------------------------------------------------------
# The harness

def read_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kib(text):
    return int(text.split()[0]) if text else 0


class Harness:
    def __init__(self, arguments):
        self.arguments = arguments
        self.binary = os.path.abspath(os.path.join(arguments.build_dir, "meshward"))
        self.fake_binary = os.path.abspath(os.path.join(arguments.build_dir, "test", "fake_kube_apiserver"))
        self.work = tempfile.mkdtemp(prefix="meshward-soak-")
        self.accounting = Accounting()
        self.mix = workload.request_mix()
        self.samples = []
        self.probes = []  # (label, uid)
        self.process = None
        self.fake = None
        self.started = time.monotonic()
        self.exit_code = None
        self.checks = []  # (passed, text)
        self.passed = False

    def elapsed(self):
        return time.monotonic() - self.started

    def log(self, text):
        print(f"[soak {self.elapsed():7.1f}s] {text}", file=sys.stderr, flush=True)

    # -- processes ----------------------------------------------------------------------------

    def start(self):
        self.log(f"work folder {self.work}")
        self.fake = support.FakeApiServer(os.path.join(self.work, "fake"), binary=self.fake_binary)
        objects = workload.cluster_objects()
        self.fake.apply(*objects)
        self.model = chaos.ClusterModel(objects)
        self.log(f"API stand-in on 127.0.0.1:{self.fake.port} holds {len(objects)} objects "
                 f"({self.model.count('Pod')} pods)")
        self.certs = chaos.Certificates(os.path.join(self.work, "certs"))
        self.policy = chaos.AtomicFolder(os.path.join(self.work, "config"),
                                         {"policy.yaml": chaos.policy_text("256Mi", 0)})
        self.audit_path = os.path.join(self.work, "audit", "audit.log")
        os.makedirs(os.path.dirname(self.audit_path))
        self.audit = AuditTail(self.audit_path)
        self.stderr_path = os.path.join(self.work, "meshward.stderr")
        for _attempt in range(3):
            self.port = support.free_port()
            self.metrics_port = support.free_port(avoid=self.port)
            argv = [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}",
                    "--metrics-listen", f"127.0.0.1:{self.metrics_port}",
                    "--kubeconfig", self.fake.kubeconfig, "--config", self.policy.file("policy.yaml"),
                    "--tls-cert", self.certs.secret.file("tls.crt"), "--tls-key", self.certs.secret.file("tls.key"),
                    "--audit-log", self.audit_path, "--audit-stdout",
                    "--max-request-bytes", str(workload.MAX_REQUEST_BYTES)]
            self.argv = argv
            with open(self.stderr_path, "wb") as stderr, open(os.devnull, "wb") as devnull:
                self.process = subprocess.Popen(argv, stdout=devnull, stderr=stderr, stdin=subprocess.DEVNULL,
                                                cwd=self.work)
            if self.wait_ready():
                break
            if self.process.poll() is not None and "in use" in support.read_text(self.stderr_path):
                continue
            raise chaos.ChaosFailure(f"meshward did not become ready:\n{self.stderr_tail()}")
        self.log(f"meshward pid {self.process.pid} ready on 127.0.0.1:{self.port} (metrics {self.metrics_port})")

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=5,
                                                         context=self.certs.context())
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return True
                connection.close()
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        return False

    def stderr_tail(self, lines=30):
        return "\n".join(support.read_text(self.stderr_path).splitlines()[-lines:])

    def cleanup(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        if self.fake is not None:
            self.fake.stop()
        if self.arguments.keep:
            self.log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- requests outside the clients -----------------------------------------------------------

    def metrics(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=30)
        try:
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            text = response.read().decode()
            if response.status != 200:
                raise chaos.ChaosFailure(f"GET /metrics -> {response.status}")
            return support.parse_metrics(text)
        finally:
            connection.close()

    def admit(self, request_name, document, path="/validate"):
        """One review on a new connection, counted like the clients' (it is audited too)."""
        uid = document["request"]["uid"]
        request = workload.Request(request_name, path, document, ("any", None), 0)
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=self.certs.context())
        try:
            connection.request("POST", path, body=request.body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            status, body = response.status, response.read()
        except (OSError, ssl.SSLError, http.client.HTTPException) as error:
            self.accounting.transport_error(request_name, error)
            raise chaos.ChaosFailure(f"{request_name}: {error!r}") from None
        finally:
            connection.close()
        self.accounting.answered(request_name, status, uid if status == 200 else None)
        if status != 200:
            raise chaos.ChaosFailure(f"{request_name}: HTTP {status}: {body[:300]!r}")
        return json.loads(body)["response"]

    def expect_namespace_decision(self, namespace_name, injected, seconds):
        """A 64Mi-sidecar pod in the namespace is denied exactly when it is injected."""
        deadline = time.monotonic() + seconds
        while True:
            document = workload.review(workload.denied_pod(namespace_name), uid=str(uuid.uuid4()))
            if self.admit("probe:namespace", document)["allowed"] != injected:
                return
            if time.monotonic() > deadline:
                raise chaos.ChaosFailure(f"meshward did not see namespace {namespace_name} "
                                         f"{'injected' if injected else 'without injection'} within {seconds}s")
            time.sleep(0.1)

    def probe_policy_hash(self, label):
        uid = str(uuid.uuid4())
        with self.audit.lock:
            self.audit.probe_uids.add(uid)
        self.probes.append((label, uid))
        self.admit("probe:policy", workload.review(workload.new_pod("shop", "512Mi", "128Mi"), uid=uid))

    # -- sampling -----------------------------------------------------------------------------

    def sample(self):
        status = read_status(self.process.pid)
        fds = len(os.listdir(f"/proc/{self.process.pid}/fd"))
        samples = self.metrics()
        self.audit.update()
        with open("/proc/loadavg", encoding="utf-8") as loadavg:
            load = float(loadavg.read().split()[0])
        http_codes = collections.Counter()
        for name, labels, value in samples:
            if name == "meshward_http_requests_total":
                http_codes[labels.get("code", "")] += value
        row = {"t": self.elapsed(), "rss_kib": kib(status.get("VmRSS")), "hwm_kib": kib(status.get("VmHWM")),
               "threads": int(status.get("Threads", "0")), "fds": fds, "cpu": cpu_seconds(self.process.pid),
               "load": load, "audit": self.audit.lines, "server_5xx": sum(v for c, v in http_codes.items()
                                                                           if c.startswith("5")),
               "chaos": sum(list(self.chaos.counts.values())) if hasattr(self, "chaos") else 0}
        row.update(self.accounting.snapshot())
        self.samples.append(row)
        return row

    # -- the run ------------------------------------------------------------------------------

    def baseline(self):
        """Every review of the mix once, sequentially: the expectations hold before any chaos."""
        for request in self.mix:
            if not request.raw:
                client = Client(self, 0, 1, 0)
                client.send(request)
                client.close()
        snapshot = self.accounting.snapshot()
        if snapshot["wrong"] or snapshot["errors"]:
            raise chaos.ChaosFailure("the mix does not get the expected answers before the soak starts (a harness "
                                     "or rules change?):\n  " + "\n  ".join(self.accounting.wrong_examples +
                                                                           self.accounting.error_examples))

    def run(self):
        arguments = self.arguments
        self.start()
        self.baseline()
        self.log(f"baseline: {len(self.mix)} request kinds answered as expected")
        time.sleep(2)
        idle_before = self.sample()
        self.not_ready_at_start = int(support.metric_sum(self.metrics(), "meshward_http_requests_total",
                                                         path="/readyz", code="503"))
        self.chaos = chaos.Chaos(self, arguments.chaos_interval, arguments.seed,
                                 [name for name in arguments.chaos_only.split(",") if name]
                                 if arguments.chaos_only is not None else None)
        self.prober = Prober(self)
        self.prober.start()
        clients = [Client(self, index, arguments.rate / max(1, arguments.clients), arguments.seed * 100 + index)
                   for index in range(arguments.clients)]
        load_started = time.monotonic()
        for client in clients:
            client.start()
        self.chaos.start()
        end = load_started + arguments.minutes * 60
        next_sample = load_started + arguments.sample_seconds
        while time.monotonic() < end:
            time.sleep(max(0.0, min(next_sample, end) - time.monotonic()))
            if self.process.poll() is not None:
                self.log(f"meshward exited ({self.process.returncode}) during the soak")
                break
            if not self.fake.alive():
                self.log("the API stand-in exited during the soak")
                break
            if time.monotonic() >= next_sample:
                row = self.sample()
                next_sample += arguments.sample_seconds
                self.log(f"RSS {row['rss_kib'] / 1024:.1f} MiB, fds {row['fds']}, threads {row['threads']}, "
                         f"answered {row['answered']} (4xx {row['4xx']}, 5xx {row['5xx']}, errors {row['errors']}, "
                         f"wrong {row['wrong']}), audit {row['audit']}, chaos {row['chaos']}, load {row['load']}")
        load_seconds = time.monotonic() - load_started
        self.chaos.stop()
        self.prober.stop()
        for client in clients:
            client.stop_event.set()
        for client in clients:
            client.join(timeout=60)
        self.client_connections = sum(client.connections for client in clients)
        self.load_seconds = load_seconds
        alive = self.process.poll() is None
        converged = self.converge() if alive else "meshward is not running"
        time.sleep(2)
        idle_after = self.sample() if alive else None
        final_metrics = self.metrics() if alive else []
        self.stop_meshward()
        self.audit.update()
        self.report(idle_before, idle_after, final_metrics, converged)

    def converge(self):
        """Waits (bounded) until meshward's cache holds what the stand-in holds, kind by kind."""
        kinds = {kind: kind for kind in ("Namespace", "Pod", "DestinationRule", "VirtualService", "Gateway",
                                         "PeerAuthentication", "AuthorizationPolicy")}  # the watched kinds
        deadline = time.monotonic() + 60
        while True:
            samples = self.metrics()
            differences = []
            for kind, label in kinds.items():
                expected = self.model.count(kind)
                held = support.metric_sum(samples, "meshward_cluster_state_objects", kind=label)
                if held != expected:
                    differences.append(f"{kind} {int(held)} (stand-in {expected})")
            if not differences:
                return ", ".join(f"{kind} {self.model.count(kind)}" for kind in kinds)
            if time.monotonic() > deadline:
                return "NOT CONVERGED: " + ", ".join(differences)
            time.sleep(0.5)

    def stop_meshward(self):
        if self.process.poll() is not None:
            self.exit_code = self.process.returncode
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            self.exit_code = "hung after SIGTERM (killed)"

    # -- the report ---------------------------------------------------------------------------

    def check(self, passed, text):
        self.checks.append((passed, text))

    def report(self, idle_before, idle_after, final_metrics, converged):
        arguments = self.arguments
        accounting = self.accounting
        out = []
        now = datetime.datetime.now(datetime.timezone.utc)
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
        loads = [row["load"] for row in self.samples]
        out.append(f"{now:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({model}), kernel {platform.release()}; "
                   f"load average during the soak {min(loads):.1f}-{max(loads):.1f} "
                   f"(mean {sum(loads) / len(loads):.1f}).")
        out.append(f"{arguments.minutes:g} min of load: {arguments.clients} clients at {arguments.rate:g} req/s in "
                   f"all over keep-alive TLS ({self.client_connections} connections), a chaos step every "
                   f"~{arguments.chaos_interval:g} s; cluster {len(workload.cluster_objects())} objects at the start "
                   f"({self.model.count('Pod')} pods at the end).")
        out.append("")
        out.append("| minute | RSS MiB | fds | threads | requests answered | 4xx | 5xx | audit lines | chaos steps |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        rows = self.table_rows(idle_before, idle_after)
        for label, row in rows:
            out.append(f"| {label} | {row['rss_kib'] / 1024:.1f} | {row['fds']} | {row['threads']} | "
                       f"{row['answered']} | {row['4xx']} | {row['5xx']} | {row['audit']} | {row['chaos']} |")
        out.append("")

        snapshot = accounting.snapshot()
        server_codes = collections.Counter()
        admissions = 0
        for name, labels, value in final_metrics:
            if name == "meshward_http_requests_total":
                server_codes[(labels.get("path"), labels.get("code"))] += int(value)
            if name == "meshward_admission_requests_total":
                admissions += int(value)
        server_ok = sum(n for (path, code), n in server_codes.items() if path in ("/validate", "/mutate")
                        and code == "200")
        server_5xx = sum(n for (path, code), n in server_codes.items() if code.startswith("5") and path != "/readyz")
        server_not_ready = server_codes[("/readyz", "503")] - self.not_ready_at_start
        internal = int(support.metric_sum(final_metrics, "meshward_internal_errors_total"))
        dropped = int(support.metric_sum(final_metrics, "meshward_audit_dropped_total"))
        write_failures = int(support.metric_sum(final_metrics, "meshward_audit_write_failures_total") +
                             support.metric_sum(final_metrics, "meshward_audit_write_errors_total"))

        self.check(self.exit_code == 0, f"meshward exit code on SIGTERM: {self.exit_code}")
        self.check(snapshot["5xx"] == 0 and server_5xx == 0 and internal == 0,
                   f"5xx answers: {snapshot['5xx']} seen by clients, {server_5xx} counted by meshward, "
                   f"internal errors {internal}")
        probes = sum(self.prober.polls.values())
        probe_failures = sum(n for (_, status), n in self.prober.polls.items() if status != 200)
        self.check(probe_failures == 0 and server_not_ready == 0,
                   f"GET /readyz and /healthz once a second: {probes - probe_failures} of {probes} answered 200; "
                   f"meshward counted {server_not_ready} /readyz 503s after it was ready")
        self.check(self.audit.lines == server_ok == admissions and self.audit.malformed == 0,
                   f"audit lines {self.audit.lines} = 200 admission answers {server_ok} (meshward_http_requests_total) "
                   f"= meshward_admission_requests_total {admissions}; malformed lines {self.audit.malformed}, "
                   f"dropped {dropped}, write failures {write_failures}, files {self.audit.files_seen} "
                   f"(rotated at 100 MiB)")
        ok_uids = collections.Counter(accounting.ok_uids)
        missing = sum(1 for uid in ok_uids if self.audit.uids[uid] == 0)
        duplicated = sum(1 for uid, count in self.audit.uids.items() if count > 1)
        unanswered = sum(count for uid, count in self.audit.uids.items() if uid not in ok_uids)
        self.check(missing == 0 and duplicated == 0 and len(ok_uids) == len(accounting.ok_uids),
                   f"every uid answered 200 ({len(ok_uids)}) audited exactly once: {missing} missing, "
                   f"{duplicated} audited twice; {unanswered} audited without a client seeing the answer")
        self.check(snapshot["wrong"] == 0,
                   f"answers as expected: {snapshot['answered'] - snapshot['wrong']} of {snapshot['answered']} "
                   f"(200: {snapshot['ok']}, 4xx: {snapshot['4xx']}), uid mismatches {accounting.uid_mismatches}")
        self.check(snapshot["errors"] == 0, f"client transport errors: {snapshot['errors']}")
        self.check(not self.chaos.failures,
                   f"chaos steps followed: {sum(self.chaos.counts.values()) - len(self.chaos.failures)} of "
                   f"{sum(self.chaos.counts.values())}")
        self.check(self.policy_probes_ok(), self.policy_probe_text())
        self.check(not converged.startswith("NOT") and "not running" not in converged,
                   f"cache equals the stand-in after the soak: {converged}")
        if idle_after:
            fd_growth = idle_after["fds"] - idle_before["fds"]
            self.check(fd_growth <= arguments.fd_slack,
                       f"open fds idle before {idle_before['fds']}, idle after {idle_after['fds']} "
                       f"(growth {fd_growth}, allowed {arguments.fd_slack}); peak {max(r['fds'] for r in self.samples)}")
            middle, end = self.rss_second_half()
            growth = end - middle
            self.check(growth <= arguments.rss_slack_mib,
                       f"RSS start {idle_before['rss_kib'] / 1024:.1f} MiB, peak "
                       f"{max(r['rss_kib'] for r in self.samples) / 1024:.1f} MiB, end {idle_after['rss_kib'] / 1024:.1f} "
                       f"MiB (VmHWM {idle_after['hwm_kib'] / 1024:.1f} MiB); second half of the load {middle:.1f} -> "
                       f"{end:.1f} MiB: growth {growth:+.1f} MiB (allowed {arguments.rss_slack_mib:g})"
                       + (f", slope {self.rss_slope():+.1f} MiB/h" if arguments.minutes >= 10 else ""))
            self.check(idle_after["threads"] <= idle_before["threads"] + 2,
                       f"threads idle before {idle_before['threads']}, idle after {idle_after['threads']}")

        out.append("| check | result |")
        out.append("|---|---|")
        for passed, text in self.checks:
            out.append(f"| {text} | {'PASS' if passed else '**FAIL**'} |")
        out.append("")
        cpu = (idle_after or self.samples[-1])["cpu"] - idle_before["cpu"]
        out.append(f"meshward CPU {cpu:.0f} s over {self.load_seconds:.0f} s of load "
                   f"({100 * cpu / self.load_seconds:.0f} % of one core); "
                   f"certificate swaps served after {self.cert_summary()}.")
        out.append("Chaos steps: " + ", ".join(f"{name} {count}" for name, count in sorted(self.chaos.counts.items()))
                   + ".")
        restarts = collections.Counter()
        for name, labels, value in final_metrics:
            if name == "meshward_cluster_state_watch_restarts_total":
                restarts[labels.get("reason")] += int(value)
        tls = (int(support.metric_sum(final_metrics, "meshward_tls_reloads_total", result="success")),
               int(support.metric_sum(final_metrics, "meshward_tls_reloads_total", result="failure")))
        policy = (int(support.metric_sum(final_metrics, "meshward_policy_reloads_total", result="success")),
                  int(support.metric_sum(final_metrics, "meshward_policy_reloads_total", result="failure")))
        out.append(f"meshward counted: watch restarts {dict(sorted(restarts.items()))}; TLS reloads {tls[0]} ok / "
                   f"{tls[1]} failed; policy reloads {policy[0]} ok / {policy[1]} failed.")
        status_counts = collections.Counter()
        for name, counts in accounting.by_request.items():
            for status, count in counts.items():
                status_counts[status] += count
        out.append("Answers by status: " + ", ".join(f"{status} {count}" for status, count in
                                                     sorted(status_counts.items())) + ".")
        details = accounting.wrong_examples + accounting.error_examples + self.chaos.failures + self.prober.failures
        if details:
            out.append("")
            out.append("First problems:")
            out.extend(f"- {line}" for line in details[:30])
        errors = [line for line in support.read_text(self.stderr_path).splitlines()
                  if line.split(" ")[1:2] in (["error"], ["critical"])]
        expected = [line for line in errors if "policy reload failed, the previous policy stays in force" in line]
        unexpected = [line for line in errors if line not in expected]
        out.append(f"meshward's log: {len(expected)} error lines for the invalid policies (expected), "
                   f"{len(unexpected)} other error lines" + (f"; the first: {unexpected[0][:300]}" if unexpected else "")
                   + ".")
        out.append("")
        passed = all(result for result, _ in self.checks)
        out.append(f"**{'PASS' if passed else 'FAIL'}**: {sum(1 for r, _ in self.checks if r)} of "
                   f"{len(self.checks)} checks passed.")
        text = "\n".join(out)
        print(text, flush=True)
        if arguments.report:
            with open(arguments.report, "w", encoding="utf-8") as target:
                target.write(text + "\n")
        if arguments.samples_csv:
            with open(arguments.samples_csv, "w", encoding="utf-8") as target:
                columns = list(self.samples[0])
                target.write(",".join(columns) + "\n")
                for row in self.samples:
                    target.write(",".join(str(row[column]) for column in columns) + "\n")
        self.passed = passed

    def table_rows(self, idle_before, idle_after):
        """One row per `--table-minutes` of load (every sample for short runs), plus idle rows."""
        rows = [("start (idle)", idle_before)]
        load_start = idle_before["t"]
        step = max(self.arguments.sample_seconds, self.arguments.table_minutes * 60)
        next_mark = step
        for row in self.samples[1:]:
            if idle_after is not None and row is idle_after:
                break
            offset = row["t"] - load_start
            if offset + 1e-6 >= next_mark - self.arguments.sample_seconds / 2:
                rows.append((f"{offset / 60:.1f}" if step < 60 else f"{round(offset / 60):d}", row))
                next_mark += step
        if idle_after is not None:
            rows.append(("end (idle)", idle_after))
        return rows

    def rss_second_half(self):
        """Median RSS (MiB) of the load samples around the middle of the load and in its last
        minute: memory that pools, caches and malloc arenas take early settles by the middle;
        what keeps growing after it is what a leak looks like."""
        load = self.samples[1:-1] or self.samples
        start, stop = load[0]["t"], load[-1]["t"]
        middle_time = (start + stop) / 2
        window = max(60.0, 1.5 * self.arguments.sample_seconds)

        def median_rss(rows):
            values = sorted(row["rss_kib"] for row in rows) or [load[-1]["rss_kib"]]
            return values[len(values) // 2] / 1024
        return (median_rss([row for row in load if abs(row["t"] - middle_time) <= window / 2]),
                median_rss([row for row in load if row["t"] >= stop - window]))

    def rss_slope(self):
        load = self.samples[1:-1]
        half = load[len(load) // 2:]
        if len(half) < 2:
            return 0.0
        xs = [row["t"] / 3600 for row in half]
        ys = [row["rss_kib"] / 1024 for row in half]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        denominator = sum((x - mean_x) ** 2 for x in xs)
        return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / denominator if denominator else 0.0

    def cert_summary(self):
        seconds = sorted(self.chaos.cert_seconds)
        if not seconds:
            return "(no swaps)"
        return (f"{seconds[len(seconds) // 2]:.1f} s median, {seconds[-1]:.1f} s at most "
                f"({len(seconds)} swaps, reload interval 1 s)")

    def policy_probe_pairs(self):
        pairs = []
        for index, (label, uid) in enumerate(self.probes):
            if label == "before-invalid" and index + 1 < len(self.probes) and \
                    self.probes[index + 1][0] == "after-invalid":
                pairs.append((uid, self.probes[index + 1][1]))
        return pairs

    def policy_probes_ok(self):
        return all(self.audit.probe_hashes.get(before) and self.audit.probe_hashes.get(before) ==
                   self.audit.probe_hashes.get(after) for before, after in self.policy_probe_pairs())

    def policy_probe_text(self):
        pairs = self.policy_probe_pairs()
        kept = sum(1 for before, after in pairs if self.audit.probe_hashes.get(before) and
                   self.audit.probe_hashes.get(before) == self.audit.probe_hashes.get(after))
        hashes = {value for value in self.audit.probe_hashes.values() if value}
        return (f"invalid policies refused with the previous policy kept (same policyHash audited before and "
                f"after): {kept} of {len(pairs)}; {len(hashes)} policy hashes audited")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--clients", type=int, default=4, help="client threads (0: no load)")
    parser.add_argument("--rate", type=float, default=200, help="requests/s of all clients together")
    parser.add_argument("--chaos-interval", type=float, default=3, help="mean seconds between chaos steps")
    parser.add_argument("--chaos-only", metavar="STEP,...",
                        help="only these chaos steps (e.g. reissue_certificate,reload_policy; empty: none)")
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--table-minutes", type=float, default=0, help="minutes per table row (0: by length)")
    parser.add_argument("--fd-slack", type=int, default=4, help="allowed fd growth idle before -> idle after")
    parser.add_argument("--rss-slack-mib", type=float, default=4,
                        help="allowed RSS growth over the second half of the load")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--report", help="also write the report (Markdown) to this file")
    parser.add_argument("--samples-csv", help="write every sample to this CSV file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, audit log)")
    arguments = parser.parse_args()
    if arguments.table_minutes <= 0:
        arguments.table_minutes = 1 if arguments.minutes > 10 else arguments.sample_seconds / 60
    for binary in ("meshward", os.path.join("test", "fake_kube_apiserver")):
        if not os.access(os.path.join(arguments.build_dir, binary), os.X_OK):
            sys.exit(f"{os.path.join(arguments.build_dir, binary)} is missing: build it with\n"
                     f"  cmake -S . -B {arguments.build_dir} -DCMAKE_BUILD_TYPE=Release && "
                     f"cmake --build {arguments.build_dir} -j2 --target meshward fake_kube_apiserver")
    harness = Harness(arguments)
    interrupted = []

    def on_signal(number, _frame):
        interrupted.append(number)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        harness.run()
    except KeyboardInterrupt:
        harness.log("interrupted")
        return 130
    except (chaos.ChaosFailure, support.ApiStandInError) as error:
        harness.log(f"could not run the soak: {error}")
        return 2
    finally:
        harness.cleanup()
    return 0 if harness.passed else 1


if __name__ == "__main__":
    sys.exit(main())
