"""How long a watch event takes to reach meshward's cache: adds pods to the Kubernetes API stand-in
one at a time (POST /apply on its control port) and, after each, polls meshward's /metrics until
meshward_cluster_state_objects{kind="Pod"} has grown by one. Prints one line:
"p50_ms=... p90_ms=... max_ms=... events=N".

Usage: python3 watch_delay.py CONTROL_PORT METRICS_PORT [--events 20] [--prefix NAME]"""

import argparse
import http.client
import json
import re
import statistics
import sys
import time

POD_COUNT = re.compile(r'^meshward_cluster_state_objects\{kind="Pod"\} (\S+)$', re.M)


def pod_count(metrics_port):
    connection = http.client.HTTPConnection("127.0.0.1", metrics_port, timeout=30)
    try:
        connection.request("GET", "/metrics")
        found = POD_COUNT.search(connection.getresponse().read().decode())
        return float(found.group(1)) if found else None
    finally:
        connection.close()


def apply_pod(control_port, name):
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": "ns-001", "labels": {"app": "watch-delay"}},
           "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1"}]},
           "status": {"phase": "Running"}}
    connection = http.client.HTTPConnection("127.0.0.1", control_port, timeout=30)
    try:
        connection.request("POST", "/apply", body=json.dumps(pod), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"POST /apply -> {response.status}")
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("control_port", type=int)
    parser.add_argument("metrics_port", type=int)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--prefix", default="watch-delay")
    parser.add_argument("--timeout", type=float, default=60)
    arguments = parser.parse_args()
    delays = []
    for index in range(arguments.events):
        before = pod_count(arguments.metrics_port)
        apply_pod(arguments.control_port, f"{arguments.prefix}-{index}")
        applied = time.monotonic()
        while pod_count(arguments.metrics_port) == before:
            if time.monotonic() - applied > arguments.timeout:
                sys.exit(f"event {index} not seen within {arguments.timeout}s")
        delays.append(1000 * (time.monotonic() - applied))
    delays.sort()
    print(f"p50_ms={statistics.median(delays):.1f} p90_ms={delays[int(0.9 * (len(delays) - 1))]:.1f} "
          f"max_ms={delays[-1]:.1f} events={len(delays)}")


if __name__ == "__main__":
    main()
