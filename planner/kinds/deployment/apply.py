"""Apply for Deployments: the deployment and ReplicaSet controllers, sync by sync, with real scheduling.

Sources: pkg/controller/deployment (rolling update, proportional scaling, revision history), pkg/controller/replicaset
(which Pods go first on scale-down); Deployments (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.errors import Diagnostic
from planner.kinds import workloads
from planner.kinds.base import Manifest, OpResult
from planner.kinds.deployment.live import (
    FAMILY,
    current_replica_set,
    field,
    replica_set,
    revision,
    rs_name,
    rs_revision,
    stall,
    write_status,
)
from planner.knowledge.rollout import Wave, rolling_bounds, rollout_syncs, waves
from planner.model import replica_set_of
from planner.plan import Action, Operation, ResourceChange
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.engine import Engine
    from planner.state import StoredResource


def _requests(engine: Engine, manifest: Manifest) -> tuple[int, int]:
    """One Pod's requests as the cluster admits it (Autopilot's GKE Warden may raise them)."""
    return engine.world.requests(manifest, FAMILY)


def create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    replicas = field(manifest, "spec.replicas")
    rs = replica_set_of(op.change.name, manifest, op.change.after_digest)
    status.setdefault("metadata", {})["annotations"] = {objects.REVISION_ANNOTATION: "1"}
    status.update(replicaSets=[replica_set(rs, 1, replicas, engine.now)], pods=[], podSequence=0)
    cpu, memory = _requests(engine, manifest)
    world = engine.world
    status["pods"] = world.start_pods(status, rs, replicas, cpu, memory, op.change.address)
    write_status(status, replicas)
    return OpResult(op.change.address, "create", {"event": "replicaset-created", "replica_set": rs,
                                                  "replicas": replicas}, workloads.placement_events(status))


def delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    world = engine.world
    world.pending_owners.discard(op.change.address)
    cpu, memory = _requests(engine, op.change.before or {})
    pods = status.get("pods") or []
    for pod in pods:
        world.remove_pod(pod, cpu, memory)
    pending = world.reschedule([]) if pods else 0
    details = [{"event": "pending-elsewhere", "count": pending}] if pending else []
    return OpResult(op.change.address, "delete", {"event": "deployment-deleted", "name": op.change.name,
                                                  "pods": len(pods)}, details)


def _victims(pods: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Which Pods a ReplicaSet deletes first: Pending ones, then those on the most crowded nodes, then the newest
    (pkg/controller/replicaset getPodsToDelete)."""
    crowd: dict[str, int] = {}
    for p in pods:
        node = objects.pod_node(p)
        if node:
            crowd[node] = crowd.get(node, 0) + 1
    ranked = heapq.nsmallest(count, enumerate(pods), key=lambda ip: (objects.pod_node(ip[1]) is not None,
                                                                      -crowd.get(objects.pod_node(ip[1]) or "", 0),
                                                                      -ip[0]))  # = sorted(...)[:count], cheaper
    return [p for _, p in ranked]


def _drop(pods: list[dict[str, Any]], gone: list[dict[str, Any]]) -> None:
    """Remove `gone` from `pods` in one pass (list.remove per Pod would be quadratic in a large rollout)."""
    if gone:
        ids = {id(p) for p in gone}
        pods[:] = [p for p in pods if id(p) not in ids]


def _wave_text(wave: Wave) -> str:
    parts = []
    if wave.new:
        parts.append(f"new {wave.new[0]}->{wave.new[1]}")
    if wave.old:
        parts.append(f"old {wave.old[0]}->{wave.old[1]}")
    return ", ".join(parts)


