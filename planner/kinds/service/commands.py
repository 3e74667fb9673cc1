"""A Service's imperative equivalents: `kubectl expose deployment` (the GKE tutorial's) when the Service is what
expose derives from the Deployment of its name, else `kubectl create service TYPE` when that says everything, else
`kubectl apply -f -`; `kubectl set selector` and patches for updates (planner.kinds.imperative).

`kubectl expose` copies the exposed Deployment's matchLabels as the selector and, with no --labels, its labels;
protocol defaults to TCP (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_expose/). `kubectl create
service clusterip|nodeport|loadbalancer NAME --tcp=PORT:TARGET` labels and selects `app: NAME` and names each port
`PORT-TARGET` (kubectl pkg/cmd/create/create_service.go; checked with `--dry-run=client -o yaml` by
tests/test_imperative.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import imperative as imp

if TYPE_CHECKING:
    from planner.plan import ResourceChange

EXPOSES = "Deployment"
"""The kind `kubectl expose` reads the selector from (it also exposes ReplicaSets and Pods; the tutorial's is this)."""
TYPES = {"ClusterIP": "clusterip", "NodePort": "nodeport", "LoadBalancer": "loadbalancer"}


def _ports(spec: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The ports with protocol TCP made explicit, or None when one says more than port/targetPort/name/protocol."""
    out = []
    for port in spec.get("ports") or []:
        if set(port) - {"port", "targetPort", "name", "protocol"} or port.get("protocol", "TCP") != "TCP":
            return None
        out.append({**port, "protocol": "TCP", "targetPort": port.get("targetPort", port.get("port"))})
    return out


def _expose(change: ResourceChange, manifest: imp.Manifest, others: imp.Others) -> list[str] | None:
    spec = manifest.get("spec") or {}
    ports = _ports(spec)
    deployment = others.get(f"{EXPOSES}/{change.namespace or 'default'}/{change.name}")
    if deployment is None or ports is None or len(ports) != 1 or "name" in ports[0] or set(spec) - {
            "type", "selector", "ports"}:
        return None
    selector = imp.get(deployment, ("spec", "selector")) or {}
    labels = imp.get(deployment, ("metadata", "labels")) or {}
    metadata = manifest.get("metadata") or {}
    if set(selector) != {"matchLabels"} or spec.get("selector") != selector["matchLabels"] or set(metadata) - {
            "name", "namespace", "labels"} or (metadata.get("labels") or {}) != labels:
        return None
    kind = spec.get("type", "ClusterIP")
    return [imp.cmd("kubectl", "expose", EXPOSES.lower(), change.name, *imp.ns(change),
                    *([f"--type={kind}"] if kind != "ClusterIP" else []), "--port", ports[0]["port"],
                    "--target-port", ports[0]["targetPort"])]


def _create_service(change: ResourceChange, manifest: imp.Manifest) -> list[str] | None:
    spec = manifest.get("spec") or {}
    ports = _ports(spec)
    label = {"app": change.name}
    metadata = manifest.get("metadata") or {}
    kind = spec.get("type", "ClusterIP")
    if ports is None or not ports or kind not in TYPES or set(spec) - {"type", "selector", "ports", "clusterIP"} or \
            spec.get("selector") != label or metadata.get("labels") != label or set(metadata) - {
            "name", "namespace", "labels"} or spec.get("clusterIP", "None") != "None" or any(
            p.get("name") != f"{p['port']}-{p['targetPort']}" for p in ports):
        return None
    return [imp.cmd("kubectl", "create", change.kind.lower(), TYPES[kind], change.name, *imp.ns(change),
                    *[f"--tcp={p['port']}:{p['targetPort']}" for p in ports],
                    *(["--clusterip=None"] if "clusterIP" in spec else []))]


def _create(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)  # once: stripping a manifest's defaults is most of a create's commands
    return _expose(change, manifest, others) or _create_service(change, manifest) or imp.apply_manifest(manifest)


def _set_selector(change: ResourceChange, changes: Any) -> list[str]:
    """`kubectl set selector service NAME k=v,...` replaces the whole selector."""
    selector = imp.get(change.after, ("spec", "selector")) or {}
    if not selector:
        return imp.merge_patch(change, changes)
    return [imp.cmd("kubectl", "set", "selector", change.kind.lower(), change.name, *imp.ns(change),
                    ",".join(f"{k}={v}" for k, v in selector.items()))]


imperative = imp.kubernetes(_create, [("spec.selector", _set_selector)])
