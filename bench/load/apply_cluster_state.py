"""Loads every kube List file of a cluster-state folder into the Kubernetes API stand-in
(test/support/fake_kube_apiserver) through its control listener's POST /apply.

Usage: python3 apply_cluster_state.py CONTROL_PORT CLUSTER_STATE_DIR"""

import http.client
import json
import os
import sys


def apply(control_port, objects):
    connection = http.client.HTTPConnection("127.0.0.1", control_port, timeout=120)
    try:
        connection.request("POST", "/apply", body=json.dumps(objects), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        text = response.read().decode()
        if response.status != 200:
            sys.exit(f"POST /apply -> {response.status}: {text}")
    finally:
        connection.close()


def main():
    control_port = int(sys.argv[1])
    directory = sys.argv[2]
    names = sorted(os.listdir(directory), key=lambda name: name != "namespaces.json")  # namespaces first
    for name in names:
        with open(os.path.join(directory, name), encoding="utf-8") as document:
            apply(control_port, json.load(document)["items"])


if __name__ == "__main__":
    main()
