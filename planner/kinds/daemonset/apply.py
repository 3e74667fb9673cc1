"""Apply for DaemonSets: the DaemonSet controller keeps one Pod on each eligible node, bound there by kube-scheduler
through a node affinity, follows the nodes as they come and go, and replaces Pods on a template change.

Sources: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/ (one Pod per eligible node; Pods are
added as nodes join and garbage collected as they leave; scheduled by the default scheduler through node affinity);
https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/ (RollingUpdate and OnDelete);
pkg/controller/daemon/update.go (rollingUpdate: old Pods deleted up to maxUnavailable, or new ones surged beside
them up to maxSurge and the old one deleted once the new one is available).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.kinds import workloads
from planner.kinds.base import Manifest, OpResult
from planner.kinds.daemonset.live import (
    FAMILY,
    REVISION_LABEL,
    eligible,
    field,
    pod_revision,
    revision_hash,
    revision_name,
    rolling_numbers,
    write_status,
)
from planner.plan import Operation
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.engine import Engine
    from planner.state import StoredResource


def _revision(op: Operation, manifest: Manifest) -> str:
    return revision_name(op.change.name, manifest, op.change.after_digest if manifest is op.change.after else "")


def _new_pod(engine: Engine, status: dict[str, Any], name: str, revision: str, node: str, cpu: int, memory: int,
             address: str) -> dict[str, Any]:
    """The controller creates a Pod for `node` (node affinity on its name); kube-scheduler binds it there."""
    pod = engine.world.new_pod(status, name, "DaemonSet")
    pod["metadata"]["labels"] = {REVISION_LABEL: revision_hash(name, revision)}
    objects.pin(pod, node)
    engine.world.place(pod, cpu, memory, address)
    return pod


def create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    revision = _revision(op, manifest)
    cpu, memory = engine.world.requests(manifest, FAMILY)
    status.update(controllerRevision={"name": revision, "revision": 1}, pods=[], podSequence=0)
    nodes = [n for n in engine.world.node_objects() if eligible(manifest, n)]
    status["pods"] = [_new_pod(engine, status, op.change.name, revision, objects.node_name(n), cpu, memory,
                               op.change.address) for n in nodes]
    write_status(status, revision_hash(op.change.name, revision))
    return OpResult(op.change.address, "create", {"event": "daemonset-created", "name": op.change.name,
                                                  "pods": len(nodes)}, workloads.placement_events(status))


def delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    world = engine.world
    world.pending_owners.discard(op.change.address)
    cpu, memory = world.requests(op.change.before or {}, FAMILY)
    pods = status.get("pods") or []
    for pod in pods:
        world.remove_pod(pod, cpu, memory)
    pending = world.reschedule([]) if pods else 0
    details = [{"event": "pending-elsewhere", "count": pending}] if pending else []
    return OpResult(op.change.address, "delete", {"event": "daemonset-deleted", "name": op.change.name,
                                                  "pods": len(pods)}, details)


def follow_nodes(engine: Engine, resource: StoredResource, added: list[dict[str, Any]], removed: set[str]) -> None:
    """Nodes came or went: the controller creates a Pod for each new eligible node (with the current template)
    and the Pods of deleted nodes go with them (garbage collected, never moved to another node)."""
    status = resource.status
    if "controllerRevision" not in status:
        return  # not created yet (a record in the making)
    world = engine.world
    cpu, memory = world.requests(resource.manifest, FAMILY)
    pods = status.get("pods") or []
    kept = []
    for pod in pods:
        if objects.pinned_node(pod) in removed:
            world.remove_pod(pod, cpu, memory)
        else:
            kept.append(pod)
    revision = status["controllerRevision"]["name"]
    have = {objects.pinned_node(p) for p in kept}
    for node in added:
        name = objects.node_name(node)
        if name not in have and eligible(resource.manifest, node):
            kept.append(_new_pod(engine, status, resource.name, revision, name, cpu, memory, resource.address))
    status["pods"] = kept
    write_status(status, revision_hash(resource.name, revision))


def _reconcile(engine: Engine, op: Operation, status: dict[str, Any], revision: str, cpu: int,
               memory: int) -> list[dict[str, Any]]:
    """Pods for the nodes that became eligible (a new nodeSelector) and none for the nodes no longer eligible."""
    manifest = op.change.after or {}
    world = engine.world
    wanted = {objects.node_name(n) for n in world.node_objects() if eligible(manifest, n)}
    pods = status.get("pods") or []
    kept = []
    for pod in pods:
        if objects.pinned_node(pod) in wanted:
            kept.append(pod)
        else:
            world.remove_pod(pod, cpu, memory)
    have = {objects.pinned_node(p) for p in kept}
    kept += [_new_pod(engine, status, op.change.name, revision, node, cpu, memory, op.change.address)
             for node in sorted(wanted - have)]
    return kept


def _roll(engine: Engine, op: Operation, status: dict[str, Any], pods: list[dict[str, Any]], revision: str,
          old: tuple[int, int], new: tuple[int, int]) -> tuple[int, bool]:
    """Replace every old Pod, node by node. Returns (waves, stalled): with maxUnavailable, the old Pod goes first;
    with maxSurge, the new one starts beside it and the old one goes once the new one runs. New Pods that find no
    room use up the budget, and the rollout stops there, as the controller does."""
    world = engine.world
    surge, unavailable = rolling_numbers(op.change.after or {}, len(pods))
    current = revision_hash(op.change.name, revision)
    stale = [p for p in pods if pod_revision(p) != current]
    gone: set[int] = set()
    stuck = replaced = 0
    for pod in stale:
        if stuck >= (surge or unavailable):
            break
        if not surge:
            world.remove_pod(pod, *old)
            gone.add(id(pod))
        fresh = _new_pod(engine, status, op.change.name, revision, objects.pinned_node(pod) or "", *new,
                         op.change.address)
        pods.append(fresh)
        if objects.pod_node(fresh) is None:
            stuck += 1
        elif surge:
            world.remove_pod(pod, *old)
            gone.add(id(pod))
        replaced += 1
    pods[:] = [p for p in pods if id(p) not in gone]  # one pass: removing one by one would be quadratic
    batch = surge or unavailable
    return -(-replaced // batch) if replaced else 0, replaced < len(stale)


def update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    after = op.change.after or {}
    summary: dict[str, Any] = {"event": "daemonset-updated", "name": op.change.name}
    if "rollout" not in op.change.change_classes:
        return OpResult(op.change.address, "update", summary, workloads.placement_events(status))
    revision = _revision(op, after)
    previous = status.get("controllerRevision") or {"name": revision, "revision": 1}
    number = previous["revision"] + (previous["name"] != revision)
    status["controllerRevision"] = {"name": revision, "revision": number}
    old = engine.world.requests(op.change.before or {}, FAMILY)
    new = engine.world.requests(after, FAMILY)
    pods = _reconcile(engine, op, status, revision, *new)
    if field(after, "spec.updateStrategy.type") == "OnDelete":
        summary = {"event": "daemonset-on-delete", "revision": number}
    else:
        waves, stalled = _roll(engine, op, status, pods, revision, old, new)
        summary = {"event": "daemonset-stalled" if stalled else "daemonset-rolled", "revision": number,
                   "waves": waves, "pods": len(pods)}
    status["pods"] = sorted(pods, key=lambda p: objects.pinned_node(p) or "")
    write_status(status, revision_hash(op.change.name, revision))
    return OpResult(op.change.address, "update", summary, workloads.placement_events(status))


def restore(engine: Engine, resource: StoredResource) -> None:
    cpu, memory = engine.world.requests(resource.manifest, FAMILY)
    for pod in resource.status.get("pods") or []:
        engine.world.restore_pod(pod, cpu, memory, resource.address)


def status_lines(status: Mapping[str, Any]) -> list[str]:
    pods = status.get("pods") or []
    running = sum(1 for p in pods if objects.pod_node(p))
    revision = (status.get("controllerRevision") or {}).get("name", "?")
    return [f"ControllerRevision {revision}  {running}/{len(pods)} node(s) running its Pod"] + [
        f"pod {objects.pod_name(p)}  {p['status'].get('phase')}  {objects.pod_ip(p) or '-'}  "
        f"{objects.pod_node(p) or objects.pending_reason(p)}" for p in pods]


MESSAGES = {
    "daemonset-created": "DaemonSet {name}: one Pod on each of {pods} eligible node(s)",
    "daemonset-deleted": "DaemonSet {name} and its {pods} Pod(s) deleted",
    "daemonset-updated": "DaemonSet {name} updated",
    "daemonset-rolled": "rolled out revision {revision} to {pods} node(s) in {waves} wave(s)",
    "daemonset-stalled": "rollout to revision {revision} STALLED after {waves} wave(s): new Pods found no room "
                         "on their nodes",
    "daemonset-on-delete": "revision {revision} stored (OnDelete: running Pods keep the old template until deleted)",
    "pending-elsewhere": "{count} Pending Pod(s) elsewhere still Pending",
}