def _rollout(engine: Engine, op: Operation, status: dict[str, Any]) -> dict[str, Any]:
    """A rolling update (or Recreate) sync by sync, with real scheduling: new Pods may stay Pending, and a rollout
    that can neither surge nor scale down is stalled, as the deployment controller leaves it."""
    world = engine.world
    before, after = op.change.before or {}, op.change.after or {}
    spec = after.get("spec") or {}
    replicas = field(after, "spec.replicas")
    old_cpu, old_memory = _requests(engine, before)
    cpu, memory = _requests(engine, after)
    new_rs = replica_set_of(op.change.name, after, op.change.after_digest)
    history = status.get("replicaSets") or []
    continuing = new_rs == current_replica_set(status)  # a stalled rollout resumed or rescaled
    rev = revision(status) if continuing else max((rs_revision(r) for r in history), default=0) + 1
    reused = any(rs_name(r) == new_rs for r in history) and not continuing
    pods: list[dict[str, Any]] = status.get("pods") or []
    status.pop("unscheduled", None)  # Pending old Pods are the first the rollout deletes
    old_pods = [p for p in pods if objects.pod_owner(p) != new_rs]
    new_pods = [p for p in pods if objects.pod_owner(p) == new_rs]
    strategy = spec.get("strategy") or {}
    surge, unavailable = rolling_bounds(replicas, field(after, "spec.strategy.rollingUpdate.maxSurge"),
                                        field(after, "spec.strategy.rollingUpdate.maxUnavailable"))

    excess = len(old_pods) + len(new_pods) - (replicas + surge)
    if old_pods and new_pods and excess > 0:
        # Scaling mid-rollout: the controller shares the cut among ReplicaSets in proportion to their size.
        from_old = min(len(old_pods), round(excess * len(old_pods) / (len(old_pods) + len(new_pods))))
        from_new = min(len(new_pods), excess - from_old)
        for group, count, requests in ((old_pods, from_old, (old_cpu, old_memory)),
                                       (new_pods, from_new, (cpu, memory))):
            victims = _victims(group, count)
            for pod in victims:
                world.remove_pod(pod, *requests)
            _drop(group, victims)
    waiting = [p for p in new_pods if not objects.pod_node(p)]  # new Pods still Pending, in creation order

    def place(count: int) -> int:
        started = world.start_pods(status, new_rs, count, cpu, memory, op.change.address)
        new_pods.extend(started)
        waiting.extend(pod for pod in started if objects.pod_node(pod) is None)
        return sum(1 for pod in started if objects.pod_node(pod) is not None)

    def release(count: int) -> int:
        victims = _victims(old_pods, count)
        for pod in victims:
            world.remove_pod(pod, old_cpu, old_memory)
        _drop(old_pods, victims)
        for pod in waiting:  # the room just freed lets Pending new Pods start
            world.place(pod, cpu, memory, op.change.address)
        started = [pod for pod in waiting if objects.pod_node(pod) is not None]
        _drop(waiting, started)
        return len(started)

    def shrink(count: int) -> int:
        victims = _victims(new_pods, count)
        for pod in victims:
            world.remove_pod(pod, cpu, memory)
        _drop(new_pods, victims)
        _drop(waiting, victims)
        return sum(1 for pod in victims if objects.pod_node(pod) is not None)

    syncs, stalled = rollout_syncs(replicas, len(old_pods), surge, unavailable,
                                   recreate=strategy.get("type") == "Recreate", new=len(new_pods),
                                   new_available=sum(1 for p in new_pods if objects.pod_node(p)),
                                   old_available=sum(1 for p in old_pods if objects.pod_node(p)), place=place,
                                   release=release, shrink=shrink)
    status["pods"] = old_pods + new_pods
    counts: dict[str, int] = {}
    for pod in status["pods"]:
        counts[objects.pod_owner(pod)] = counts.get(objects.pod_owner(pod), 0) + 1
    kept = [r for r in history if rs_name(r) != new_rs]
    for r in kept:
        r["spec"] = {"replicas": counts.get(rs_name(r), 0)}
    if continuing:
        rev = next((rs_revision(r) for r in history if rs_name(r) == new_rs), rev)
    limit = field(after, "spec.revisionHistoryLimit")
    idle = sorted((r for r in kept if not r["spec"]["replicas"]), key=rs_revision)
    drop = {rs_name(r) for r in idle[: max(0, len(idle) - limit)]}
    kept = [r for r in kept if rs_name(r) not in drop]
    created = next((r["metadata"].get("creationTimestamp") for r in history if rs_name(r) == new_rs), engine.now)
    kept.append(replica_set(new_rs, rev, counts.get(new_rs, 0), created))
    status.setdefault("metadata", {})["annotations"] = {objects.REVISION_ANNOTATION: str(rev)}
    status["replicaSets"] = kept
    write_status(status, replicas)
    shown = "; ".join(_wave_text(w) for w in waves(syncs)) or "none"
    if stalled:
        deadline = field(after, "spec.progressDeadlineSeconds")
        message = (f'ReplicaSet "{new_rs}" has timed out progressing (after {deadline}s): '
                   f"{counts.get(new_rs, 0)}/{replicas} new Pods, {len(old_pods)} old Pods still serving")
        status["status"]["conditions"] = [{"type": "Progressing", "status": "False",
                                           "reason": "ProgressDeadlineExceeded", "message": message}]
        world.stalled.add(op.change.address)
        return {"event": "rollout-stalled", "revision": rev, "message": message, "waves": shown}
    return {"event": "rolled-out", "revision": rev, "replica_set": new_rs, "reused": "reused" if reused else "new",
            "replicas": replicas, "waves": shown}


