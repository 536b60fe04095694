"""A burst of connections, as when an API server restarts and every replica reconnects at once:
both listeners queue 1,024 connections (cpp-httplib's own backlog is 5), and 500 TLS clients
connecting at the same instant are all served, none reset."""

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import threading
import unittest

import support

BURST = 500
EXPECTED_BACKLOG = 1024


class FloodTest(support.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.start_server()

    @unittest.skipUnless(shutil.which("ss"), "ss (iproute2) not installed")
    def test_both_listeners_queue_a_thousand_connections(self):
        listing = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, timeout=30, check=True).stdout
        for port in (self.server.port, self.server.metrics_port):
            with self.subTest(port=port):
                line = next((line for line in listing.splitlines() if re.search(rf"127\.0\.0\.1:{port}\s", line)), None)
                self.assertIsNotNone(line, listing)
                self.assertEqual(int(line.split()[2]), EXPECTED_BACKLOG, line)  # Send-Q of a listener: its backlog

    def test_five_hundred_simultaneous_tls_clients_are_all_served(self):
        context = ssl.create_default_context(cafile=self.server.ca_file)
        start = threading.Barrier(BURST)
        outcomes = [None] * BURST

        def client(index):
            start.wait()
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=context,
                                                         timeout=support.REQUEST_SECONDS)
                connection.request("GET", "/healthz")
                outcomes[index] = connection.getresponse().status
                connection.close()
            except (OSError, http.client.HTTPException) as error:
                outcomes[index] = f"{type(error).__name__}: {error}"

        threads = [threading.Thread(target=client, args=(index,)) for index in range(BURST)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = [outcome for outcome in outcomes if outcome != 200]
        self.assertEqual(failed, [], f"{len(failed)} of {BURST} clients failed")
        self.assertTrue(self.server.alive(), self.server.diagnostics())


if __name__ == "__main__":
    unittest.main()
