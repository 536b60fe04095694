"""Renders the Grafana dashboard from real metrics (see render.sh): meshward, the API stand-in,
Prometheus and a traffic driver on 127.0.0.1, then every panel's PromQL evaluated by Prometheus
and drawn with matplotlib in the dashboard's own grid."""

import argparse
import glob
import http.client
import json
import math
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.gridspec import GridSpec  # noqa: E402

SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e", "scenarios")
RATE_INTERVAL = "10s"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def cluster_objects():
    objects = []
    for scenario in ("01-strict-mtls", "05-authorization-lockout"):
        for path in sorted(glob.glob(os.path.join(SCENARIOS, scenario, "cluster", "*.json"))):
            with open(path, encoding="utf-8") as source:
                loaded = json.load(source)
            objects.extend(loaded if isinstance(loaded, list) else [loaded])
    return objects


def review(obj, *, operation="CREATE", user="jane", groups=("developers",), kind=None):
    group, _, version = obj["apiVersion"].rpartition("/")
    metadata = obj["metadata"]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": str(random.random()), "kind": {"group": group, "version": version, "kind": kind or obj["kind"]},
                        "resource": {"group": group, "version": version, "resource": obj["kind"].lower() + "s"},
                        "namespace": metadata.get("namespace", ""), "name": metadata.get("name", ""),
                        "operation": operation, "userInfo": {"username": user, "groups": list(groups)},
                        "object": obj if operation != "DELETE" else None,
                        "oldObject": obj if operation == "DELETE" else None}}


def pod(name, proxy_memory=None, labels=None, annotations=None):
    annotations = dict(annotations or {})
    if proxy_memory:
        annotations.update({"sidecar.istio.io/proxyMemoryLimit": proxy_memory, "sidecar.istio.io/proxyMemory": proxy_memory})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "shop", "labels": labels or {"app": "web"}, "annotations": annotations},
            "spec": {"containers": [{"name": "web", "image": "example.com/web:1", "resources": {"limits": {"memory": "256Mi"}}}]}}


def traffic():
    """(path, body) of the mix the driver sends, with how often."""
    strict = {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
              "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "STRICT"}}}
    break_glass = pod("hotfix", "64Mi", labels={"app": "web", "meshward.dev/break-glass": "true"},
                      annotations={"meshward.dev/break-glass-reason": "INC-7 hotfix", "meshward.dev/break-glass-expires": "4h"})
    return [
        (40, "/validate", review(pod("web", "512Mi"))),
        (15, "/validate", review(pod("starved", "64Mi"))),
        (25, "/mutate", review(pod("web", "512Mi"))),
        (4, "/validate", review(strict)),
        (2, "/validate", review(break_glass, user="oncall", groups=("system:masters",))),
        (2, "/validate", None),  # malformed: HTTP 400
    ]


class Driver(threading.Thread):
    def __init__(self, port, seconds):
        super().__init__(daemon=True)
        self.port, self.seconds, self.sent = port, seconds, 0
        self.mix = traffic()

    def run(self):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=10)
        weights = [weight for weight, _, _ in self.mix]
        start = time.time()
        while time.time() - start < self.seconds:
            elapsed = time.time() - start
            rate = 40 + 30 * math.sin(elapsed / self.seconds * 2 * math.pi)  # requests a second
            _, path, body = random.choices(self.mix, weights)[0]
            payload = b"{" if body is None else json.dumps(body).encode()
            try:
                connection.request("POST", path, payload, {"Content-Type": "application/json"})
                connection.getresponse().read()
                self.sent += 1
            except (OSError, http.client.HTTPException):
                connection.close()
            time.sleep(1 / rate)


def prometheus_query_range(port, expr, start, end, step):
    query = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query_range?{query}", timeout=30) as response:
        answer = json.load(response)
    if answer["status"] != "success":
        raise RuntimeError(f"{expr}: {answer}")
    return answer["data"]["result"]


def legend(template, labels):
    text = template or ""
    for key, value in labels.items():
        text = text.replace("{{" + key + "}}", value)
    return text.replace("{{", "").replace("}}", "") or "value"


def substituted(expr):
    return expr.replace("$__rate_interval", RATE_INTERVAL).replace('job=~"$job"', 'job=~".*"')


