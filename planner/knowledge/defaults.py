"""What kube-apiserver (and the GKE API, for Config Connector kinds) fills in when a field is left out.

Desired and last-applied specs are both defaulted with this one table, so a default never shows as a change.
Patterns use `[*]` for "every item of this list". A value may be a function of the object being defaulted
(`parent`) for the few defaults that depend on a sibling field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Default = Any | Callable[[dict[str, Any]], Any]


def _image_pull_policy(container: dict[str, Any]) -> str:
    """`Always` for `:latest` or an untagged image, else `IfNotPresent` (digests count as tagged)."""
    image = str(container.get("image", ""))
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _when_rolling(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda strategy: value if strategy.get("type", "RollingUpdate") == "RollingUpdate" else None


def _when_external(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda spec: value if spec.get("type") in ("NodePort", "LoadBalancer") else None


def _within_autoscaling(spec: dict[str, Any], count: int) -> int:
    """GKE starts an autoscaled pool inside its bounds (min <= nodes per zone <= max)."""
    bounds = spec.get("autoscaling") or {}
    low, high = bounds.get("minNodeCount", 0), bounds.get("maxNodeCount", count)
    return max(low, min(count, high))


def _container_defaults(base: str) -> list[tuple[str, Default]]:
    return [
        (f"{base}[*].imagePullPolicy", _image_pull_policy),
        (f"{base}[*].terminationMessagePath", "/dev/termination-log"),
        (f"{base}[*].terminationMessagePolicy", "File"),
        (f"{base}[*].resources", {}),
        (f"{base}[*].ports[*].protocol", "TCP"),
    ]


POD_SPEC = "spec.template.spec"

DEFAULTS: dict[str, list[tuple[str, Default]]] = {
    "deployment": [
        ("spec.replicas", 1),
        ("spec.revisionHistoryLimit", 10),
        ("spec.progressDeadlineSeconds", 600),
        ("spec.strategy", {}),
        ("spec.strategy.type", "RollingUpdate"),
        ("spec.strategy.rollingUpdate", _when_rolling({})),
        ("spec.strategy.rollingUpdate.maxSurge", "25%"),
        ("spec.strategy.rollingUpdate.maxUnavailable", "25%"),
        (f"{POD_SPEC}.restartPolicy", "Always"),
        (f"{POD_SPEC}.terminationGracePeriodSeconds", 30),
        (f"{POD_SPEC}.dnsPolicy", "ClusterFirst"),
        (f"{POD_SPEC}.schedulerName", "default-scheduler"),
        (f"{POD_SPEC}.securityContext", {}),
        *_container_defaults(f"{POD_SPEC}.containers"),
        *_container_defaults(f"{POD_SPEC}.initContainers"),
    ],
    "service": [
        ("spec.type", "ClusterIP"),
        ("spec.sessionAffinity", "None"),
        ("spec.internalTrafficPolicy", "Cluster"),
        ("spec.externalTrafficPolicy", _when_external("Cluster")),
        ("spec.ports[*].protocol", "TCP"),
        ("spec.ports[*].targetPort", lambda port: port.get("port")),
    ],
    "cluster": [
        ("spec.initialNodeCount", 3),
        ("spec.nodeConfig", {}),
        ("spec.nodeConfig.machineType", "e2-medium"),
        ("spec.nodeConfig.diskSizeGb", 100),
        ("spec.nodeConfig.diskType", "pd-balanced"),
        ("spec.releaseChannel", {}),
        ("spec.releaseChannel.channel", "REGULAR"),
        ("spec.networkingMode", "VPC_NATIVE"),
        ("spec.ipAllocationPolicy", {}),
        ("spec.ipAllocationPolicy.servicesIpv4CidrBlock", "34.118.224.0/20"),
    ],
    "nodepool": [
        ("spec.nodeConfig", {}),
        ("spec.nodeConfig.machineType", "e2-medium"),
        ("spec.nodeConfig.diskSizeGb", 100),
        ("spec.nodeConfig.diskType", "pd-balanced"),
        ("spec.management", {}),
        ("spec.management.autoRepair", True),
        ("spec.management.autoUpgrade", True),
        ("spec.maxPodsPerNode", 110),
        ("spec.nodeCount", lambda spec: _within_autoscaling(spec, spec.get("initialNodeCount", 3))),
    ],
    "namespace": [],
    "generic": [],
}
"""Per model family: (field pattern, default). Sources: Kubernetes API reference (apps/v1 DeploymentSpec, core/v1
ServiceSpec, PodSpec, Container) and gke-lifecycle.md for the GKE API's defaults (e2-medium, 3 nodes per zone,
VPC-native, Service range 34.118.224.0/20 on GKE >= 1.29)."""


def _split(pattern: str) -> list[str]:
    return pattern.replace("[*]", ".[*]").split(".")


class _Node:
    """One level of the rules as a trie, steps in table order: `("set", key, default)` or `("in", key, child)`.
    Applying it visits each part of a manifest once, however many rules reach below it."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, Any]] = []
        self._children: dict[str, _Node] = {}

    def add(self, parts: list[str], value: Default) -> None:
        head, rest = parts[0], parts[1:]
        if not rest:
            self.steps.append(("set", head, value))
            return
        child = self._children.get(head)
        if child is None:
            child = self._children[head] = _Node()
            self.steps.append(("in", head, child))
        child.add(rest, value)

    def apply(self, node: Any) -> None:
        for action, key, payload in self.steps:
            if key == "[*]":
                if isinstance(node, list):
                    for item in node:
                        payload.apply(item)
                continue
            if not isinstance(node, dict):
                return
            if action == "in":
                if key in node:  # only fill below parents that exist; a parent with a default has its own rule
                    payload.apply(node[key])
            elif node.get(key) is None:
                filled = payload(node) if callable(payload) else payload
                if filled is not None:
                    node[key] = _copy(filled)


def _compile(rules: list[tuple[str, Default]]) -> _Node:
    root = _Node()
    for pattern, value in rules:
        root.add(_split(pattern), value)
    return root


_COMPILED = {family: _compile(rules) for family, rules in DEFAULTS.items()}


def apply_defaults(family: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults in place and return the manifest."""
    trie = _COMPILED.get(family)
    if trie is not None:
        trie.apply(manifest)
    return manifest


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
