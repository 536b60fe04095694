"""The soak's moving parts besides the load: the serving key pair and the policy as Kubernetes
mounts them (a Secret / ConfigMap folder whose ..data symlink is swapped atomically), the CA
bundle the clients trust, and the chaos thread that drops watches, expires history (410 as an
event and as an HTTP answer), changes the cluster, rewrites the policy and replaces the key pair,
checking after each step that meshward followed."""

import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time

import workload

GENERATE_CERTS = os.path.join(workload.SOURCE_DIR, "certs", "generate.sh")
DEFAULT_POLICY = os.path.join(workload.SOURCE_DIR, "policies", "default.yaml")
MAX_CHURN_PODS = 40  # per churn namespace
FOLLOW_SECONDS = 20  # bound on "meshward followed a change" (reload interval 1 s, watches at once)


class ChaosFailure(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Kubernetes-style mounted folders

class AtomicFolder:
    """A folder laid out as the kubelet mounts a Secret or ConfigMap: FILE -> ..data/FILE,
    ..data -> ..VERSION/; update() writes a new version folder and swaps ..data in one rename,
    then removes the previous version (as the kubelet does)."""

    def __init__(self, path, files):
        self.path = path
        self.version = 0
        os.makedirs(path, exist_ok=True)
        self._write_version(files)
        for name in files:
            os.symlink(os.path.join("..data", name), os.path.join(path, name))

    def _write_version(self, files):
        self.version += 1
        version_dir = f"..{time.strftime('%Y_%m_%d_%H_%M_%S')}.{self.version:06d}"
        full = os.path.join(self.path, version_dir)
        os.makedirs(full)
        for name, data in files.items():
            with open(os.path.join(full, name), "wb") as out:
                out.write(data if isinstance(data, bytes) else data.encode())
        temporary = os.path.join(self.path, "..data_tmp")
        if os.path.lexists(temporary):
            os.unlink(temporary)
        os.symlink(version_dir, temporary)
        previous = os.readlink(os.path.join(self.path, "..data")) if os.path.lexists(
            os.path.join(self.path, "..data")) else None
        os.replace(temporary, os.path.join(self.path, "..data"))
        if previous:
            shutil.rmtree(os.path.join(self.path, previous), ignore_errors=True)

    def update(self, files):
        self._write_version(files)

    def file(self, name):
        return os.path.join(self.path, name)


# ---------------------------------------------------------------------------------------------
# Certificates

def run(args, **options):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False, **options)
    if result.returncode != 0:
        raise ChaosFailure(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def read_bytes(path):
    with open(path, "rb") as source:
        return source.read()


class Certificates:
    """One CA at a time (certs/generate.sh), leaf certificates reissued from it with openssl;
    the clients' trust bundle (ca-bundle.pem) holds the current CA, and the next one while the
    CA is being rotated."""

    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.generation = 0
        self.ca_dir = self._new_ca()
        self.bundle_path = os.path.join(work_dir, "ca-bundle.pem")
        self._lock = threading.Lock()
        self._context = None
        self.trust([self.ca_dir])
        self.secret = AtomicFolder(os.path.join(work_dir, "secret"), self.leaf_files(self.ca_dir, fresh=False))

    def _new_ca(self):
        self.generation += 1
        ca_dir = os.path.join(self.work_dir, f"ca-{self.generation}")
        run([GENERATE_CERTS, "--out", ca_dir, "--service", "meshward", "--namespace", "meshward-system",
             "--days", "2", "--ca-days", "7"])
        return ca_dir

    def leaf_files(self, ca_dir, fresh=True):
        """{tls.crt, tls.key}: generate.sh's pair of a new CA, or a new pair signed by `ca_dir`."""
        if fresh:
            issue = os.path.join(ca_dir, "reissued")
            os.makedirs(issue, exist_ok=True)
            key, csr, cert, config = (os.path.join(issue, name) for name in ("tls.key", "tls.csr", "tls.crt", "x509.cnf"))
            with open(config, "w", encoding="utf-8") as out:
                out.write("basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
                          "extendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\n"
                          "authorityKeyIdentifier = keyid, issuer\n"
                          "subjectAltName = DNS:meshward.meshward-system.svc, DNS:localhost, IP:127.0.0.1\n")
            run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
            run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=meshward.meshward-system.svc", "-out", csr])
            run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(ca_dir, "ca.crt"),
                 "-CAkey", os.path.join(ca_dir, "ca.key"), "-set_serial", f"0x01{random.getrandbits(64):016x}",
                 "-days", "2", "-sha256", "-extfile", config, "-out", cert])
            return {"tls.crt": read_bytes(cert), "tls.key": read_bytes(key)}
        return {"tls.crt": read_bytes(os.path.join(ca_dir, "tls.crt")),
                "tls.key": read_bytes(os.path.join(ca_dir, "tls.key"))}

    def trust(self, ca_dirs):
        bundle = b"".join(read_bytes(os.path.join(ca_dir, "ca.crt")) for ca_dir in ca_dirs)
        temporary = self.bundle_path + ".new"
        with open(temporary, "wb") as out:
            out.write(bundle)
        os.replace(temporary, self.bundle_path)
        context = ssl.create_default_context(cafile=self.bundle_path)
        with self._lock:
            self._context = context

    def context(self):
        with self._lock:
            return self._context

    def serving_der(self):
        return ssl.PEM_cert_to_DER_cert(read_bytes(self.secret.file("tls.crt")).decode())

    def reissue_leaf(self):
        files = self.leaf_files(self.ca_dir)
        self.secret.update(files)
        return ssl.PEM_cert_to_DER_cert(files["tls.crt"].decode())

    def rotate_ca(self, served_der_is):
        """The rotation a careful operator does: trust old + new, serve the new pair, trust new only."""
        old_dir = self.ca_dir
        new_dir = self._new_ca()
        self.trust([old_dir, new_dir])
        files = self.leaf_files(new_dir, fresh=False)
        self.secret.update(files)
        served_der_is(ssl.PEM_cert_to_DER_cert(files["tls.crt"].decode()))
        self.ca_dir = new_dir
        self.trust([new_dir])
        shutil.rmtree(old_dir, ignore_errors=True)


