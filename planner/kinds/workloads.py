"""What every Pod-running family shares: its Pod template, the `get pods` view, the Pending warning a plan repeats,
and the apply events about where its Pods run.

Workloads keep their Pods in their live object (`pods`, Pod objects shaped as in `planner.simulate.objects`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.errors import Diagnostic
from planner.kinds.base import GetView, Manifest
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.state import State, StoredResource


def template(manifest: Manifest) -> dict[str, Any]:
    found: dict[str, Any] = (manifest.get("spec") or {}).get("template") or {}
    return found


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    found: dict[str, Any] = template(manifest).get("spec") or {}
    return found


def pod_labels(manifest: Manifest) -> dict[str, str]:
    found: dict[str, str] = (template(manifest).get("metadata") or {}).get("labels") or {}
    return found


def placement_events(status: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Where the Pods run now: "3 Running on node-a (2), node-b (1)", "1 Pending: <scheduler's reason>"."""
    pods = status.get("pods") or []
    by_node: dict[str, int] = {}
    pending = []
    for pod in pods:
        node = objects.pod_node(pod)
        if node:
            by_node[node] = by_node.get(node, 0) + 1
        else:
            pending.append(pod)
    events: list[dict[str, Any]] = []
    if by_node:
        shown = sorted(by_node.items())
        events.append({"event": "pods-running", "count": sum(by_node.values()),
                       "nodes": [f"{n} ({c})" for n, c in shown[:4]], "nodes_more": max(0, len(shown) - 4)})
    if pending:
        counted = (status.get("unscheduled") or {}).get("count", 0)
        events.append({"event": "pods-pending", "count": len(pending) + counted,
                       "reason": objects.pending_reason(pending[0])})
    return events


def upgrade_pods_v1(pods: list[dict[str, Any]], owner_kind: str) -> list[dict[str, Any]]:
    """State format 1 -> 2: flat Pod records become Pod objects."""
    out = []
    for old in pods:
        pod = objects.new_pod(old["name"], owner_kind, old["replicaSet"], old.get("created") or "")
        if old.get("node"):
            objects.bind(pod, old["node"], old["ip"])
        else:
            reason = str(old.get("reason", ""))
            objects.unschedulable(pod, reason.removeprefix("Unschedulable: "))
        out.append(pod)
    return out


MESSAGES = {
    "pods-running": "{count} Running on {nodes}",
    "pods-pending": "{count} Pending: {reason}",
}


def pending_warning(resource: StoredResource, future: bool) -> list[Diagnostic]:
    pods = resource.status.get("pods") or []
    pending = [p for p in pods if not objects.pod_node(p)]
    if not pending:
        return []
    counted = (resource.status.get("unscheduled") or {}).get("count", 0)
    verb = "will stay" if future else "are"
    declined = resource.status.get("notTriggerScaleUp")
    autoscaler = (f"; cluster-autoscaler adds no node (NotTriggerScaleUp: a new node would not fit them either: "
                  f"{declined})" if declined else "")
    return [Diagnostic("warning", f"{len(pending) + counted} of {len(pods) + counted} Pods {verb} Pending: "
                                  f"{objects.scheduler_message(pending[0])}{autoscaler}", address=resource.address)]


def workloads(state: State) -> list[StoredResource]:
    return sorted((r for r in state.resources.values() if kinds.spec_of(r.family).pod_spec is not None),
                  key=lambda r: r.address)


def _pod_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in workloads(state):
        containers = len(pod_spec(resource.manifest).get("containers") or [])
        labels = pod_labels(resource.manifest)  # a Pod's labels are its template's (for `get pods -l`)
        for pod in resource.status.get("pods") or []:
            node = objects.pod_node(pod)
            out.append({"namespace": resource.namespace, "name": objects.pod_name(pod), "labels": labels,
                        "ready": f"{containers if node else 0}/{containers}",
                        "status": "Running" if node else "Pending", "restarts": 0,
                        "created": objects.pod_created(pod), "ip": objects.pod_ip(pod) or "<none>",
                        "node": node or "<none>", "reason": objects.pending_reason(pod)})
        for pod in resource.status.get("completedPods") or []:  # a Job's Pods that ran to completion
            out.append({"namespace": resource.namespace, "name": objects.pod_name(pod), "labels": labels,
                        "ready": f"0/{containers}",
                        "status": "Completed", "restarts": 0, "created": objects.pod_created(pod),
                        "ip": objects.pod_ip(pod) or "<none>", "node": objects.pod_node(pod) or "<none>",
                        "reason": ""})
    return sorted(out, key=lambda r: (r["namespace"], r["name"]))


def pod_owners(state: State) -> dict[tuple[str, str], tuple[str, str]]:
    """(namespace, Pod name) -> (its workload's address, its ownerReference as `Kind/name`): the cluster picture
    groups Pods by owner."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for resource in workloads(state):
        for pod in (resource.status.get("pods") or []) + (resource.status.get("completedPods") or []):
            reference = (pod.get("metadata", {}).get("ownerReferences") or [{}])[0]
            out[(resource.namespace or "", objects.pod_name(pod))] = (
                resource.address, f"{reference.get('kind', resource.kind)}/{reference.get('name', resource.name)}")
    return out


POD_VIEW = GetView("pods", _pod_rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"),
                                       ("STATUS", "status"), ("RESTARTS", "restarts"), ("AGE", "age")),
                   (("IP", "ip"), ("NODE", "node"), ("REASON", "reason")), aliases=("pod", "po"), resource="pod")
