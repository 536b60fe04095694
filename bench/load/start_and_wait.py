"""Starts a server and prints how long it took until GET /readyz answered 200 over TLS, leaving
the server running: "ready_ms=N pid=P". Exits 1 (and stops the server) if it is not ready in time.

Usage: python3 start_and_wait.py --port P --ca CA.pem [--timeout 120] [--log FILE] -- COMMAND..."""

import argparse
import http.client
import ssl
import subprocess
import sys
import time


def ready(port, context):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=1)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--log", default="/dev/null")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    context = ssl.create_default_context(cafile=arguments.ca)
    with open(arguments.log, "ab") as log:
        started = time.monotonic()
        server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    while not ready(arguments.port, context):
        if server.poll() is not None or time.monotonic() - started > arguments.timeout:
            server.kill()
            sys.exit(f"not ready: {' '.join(command)} (see {arguments.log})")
        time.sleep(0.001)
    print(f"ready_ms={(time.monotonic() - started) * 1000:.0f} pid={server.pid}")


if __name__ == "__main__":
    main()
