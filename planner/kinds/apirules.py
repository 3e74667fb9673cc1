"""kube-apiserver's validation rules for the kinds planner accepts: the table of every rule covered, with its source
in kubernetes/kubernetes, and the rules on object metadata every kind shares.

Each row says where planner enforces the rule: a Python check (`podrules` for the Pod template every workload
shares, the kind's own module for the rest) or the constraints layer `schemas/kubernetes-constraints.schema.json`
(syntax a JSON Schema states well: quantities, label syntax, ranges). Messages keep kube-apiserver's wording, so
what planner prints is what `kubectl apply` would have answered. `tests/test_apiserver_rules.py` fails one input
per row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from planner.kinds.base import Path, Problem

MAPPING = (dict, Mapping)
"""For isinstance: `isinstance(x, MAPPING)` answers a dict (every parsed manifest) at once, where
`isinstance(x, Mapping)` goes through the ABC machinery (~10x slower), and still accepts any other Mapping. The
rules below test every nested field of every manifest this way."""

CORE = "kubernetes pkg/apis/core/validation/validation.go"
APPS = "kubernetes pkg/apis/apps/validation/validation.go"
META = "kubernetes staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go"
UTIL = "kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go"
WARNINGS = "kubernetes pkg/api/pod/warnings.go"
SCHEMA = "schemas/kubernetes-constraints.schema.json"


class Rule(NamedTuple):
    code: str
    kinds: str
    rule: str
    source: str
    """Upstream file and function."""
    enforced: str
    """Where planner checks it: a function under planner/kinds, or the constraints schema's definition."""
    severity: str = "error"


RULES: tuple[Rule, ...] = (
    # -- the Pod template (every workload) ------------------------------------------------------------------
    Rule("requests-above-limits", "Pod template", "a container's request may not exceed its limit of the same "
         "resource", f"{CORE} ValidateContainerResourceRequirements", "podrules.validate_pod_spec"),
    Rule("env-value-and-valueFrom", "Pod template", "an env var with a non-empty value may not also set valueFrom",
         f"{CORE} validateEnvVarValueFrom", "podrules.validate_pod_spec"),
    Rule("env-duplicate-name", "Pod template", "an env var that repeats an earlier name hides it (a warning, as "
         "kube-apiserver returns it to kubectl)", f"{WARNINGS} warningsForPodSpecAndMeta",
         "podrules.validate_pod_spec", "warning"),
    Rule("volume-mount-unknown-volume", "Pod template", "a volumeMount must name a volume of the Pod",
         f"{CORE} ValidateVolumeMounts", "podrules.validate_pod_spec"),
    Rule("duplicate-container-name", "Pod template", "container names are unique across containers and "
         "initContainers", f"{CORE} validateContainers, validateInitContainers", "podrules.validate_pod_spec"),
    Rule("port-name-iana", "Pod template", "a container port name is an IANA_SVC_NAME: at most 15 characters, "
         "lowercase letters, digits and '-', at least one letter, no leading, trailing or double '-'",
         f"{UTIL} IsValidPortName (from {CORE} validateContainerPorts)", "podrules.validate_pod_spec"),
    Rule("port-name-unique", "Pod template", "port names are unique within a container",
         f"{CORE} validateContainerPorts", "podrules.validate_pod_spec"),
    Rule("probe-one-handler", "Pod template", "a probe has exactly one handler: exec, httpGet, tcpSocket or grpc",
         f"{CORE} validateProbe -> validateHandler", "podrules.validate_pod_spec"),
    Rule("quantity-syntax", "Pod template", "resource quantities are Kubernetes quantities: digits with an "
         "optional decimal SI suffix (n u m k M G T P E), binary suffix (Ki Mi Gi Ti Pi Ei) or exponent (e3); `1G` "
         "is valid, `1GB` is not", "kubernetes staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go "
         "ParseQuantity", f"{SCHEMA} $defs/Container resources"),
    # -- object metadata (every kind) -----------------------------------------------------------------------
    Rule("label-key", "every kind", "a label key is an optional DNS-subdomain prefix of at most 253 characters "
         "and '/', then a name of at most 63 letters, digits, '-', '_' or '.'",
         f"{META} ValidateLabels -> {UTIL} IsQualifiedName", f"{SCHEMA} metadata.labels propertyNames"),
    Rule("label-value", "every kind", "a label value has at most 63 letters, digits, '-', '_' or '.', starting "
         "and ending with a letter or digit", f"{META} ValidateLabels -> {UTIL} IsValidLabelValue",
         f"{SCHEMA} metadata.labels additionalProperties"),
    Rule("annotation-key", "every kind", "an annotation key is a qualified name, as a label key",
         f"{META} ValidateAnnotations -> {UTIL} IsQualifiedName", "apirules.object_meta"),
    Rule("annotations-size", "every kind", "all annotations together hold at most 256 KiB (262144 bytes)",
         f"{META} ValidateAnnotations (TotalAnnotationSizeLimitB)", "apirules.object_meta"),
    # -- Deployment -----------------------------------------------------------------------------------------
    Rule("replicas-negative", "Deployment", "spec.replicas is at least 0",
         f"{APPS} ValidateDeploymentSpec -> ValidateNonnegativeField", f"{SCHEMA} $defs/Deployment"),
    Rule("max-unavailable-negative", "Deployment", "maxUnavailable and maxSurge are at least 0 (or a percentage)",
         f"{APPS} ValidateRollingUpdateDeployment -> ValidatePositiveIntOrPercent", f"{SCHEMA} $defs/Deployment"),
    Rule("recreate-with-rolling-update", "Deployment", "strategy.rollingUpdate may not be set when strategy.type "
         "is Recreate", f"{APPS} ValidateDeploymentStrategy", "deployment.rules.strategy"),
    Rule("surge-and-unavailable-zero", "Deployment", "maxUnavailable and maxSurge may not both be 0",
         f"{APPS} ValidateRollingUpdateDeployment", "deployment.rules.strategy"),
    Rule("max-unavailable-over-100", "Deployment", "maxUnavailable may not be more than 100%",
         f"{APPS} ValidateRollingUpdateDeployment -> IsNotMoreThan100Percent", "deployment.rules.strategy"),
    # -- Service, Secret ------------------------------------------------------------------------------------
    Rule("headless-load-balancer", "Service", "clusterIP None (headless) is refused for LoadBalancer and NodePort "
         "Services", f"{CORE} ValidateService", "service._check"),
    Rule("secret-data-base64", "Secret, ConfigMap", "Secret data (and ConfigMap binaryData) values are base64: "
         "kube-apiserver decodes them into bytes before any validation", "kubernetes staging/src/k8s.io/api/core/"
         "v1/types.go Secret.Data ([]byte, base64 in JSON, decoded by encoding/json)", "apirules.base64_fields"),
)

