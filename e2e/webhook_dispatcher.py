"""The admission webhook dispatcher of kube-apiserver, played faithfully enough to drive meshward
the way a cluster does: it reads Validating/MutatingWebhookConfigurations, matches a request
against each webhook's rules, operations, scope, namespaceSelector and objectSelector, sends an
AdmissionReview v1 over HTTPS verifying the configuration's caBundle and the service DNS name,
honours timeoutSeconds and failurePolicy, runs the mutating webhooks (by configuration name, with
reinvocationPolicy IfNeeded) before the validating ones, applies the JSON Patches it gets back,
and gathers warnings, denials and audit annotations. Standard library only."""

import base64
import copy
import dataclasses
import http.client
import json
import os
import socket
import ssl
import tempfile
import uuid

import support


@dataclasses.dataclass
class Call:
    """One webhook call: which webhook, and what came of it."""
    webhook: str
    outcome: str  # "allowed", "denied", "patched", "error-ignored", "error-failed"
    detail: str = ""


@dataclasses.dataclass
class Admission:
    """What the API server would do with the request after every matching webhook ran."""
    allowed: bool
    object: dict
    message: str = ""
    warnings: list = dataclasses.field(default_factory=list)
    audit_annotations: dict = dataclasses.field(default_factory=dict)
    calls: list = dataclasses.field(default_factory=list)

    def called(self):
        return [call.webhook for call in self.calls]


class WebhookError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Matching (k8s.io/apiserver/pkg/admission/plugin/webhook/predicates)

def _matches_requirement(labels, requirement):
    key, operator = requirement["key"], requirement["operator"]
    values = requirement.get("values", [])
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise WebhookError(f"unknown label selector operator {operator!r}")


def selector_matches(selector, labels):
    """A metav1.LabelSelector: absent or {} matches everything."""
    if not selector:
        return True
    labels = labels or {}
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    return all(_matches_requirement(labels, requirement) for requirement in selector.get("matchExpressions") or [])


def _listed(values, value):
    return "*" in values or value in values


def _rule_matches(rule, attributes):
    if not _listed(rule.get("apiGroups", []), attributes["group"]):
        return False
    if not _listed(rule.get("apiVersions", []), attributes["version"]):
        return False
    if not _listed(rule.get("operations", []), attributes["operation"]):
        return False
    resources = rule.get("resources", [])
    if not ("*" in resources or "*/*" in resources or attributes["resource"] in resources):
        return False
    scope = rule.get("scope", "*")
    namespaced = bool(attributes["namespace"])
    return scope == "*" or (scope == "Namespaced") == namespaced


def _labels(obj):
    return ((obj or {}).get("metadata") or {}).get("labels") or {}


def webhook_matches(webhook, attributes, namespace_labels):
    """Whether the API server would call this webhook for the request."""
    if not any(_rule_matches(rule, attributes) for rule in webhook.get("rules", [])):
        return False
    # The objectSelector matches when the new or the old object matches.
    object_selector = webhook.get("objectSelector")
    if object_selector and not (selector_matches(object_selector, _labels(attributes["object"])) or
                                selector_matches(object_selector, _labels(attributes["old_object"]))):
        return False
    # The namespaceSelector judges the namespace of a namespaced object, a Namespace object by its
    # own labels, and lets every other cluster-scoped object through.
    namespace_selector = webhook.get("namespaceSelector")
    if attributes["kind"] == "Namespace" and attributes["group"] == "":
        source = attributes["object"] or attributes["old_object"]
        labels = {**_labels(source), "kubernetes.io/metadata.name": source["metadata"]["name"]}
        return selector_matches(namespace_selector, labels)
    if attributes["namespace"]:
        return selector_matches(namespace_selector, namespace_labels)
    return True


# ---------------------------------------------------------------------------------------------
# Calling one webhook

