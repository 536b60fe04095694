"""Live reloads of a running server: the --config policy file (valid and invalid), the TLS
key pair (a new CA, then garbage), and client-certificate checks with --client-ca."""

import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import time
import unittest

import support

DENIED_POD = "objects/pod-proxy-limit-64mi.json"
DEFAULT_POLICY = os.path.join(support.SOURCE_DIR, "policies", "default.yaml")
SIDECAR_MEMORY_DENY = re.compile(r"(?m)^(  sidecar-memory:\n    action: )deny$")


def write_atomically(path, data):
    """Writes `data` beside `path` and renames it into place (how a mounted Secret changes)."""
    temporary = path + ".new"
    with open(temporary, "wb" if isinstance(data, bytes) else "w") as out:
        out.write(data)
    os.replace(temporary, path)


def default_policy_text():
    with open(DEFAULT_POLICY, encoding="utf-8") as source:
        return source.read()


def policy_with_sidecar_memory(action):
    text, replaced = SIDECAR_MEMORY_DENY.subn(rf"\g<1>{action}", default_policy_text())
    if replaced != 1:
        raise AssertionError(f"{DEFAULT_POLICY} no longer has 'sidecar-memory:\\n    action: deny'")
    return text


def handshake_verifies(server, ca_file):
    """True when a TLS handshake with `server` verifies against `ca_file`; False on a verify error."""
    try:
        return server.request("GET", "/healthz", timeout=10, context=server.context(ca_file))[0] == 200
    except ssl.SSLCertVerificationError:
        return False


class PolicyReloadTest(support.ServerTestCase):
    def test_policy_file_changes_apply_and_invalid_ones_are_ignored(self):
        policy = os.path.join(self.tmp, "policy.yaml")
        shutil.copyfile(DEFAULT_POLICY, policy)
        server = self.start_server(config=policy)

        def decision():
            document = support.review(support.load_json(DENIED_POD))
            return server.admit(document)["allowed"], document["request"]["uid"]

        allowed, uid = decision()
        self.assertFalse(allowed, "the default policy denies the 64Mi sidecar")
        first_hash = server.audit_record(uid)["policyHash"]

        write_atomically(policy, policy_with_sidecar_memory("off"))
        support.wait_until(lambda: decision()[0], support.RELOAD_SECONDS, "the sidecar-memory: off policy")
        samples = server.metrics()
        self.assertGreaterEqual(support.metric_sum(samples, "meshward_policy_reloads_total", result="success"), 1)
        self.assertEqual(support.metric_sum(samples, "meshward_policy_reloads_total", result="failure"), 0)
        allowed, uid = decision()
        self.assertTrue(allowed)
        self.assertNotEqual(server.audit_record(uid)["policyHash"], first_hash)

        invalid = policy_with_sidecar_memory("off") + "unknownTopLevelKey: true\n"
        bad_line = invalid.count("\n")
        with open(policy, "w", encoding="utf-8") as out:
            out.write(invalid)
        support.wait_until(lambda: support.metric_sum(server.metrics(), "meshward_policy_reloads_total",
                                                      result="failure") >= 1,
                           support.RELOAD_SECONDS, "meshward_policy_reloads_total{result=\"failure\"}")
        self.assertTrue(decision()[0], "an invalid policy must leave the previous one in force")
        self.assertIn(f"{policy}:{bad_line}", server.stderr(),
                      f"the reload error names file:line{server.diagnostics()}")
        self.assertEqual(server.request("GET", "/readyz")[0], 200)

        write_atomically(policy, default_policy_text())
        support.wait_until(lambda: not decision()[0], support.RELOAD_SECONDS, "the deny policy to return")
        self.assertExitsCleanly(server)