TOTAL_ANNOTATION_SIZE = 256 * (1 << 10)
"""TotalAnnotationSizeLimitB in objectmeta.go."""

_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def qualified_name_problems(value: str) -> list[str]:
    """IsQualifiedName: `[prefix/]name`, the prefix a DNS subdomain (at most 253), the name at most 63."""
    parts = value.split("/")
    if len(parts) > 2:
        return ["a qualified name must have at most one '/' (an optional DNS subdomain prefix, then a name)"]
    name = parts[-1]
    out = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            out.append("prefix part must be non-empty")
        elif len(prefix) > 253:
            out.append("prefix part must be no more than 253 characters")
        elif not _DNS1123_SUBDOMAIN.fullmatch(prefix):
            out.append("prefix part must be a lowercase RFC 1123 subdomain")
    if not name:
        out.append("name part must be non-empty")
    elif len(name) > 63:
        out.append("name part must be no more than 63 characters")
    elif not _QUALIFIED_NAME.fullmatch(name):
        out.append("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                   "with an alphanumeric character")
    return out


def object_meta(metadata: Any, at: Path = ("metadata",)) -> list[Problem]:
    """ValidateAnnotations: every key a qualified name (checked lowercased, as upstream does), and the keys and
    values together at most 256 KiB. Labels are the constraints schema's (`label-key`, `label-value`)."""
    annotations = metadata.get("annotations") if isinstance(metadata, MAPPING) else None
    if not isinstance(annotations, MAPPING):
        return []
    problems: list[Problem] = []
    size = 0
    for key, value in annotations.items():
        size += len(str(key).encode()) + (len(value.encode()) if isinstance(value, str) else 0)
        for message in qualified_name_problems(str(key).lower()):
            problems.append(Problem((*at, "annotations", key), f"invalid annotation key {key!r}: {message}",
                                    at_key=True))
    if size > TOTAL_ANNOTATION_SIZE:
        problems.append(Problem((*at, "annotations"), f"Too long: must have at most {TOTAL_ANNOTATION_SIZE} bytes "
                                                      f"(these annotations have {size})", at_key=True))
    return problems


def base64_fields(data: Mapping[str, Any], fields: tuple[str, ...]) -> list[Problem]:
    """Values Kubernetes stores as bytes ([]byte) arrive base64-encoded; encoding/json decodes them with the padded
    standard alphabet (newlines ignored) and kube-apiserver answers "illegal base64 data" for anything else. The
    value is never shown: it may be a secret."""
    problems: list[Problem] = []
    for name in fields:
        values = data.get(name)
        if not isinstance(values, MAPPING):
            continue
        for key, value in values.items():
            if not isinstance(value, str):
                continue
            text = value.replace("\r", "").replace("\n", "")
            if len(text) % 4 or not _BASE64.fullmatch(text):
                problems.append(Problem((name, key), "illegal base64 data: the values of "
                                                     f"{name} are base64 (kube-apiserver cannot decode this one); "
                                                     "put plain text under stringData instead"
                                        if name == "data" else f"illegal base64 data: the values of {name} are "
                                                               "base64 (kube-apiserver cannot decode this one)"))
    return problems
