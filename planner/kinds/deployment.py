"""Deployment (apps/v1): the deployment controller, its ReplicaSets and their Pods.

Sources: gke-lifecycle.md "Deployment create", "Deployment scale", "Pod template change" and "Deletion";
Kubernetes API reference DeploymentSpec (defaults); pkg/controller/deployment (rolling update arithmetic, revision
annotation, proportional scaling); pkg/controller/replicaset (which Pods go first on scale-down).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.errors import Diagnostic
from planner.kinds import workloads
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, Path, Problem, Rank, S, Schema
from planner.knowledge import capacity
from planner.knowledge.rollout import Wave, rolling_bounds, rollout_syncs, waves
from planner.model import replica_set_of
from planner.selectors import selector_matches
from planner.simulate import objects
from planner.simulate.controllers import workload_requests

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine, OpResult
    from planner.state import State, StoredResource

FAMILY = "deployment"
POD_SPEC = "spec.template.spec"


# ---------------------------------------------------------------- validation


def duplicate_container_names(pod: Mapping[str, Any], base: Path) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for field in ("initContainers", "containers"):
        for i, container in enumerate(pod.get(field) or []):
            name = container.get("name")
            if name in seen:
                problems.append(Problem((*base, field, i, "name"), f'duplicate container name "{name}"'))
            seen.add(name)
    return problems


def _check(data: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    spec = data.get("spec") or {}
    selector = spec.get("selector") or {}
    labels = workloads.pod_labels(data)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        problems.append(Problem(("spec", "selector"), "empty selector: a Deployment must select its Pods"))
    elif not selector_matches(selector, labels):
        problems.append(Problem(("spec", "selector"),
                                "selector does not match template labels (spec.template.metadata.labels)"))
    problems.extend(duplicate_container_names(workloads.pod_spec(data), ("spec", "template", "spec")))
    return problems


def container_defaults(base: str) -> tuple[tuple[str, Any], ...]:
    return (
        (f"{base}[*].imagePullPolicy", _image_pull_policy),
        (f"{base}[*].terminationMessagePath", "/dev/termination-log"),
        (f"{base}[*].terminationMessagePolicy", "File"),
        (f"{base}[*].resources", {}),
        (f"{base}[*].ports[*].protocol", "TCP"),
    )


def _image_pull_policy(container: dict[str, Any]) -> str:
    """`Always` for `:latest` or an untagged image, else `IfNotPresent` (digests count as tagged)."""
    image = str(container.get("image", ""))
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _when_rolling(value: Any) -> Any:
    return lambda strategy: value if strategy.get("type", "RollingUpdate") == "RollingUpdate" else None


# ---------------------------------------------------------------- the live object


def revision(status: Mapping[str, Any]) -> int:
    annotations = (status.get("metadata") or {}).get("annotations") or {}
    return int(annotations.get(objects.REVISION_ANNOTATION, 1))


def _rs_name(rs: Mapping[str, Any]) -> str:
    name: str = rs["metadata"]["name"]
    return name


def _rs_revision(rs: Mapping[str, Any]) -> int:
    return int(rs["metadata"]["annotations"][objects.REVISION_ANNOTATION])


def _replica_set(name: str, rev: int, replicas: int, created: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "creationTimestamp": created,
                         "annotations": {objects.REVISION_ANNOTATION: str(rev)}}, "spec": {"replicas": replicas}}


def current_replica_set(status: Mapping[str, Any]) -> str | None:
    rev = revision(status)
    return next((_rs_name(r) for r in status.get("replicaSets") or [] if _rs_revision(r) == rev), None)


def stall(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Progressing=False condition the controller sets when a rollout exceeds its progress deadline."""
    for condition in (status.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Progressing" and condition.get("status") == "False":
            found: Mapping[str, Any] = condition
            return found
    return None


def _write_status(status: dict[str, Any], replicas: int) -> None:
    """The deployment controller's status counts, as `kubectl get deployment -o yaml` shows them."""
    pods = status.get("pods") or []
    current = current_replica_set(status)
    ready = sum(1 for p in pods if objects.pod_node(p))
    observed = status.setdefault("status", {})
    observed.update(replicas=len(pods), updatedReplicas=sum(1 for p in pods if objects.pod_owner(p) == current),
                    readyReplicas=ready, availableReplicas=ready)
    observed.pop("conditions", None)


# ---------------------------------------------------------------- plan


def _describe_requests(pod_spec: Mapping[str, Any]) -> str:
    cpu, memory = capacity.pod_requests(pod_spec)
    if not cpu and not memory:
        return "no CPU/memory requests: any node with a free Pod slot fits"
    return f"{cpu}m CPU, {memory}Mi memory per Pod"


def _context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    spec = now.get("spec") or {}
    pod_spec = workloads.pod_spec(now)
    replicas = spec.get("replicas", 1)
    before_replicas = (before.get("spec") or {}).get("replicas", replicas if not before else 1)
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    max_surge, max_unavailable = rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%")
    recreate = strategy.get("type") == "Recreate"
    surge, unavailable = (0, replicas) if recreate else rolling_bounds(replicas, max_surge, max_unavailable)
    images = sorted({c.get("image", "?") for c in pod_spec.get("containers") or []})
    services = facts.services_selecting(op.change.namespace or "default", workloads.pod_labels(now))
    status = facts.statuses.get(op.change.address) or {}
    new_rs = replica_set_of(op.change.name, now, op.change.after_digest if now is op.change.after else "")
    old_rs = current_replica_set(status) or (replica_set_of(op.change.name, before) if before else new_rs)
    history = status.get("replicaSets") or []
    syncs, _ = rollout_syncs(replicas, before_replicas, surge, unavailable, recreate=recreate)
    waves_text = "; ".join(
        ", ".join(part for part in (f"{new_rs} {w.new[0]}->{w.new[1]}" if w.new else "",
                                    f"{old_rs} {w.old[0]}->{w.old[1]}" if w.old else "") if part)
        for w in waves(syncs))
    return {
        "new_rs": new_rs, "old_rs": old_rs, "waves": waves_text or "none",
        "revision": max((_rs_revision(r) for r in history), default=1) + 1,
        "reused": " (reused: this template ran before)" if any(_rs_name(r) == new_rs for r in history) else "",
        "strategy": "Recreate: every old Pod stops before a new one starts (downtime)" if recreate else
                    f"RollingUpdate: at most {replicas + surge} Pods in all, at least {replicas - unavailable} "
                    "available",
        "replicas": replicas, "before_replicas": before_replicas, "delta": abs(replicas - before_replicas),
        "scale_up": replicas > before_replicas, "scale_down": replicas < before_replicas, "has_pods": replicas > 0,
        "images": ", ".join(images), "requests": _describe_requests(pod_spec),
        "max_surge": max_surge, "max_unavailable": max_unavailable, "surge": surge, "unavailable": unavailable,
        "history": spec.get("revisionHistoryLimit", 10), "grace": pod_spec.get("terminationGracePeriodSeconds", 30),
        "selected": bool(services), "services": ", ".join(f"Service {s}" for s in services) or "no Service",
        "service_names": services,
    }


STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates, applies defaults (RollingUpdate {max_surge} surge / "
                                              "{max_unavailable} unavailable, revisionHistoryLimit {history}) and "
                                              "stores Deployment {name} with replicas {replicas}"),
        S("controller", "deployment-controller", "hashes the Pod template and creates ReplicaSet {new_rs} "
                                                 "(revision 1)"),
        S("controller", "replicaset-controller", "creates {replicas} Pod(s) {new_rs}-<5 chars> (slow-start "
                                                 "batches 1, 2, 4, ...)", "has_pods"),
        S("cluster-master", "kube-scheduler", "binds each Pod to a node with room for its requests ({requests})",
          "has_pods"),
        S("node", "kubelet", "pulls {images}, gives each Pod an IP from its node's Pod CIDR, starts the "
                             "container(s) and reports Ready", "has_pods"),
        S("controller", "endpointslice-controller", "adds the ready Pod IPs to the EndpointSlices of {services}",
          "selected"),
        S("controller", "deployment-controller", "updates the Deployment's status: {replicas}/{replicas} available"),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes Deployment {name} (background cascade)"),
        S("controller", "garbage-collector", "deletes its ReplicaSet(s), then their {before_replicas} Pod(s)"),
        S("node", "kubelet", "stops the containers (SIGTERM, {grace}s grace period)"),
        S("controller", "endpointslice-controller", "drops the Pod IPs from the EndpointSlices of {services}",
          "selected"),
    ),
    "scale": (
        S("cluster-master", "kube-apiserver", "stores replicas {before_replicas} -> {replicas} (a scale, not a "
                                              "rollout)"),
        S("controller", "deployment-controller", "resizes ReplicaSet {old_rs} to {replicas}"),
        S("controller", "replicaset-controller", "creates {delta} Pod(s)", "scale_up"),
        S("cluster-master", "kube-scheduler", "binds the new Pods to nodes with room ({requests})", "scale_up"),
        S("node", "kubelet", "starts the new Pods and reports them Ready", "scale_up"),
        S("controller", "replicaset-controller", "deletes {delta} Pod(s): Pending ones first, then those on the "
                                                 "most crowded nodes, then the newest", "scale_down"),
        S("node", "kubelet", "stops the removed Pods (SIGTERM, {grace}s grace period)", "scale_down"),
        S("controller", "endpointslice-controller", "updates the EndpointSlices of {services}", "selected"),
    ),
    "rollout": (
        S("cluster-master", "kube-apiserver", "stores the new Pod template (generation + 1): {changed}"),
        S("controller", "deployment-controller", "hashes the new template and creates ReplicaSet {new_rs} "
                                                 "(revision {revision}){reused}; {strategy}"),
        S("controller", "deployment-controller", "scales in waves (surge {surge}, unavailable {unavailable}): "
                                                 "{waves}"),
        S("controller", "replicaset-controller", "creates and deletes each wave's Pods; kube-scheduler binds the "
                                                 "new ones ({requests}); kubelets pull {images} and start them"),
        S("controller", "endpointslice-controller", "swaps old Pod IPs for new ones in the EndpointSlices of "
                                                    "{services} as Pods become Ready", "selected"),
        S("controller", "deployment-controller", "keeps ReplicaSet {old_rs} at 0 replicas as history "
                                                 "(revisionHistoryLimit {history}); a rollback reuses it"),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched"),
    ),
}


