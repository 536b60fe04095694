"""Renders charts/meshward without Helm: builds the test renderer (test/chart/render, Go
text/template + sprig from Debian packages, GOPATH mode, no network) into the build directory
and returns the rendered documents, each parsed, plus NOTES.txt."""

import json
import os
import subprocess
import tempfile

import support

CHART_DIR = os.path.join(support.SOURCE_DIR, "charts", "meshward")
RENDERER_SOURCE = os.path.join(support.SOURCE_DIR, "test", "chart", "render")
RENDERER_DIR = os.path.join(os.path.dirname(os.path.abspath(support.BINARY)), "chart-render")
RENDERER = os.path.join(RENDERER_DIR, "render")
BUILD_SECONDS = 240
RENDER_SECONDS = 60


class RenderError(AssertionError):
    pass


def build_renderer():
    """Builds the renderer (incrementally; Go caches under the build directory) and returns its path."""
    os.makedirs(RENDERER_DIR, exist_ok=True)
    environment = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="", CGO_ENABLED="0",
                       GOCACHE=os.path.join(RENDERER_DIR, "go-cache"))
    scratch = tempfile.NamedTemporaryFile(dir=RENDERER_DIR, prefix=".render-", delete=False)
    scratch.close()
    try:
        result = subprocess.run(["go", "build", "-o", scratch.name, "."], cwd=RENDERER_SOURCE, env=environment,
                                capture_output=True, text=True, timeout=BUILD_SECONDS, check=False)
        if result.returncode != 0:
            raise AssertionError(f"building the chart renderer failed (scripts/install-deps.sh installs golang-go "
                                 f"and the Go libraries):\n{result.stderr}")
        os.replace(scratch.name, RENDERER)
    finally:
        if os.path.exists(scratch.name):
            os.unlink(scratch.name)
    return RENDERER


class Rendered:
    """The documents of one render: [{"source", "object"}] and the NOTES.txt text."""

    def __init__(self, output):
        self.documents = [document["object"] for document in output["documents"]]
        self.sources = [document["source"] for document in output["documents"]]
        self.notes = output["notes"]

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


def render(values=None, *, release="meshward", namespace="meshward-system", sets=(), api_versions=(),
           lookup_objects=None):
    """Renders the chart with `values` (a dict, as a -f file) and `sets` ("key=value" strings);
    `lookup_objects` are what Helm's lookup finds. Raises RenderError with the renderer's message
    when the chart does not render."""
    with tempfile.TemporaryDirectory(prefix="meshward-chart-") as scratch:
        args = [RENDERER, "-o", "json", "-name", release, "-namespace", namespace]
        if values is not None:
            values_file = os.path.join(scratch, "values.json")
            with open(values_file, "w", encoding="utf-8") as out:
                json.dump(values, out)
            args += ["-f", values_file]
        for assignment in sets:
            args += ["-set", assignment]
        for api_version in api_versions:
            args += ["-api-versions", api_version]
        if lookup_objects is not None:
            lookup_file = os.path.join(scratch, "lookup.json")
            with open(lookup_file, "w", encoding="utf-8") as out:
                out.write("\n---\n".join(json.dumps(document) for document in lookup_objects))
            args += ["-lookup", lookup_file]
        result = subprocess.run(args + [CHART_DIR], capture_output=True, text=True, timeout=RENDER_SECONDS,
                                check=False)
    if result.returncode != 0:
        raise RenderError(result.stderr.strip())
    return Rendered(json.loads(result.stdout))
