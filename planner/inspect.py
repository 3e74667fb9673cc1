"""What the simulated world looks like after apply, as rows for `planner get` (kubectl get / gcloud list views).

Rows are computed here from the state; render/get.py only lays them out.
"""

from __future__ import annotations

from typing import Any

from planner.errors import PlannerError
from planner.relations import SelectorIndex
from planner.state import State

KINDS = ("nodes", "instances", "pods", "deployments", "replicasets", "services", "endpoints")
ALIASES = {"node": "nodes", "no": "nodes", "instance": "instances", "pod": "pods", "po": "pods",
           "deployment": "deployments", "deploy": "deployments", "replicaset": "replicasets", "rs": "replicasets",
           "service": "services", "svc": "services", "endpoint": "endpoints", "ep": "endpoints"}


def rows(state: State, what: str) -> list[dict[str, Any]]:
    kind = ALIASES.get(what, what)
    if kind not in KINDS:
        raise PlannerError.single(f'unknown resource type "{what}": use one of {", ".join(KINDS)}')
    return _ROWS[kind](state)


def _nodes(state: State) -> list[dict[str, Any]]:
    version = f"v{state.kubernetes_version or '1.34'}.0-gke"
    out = []
    for resource in state.resources.values():
        pool = resource.status.get("pool") if resource.family in ("cluster", "nodepool") else None
        for node in (pool or {}).get("nodes") or []:
            out.append({"name": node["name"], "status": "Ready", "roles": "<none>", "created": node.get("created"),
                        "version": version, "internalIP": node["internalIP"], "podCIDR": node["podCIDR"],
                        "zone": node["zone"], "machineType": node["machineType"], "pool": pool["name"]})
    return sorted(out, key=lambda r: r["name"])


def _instances(state: State) -> list[dict[str, Any]]:
    return [{"name": n["name"], "zone": n["zone"], "machineType": n["machineType"], "preemptible": "",
             "internalIP": n["internalIP"], "externalIP": "", "status": "RUNNING"} for n in _nodes(state)]


def _deployments(state: State) -> list[Any]:
    return sorted((r for r in state.resources.values() if r.family == "deployment"), key=lambda r: r.address)


def _pods(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        for pod in resource.status.get("pods") or []:
            running = bool(pod.get("node"))
            containers = len(((resource.manifest.get("spec") or {}).get("template") or {}).get("spec", {}).get(
                "containers") or [])
            out.append({"namespace": resource.namespace, "name": pod["name"],
                        "ready": f"{containers if running else 0}/{containers}",
                        "status": "Running" if running else "Pending", "restarts": 0, "created": pod.get("created"),
                        "ip": pod.get("ip") or "<none>", "node": pod.get("node") or "<none>",
                        "reason": pod.get("reason", "")})
    return sorted(out, key=lambda r: (r["namespace"], r["name"]))


def _deployment_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        status = resource.status
        pods = status.get("pods") or []
        replicas = (resource.manifest.get("spec") or {}).get("replicas", 1)
        current = [p for p in pods if p["replicaSet"] == status.get("currentReplicaSet")]
        ready = sum(1 for p in pods if p.get("node"))
        out.append({"namespace": resource.namespace, "name": resource.name, "ready": f"{ready}/{replicas}",
                    "upToDate": len(current), "available": ready, "created": status.get("created"),
                    "revision": status.get("revision"),
                    "stalled": (status.get("rollout") or {}).get("message", "")})
    return out


def _replica_sets(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        pods = resource.status.get("pods") or []
        for rs in resource.status.get("replicaSets") or []:
            mine = [p for p in pods if p["replicaSet"] == rs["name"]]
            out.append({"namespace": resource.namespace, "name": rs["name"], "desired": rs["replicas"],
                        "current": len(mine), "ready": sum(1 for p in mine if p.get("node")),
                        "created": rs.get("created"), "revision": rs["revision"]})
    return sorted(out, key=lambda r: (r["namespace"], r["name"]))


def _services(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in sorted((r for r in state.resources.values() if r.family == "service"), key=lambda r: r.address):
        status = resource.status
        spec = resource.manifest.get("spec") or {}
        ports = ",".join(f"{p['port']}:{p['nodePort']}/{p['protocol']}" if p.get("nodePort") else
                         f"{p['port']}/{p['protocol']}" for p in status.get("ports") or [])
        service_type = spec.get("type", "ClusterIP")
        external = (status.get("loadBalancer") or {}).get("ip") or (
            "<pending>" if service_type == "LoadBalancer" else spec.get("externalName", "<none>"))
        selector = spec.get("selector") or {}
        out.append({"namespace": resource.namespace, "name": resource.name, "type": service_type,
                    "clusterIP": status.get("clusterIP", "<none>"), "externalIP": external,
                    "ports": ports or "<none>", "created": status.get("created"),
                    "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
                    "loadBalancer": (status.get("loadBalancer") or {}).get("name", "")})
    return out


def _endpoints(state: State) -> list[dict[str, Any]]:
    deployments = {(r.namespace or "", r.name): r for r in _deployments(state)}
    index = SelectorIndex(("deployment", ns, name, r.manifest) for (ns, name), r in deployments.items())
    out = []
    for service in _services(state):
        resource = state.resources[f"Service/{service['namespace']}/{service['name']}"]
        selector = (resource.manifest.get("spec") or {}).get("selector") or {}
        targets = [p.get("targetPort", p.get("port")) for p in resource.status.get("ports") or []]
        addresses: list[str] = []
        for name in index.deployments_selected(service["namespace"], selector):
            deployment = deployments[(service["namespace"], name)]
            named = {p.get("name"): p.get("containerPort") for c in (
                (deployment.manifest.get("spec") or {}).get("template") or {}).get("spec", {}).get(
                "containers") or [] for p in c.get("ports") or []}
            # A named targetPort resolves to the selected container's port number, as in EndpointSlices.
            numbers = [named.get(t, t) if isinstance(t, str) else t for t in targets]
            for pod in deployment.status.get("pods") or []:
                if pod.get("ip"):
                    addresses += [f"{pod['ip']}:{t}" for t in numbers]
        out.append({"namespace": service["namespace"], "name": service["name"], "endpoints": sorted(addresses),
                    "created": service["created"]})
    return out


_ROWS = {"nodes": _nodes, "instances": _instances, "pods": _pods, "deployments": _deployment_rows,
         "replicasets": _replica_sets, "services": _services, "endpoints": _endpoints}