class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port, with SNI and certificate verification for the service DNS name."""

    def __init__(self, server_name, port, context, timeout):
        super().__init__(server_name, port, timeout=timeout, context=context)
        self._server_name = server_name

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


class Endpoints:
    """Where each Service of the cluster is served from on this machine: (namespace, name) -> port."""

    def __init__(self):
        self._ports = {}

    def add(self, namespace, name, local_port):
        self._ports[(namespace, name)] = local_port

    def port_of(self, service):
        key = (service.get("namespace"), service.get("name"))
        if key not in self._ports:
            raise WebhookError(f"service {key[0]}/{key[1]} has no endpoints")
        return self._ports[key]


def _ca_context(ca_bundle, work_dir):
    if not ca_bundle:
        raise WebhookError("clientConfig.caBundle is empty")
    pem = base64.b64decode(ca_bundle, validate=True)
    with tempfile.NamedTemporaryFile("wb", suffix=".pem", dir=work_dir, delete=False) as ca_file:
        ca_file.write(pem)
    try:
        return ssl.create_default_context(cafile=ca_file.name)
    finally:
        os.unlink(ca_file.name)


def call_webhook(webhook, review, endpoints, work_dir):
    """POSTs the review to the webhook's service; returns the AdmissionResponse or raises WebhookError."""
    config = webhook["clientConfig"]
    service = config.get("service")
    if not service:
        raise WebhookError("only clientConfig.service is supported")
    server_name = f"{service['name']}.{service['namespace']}.svc"
    context = _ca_context(config.get("caBundle"), work_dir)
    timeout = webhook.get("timeoutSeconds", 10)
    connection = _PinnedHTTPSConnection(server_name, endpoints.port_of(service), context, timeout)
    try:
        connection.request("POST", service.get("path", "/"), body=json.dumps(review).encode(),
                            headers={"Content-Type": "application/json", "Accept": "application/json"})
        answer = connection.getresponse()
        body = answer.read()
    except (OSError, ssl.SSLError, http.client.HTTPException) as error:
        raise WebhookError(f"failed calling webhook {webhook['name']!r}: {error}") from error
    finally:
        connection.close()
    if answer.status != 200:
        raise WebhookError(f"webhook {webhook['name']!r} answered HTTP {answer.status}: {body[:300]!r}")
    try:
        document = json.loads(body)
    except ValueError as error:
        raise WebhookError(f"webhook {webhook['name']!r} answered invalid JSON: {error}") from error
    response = document.get("response") if isinstance(document, dict) else None
    if (document.get("apiVersion") != "admission.k8s.io/v1" or document.get("kind") != "AdmissionReview"
            or not isinstance(response, dict)):
        raise WebhookError(f"webhook {webhook['name']!r} answered something that is not an AdmissionReview v1")
    if response.get("uid") != review["request"]["uid"]:
        raise WebhookError(f"webhook {webhook['name']!r} answered for uid {response.get('uid')!r}")
    if "patch" in response and response.get("patchType") != "JSONPatch":
        raise WebhookError(f"webhook {webhook['name']!r} sent a patch with patchType {response.get('patchType')!r}")
    return response


# ---------------------------------------------------------------------------------------------
# The dispatcher