class TlsReloadTest(support.ServerTestCase):
    def test_new_key_pair_is_served_and_a_broken_one_is_ignored(self):
        first_ca = os.path.join(self.tmp, "ca1")
        second_ca = os.path.join(self.tmp, "ca2")
        serving = os.path.join(self.tmp, "serving")
        support.generate_certs(first_ca)
        support.generate_certs(second_ca, "--days", "30")
        os.makedirs(serving)
        cert, key = os.path.join(serving, "tls.crt"), os.path.join(serving, "tls.key")
        shutil.copyfile(os.path.join(first_ca, "tls.crt"), cert)
        shutil.copyfile(os.path.join(first_ca, "tls.key"), key)
        ca1, ca2 = os.path.join(first_ca, "ca.crt"), os.path.join(second_ca, "ca.crt")
        server = self.start_server(tls=(cert, key, ca1))

        self.assertTrue(handshake_verifies(server, ca1))
        self.assertFalse(handshake_verifies(server, ca2))
        first_expiry = support.metric_sum(server.metrics(), "meshward_tls_certificate_expiry_timestamp_seconds")

        with open(os.path.join(second_ca, "tls.key"), "rb") as new_key, \
                open(os.path.join(second_ca, "tls.crt"), "rb") as new_cert:
            key_bytes, cert_bytes = new_key.read(), new_cert.read()
        write_atomically(key, key_bytes)
        write_atomically(cert, cert_bytes)
        support.wait_until(lambda: handshake_verifies(server, ca2), support.RELOAD_SECONDS, "the CA2 certificate")
        self.assertFalse(handshake_verifies(server, ca1), "the CA1 certificate is still served")
        server.ca_file = ca2
        samples = server.metrics()
        self.assertGreaterEqual(support.metric_sum(samples, "meshward_tls_reloads_total", result="success"), 1)
        second_expiry = support.metric_sum(samples, "meshward_tls_certificate_expiry_timestamp_seconds")
        self.assertLess(second_expiry, first_expiry, "the expiry gauge follows the 30-day certificate")
        self.assertLess(abs(second_expiry - (time.time() + 30 * 86400)), 2 * 86400)

        failures_before = support.metric_sum(samples, "meshward_tls_reloads_total", result="failure")
        with open(cert, "w", encoding="utf-8") as out:
            out.write("this is not a certificate\n")
        support.wait_until(lambda: support.metric_sum(server.metrics(), "meshward_tls_reloads_total",
                                                      result="failure") > failures_before,
                           support.RELOAD_SECONDS, "meshward_tls_reloads_total{result=\"failure\"}")
        self.assertTrue(handshake_verifies(server, ca2), "the previous pair must keep serving")
        self.assertFalse(server.admit(support.review(support.load_json(DENIED_POD)))["allowed"])
        self.assertExitsCleanly(server)


class ClientCertificateTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = os.path.join(cls.tmp, "certs")
        cls.stranger = os.path.join(cls.tmp, "stranger")
        support.generate_certs(cls.certs)
        support.generate_certs(cls.certs, "--client", "e2e-client", service=None)
        support.generate_certs(cls.stranger, "--client", "stranger", service=None)
        ca = os.path.join(cls.certs, "ca.crt")
        cls.client = (os.path.join(cls.certs, "client.crt"), os.path.join(cls.certs, "client.key"))
        cls.server = cls.start_server(tls=(os.path.join(cls.certs, "tls.crt"), os.path.join(cls.certs, "tls.key"), ca),
                                      client_ca=ca, client_cert=cls.client)

    def attempt(self, client_cert=None):
        context = support.tls_context(self.server.ca_file, *(client_cert or (None, None)))
        try:
            return self.server.request("GET", "/healthz", timeout=10, context=context)[0]
        except (ssl.SSLError, ConnectionError, http.client.HTTPException, OSError) as error:
            return error

    def test_a_client_certificate_from_the_ca_is_accepted(self):
        self.assertEqual(self.attempt(self.client), 200)
        document = json.dumps(support.review(support.load_json(DENIED_POD)))
        result = subprocess.run(
            ["curl", "--silent", "--show-error", "--max-time", "30", "--cacert", self.server.ca_file,
             "--cert", self.client[0], "--key", self.client[1], "-H", "Content-Type: application/json",
             "--data-binary", "@-", "-o", os.devnull, "-w", "%{http_code}",
             f"https://127.0.0.1:{self.server.port}/validate"],
            input=document, capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(result.stdout, "200", result.stderr)

    def test_no_client_certificate_is_refused(self):
        outcome = self.attempt()
        self.assertIsInstance(outcome, Exception, f"served without a client certificate: {outcome}")
        result = subprocess.run(["curl", "--silent", "--max-time", "30", "--cacert", self.server.ca_file,
                                 "-o", os.devnull, "-w", "%{http_code}",
                                 f"https://127.0.0.1:{self.server.port}/healthz"],
                                capture_output=True, text=True, timeout=60, check=False)
        self.assertNotEqual(result.returncode, 0, f"curl got {result.stdout} without a client certificate")

    def test_a_client_certificate_from_another_ca_is_refused(self):
        stranger = (os.path.join(self.stranger, "client.crt"), os.path.join(self.stranger, "client.key"))
        outcome = self.attempt(stranger)
        self.assertIsInstance(outcome, Exception, f"served a client certificate from another CA: {outcome}")


if __name__ == "__main__":
    unittest.main()
