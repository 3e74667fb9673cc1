"""Which Services select which Deployments' Pods, by index: one lookup per label, never a scan of all pairs.

Also the checks across resources that Kubernetes makes or that decide whether traffic flows: a Service that selects
no Pods, a targetPort no selected container exposes, two Services claiming one nodePort.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from planner.errors import Diagnostic
from planner.selectors import equality_selector_matches


def _pod_labels(manifest: dict[str, Any]) -> dict[str, str]:
    return ((((manifest.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {})


class SelectorIndex:
    """Deployments by (namespace, label, value); Services by (namespace, one of their selector's pairs)."""

    def __init__(self, objects: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        """`objects`: (family, namespace, name, manifest) of every Deployment and Service to consider."""
        self._deployments: dict[tuple[str, str, str], list[tuple[str, dict[str, str]]]] = defaultdict(list)
        self._services: dict[tuple[str, str, str], list[tuple[str, dict[str, str]]]] = defaultdict(list)
        self.services: list[tuple[str, str, dict[str, Any]]] = []
        for family, namespace, name, manifest in objects:
            if family == "deployment":
                labels = _pod_labels(manifest)
                for key, value in labels.items():
                    self._deployments[(namespace, key, value)].append((name, labels))
            elif family == "service":
                self.services.append((namespace, name, manifest))
                selector = (manifest.get("spec") or {}).get("selector") or {}
                if selector:
                    key, value = min(selector.items())
                    self._services[(namespace, key, value)].append((name, selector))

    def services_selecting(self, namespace: str, labels: dict[str, str]) -> list[str]:
        found: set[str] = set()
        for key, value in labels.items():
            for name, selector in self._services.get((namespace, key, value), ()):
                if equality_selector_matches(selector, labels):
                    found.add(name)
        return sorted(found)

    def deployments_selected(self, namespace: str, selector: dict[str, str]) -> list[str]:
        if not selector:
            return []
        candidates = min((self._deployments.get((namespace, k, v), []) for k, v in selector.items()), key=len)
        return sorted({name for name, labels in candidates if equality_selector_matches(selector, labels)})


def check(index: SelectorIndex, templates: dict[tuple[str, str], dict[str, Any]]) -> list[Diagnostic]:
    """Warnings for Services whose traffic goes nowhere, errors for nodePorts claimed twice.

    `templates`: (namespace, deployment name) -> manifest, to read the selected containers' ports."""
    out: list[Diagnostic] = []
    node_ports: dict[int, str] = {}
    for namespace, name, manifest in sorted(index.services, key=lambda s: (s[0], s[1])):
        address = f"Service/{namespace}/{name}"
        spec = manifest.get("spec") or {}
        ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
        for port in ports:
            wanted = port.get("nodePort")
            if wanted:
                if wanted in node_ports:
                    out.append(Diagnostic("error", f"nodePort {wanted} is already claimed by {node_ports[wanted]}: "
                                                   "kube-apiserver refuses the second (provided port is already "
                                                   "allocated)", address=address))
                else:
                    node_ports[wanted] = address
        selector = spec.get("selector") or {}
        if not selector or spec.get("type") == "ExternalName":
            continue
        selected = index.deployments_selected(namespace, selector)
        if not selected:
            pairs = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            out.append(Diagnostic("warning", f"selects no Pods: no Deployment in {namespace} has Pod labels {pairs}, "
                                             "so its endpoints stay empty", address=address))
            continue
        containers = [c for d in selected
                      for c in ((templates[(namespace, d)].get("spec") or {}).get("template") or {}).get(
                          "spec", {}).get("containers") or []]
        declared = [p for c in containers if isinstance(c, dict) for p in c.get("ports") or [] if isinstance(p, dict)]
        for port in ports:
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str):
                if not any(p.get("name") == target for p in declared):
                    out.append(Diagnostic("warning", f"targetPort \"{target}\" names no container port of "
                                                     f"{', '.join(selected)}: its endpoints get no port",
                                          address=address))
            elif declared and not any(p.get("containerPort") == target for p in declared):
                out.append(Diagnostic("warning", f"targetPort {target} is not a containerPort of "
                                                 f"{', '.join(selected)} (declared: "
                                                 f"{', '.join(str(p.get('containerPort')) for p in declared)}): "
                                                 "traffic will be sent there anyway", address=address))
    return out