class Dispatcher:
    """Runs requests through the webhook configurations, as kube-apiserver's admission chain does."""

    def __init__(self, configurations, endpoints, work_dir, namespaces=None):
        self.mutating = sorted((c for c in configurations if c["kind"] == "MutatingWebhookConfiguration"),
                               key=lambda c: c["metadata"]["name"])
        self.validating = sorted((c for c in configurations if c["kind"] == "ValidatingWebhookConfiguration"),
                                 key=lambda c: c["metadata"]["name"])
        self.endpoints = endpoints
        self.work_dir = work_dir
        self.namespaces = dict(namespaces or {})  # name -> labels

    def set_namespace(self, name, labels):
        self.namespaces[name] = dict(labels or {})

    def namespace_labels(self, name):
        """A namespace's labels, with the kubernetes.io/metadata.name label the API server always sets."""
        return {**self.namespaces.get(name, {}), "kubernetes.io/metadata.name": name}

    def admit(self, obj, *, operation="CREATE", old_object=None, user="jane", groups=None, dry_run=False):
        source = obj if obj is not None else old_object
        group, _, version = source["apiVersion"].rpartition("/")
        metadata = source.get("metadata", {})
        attributes = {
            "group": group, "version": version, "kind": source["kind"],
            "resource": support.RESOURCES.get(source["kind"], source["kind"].lower() + "s"),
            "operation": operation, "namespace": metadata.get("namespace", ""),
            "object": obj, "old_object": old_object,
        }
        namespace_labels = self.namespace_labels(attributes["namespace"])
        result = Admission(allowed=True, object=copy.deepcopy(obj))
        request = {"operation": operation, "user": user, "groups": groups, "dry_run": dry_run, "old_object": old_object}

        matching = [hook for configuration in self.mutating for hook in configuration.get("webhooks", [])
                    if webhook_matches(hook, attributes, namespace_labels)]
        if not self._mutate(matching, attributes, request, result):
            return result
        attributes["object"] = result.object
        for configuration in self.validating:
            for hook in configuration.get("webhooks", []):
                if webhook_matches(hook, attributes, namespace_labels):
                    self._validate(hook, attributes, request, result)
        return result

    # -- the chain -----------------------------------------------------------------------------

    def _review(self, hook, attributes, request, obj):
        review = support.review(obj, operation=request["operation"], user=request["user"], groups=request["groups"],
                                dry_run=request["dry_run"], old_object=request["old_object"], uid=str(uuid.uuid4()))
        if hook.get("admissionReviewVersions") and "v1" not in hook["admissionReviewVersions"]:
            raise WebhookError(f"webhook {hook['name']!r} does not accept admission.k8s.io/v1")
        review["request"]["resource"]["resource"] = attributes["resource"]
        return review

    def _call(self, hook, attributes, request, obj, result):
        """The response, or None after recording an error the failurePolicy settles."""
        try:
            return call_webhook(hook, self._review(hook, attributes, request, obj), self.endpoints, self.work_dir)
        except WebhookError as error:
            if hook.get("failurePolicy", "Fail") == "Ignore":
                result.calls.append(Call(hook["name"], "error-ignored", str(error)))
                return None
            result.calls.append(Call(hook["name"], "error-failed", str(error)))
            result.allowed = False
            result.message = f"Internal error occurred: {error}"
            return None

    def _record(self, hook, response, result, outcome):
        result.warnings.extend(response.get("warnings") or [])
        for key, value in (response.get("auditAnnotations") or {}).items():
            result.audit_annotations[f"{hook['name']}/{key}"] = value
        if not response.get("allowed"):
            status = response.get("status") or {}
            result.allowed = False
            result.message = f"admission webhook \"{hook['name']}\" denied the request: {status.get('message', '')}"
            result.calls.append(Call(hook["name"], "denied", status.get("message", "")))
            return False
        result.calls.append(Call(hook["name"], outcome))
        return True

    def _mutate(self, hooks, attributes, request, result):
        """Runs the mutating webhooks in order, then once more those with reinvocationPolicy IfNeeded
        that ran before a later webhook changed the object. False when the request is rejected."""
        changed_after = {}
        for round_number in range(2):
            for position, hook in enumerate(hooks):
                if round_number == 1 and not (hook.get("reinvocationPolicy") == "IfNeeded"
                                              and changed_after.get(position)):
                    continue
                response = self._call(hook, attributes, request, result.object, result)
                if response is None:
                    if not result.allowed:
                        return False
                    continue
                patch = support.decoded_patch(response)
                if not self._record(hook, response, result, "patched" if patch else "allowed"):
                    return False
                if patch and request["operation"] != "DELETE":
                    patched = support.apply_patch(result.object, patch)
                    if patched != result.object:
                        result.object = patched
                        for earlier in range(position):
                            changed_after[earlier] = True
            if round_number == 0 and not any(changed_after.values()):
                break
        return True

    def _validate(self, hook, attributes, request, result):
        response = self._call(hook, attributes, request, result.object, result)
        if response is not None:
            self._record(hook, response, result, "allowed")
