"""The cluster as a picture's data (`planner show -o html`, and the plan page's before and after): node pools with
their nodes, the Pods on each node, Pending Pods, Services with their endpoints and load balancers.

Gathered from what `planner get` already reads (the kinds' views: nodes, pods, services), so the picture says what
`get` says; the renderers (render/html) only lay it out. Plain JSON data, sorted: the page is byte-identical for
one state.
"""

from __future__ import annotations

from typing import Any

from planner import inspect, kinds
from planner.kinds.service import picture_rows
from planner.kinds.workloads import pod_owners
from planner.state import State


def picture(state: State) -> dict[str, Any]:
    """The state's objects, grouped as they are drawn: pools -> nodes -> Pods; Services with their endpoints."""
    owners = pod_owners(state)
    pods_by_node: dict[str, list[dict[str, Any]]] = {}
    pending: list[dict[str, Any]] = []
    for row in inspect.rows(state, "pods"):
        namespace, name = str(row["namespace"]), str(row["name"])
        workload, reference = owners.get((namespace, name), ("", ""))
        pod = {"namespace": namespace, "name": name, "ip": row["ip"], "status": row["status"],
               "owner": reference, "workload": workload, "reason": row.get("reason", "")}
        where = str(row["node"])
        if where == "<none>":
            pending.append(pod)
        else:
            pods_by_node.setdefault(where, []).append(pod)
    pools: dict[str, list[dict[str, Any]]] = {}
    for row in inspect.rows(state, "nodes"):
        node = {key: row[key] for key in ("name", "internalIP", "externalIP", "podCIDR", "zone", "machineType")}
        node["pods"] = pods_by_node.get(str(row["name"]), [])
        pools.setdefault(str(row["pool"]), []).append(node)
    services = [{key: row.get(key) for key in ("namespace", "name", "type", "clusterIP", "externalIP", "ports",
                                               "selector", "endpointIPs", "balancer")}
                for row in picture_rows(state)]
    return {"head": _cluster(state),
            "pools": [{"name": name, "nodes": nodes} for name, nodes in sorted(pools.items())],
            "pending": pending, "services": services,
            "counts": {"nodes": sum(len(n) for n in pools.values()),
                       "pods": sum(len(p) for p in pods_by_node.values()) + len(pending),
                       "services": len(services)}}


def _cluster(state: State) -> dict[str, Any] | None:
    """The cluster's name, location and the line its kind prints about it after apply (endpoint, ranges)."""
    cluster = state.cluster
    if cluster is None:
        return None
    lines = kinds.spec_of(cluster.family).status_lines(cluster.status) if cluster.status else []
    return {"name": cluster.name, "location": str((cluster.manifest.get("spec") or {}).get("location", "")),
            "summary": lines[0] if lines else "not created yet"}
