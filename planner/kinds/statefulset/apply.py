"""Apply for StatefulSets: the StatefulSet controller's sync, with real scheduling and GKE's zonal disks.

One `sync` brings the live object as far toward the manifest as the cluster's room allows, in the controller's order
(pkg/controller/statefulset/stateful_set_control.go, updateStatefulSet): Pods beyond the replica count are deleted
from the highest ordinal down; missing ordinals are created from the lowest up, each after its claims, and with
OrderedReady the controller stops at the first Pod that is not Running and Ready; then a RollingUpdate replaces the
Pods of an older revision from the highest ordinal down to the partition, one at a time, each Ready before the next.
A sync that had to stop is marked stalled, and goes on (`resume`) when nodes are added.

A claim is bound when its Pod is first scheduled (WaitForFirstConsumer): the disk is made in that node's zone, and the
Pod is pinned to that zone ever after (`volumeZones`), as kube-scheduler's VolumeBinding filter pins it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.errors import Diagnostic
from planner.kinds import workloads
from planner.kinds.base import OpResult
from planner.kinds.statefulset.live import (
    FAMILY,
    ORDERED,
    REVISION_LABEL,
    ROLLING,
    claim_name,
    claim_phase,
    claim_templates,
    claim_zone,
    field,
    ordinal_of,
    pod_name,
    pod_revision,
    template_name,
)
from planner.knowledge import storage
from planner.model import replica_set_of
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine
    from planner.state import StoredResource


def _uid(engine: Engine, *key: object) -> str:
    seed = engine.seed
    h = f"{seed.number('uid', *key):016x}{seed.number('uid2', *key):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _new_claim(engine: Engine, address: str, name: str, template: Mapping[str, Any]) -> dict[str, Any]:
    """The claim the controller creates from a volumeClaimTemplate: Pending until its Pod is scheduled."""
    spec = template.get("spec") or {}
    claim_spec: dict[str, Any] = {"accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                                  "storageClassName": storage.claim_storage_class(spec) or storage.DEFAULT_CLASS,
                                  "resources": {"requests": {"storage": storage.requested_size(spec)}}}
    return {"metadata": {"name": name, "uid": _uid(engine, address, name, engine.state.serial),
                         "creationTimestamp": engine.now},
            "spec": claim_spec, "status": {"phase": "Pending"}}


def _bind(claim: dict[str, Any], zone: str) -> bool:
    """persistentvolume-binder and the PD CSI driver: a disk `pvc-<uid>` in the Pod's zone, the claim Bound to it.
    Returns whether a disk was made (False: the claim was already bound)."""
    if claim_phase(claim) == "Bound":
        return False
    volume = storage.volume_name(claim["metadata"]["uid"])
    cls = storage.storage_class(claim["spec"].get("storageClassName"))
    claim["spec"]["volumeName"] = volume
    claim["status"] = {"phase": "Bound", "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]}}
    claim["gce"] = {"name": volume, "zone": zone, "type": cls.disk_type}
    return True


class Sync:
    """What one sync did, for apply's events."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.deleted: list[str] = []
        self.updated: list[str] = []
        self.claims_created: list[str] = []
        self.claims_deleted: list[str] = []
        self.disks: list[str] = []
        self.waiting: str | None = None