def update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    world = engine.world
    after = op.change.after or {}
    replicas = field(after, "spec.replicas")
    cpu, memory = _requests(engine, after)
    pods: list[dict[str, Any]] = status.get("pods") or []
    summary: dict[str, Any] = {"event": "deployment-updated", "name": op.change.name}
    current = current_replica_set(status)
    mid_rollout = any(objects.pod_owner(p) != current for p in pods)
    if "rollout" in op.change.change_classes or mid_rollout:
        # A scale during an unfinished rollout resizes both sides, as the controller's proportional scaling does.
        summary = _rollout(engine, op, status)
    elif "scale" in op.change.change_classes:
        rs = current or replica_set_of(op.change.name, after, op.change.after_digest)
        mine = [p for p in pods if objects.pod_owner(p) == rs]
        surplus = status.get("unscheduled") or {}
        unscheduled = surplus.get("count", 0)
        if replicas < len(mine) + unscheduled and unscheduled:  # Pending Pods go first, the counted ones first of all
            gone = min(unscheduled, len(mine) + unscheduled - replicas)
            surplus["count"] = unscheduled = unscheduled - gone
            if not unscheduled:
                status.pop("unscheduled")
        if replicas < len(mine) + unscheduled:
            doomed = {id(p) for p in _victims(mine, len(mine) - replicas)}
            for pod in pods:
                if id(pod) in doomed:
                    world.remove_pod(pod, cpu, memory)
            status["pods"] = [p for p in pods if id(p) not in doomed]
            summary = {"event": "scaled-down", "name": op.change.name, "replicas": replicas}
            world.reschedule([])
        else:
            pods += world.start_pods(status, rs, replicas - len(mine) - unscheduled, cpu, memory,
                                     op.change.address)
            status["pods"] = pods
            summary = {"event": "scaled-up", "name": op.change.name, "replicas": replicas}
        for r in status.get("replicaSets") or []:
            if rs_name(r) == rs:
                r["spec"] = {"replicas": replicas}
        write_status(status, replicas)
    return OpResult(op.change.address, "update", summary, workloads.placement_events(status))


def resume(engine: Engine, record: StoredResource) -> str | None:
    change = ResourceChange(record.address, FAMILY, record.api_version, record.kind, record.name, record.namespace,
                            Action.UPDATE, change_classes=("rollout",), before=record.manifest,
                            after=record.manifest, after_digest=record.digest)
    event = _rollout(engine, Operation("update", change), record.status)
    if event["event"] == "rollout-stalled":
        return None
    return f"rolled out revision {event['revision']}"


def restore(engine: Engine, resource: StoredResource) -> None:
    cpu, memory = engine.world.requests(resource.manifest, FAMILY)
    if stall(resource.status) is not None:
        engine.world.stalled.add(resource.address)
    for pod in resource.status.get("pods") or []:
        engine.world.restore_pod(pod, cpu, memory, resource.address)


def status_warnings(resource: StoredResource, future: bool) -> list[Diagnostic]:
    out = workloads.pending_warning(resource, future)
    stalled = stall(resource.status)
    if stalled is not None:
        verb = "will stall" if future else "is stalled"
        out.append(Diagnostic("warning", f"the rollout {verb} ({stalled.get('reason')}): {stalled.get('message')}",
                              address=resource.address))
    return out


def status_lines(status: Mapping[str, Any]) -> list[str]:
    pods = status.get("pods") or []
    running = sum(1 for p in pods if objects.pod_node(p))
    out = [f"revision {revision(status)}  ReplicaSet {current_replica_set(status)}  {running}/{len(pods)} Pod(s) "
           "running"]
    out += [f"pod {objects.pod_name(p)}  {p['status'].get('phase')}  {objects.pod_ip(p) or '-'}  "
            f"{objects.pod_node(p) or objects.pending_reason(p)}" for p in pods]
    return out