# ---------------------------------------------------------------- apply


def _requests(op: Operation, manifest: Manifest) -> tuple[int, int]:
    return workload_requests(manifest, FAMILY)


def _create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    manifest = op.change.after or {}
    replicas = (manifest.get("spec") or {}).get("replicas", 1)
    rs = replica_set_of(op.change.name, manifest, op.change.after_digest)
    status.setdefault("metadata", {})["annotations"] = {objects.REVISION_ANNOTATION: "1"}
    status.update(replicaSets=[_replica_set(rs, 1, replicas, engine.now)], pods=[], podSequence=0)
    cpu, memory = _requests(op, manifest)
    world = engine.world
    for _ in range(replicas):
        pod = world.new_pod(status, rs)
        world.place(pod, cpu, memory, op.change.address)
        status["pods"].append(pod)
    _write_status(status, replicas)
    return OpResult(op.change.address, "create", {"event": "replicaset-created", "replica_set": rs,
                                                  "replicas": replicas}, workloads.placement_events(status))


def _delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    world = engine.world
    world.pending_owners.discard(op.change.address)
    cpu, memory = _requests(op, op.change.before or {})
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
    ranked = sorted(enumerate(pods), key=lambda ip: (objects.pod_node(ip[1]) is not None,
                                                      -crowd.get(objects.pod_node(ip[1]) or "", 0), -ip[0]))
    return [p for _, p in ranked[:count]]


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
    replicas = spec.get("replicas", 1)
    old_cpu, old_memory = _requests(op, before)
    cpu, memory = _requests(op, after)
    new_rs = replica_set_of(op.change.name, after, op.change.after_digest)
    history = status.get("replicaSets") or []
    continuing = new_rs == current_replica_set(status)  # a stalled rollout resumed or rescaled
    rev = revision(status) if continuing else max((_rs_revision(r) for r in history), default=0) + 1
    reused = any(_rs_name(r) == new_rs for r in history) and not continuing
    pods: list[dict[str, Any]] = status.get("pods") or []
    old_pods = [p for p in pods if objects.pod_owner(p) != new_rs]
    new_pods = [p for p in pods if objects.pod_owner(p) == new_rs]
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    surge, unavailable = rolling_bounds(replicas, rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%"))

    def place(count: int) -> int:
        started = 0
        for _ in range(count):
            pod = world.new_pod(status, new_rs)
            world.place(pod, cpu, memory, op.change.address)
            new_pods.append(pod)
            started += objects.pod_node(pod) is not None
        return started

    def release(count: int) -> int:
        for pod in _victims(old_pods, count):
            world.remove_pod(pod, old_cpu, old_memory)
            old_pods.remove(pod)
        started = 0
        for pod in new_pods:
            if not objects.pod_node(pod):
                world.place(pod, cpu, memory, op.change.address)
                started += objects.pod_node(pod) is not None
        return started

    excess = len(old_pods) + len(new_pods) - (replicas + surge)
    if old_pods and new_pods and excess > 0:
        # Scaling mid-rollout: the controller shares the cut among ReplicaSets in proportion to their size.
        from_old = min(len(old_pods), round(excess * len(old_pods) / (len(old_pods) + len(new_pods))))
        from_new = min(len(new_pods), excess - from_old)
        for group, count, requests in ((old_pods, from_old, (old_cpu, old_memory)),
                                       (new_pods, from_new, (cpu, memory))):
            for pod in _victims(group, count):
                world.remove_pod(pod, *requests)
                group.remove(pod)

    def shrink(count: int) -> int:
        was_available = 0
        for pod in _victims(new_pods, count):
            world.remove_pod(pod, cpu, memory)
            new_pods.remove(pod)
            was_available += objects.pod_node(pod) is not None
        return was_available

    syncs, stalled = rollout_syncs(replicas, len(old_pods), surge, unavailable,
                                   recreate=strategy.get("type") == "Recreate", new=len(new_pods),
                                   new_available=sum(1 for p in new_pods if objects.pod_node(p)),
                                   old_available=sum(1 for p in old_pods if objects.pod_node(p)), place=place,
                                   release=release, shrink=shrink)
    status["pods"] = old_pods + new_pods
    counts: dict[str, int] = {}
    for pod in status["pods"]:
        counts[objects.pod_owner(pod)] = counts.get(objects.pod_owner(pod), 0) + 1
    kept = [r for r in history if _rs_name(r) != new_rs]
    for r in kept:
        r["spec"] = {"replicas": counts.get(_rs_name(r), 0)}
    if continuing:
        rev = next((_rs_revision(r) for r in history if _rs_name(r) == new_rs), rev)
    limit = spec.get("revisionHistoryLimit", 10)
    idle = sorted((r for r in kept if not r["spec"]["replicas"]), key=_rs_revision)
    drop = {_rs_name(r) for r in idle[: max(0, len(idle) - limit)]}
    kept = [r for r in kept if _rs_name(r) not in drop]
    created = next((r["metadata"].get("creationTimestamp") for r in history if _rs_name(r) == new_rs), engine.now)
    kept.append(_replica_set(new_rs, rev, counts.get(new_rs, 0), created))
    status.setdefault("metadata", {})["annotations"] = {objects.REVISION_ANNOTATION: str(rev)}
    status["replicaSets"] = kept
    _write_status(status, replicas)
    shown = "; ".join(_wave_text(w) for w in waves(syncs)) or "none"
    if stalled:
        deadline = spec.get("progressDeadlineSeconds", 600)
        message = (f'ReplicaSet "{new_rs}" has timed out progressing (after {deadline}s): '
                   f"{counts.get(new_rs, 0)}/{replicas} new Pods, {len(old_pods)} old Pods still serving")
        status["status"]["conditions"] = [{"type": "Progressing", "status": "False",
                                           "reason": "ProgressDeadlineExceeded", "message": message}]
        world.stalled.add(op.change.address)
        return {"event": "rollout-stalled", "revision": rev, "message": message, "waves": shown}
    return {"event": "rolled-out", "revision": rev, "replica_set": new_rs, "reused": "reused" if reused else "new",
            "replicas": replicas, "waves": shown}


def _update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    world = engine.world
    after = op.change.after or {}
    replicas = (after.get("spec") or {}).get("replicas", 1)
    cpu, memory = _requests(op, after)
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
        if replicas < len(mine):
            doomed = {id(p) for p in _victims(mine, len(mine) - replicas)}
            for pod in pods:
                if id(pod) in doomed:
                    world.remove_pod(pod, cpu, memory)
            status["pods"] = [p for p in pods if id(p) not in doomed]
            summary = {"event": "scaled-down", "name": op.change.name, "replicas": replicas}
            world.reschedule([])
        else:
            for _ in range(replicas - len(mine)):
                pod = world.new_pod(status, rs)
                world.place(pod, cpu, memory, op.change.address)
                pods.append(pod)
            status["pods"] = pods
            summary = {"event": "scaled-up", "name": op.change.name, "replicas": replicas}
        for r in status.get("replicaSets") or []:
            if _rs_name(r) == rs:
                r["spec"] = {"replicas": replicas}
        _write_status(status, replicas)
    return OpResult(op.change.address, "update", summary, workloads.placement_events(status))


def _resume(engine: Engine, record: StoredResource) -> str | None:
    from planner.plan import Action, Operation, ResourceChange

    change = ResourceChange(record.address, FAMILY, record.api_version, record.kind, record.name, record.namespace,
                            Action.UPDATE, change_classes=("rollout",), before=record.manifest,
                            after=record.manifest, after_digest=record.digest)
    event = _rollout(engine, Operation("update", change), record.status)
    if event["event"] == "rollout-stalled":
        return None
    return f"rolled out revision {event['revision']}"


def _restore(engine: Engine, resource: StoredResource) -> None:
    cpu, memory = workload_requests(resource.manifest, FAMILY)
    if stall(resource.status) is not None:
        engine.world.stalled.add(resource.address)
    for pod in resource.status.get("pods") or []:
        engine.world.restore_pod(pod, cpu, memory, resource.address)


def _status_warnings(resource: StoredResource, future: bool) -> list[Diagnostic]:
    out = workloads.pending_warning(resource, future)
    stalled = stall(resource.status)
    if stalled is not None:
        verb = "will stall" if future else "is stalled"
        out.append(Diagnostic("warning", f"the rollout {verb} ({stalled.get('reason')}): {stalled.get('message')}",
                              address=resource.address))
    return out


def _status_lines(status: Mapping[str, Any]) -> list[str]:
    pods = status.get("pods") or []
    running = sum(1 for p in pods if objects.pod_node(p))
    out = [f"revision {revision(status)}  ReplicaSet {current_replica_set(status)}  {running}/{len(pods)} Pod(s) "
           "running"]
    out += [f"pod {objects.pod_name(p)}  {p['status'].get('phase')}  {objects.pod_ip(p) or '-'}  "
            f"{objects.pod_node(p) or objects.pending_reason(p)}" for p in pods]
    return out


# ---------------------------------------------------------------- get


def _deployments(state: State) -> list[StoredResource]:
    return sorted((r for r in state.resources.values() if r.family == FAMILY), key=lambda r: r.address)


def _deployment_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        status = resource.status
        pods = status.get("pods") or []
        replicas = (resource.manifest.get("spec") or {}).get("replicas", 1)
        current = current_replica_set(status)
        ready = sum(1 for p in pods if objects.pod_node(p))
        stalled = stall(status) or {}
        out.append({"namespace": resource.namespace, "name": resource.name, "ready": f"{ready}/{replicas}",
                    "upToDate": sum(1 for p in pods if objects.pod_owner(p) == current), "available": ready,
                    "created": objects.created(status), "revision": revision(status),
                    "stalled": stalled.get("message", "")})
    return out


def _replica_set_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        pods = resource.status.get("pods") or []
        for rs in resource.status.get("replicaSets") or []:
            mine = [p for p in pods if objects.pod_owner(p) == _rs_name(rs)]
            out.append({"namespace": resource.namespace, "name": _rs_name(rs), "desired": rs["spec"]["replicas"],
                        "current": len(mine), "ready": sum(1 for p in mine if objects.pod_node(p)),
                        "created": rs["metadata"].get("creationTimestamp"), "revision": _rs_revision(rs)})
    return sorted(out, key=lambda r: (r["namespace"], r["name"]))


SPEC = KindSpec(
    family=FAMILY,
    kinds=(("apps/v1", "Deployment"),),
    rank=Rank(6, "workloads start once their configuration, identities and Services exist"),
    steps=STEPS,
    handlers={"create": _create, "update": _update, "delete": _delete},
    schema=Schema(constraints="Deployment"),
    check=_check,
    defaults=(
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
        *container_defaults(f"{POD_SPEC}.containers"),
        *container_defaults(f"{POD_SPEC}.initContainers"),
    ),
    replace_paths=(
        ("spec.selector", "spec.selector is immutable in apps/v1: the Deployment is deleted and created again"),
    ),
    change_classes=(("spec.template", "rollout"), ("spec.replicas", "scale"), ("", "store")),
    subsumes={"rollout": ("scale", "store"), "scale": ("store",)},
    context=_context,
    known_after_apply=lambda manifest: ["status.replicaSet", "status.pods"],
    views=(
        GetView("deployments", _deployment_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"), ("UP-TO-DATE", "upToDate"),
                 ("AVAILABLE", "available"), ("AGE", "age")), (("REVISION", "revision"), ("STALLED", "stalled")),
                aliases=("deployment", "deploy")),
        GetView("replicasets", _replica_set_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("DESIRED", "desired"), ("CURRENT", "current"),
                 ("READY", "ready"), ("AGE", "age")), (("REVISION", "revision"),), aliases=("replicaset", "rs")),
        workloads.POD_VIEW,
    ),
    status_lines=_status_lines,
    status_warnings=_status_warnings,
    restore=_restore,
    resume=_resume,
    pod_spec=workloads.pod_spec,
    pod_labels=workloads.pod_labels,
    messages={
        **workloads.MESSAGES,
        "replicaset-created": "ReplicaSet {replica_set} with {replicas} Pod(s)",
        "deployment-deleted": "Deployment {name} and {pods} Pod(s) deleted",
        "pending-elsewhere": "{count} Pending Pod(s) elsewhere still Pending",
        "deployment-updated": "Deployment {name} updated",
        "scaled-down": "scaled {name} down to {replicas}",
        "scaled-up": "scaled {name} up to {replicas}",
        "rolled-out": "rolled out revision {revision}: ReplicaSet {replica_set} ({reused}) with {replicas} Pod(s); "
                      "waves: {waves}",
        "rollout-stalled": "rollout to revision {revision} STALLED ({message}); waves: {waves}",
    },
)