def sync(engine: Engine, address: str, name: str, manifest: Mapping[str, Any], digest: str,
         status: dict[str, Any]) -> Sync:
    world = engine.world
    done = Sync()
    replicas = field(manifest, "spec.replicas")
    start = field(manifest, "spec.ordinals.start")
    ordered = field(manifest, "spec.podManagementPolicy") == ORDERED
    rolling = field(manifest, "spec.updateStrategy.type") == ROLLING
    partition = field(manifest, "spec.updateStrategy.rollingUpdate.partition") if rolling else 0
    scaled_delete = field(manifest, "spec.persistentVolumeClaimRetentionPolicy.whenScaled") == "Delete"
    update = replica_set_of(name, dict(manifest), digest)
    requests: dict[str, list[int]] = status.setdefault("revisionRequests", {})
    requests[update] = list(world.requests(manifest, FAMILY))
    observed = status.setdefault("status", {})
    current = observed.get("currentRevision") or update
    pods: dict[int, dict[str, Any]] = {ordinal_of(p): p for p in status.get("pods") or []}
    claims: dict[str, dict[str, Any]] = {c["metadata"]["name"]: c for c in status.get("claims") or []}
    zones: dict[str, str] = status.setdefault("volumeZones", {})
    templates = [template_name(t) for t in claim_templates(manifest)]
    by_template = {template_name(t): t for t in claim_templates(manifest)}

    def cost(revision: str) -> tuple[int, int]:
        found = requests.get(revision) or requests[update]
        return found[0], found[1]

    def remove(pod: dict[str, Any]) -> None:
        world.remove_pod(pod, *cost(pod_revision(pod)))

    def start_pod(ordinal: int, revision: str) -> dict[str, Any]:
        pod = objects.new_pod(pod_name(name, ordinal), "StatefulSet", name, engine.now)
        pod["metadata"]["labels"] = {objects.STATEFUL_POD_NAME_LABEL: pod_name(name, ordinal),
                                     REVISION_LABEL: revision}
        for template in templates:  # the controller creates the Pod's claims before the Pod
            claim = claim_name(template, name, ordinal)
            if claim not in claims:
                claims[claim] = _new_claim(engine, address, claim, by_template[template])
                done.claims_created.append(claim)
        world.place(pod, *cost(revision), address, zones.get(pod_name(name, ordinal)))
        pods[ordinal] = pod
        return pod

    # 1. Pods beyond the replica count go, highest ordinal first; their claims stay unless whenScaled is Delete.
    for ordinal in sorted((o for o in pods if not start <= o < start + replicas), reverse=True):
        pod = pods.pop(ordinal)
        remove(pod)
        done.deleted.append(objects.pod_name(pod))
        if scaled_delete:
            for template in templates:
                if claims.pop(claim_name(template, name, ordinal), None) is not None:
                    done.claims_deleted.append(claim_name(template, name, ordinal))
            zones.pop(objects.pod_name(pod), None)
    # 2. Missing ordinals are created from the lowest up (all at once with Parallel, as far as they could fit).
    wanted = max(0, replicas - sum(1 for o in pods if start <= o < start + replicas))
    room = wanted if ordered else world.materializable(wanted)
    made = 0
    for ordinal in range(start, start + replicas):
        if ordinal in pods:
            if ordered and not objects.pod_node(pods[ordinal]):
                done.waiting = pod_name(name, ordinal)
                break
            continue
        if made >= room:
            break
        revision = current if rolling and ordinal < start + partition else update
        pod = start_pod(ordinal, revision)
        made += 1
        done.created.append(objects.pod_name(pod))
        if ordered and not objects.pod_node(pod):
            done.waiting = objects.pod_name(pod)
            break
    status["uncreated"] = 0 if ordered else wanted - made
    # 3. RollingUpdate: older Pods are replaced from the highest ordinal down to the partition, one at a time.
    if rolling and done.waiting is None and not status["uncreated"]:
        for ordinal in sorted((o for o in pods if o >= start + partition), reverse=True):
            pod = pods[ordinal]
            if pod_revision(pod) == update:
                if not objects.pod_node(pod):
                    done.waiting = objects.pod_name(pod)
                    break
                continue
            remove(pod)
            fresh = start_pod(ordinal, update)
            done.updated.append(objects.pod_name(fresh))
            if not objects.pod_node(fresh):
                done.waiting = objects.pod_name(fresh)
                break
    # 4. Claims of scheduled Pods are bound in their node's zone; the Pod is pinned there from now on.
    for ordinal, pod in pods.items():
        zone = world.zone_of(objects.pod_node(pod))
        if zone is None:
            continue
        for template in templates:
            claim = claims.get(claim_name(template, name, ordinal))
            if claim is not None and _bind(claim, zone):
                done.disks.append(f"{claim['gce']['name']} ({claim['gce']['type']}, {zone})")
            if claim is not None:
                zones[objects.pod_name(pod)] = claim_zone(claim) or zone
    status["pods"] = [pods[o] for o in sorted(pods)]
    status["claims"] = [claims[c] for c in sorted(claims)]
    _write_status(status, update, current)
    if done.waiting is not None:
        status["waitingFor"] = done.waiting
    else:
        status.pop("waitingFor", None)
    if done.waiting is not None or status["uncreated"] or any(not objects.pod_node(p) for p in status["pods"]):
        world.stalled.add(address)
        world.pending_owners.add(address)
    return done


def _write_status(status: dict[str, Any], update: str, current: str) -> None:
    pods = status["pods"]
    observed = status["status"]
    if all(pod_revision(p) == update for p in pods) and not status.get("uncreated"):
        current = update
    ready = sum(1 for p in pods if objects.pod_node(p))
    observed.update(replicas=len(pods), readyReplicas=ready, availableReplicas=ready,
                    currentReplicas=sum(1 for p in pods if pod_revision(p) == current),
                    updatedReplicas=sum(1 for p in pods if pod_revision(p) == update),
                    currentRevision=current, updateRevision=update)
    used = {pod_revision(p) for p in pods} | {update, current}
    status["revisionRequests"] = {k: v for k, v in status["revisionRequests"].items() if k in used}