def served_certificate(port, context):
    """The DER certificate a new handshake with 127.0.0.1:port gets."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


# ---------------------------------------------------------------------------------------------
# Policies

LIMIT_LINE = re.compile(r"(?m)^(    minProxyMemoryLimit: )256Mi$")
POLICY_LIMITS = ["200Mi", "256Mi", "300Mi"]  # the mix's decisions are the same under each


def policy_text(limit, serial):
    with open(DEFAULT_POLICY, encoding="utf-8") as source:
        text, replaced = LIMIT_LINE.subn(rf"\g<1>{limit}", source.read())
    if replaced != 1:
        raise ChaosFailure(f"{DEFAULT_POLICY} no longer has '    minProxyMemoryLimit: 256Mi'")
    return f"# soak policy version {serial}\n{text}"


def invalid_policy_text(serial):
    return policy_text("256Mi", serial) + "unknownTopLevelKey: true\n"


def object_key(obj):
    return (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


class ClusterModel:
    """What the stand-in holds, by (kind, namespace, name): the base cluster plus the churn."""

    def __init__(self, objects):
        self.objects = {object_key(obj): obj for obj in objects}
        self.churn_injected = dict(workload.CHURN)
        self.serial = 0

    def count(self, kind):
        return sum(1 for key in self.objects if key[0] == kind)

    def churn_pods(self, namespace_name):
        return [obj for key, obj in self.objects.items() if key[0] == "Pod" and key[1] == namespace_name]

    def next_name(self, prefix):
        self.serial += 1
        return f"{prefix}-{self.serial:06d}"


# ---------------------------------------------------------------------------------------------
# The chaos thread

class Chaos(threading.Thread):
    """Every `interval` seconds (jittered) one fault or change, chosen by weight; each change is
    followed up: the next handshake must get a replaced certificate, a policy reload must be
    counted (success, or failure for an invalid file, with the previous policy's hash still in
    the audit log), a cluster change must reach meshward's decisions."""

    def __init__(self, harness, interval, seed, only=None):
        super().__init__(name="chaos", daemon=True)
        self.harness = harness
        self.interval = interval
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.counts = {}
        self.failures = []
        self.policy_serial = 0
        self.policy_limit = "256Mi"
        self.cert_seconds = []  # time from a Secret swap to the first handshake that gets the new pair
        self.actions = [
            (self.drop_watches, 3), (self.close_watches, 2), (self.expire_event, 3), (self.expire_http, 3),
            (self.bookmark, 1), (self.slow_api, 1), (self.add_pods, 4), (self.remove_pods, 3),
            (self.flip_namespace, 3), (self.silent_flip_then_expire, 2), (self.churn_destination_rule, 2),
            (self.churn_peer_authentication, 1), (self.reload_policy, 4), (self.invalid_policy, 1),
            (self.reissue_certificate, 3), (self.rotate_ca, 1),
        ]
        if only is not None:
            unknown = set(only) - {action.__name__ for action, _ in self.actions}
            if unknown:
                raise ChaosFailure(f"unknown chaos steps {sorted(unknown)}; known: "
                                   f"{', '.join(action.__name__ for action, _ in self.actions)}")
            self.actions = [(action, weight) for action, weight in self.actions if action.__name__ in only]

    def run(self):
        names = [action for action, _ in self.actions]
        weights = [weight for _, weight in self.actions]
        while self.actions and not self.stop_event.wait(self.interval * self.random.uniform(0.5, 1.5)):
            action = self.random.choices(names, weights)[0]
            name = action.__name__
            try:
                action()
                self.counts[name] = self.counts.get(name, 0) + 1
            except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the soak
                self.failures.append(f"{self.harness.elapsed():7.1f}s {name}: {error}")
                self.counts[name + " (failed)"] = self.counts.get(name + " (failed)", 0) + 1

    def stop(self):
        self.stop_event.set()
        self.join(timeout=120)

    # -- watches and history ------------------------------------------------------------------

    def drop_watches(self):
        self.harness.fake.control("POST", "/drop-watches")

    def close_watches(self):
        self.harness.fake.control("POST", "/close-watches")

    def expire_event(self):
        self.harness.fake.control("POST", "/expire?style=event")

    def expire_http(self):
        self.harness.fake.control("POST", "/expire?style=http")

    def bookmark(self):
        self.harness.fake.control("POST", "/bookmark")

    def slow_api(self):
        """Every API answer waits 300 ms for 3 s (a slow API server; watches keep streaming)."""
        self.harness.fake.control("POST", "/delay?ms=300")
        try:
            self.harness.fake.control("POST", "/drop-watches")
            time.sleep(3)
        finally:
            self.harness.fake.control("POST", "/delay?ms=0")

    # -- cluster changes ----------------------------------------------------------------------

    def add_pods(self):
        """3-15 new pods (a scale-up); past MAX_CHURN_PODS in a namespace its oldest go first (a
        rollout), so the cluster keeps its size and memory growth means something."""
        model = self.harness.model
        namespace_name = self.random.choice(list(workload.CHURN))
        pods = [workload.pod(namespace_name, model.next_name("churn"), self.random.choice(workload.APPS),
                             model.churn_injected[namespace_name]) for _ in range(self.random.randint(3, 15))]
        existing = model.churn_pods(namespace_name)
        for obj in existing[:max(0, len(existing) + len(pods) - MAX_CHURN_PODS)]:
            self.harness.fake.remove(obj)
            del model.objects[object_key(obj)]
        self.harness.fake.apply(*pods)
        for obj in pods:
            model.objects[object_key(obj)] = obj

    def remove_pods(self):
        model = self.harness.model
        namespace_name = self.random.choice(list(workload.CHURN))
        existing = model.churn_pods(namespace_name)
        for obj in self.random.sample(existing, min(len(existing), self.random.randint(1, 10))):
            self.harness.fake.remove(obj)
            del model.objects[object_key(obj)]

    def flip_namespace(self, silent=False):
        model = self.harness.model
        namespace_name = self.random.choice(list(workload.CHURN))
        injected = not model.churn_injected[namespace_name]
        obj = workload.namespace(namespace_name, injected)
        self.harness.fake.apply(obj, silent=silent)
        if silent:  # lost with the compacted history: only a relist finds it
            self.harness.fake.control("POST", "/expire?style=" + self.random.choice(["event", "http"]))
        model.churn_injected[namespace_name] = injected
        model.objects[object_key(obj)] = obj
        self.harness.expect_namespace_decision(namespace_name, injected, FOLLOW_SECONDS)

    def silent_flip_then_expire(self):
        self.flip_namespace(silent=True)

    def churn_destination_rule(self):
        model = self.harness.model
        key = ("DestinationRule", "churn-a", "reviews")
        if key in model.objects:
            self.harness.fake.remove(model.objects.pop(key))
        else:
            obj = workload.destination_rule("churn-a", "reviews", subsets=("v1", "v2", "v3"))
            obj["metadata"]["name"] = "reviews"
            self.harness.fake.apply(obj)
            model.objects[key] = obj

    def churn_peer_authentication(self):
        model = self.harness.model
        key = ("PeerAuthentication", "churn-b", "default")
        if key in model.objects:
            self.harness.fake.remove(model.objects.pop(key))
        else:
            obj = workload.peer_authentication("churn-b", "PERMISSIVE")
            self.harness.fake.apply(obj)
            model.objects[key] = obj

    # -- policy -------------------------------------------------------------------------------

    def _policy_reloads(self):
        samples = self.harness.metrics()
        return (workload.support.metric_sum(samples, "meshward_policy_reloads_total", result="success"),
                workload.support.metric_sum(samples, "meshward_policy_reloads_total", result="failure"))

    def _wait_for_reload(self, before, index, what):
        deadline = time.monotonic() + FOLLOW_SECONDS
        while time.monotonic() < deadline:
            now = self._policy_reloads()
            if now[index] > before[index]:
                return now
            time.sleep(0.1)
        raise ChaosFailure(f"{what}: meshward_policy_reloads_total did not move in {FOLLOW_SECONDS}s")

    def reload_policy(self):
        before = self._policy_reloads()
        self.policy_serial += 1
        self.policy_limit = self.random.choice(POLICY_LIMITS)
        self.harness.policy.update({"policy.yaml": policy_text(self.policy_limit, self.policy_serial)})
        after = self._wait_for_reload(before, 0, "a valid policy")
        if after[1] != before[1]:
            raise ChaosFailure(f"a valid policy counted a failed reload: {before} -> {after}")
        self.harness.probe_policy_hash("valid")

    def invalid_policy(self):
        """An invalid policy must be refused and the previous one kept: the probes before and after
        must be audited with the same policyHash (checked at the end)."""
        self.harness.probe_policy_hash("before-invalid")
        before = self._policy_reloads()
        self.policy_serial += 1
        self.harness.policy.update({"policy.yaml": invalid_policy_text(self.policy_serial)})
        after = self._wait_for_reload(before, 1, "an invalid policy")
        if after[0] != before[0]:
            raise ChaosFailure(f"an invalid policy counted a successful reload: {before} -> {after}")
        self.harness.probe_policy_hash("after-invalid")
        # Back to a valid file, as an operator would (also a reload to check).
        self.reload_policy()

    # -- certificates -------------------------------------------------------------------------

    def _wait_until_served(self, der, started):
        port = self.harness.port
        deadline = time.monotonic() + FOLLOW_SECONDS
        while True:
            try:
                if served_certificate(port, self.harness.certs.context()) == der:
                    self.cert_seconds.append(time.monotonic() - started)
                    return
            except (OSError, ssl.SSLError) as error:
                if time.monotonic() > deadline:
                    raise ChaosFailure(f"handshake after a key pair swap failed: {error}") from None
            if time.monotonic() > deadline:
                raise ChaosFailure(f"the replaced certificate was not served within {FOLLOW_SECONDS}s")
            time.sleep(0.1)

    def reissue_certificate(self):
        der = self.harness.certs.reissue_leaf()  # the ..data swap is its last step
        self._wait_until_served(der, time.monotonic())

    def rotate_ca(self):
        self.harness.certs.rotate_ca(lambda der: self._wait_until_served(der, time.monotonic()))
