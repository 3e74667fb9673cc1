"""A Deployment's imperative equivalents: `kubectl create deployment` (and `kubectl set resources`) when its flags
say everything the manifest says, else `kubectl apply -f -`; `kubectl scale`, `kubectl set image`, `kubectl set
resources` for updates (planner.kinds.imperative).

What `kubectl create deployment NAME --image=IMAGE --replicas=N --port=P` writes (kubectl
pkg/cmd/create/create_deployment.go, checked with `--dry-run=client -o yaml` by tests/test_imperative.py): labels
`app: NAME` on the Deployment, its selector and its Pod template, one container named after the image; `--port`
only with one image (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/kubectl_create_deployment/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import imperative as imp
from planner.kinds.defaulting import strip_defaults

if TYPE_CHECKING:
    from planner.plan import ResourceChange

_CONTAINER_KEYS = {"name", "image", "ports", "resources"}


def created_by_kubectl(name: str, image: str, replicas: int | None, port: int | None) -> dict[str, Any]:
    """The Deployment `kubectl create deployment` writes, without its empty fields (strategy: {}, status: {})."""
    labels = {"app": name}
    container: dict[str, Any] = {"name": imp.container_name(image), "image": image}
    if port is not None:
        container["ports"] = [{"containerPort": port}]
    spec: dict[str, Any] = {"selector": {"matchLabels": dict(labels)},  # copies: one dict thrice would dump as
                            "template": {"metadata": {"labels": dict(labels)},  # a YAML anchor (planner run)
                                         "spec": {"containers": [container]}}}
    if replicas is not None:
        spec = {"replicas": replicas, **spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels}, "spec": spec}


def _create(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    containers = imp.get(manifest, ("spec", "template", "spec", "containers")) or []
    if len(containers) != 1 or set(containers[0]) - _CONTAINER_KEYS:
        return imp.apply_manifest(manifest)
    container = containers[0]
    ports = container.get("ports") or []
    if len(ports) > 1 or (ports and set(ports[0]) != {"containerPort"}):
        return imp.apply_manifest(manifest)
    port = ports[0]["containerPort"] if ports else None
    replicas = imp.get(manifest, ("spec", "replicas"))
    image = str(container.get("image") or "")
    expected = created_by_kubectl(change.name, image, replicas, port)
    resources = container.get("resources") or {}
    if resources:
        expected["spec"]["template"]["spec"]["containers"][0]["resources"] = resources
    metadata = {k: v for k, v in (manifest.get("metadata") or {}).items() if k != "namespace"}
    if {**manifest, "metadata": metadata} != strip_defaults(change.family, expected) or \
            set(resources) - {"requests", "limits"}:
        return imp.apply_manifest(manifest)
    out = [imp.cmd("kubectl", "create", change.kind.lower(), change.name, *imp.ns(change), f"--image={image}",
                   *([f"--replicas={replicas}"] if replicas is not None else []),
                   *([f"--port={port}"] if port is not None else []))]
    flags = [f"--{k}=" + ",".join(f"{r}={v}" for r, v in resources[k].items()) for k in ("requests", "limits")
             if resources.get(k)]
    if flags:
        out.append(imp.cmd("kubectl", "set", "resources", change.kind.lower(), change.name, *imp.ns(change), *flags))
    return out


imperative = imp.kubernetes(_create, imp.workload_verbs())