def _events(done: Sync, status: Mapping[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for key, event in (("created", "pods-created"), ("updated", "pods-updated"), ("deleted", "pods-deleted"),
                       ("claims_created", "claims-created"), ("claims_deleted", "claims-deleted"),
                       ("disks", "disks-created")):
        items: list[str] = getattr(done, key)
        if items:
            events.append({"event": event, "count": len(items), "names": _short(items)})
    events += workloads.placement_events(status)
    if done.waiting is not None:
        events.append({"event": "waiting", "pod": done.waiting})
    return events


def _short(items: list[str]) -> str:
    return ", ".join(items[:6]) + (f" and {len(items) - 6} more" if len(items) > 6 else "")


def create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    status.setdefault("metadata", {})["uid"] = _uid(engine, op.change.address, engine.state.serial)
    status.update(pods=[], claims=[])
    done = sync(engine, op.change.address, op.change.name, manifest, op.change.after_digest, status)
    return OpResult(op.change.address, "create", {"event": "statefulset-created", "name": op.change.name,
                                                  "replicas": field(manifest, "spec.replicas")},
                    _events(done, status))


def update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    done = sync(engine, op.change.address, op.change.name, manifest, op.change.after_digest, status)
    observed = status["status"]
    summary = {"event": "statefulset-updated", "name": op.change.name, "revision": observed["updateRevision"],
               "updated": observed["updatedReplicas"], "replicas": field(manifest, "spec.replicas")}
    return OpResult(op.change.address, "update", summary, _events(done, status))


def delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    """The garbage collector deletes the Pods; claims go only with whenDeleted: Delete (their owner reference)."""
    world = engine.world
    world.pending_owners.discard(op.change.address)
    requests = status.get("revisionRequests") or {}
    fallback = list(world.requests(op.change.before or {}, FAMILY))
    pods = status.get("pods") or []
    for pod in pods:
        world.remove_pod(pod, *(requests.get(pod_revision(pod)) or fallback))
    claims = [c["metadata"]["name"] for c in status.get("claims") or []]
    kept = field(op.change.before, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted") != "Delete"
    pending = world.reschedule([]) if pods else 0
    details: list[dict[str, Any]] = []
    if claims:
        details.append({"event": "claims-kept" if kept else "claims-deleted", "count": len(claims),
                        "names": _short(claims)})
    if pending:
        details.append({"event": "pending-elsewhere", "count": pending})
    return OpResult(op.change.address, "delete", {"event": "statefulset-deleted", "name": op.change.name,
                                                  "pods": len(pods)}, details)


def resume(engine: Engine, record: StoredResource) -> str | None:
    """Room appeared (nodes added): the controller's next sync goes on where it stopped."""
    before = record.status.get("waitingFor")
    done = sync(engine, record.address, record.name, record.manifest, record.digest, record.status)
    if done.waiting is not None and done.waiting == before and not done.created and not done.updated:
        return None
    progress = [f"{len(done.created)} Pod(s) created" if done.created else "",
                f"{len(done.updated)} Pod(s) updated" if done.updated else "",
                f"waiting for {done.waiting}" if done.waiting else ""]
    return ", ".join(p for p in progress if p) or "all Pods Running"


def restore(engine: Engine, resource: StoredResource) -> None:
    requests = resource.status.get("revisionRequests") or {}
    fallback = list(engine.world.requests(resource.manifest, FAMILY))
    pods = resource.status.get("pods") or []
    for pod in pods:
        cpu, memory = requests.get(pod_revision(pod)) or fallback
        engine.world.restore_pod(pod, cpu, memory, resource.address)
    if resource.status.get("waitingFor") or resource.status.get("uncreated") \
            or any(not objects.pod_node(p) for p in pods):
        engine.world.stalled.add(resource.address)


def status_warnings(resource: StoredResource, future: bool) -> list[Diagnostic]:
    status = resource.status
    waiting = status.get("waitingFor")
    uncreated = status.get("uncreated") or 0
    pods = status.get("pods") or []
    pending = [p for p in pods if not objects.pod_node(p)]
    out: list[Diagnostic] = []
    if pending or uncreated:
        verb = "will stay" if future else "are"
        why = objects.scheduler_message(pending[0]) if pending else "more than the cluster could ever run"
        declined = status.get("notTriggerScaleUp")
        if declined:
            why += f"; cluster-autoscaler adds no node (NotTriggerScaleUp: {declined})"
        out.append(Diagnostic("warning", f"{len(pending) + uncreated} of {len(pods) + uncreated} Pods {verb} "
                                         f"Pending: {why}", address=resource.address))
    if waiting:
        replicas = field(resource.manifest, "spec.replicas")
        update = (status.get("status") or {}).get("updateRevision")
        behind = replicas - len(pods) + sum(1 for p in pods if pod_revision(p) != update)
        verb = "will wait" if future else "waits"
        out.append(Diagnostic("warning", f"statefulset-controller {verb} for {waiting} to be Running and Ready before "
                                         f"it goes on ({behind} Pod(s) not yet created or updated)",
                              address=resource.address))
    return out


def status_lines(status: Mapping[str, Any]) -> list[str]:
    observed = status.get("status") or {}
    pods = status.get("pods") or []
    out = [f"revision {observed.get('updateRevision')}  {observed.get('readyReplicas', 0)}/{len(pods)} Pod(s) ready"
           f"  {observed.get('updatedReplicas', 0)} updated"]
    out += [f"pod {objects.pod_name(p)}  {p['status'].get('phase')}  {objects.pod_ip(p) or '-'}  "
            f"{objects.pod_node(p) or objects.pending_reason(p)}  revision {pod_revision(p)}" for p in pods]
    out += [f"pvc {c['metadata']['name']}  {claim_phase(c)}  {c['spec'].get('volumeName') or '-'}  "
            f"{claim_zone(c) or '-'}" for c in status.get("claims") or []]
    return out
