"""certs/generate.sh: what it mints (checked with openssl), what it prints, and what it refuses."""

import base64
import os
import stat
import subprocess
import tempfile
import unittest

import support


def generate(*args):
    return subprocess.run([support.GENERATE_CERTS, *args], capture_output=True, text=True, timeout=60, check=False)


def x509_text(path):
    return subprocess.run(["openssl", "x509", "-in", path, "-noout", "-text"], capture_output=True, text=True,
                          timeout=30, check=True).stdout


def verify(ca, cert, purpose):
    return subprocess.run(["openssl", "verify", "-CAfile", ca, "-purpose", purpose, cert], capture_output=True,
                          text=True, timeout=30, check=False).returncode == 0


def not_after_days(path):
    """Whole days from now until the certificate's notAfter (openssl -checkend bisection)."""
    low, high = 0, 20000
    while low < high:
        middle = (low + high + 1) // 2
        expires_later = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-checkend", str(middle * 86400)],
                                       capture_output=True, timeout=30, check=False).returncode == 0
        if expires_later:
            low = middle
        else:
            high = middle - 1
    return low


class GenerateTest(unittest.TestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="meshward-certs-")
        self.addCleanup(temporary.cleanup)
        self.out = os.path.join(temporary.name, "tls")

    def path(self, name):
        return os.path.join(self.out, name)

    def test_serving_certificate_names_sans_and_usages(self):
        result = generate("--service", "meshward", "--namespace", "mesh-system", "--out", self.out)
        self.assertEqual(result.returncode, 0, result.stderr)
        text = x509_text(self.path("tls.crt"))
        for name in ("DNS:meshward,", "DNS:meshward.mesh-system,", "DNS:meshward.mesh-system.svc,",
                     "DNS:meshward.mesh-system.svc.cluster.local,", "DNS:localhost,", "IP Address:127.0.0.1",
                     "IP Address:0:0:0:0:0:0:0:1"):
            self.assertIn(name, text)
        self.assertIn("CA:FALSE", text)
        self.assertIn("TLS Web Server Authentication", text)
        self.assertIn("NIST CURVE: P-256", text)
        self.assertTrue(verify(self.path("ca.crt"), self.path("tls.crt"), "sslserver"))
        self.assertFalse(verify(self.path("ca.crt"), self.path("tls.crt"), "sslclient"))
        self.assertEqual(not_after_days(self.path("tls.crt")), 364)

    def test_ca_is_a_ten_year_signing_ca(self):
        self.assertEqual(generate("--service", "m", "--namespace", "n", "--out", self.out).returncode, 0)
        text = x509_text(self.path("ca.crt"))
        self.assertIn("CA:TRUE", text)
        self.assertIn("Certificate Sign", text)
        self.assertIn("NIST CURVE: P-256", text)
        self.assertEqual(not_after_days(self.path("ca.crt")), 3649)

    def test_lifetimes_can_be_chosen(self):
        result = generate("--service", "m", "--namespace", "n", "--out", self.out, "--days", "30", "--ca-days", "90")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(not_after_days(self.path("tls.crt")), 29)
        self.assertEqual(not_after_days(self.path("ca.crt")), 89)

    def test_stdout_is_exactly_the_ca_bundle_and_keys_are_private(self):
        result = generate("--service", "m", "--namespace", "n", "--out", self.out)
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        with open(self.path("ca.crt"), "rb") as ca:
            self.assertEqual(base64.b64decode(result.stdout.strip(), validate=True), ca.read())
        for key in ("ca.key", "tls.key"):
            self.assertEqual(stat.S_IMODE(os.stat(self.path(key)).st_mode), 0o600, key)
        self.assertEqual(sorted(os.listdir(self.out)), ["ca.crt", "ca.key", "tls.crt", "tls.key"])

    def test_existing_ca_is_kept_unless_forced(self):
        self.assertEqual(generate("--service", "m", "--namespace", "n", "--out", self.out).returncode, 0)
        with open(self.path("ca.key"), "rb") as key:
            original = key.read()
        refused = generate("--service", "m", "--namespace", "n", "--out", self.out)
        self.assertEqual(refused.returncode, 1)
        self.assertEqual(refused.stdout, "")
        self.assertIn("--force", refused.stderr)
        with open(self.path("ca.key"), "rb") as key:
            self.assertEqual(key.read(), original)
        forced = generate("--service", "m", "--namespace", "n", "--out", self.out, "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        with open(self.path("ca.key"), "rb") as key:
            self.assertNotEqual(key.read(), original)
        self.assertTrue(verify(self.path("ca.crt"), self.path("tls.crt"), "sslserver"))

    def test_client_certificate_is_signed_by_the_existing_ca(self):
        bundle = generate("--service", "m", "--namespace", "n", "--out", self.out).stdout
        result = generate("--client", "e2e-client", "--out", self.out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, bundle, "minting a client certificate must keep the CA")
        self.assertTrue(verify(self.path("ca.crt"), self.path("client.crt"), "sslclient"))
        self.assertFalse(verify(self.path("ca.crt"), self.path("client.crt"), "sslserver"))
        self.assertIn("CN = e2e-client", x509_text(self.path("client.crt")))
        self.assertEqual(stat.S_IMODE(os.stat(self.path("client.key")).st_mode), 0o600)

    def test_usage_errors_exit_2(self):
        for args in ([], ["--out", self.out], ["--service", "m", "--out", self.out],
                     ["--service", "Not_A_Label", "--namespace", "n", "--out", self.out],
                     ["--service", "m", "--namespace", "n", "--out", self.out, "--days", "0"],
                     ["--service", "m", "--namespace", "n", "--out", self.out, "--days", "400", "--ca-days", "365"],
                     ["--service", "m", "--namespace", "n", "--out", self.out, "--bogus"]):
            with self.subTest(args=args):
                result = generate(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
        self.assertFalse(os.path.exists(self.path("ca.key")))


if __name__ == "__main__":
    unittest.main()