def draw(dashboard, prometheus_port, start, end, out):
    plt.style.use("dark_background")
    rows = max(panel["gridPos"]["y"] + panel["gridPos"]["h"] for panel in dashboard["panels"])
    figure = plt.figure(figsize=(18, rows * 0.55), dpi=90)
    figure.suptitle(f"{dashboard['title']} — {dashboard['description']}", fontsize=11, x=0.01, ha="left")
    grid = GridSpec(rows, 24, figure=figure, hspace=2.2, wspace=1.2, top=0.96, bottom=0.02, left=0.04, right=0.99)
    for panel in dashboard["panels"]:
        position = panel["gridPos"]
        axes = figure.add_subplot(grid[position["y"]:position["y"] + position["h"], position["x"]:position["x"] + position["w"]])
        axes.set_title(panel["title"], fontsize=10, loc="left")
        unit = panel["fieldConfig"]["defaults"].get("unit", "")
        if panel["type"] == "stat":
            result = prometheus_query_range(prometheus_port, substituted(panel["targets"][0]["expr"]), end - 5, end, 5)
            value = float(result[0]["values"][-1][1]) if result else float("nan")
            text = {"reqps": f"{value:.1f} req/s", "percentunit": f"{value * 100:.0f} %",
                    "s": f"{value / 86400:.0f} days"}.get(unit, f"{value:g}")
            axes.text(0.5, 0.4, text, ha="center", va="center", fontsize=22, color="#73bf69")
            axes.set_axis_off()
            continue
        for target in panel["targets"]:
            for series in prometheus_query_range(prometheus_port, substituted(target["expr"]), start, end, 2):
                times = [float(t) - start for t, _ in series["values"]]
                values = [float(v) for _, v in series["values"]]
                axes.plot(times, values, linewidth=1.2, label=legend(target.get("legendFormat"), series["metric"]))
        axes.tick_params(labelsize=7)
        axes.set_xlabel("seconds", fontsize=7)
        if unit == "s":
            axes.set_yscale("log")
        axes.grid(alpha=0.2)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=6, loc="upper left", ncol=2, framealpha=0.3)
    figure.savefig(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    with open(arguments.dashboard, encoding="utf-8") as source:
        dashboard = json.load(source)
    work = tempfile.mkdtemp(prefix="meshward-dashboard-")
    processes = []
    try:
        os.makedirs(os.path.join(work, "api"))
        api = subprocess.Popen([os.path.join(arguments.build, "test", "fake_kube_apiserver"), "--dir", os.path.join(work, "api")],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        processes.append(api)
        started = json.loads(api.stdout.readline())
        apply = urllib.request.Request(f"http://127.0.0.1:{started['control_port']}/apply",
                                       data=json.dumps(cluster_objects()).encode(), method="POST")
        urllib.request.urlopen(apply, timeout=30).read()

        policy = os.path.join(work, "policy.yaml")
        with open(os.path.join(os.path.dirname(arguments.dashboard), "..", "default-policy.yaml"), encoding="utf-8") as source:
            good_policy = source.read()
        with open(policy, "w", encoding="utf-8") as out:
            out.write(good_policy)
        port, metrics_port, prometheus_port = free_port(), free_port(), free_port()
        meshward = subprocess.Popen([os.path.join(arguments.build, "meshward"), "serve", "--listen", f"127.0.0.1:{port}",
                                     "--metrics-listen", f"127.0.0.1:{metrics_port}", "--kubeconfig", started["kubeconfig"],
                                     "--config", policy, "--audit-log", os.path.join(work, "audit.log")],
                                    stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "meshward.log"), "wb"))
        processes.append(meshward)
        try:
            wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=2).status == 200,
                     30, "meshward")
        except RuntimeError:
            with open(os.path.join(work, "meshward.log"), encoding="utf-8", errors="replace") as log:
                raise RuntimeError("meshward did not start:\n" + log.read()[-2000:]) from None

        with open(os.path.join(work, "prometheus.yml"), "w", encoding="utf-8") as out:
            out.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                      f"scrape_configs: [{{job_name: meshward, static_configs: [{{targets: ['127.0.0.1:{metrics_port}']}}]}}]\n")
        prometheus = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/tsdb",
                                       f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(prometheus)
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{prometheus_port}/-/ready", timeout=2).status == 200, 60, "prometheus")

        def drop_watches():
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{started['control_port']}/drop-watches",
                                                          data=b"", method="POST"), timeout=10).read()

        start = time.time()
        driver = Driver(port, arguments.seconds)
        driver.start()
        events = [(0.35, "a policy edit that does not load", lambda: open(policy, "w").write("rules: [\n")),
                  (0.45, "the policy fixed", lambda: open(policy, "w").write(good_policy)),
                  (0.55, "the API server drops every watch", drop_watches),
                  (0.75, "the API server drops every watch again", drop_watches)]
        for share, what, act in events:
            time.sleep(max(0.0, start + share * arguments.seconds - time.time()))
            print(f"render: {what}", file=sys.stderr)
            act()
        driver.join()
        time.sleep(3)
        end = time.time()
        print(f"render: {driver.sent} requests in {arguments.seconds}s", file=sys.stderr)
        os.makedirs(os.path.dirname(os.path.abspath(arguments.out)), exist_ok=True)
        draw(dashboard, prometheus_port, start, end, arguments.out)
        print(f"render: wrote {arguments.out}", file=sys.stderr)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
