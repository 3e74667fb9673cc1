"""Apply for Jobs: the Job controller starts up to `parallelism` Pods at a time until `completions` of them have
succeeded; kube-scheduler binds each, its kubelet runs it to completion, and the Pod (Succeeded, shown Completed)
no longer holds CPU or memory on its node.

MODELLED: every Pod succeeds at its first attempt and takes no time, so backoffLimit is never reached and a Job
completes within the apply that creates it, unless its Pods find no room (they stay Pending and the Job goes on
when room appears, like a stalled rollout). Sources: https://kubernetes.io/docs/concepts/workloads/controllers/job/
(parallelism, completions, Pod backoff failure policy); https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
(Succeeded: "All containers in the Pod have terminated in success"; such Pods keep no requests on their node).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.kinds import workloads
from planner.kinds.base import Meta, OpResult
from planner.kinds.job.rules import completions, parallelism
from planner.plan import Operation
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.engine import Engine
    from planner.state import StoredResource

FAMILY = "job"
KEPT_COMPLETED_PODS = 1000
"""Completed Pods a Job's record keeps one by one (Kubernetes keeps them all until the Job goes); beyond, they are
counted in status.succeeded only: a Job of a million completions is simulated, not enumerated."""
SIMULATED_PASSES = 50
"""Job controller passes simulated Pod by Pod before the remaining completions are counted (see `run`)."""


class JobCondition(TypedDict):
    type: str
    status: str


class JobStatus(TypedDict, total=False):
    active: int
    succeeded: int
    failed: int
    startTime: str
    completionTime: str
    conditions: list[JobCondition]


class JobLive(TypedDict, total=False):
    """`kubectl get job -o yaml` (metadata, status), its running or Pending Pods and its Completed ones."""

    metadata: Meta
    status: JobStatus
    pods: list[objects.Pod]
    completedPods: list[objects.Pod]
    podSequence: int


def run(engine: Engine, address: str, name: str, spec: Mapping[str, Any], status: dict[str, Any],
        cpu: int, memory: int) -> bool:
    """The Job controller's syncs until the Job completes or its Pods find no room; returns whether it completed.

    Each pass: the bound Pods run to completion and free their requests, the Pending ones get another chance, and
    new Pods start up to `parallelism`. Once one Pod has run, every later wave finds the same room (nothing else
    changes meanwhile), so after SIMULATED_PASSES passes the remaining completions are counted, not simulated."""
    world = engine.world
    observed = status.setdefault("status", {})
    observed.setdefault("startTime", engine.now)
    target, width = completions(spec), parallelism(spec)
    done: list[dict[str, Any]] = status.setdefault("completedPods", [])
    active: list[dict[str, Any]] = status.get("pods") or []
    succeeded = observed.get("succeeded", 0)
    for _ in range(SIMULATED_PASSES):
        for pod in active:  # room may have appeared: the Pending ones first
            if not objects.pod_node(pod):
                world.place(pod, cpu, memory, address)
        start = min(width - len(active), target - succeeded - len(active))
        if start > 0:
            active += world.start_pods(status, name, start, cpu, memory, address, "Job")
            status.pop("unscheduled", None)  # bounded by parallelism: a Job's Pods are never only counted
        finished = [p for p in active if objects.pod_node(p)]
        if not finished:
            break  # nothing can run: the rest waits for room (or nothing is left)
        for pod in finished:  # the kubelet runs it to completion: its requests leave the node
            world.remove_pod(pod, cpu, memory)
            pod["status"] = {"phase": "Succeeded", "podIP": objects.pod_ip(pod) or ""}
        done += finished[: max(0, KEPT_COMPLETED_PODS - len(done))]
        succeeded += len(finished)
        active = [p for p in active if not objects.pod_node(p)]
    else:
        rest = target - succeeded  # steady state reached: the remaining waves run the same way
        for _ in range(min(rest, max(0, KEPT_COMPLETED_PODS - len(done)))):
            pod = world.new_pod(status, name, "Job")
            pod["status"] = {"phase": "Succeeded"}
            done.append(pod)
        succeeded, active = target, []
    status["pods"] = active
    observed.update(active=len(active), succeeded=succeeded)
    complete = succeeded >= target and not active
    if complete:
        observed.update(completionTime=engine.now, conditions=[{"type": "Complete", "status": "True"}])
        world.stalled.discard(address)
        world.pending_owners.discard(address)
    else:
        world.stalled.add(address)
    return complete


def _requests(engine: Engine, manifest: Mapping[str, Any]) -> tuple[int, int]:
    return engine.world.requests(manifest, FAMILY)


def create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    spec = manifest.get("spec") or {}
    status.update(pods=[], completedPods=[], podSequence=0)
    if spec.get("suspend") is True:
        return OpResult(op.change.address, "create", {"event": "job-suspended", "name": op.change.name})
    complete = run(engine, op.change.address, op.change.name, spec, status, *_requests(engine, manifest))
    return OpResult(op.change.address, "create", _summary(op.change.name, status, complete),
                    workloads.placement_events(status))


def _summary(name: str, status: Mapping[str, Any], complete: bool) -> dict[str, Any]:
    observed = status.get("status") or {}
    if complete:
        return {"event": "job-complete", "name": name, "succeeded": observed.get("succeeded", 0)}
    return {"event": "job-waiting", "name": name, "succeeded": observed.get("succeeded", 0),
            "active": observed.get("active", 0)}


def update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    """Only parallelism, suspend and the like change in place (the template is immutable): an unfinished Job goes on
    with the new parallelism; a finished one stays finished."""
    manifest = op.change.after or {}
    spec = manifest.get("spec") or {}
    conditions = (status.get("status") or {}).get("conditions") or []
    if conditions or spec.get("suspend") is True:
        return OpResult(op.change.address, "update", {"event": "job-updated", "name": op.change.name})
    complete = run(engine, op.change.address, op.change.name, spec, status, *_requests(engine, manifest))
    return OpResult(op.change.address, "update", _summary(op.change.name, status, complete),
                    workloads.placement_events(status))


def delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    world = engine.world
    world.pending_owners.discard(op.change.address)
    world.stalled.discard(op.change.address)
    cpu, memory = _requests(engine, op.change.before or {})
    active = status.get("pods") or []
    for pod in active:
        world.remove_pod(pod, cpu, memory)
    if active:
        world.reschedule([])
    pods = len(active) + (status.get("status") or {}).get("succeeded", 0)
    return OpResult(op.change.address, "delete", {"event": "job-deleted", "name": op.change.name, "pods": pods})


def resume(engine: Engine, record: StoredResource) -> str | None:
    """Room appeared: the Job's Pending Pods start and the Job goes on."""
    spec = record.manifest.get("spec") or {}
    if run(engine, record.address, record.name, spec, record.status, *_requests(engine, record.manifest)):
        return f"Job {record.name} complete"
    return None


def restore(engine: Engine, resource: StoredResource) -> None:
    cpu, memory = _requests(engine, resource.manifest)
    if resource.status.get("pods"):
        engine.world.stalled.add(resource.address)
    for pod in resource.status.get("pods") or []:
        engine.world.restore_pod(pod, cpu, memory, resource.address)


def status_lines(status: Mapping[str, Any]) -> list[str]:
    observed = status.get("status") or {}
    state = "Complete" if observed.get("conditions") else "Running"
    return [f"{state}: {observed.get('succeeded', 0)} succeeded, {observed.get('active', 0)} active"] + [
        f"pod {objects.pod_name(p)}  {p['status'].get('phase')}  {objects.pod_node(p) or objects.pending_reason(p)}"
        for p in status.get("pods") or []]


MESSAGES = {
    "job-complete": "Job {name} complete: {succeeded} Pod(s) succeeded and released their CPU and memory",
    "job-waiting": "Job {name} not complete: {succeeded} succeeded, {active} waiting for room",
    "job-suspended": "Job {name} created suspended: no Pod starts until spec.suspend is false",
    "job-updated": "Job {name} updated",
    "job-deleted": "Job {name} and its {pods} Pod(s) deleted",
}
