"""`meshward serve` with no TLS flags: the generated CA, health endpoints, the TLS versions it
accepts (checked with curl and openssl s_client), and keep-alive on one connection."""

import http.client
import json
import os
import subprocess
import unittest

import support


def curl(*args):
    return subprocess.run(["curl", "--silent", "--show-error", "--max-time", "30", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def s_client(port, *args):
    """openssl s_client against 127.0.0.1:port; stdin at EOF so it exits after the handshake."""
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", *args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)


def handshake_completed(result):
    return result.returncode == 0 and "Cipher is (NONE)" not in result.stdout


LEGACY_CLIENT = ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]


class GeneratedCertificateTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.start_server(wait_for="/healthz")

    def test_first_log_line_names_a_ca_that_signed_the_serving_certificate(self):
        first_line = self.server.stderr().splitlines()[0]
        self.assertEqual(support.ca_path_in(first_line, self.server.work_dir), self.server.ca_file)
        with open(self.server.ca_file, encoding="utf-8") as ca:
            self.assertIn("-----BEGIN CERTIFICATE-----", ca.read())
        result = s_client(self.server.port, "-CAfile", self.server.ca_file, "-verify_return_error",
                          "-verify_ip", "127.0.0.1")
        self.assertTrue(handshake_completed(result), result.stdout + result.stderr)
        self.assertIn("Verify return code: 0 (ok)", result.stdout)

    def test_curl_with_the_ca_gets_healthz_200_by_ip_and_by_localhost(self):
        for url, resolve in ((f"https://127.0.0.1:{self.server.port}/healthz", []),
                             (f"https://localhost:{self.server.port}/healthz",
                              ["--resolve", f"localhost:{self.server.port}:127.0.0.1"])):
            with self.subTest(url=url):
                result = curl("--cacert", self.server.ca_file, *resolve, "-o", os.devnull, "-w", "%{http_code}", url)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout, "200")

    def test_curl_without_the_ca_fails_certificate_verification(self):
        result = curl("-o", os.devnull, f"https://127.0.0.1:{self.server.port}/healthz")
        self.assertEqual(result.returncode, 60, f"curl should reject the unknown CA: {result.stderr}")

    def test_readyz_turns_200(self):
        self.server.wait_for_status("/readyz", 200, support.STARTUP_SECONDS)
        result = curl("--cacert", self.server.ca_file, "-o", os.devnull, "-w", "%{http_code}",
                      f"https://127.0.0.1:{self.server.port}/readyz")
        self.assertEqual(result.stdout, "200", result.stderr)

    def test_unknown_path_is_404_with_a_json_error(self):
        status, headers, body = self.server.request("GET", "/no-such-path")
        self.assertEqual(status, 404)
        self.assertIsNotNone(support.error_body(body), body)
        self.assertIn("application/json", headers.get("content-type", ""))

    def test_tls_1_1_is_refused_although_the_client_speaks_it(self):
        self.assertTrue(self._legacy_client_works(), "control: openssl s_client cannot do TLS 1.1 here")
        result = s_client(self.server.port, *LEGACY_CLIENT)
        self.assertFalse(handshake_completed(result), f"meshward accepted TLS 1.1:\n{result.stdout}")

    def test_tls_1_2_and_1_3_are_accepted_with_a_verified_certificate(self):
        for version, marker in (("-tls1_2", "New, TLSv1.2,"), ("-tls1_3", "New, TLSv1.3,")):
            with self.subTest(version=version):
                result = s_client(self.server.port, version, "-CAfile", self.server.ca_file, "-verify_return_error")
                self.assertTrue(handshake_completed(result), result.stdout + result.stderr)
                self.assertIn(marker, result.stdout)

    def test_plain_http_to_the_tls_port_gets_no_answer(self):
        result = curl("-o", os.devnull, "-w", "%{http_code}", f"http://127.0.0.1:{self.server.port}/healthz")
        self.assertNotEqual(result.stdout, "200", "plain HTTP was served on the TLS port")
        self.assertTrue(self.server.alive(), self.server.diagnostics())

    def test_200_sequential_requests_share_one_keep_alive_connection(self):
        connection = self.server.connection()
        self.addCleanup(connection.close)
        pod = support.load_json("objects/pod-proxy-limit-512mi.json")
        first_socket = None
        for index in range(200):
            if index % 2 == 0:
                connection.request("GET", "/healthz")
            else:
                connection.request("POST", "/validate", body=json.dumps(support.review(pod)),
                                   headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            self.assertEqual(response.status, 200, f"request {index}: {body[:300]!r}")
            self.assertNotEqual((response.getheader("Connection") or "").lower(), "close",
                                f"the server closed the connection after request {index + 1}")
            if first_socket is None:
                first_socket = connection.sock
            self.assertIs(connection.sock, first_socket, f"request {index + 1} needed a new connection")

    def _legacy_client_works(self):
        """Starts `openssl s_server` accepting TLS 1.1 and checks s_client gets through."""
        certs = os.path.join(self.tmp, "legacy-certs")
        support.generate_certs(certs)
        port = support.free_port()
        legacy_server = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", *LEGACY_CLIENT, "-naccept", "1",
             "-cert", os.path.join(certs, "tls.crt"), "-key", os.path.join(certs, "tls.key")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            self.assertIn("ACCEPT", legacy_server.stdout.readline() + legacy_server.stdout.readline())
            return handshake_completed(s_client(port, *LEGACY_CLIENT))
        finally:
            legacy_server.kill()
            legacy_server.wait(timeout=30)
            legacy_server.stdin.close()
            legacy_server.stdout.close()


class CleanShutdownTest(support.ServerTestCase):
    def test_sigterm_after_serving_exits_0(self):
        server = self.start_server()
        self.assertEqual(server.request("GET", "/healthz")[0], 200)
        self.assertExitsCleanly(server)
        with self.assertRaises((OSError, http.client.HTTPException)):
            server.request("GET", "/healthz", timeout=5)


if __name__ == "__main__":
    unittest.main()
