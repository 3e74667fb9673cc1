"""PersistentVolumeClaim (v1): a claim for a disk, provisioned by GKE's Compute Engine PD CSI driver when its first
Pod is scheduled (WaitForFirstConsumer), and `planner get pvc` for every claim in the state (standalone ones and
those a StatefulSet's volumeClaimTemplates made).

Sources: Kubernetes "Persistent Volumes" (https://kubernetes.io/docs/concepts/storage/persistent-volumes/: binding,
access modes, expansion, reclaim), pkg/apis/core/validation/validation.go (ValidatePersistentVolumeClaimSpec: at
least one access mode, a storage request; ValidatePersistentVolumeClaimUpdate: the spec is immutable after creation
except resources.requests and volumeAttributesClassName), GKE persistent volumes (planner.knowledge.storage: its
StorageClasses; Compute Engine persistent disks support ReadWriteOnce and ReadOnlyMany, not ReadWriteMany).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.errors import Diagnostic
from planner.kinds import generic, imperative, workloads
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, OpResult, Path, Problem, S
from planner.knowledge import storage
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.relations import SelectorIndex
    from planner.simulate.engine import Engine
    from planner.state import State

FAMILY = "persistentvolumeclaim"
ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
"""kubectl's short forms (ACCESS MODES column)."""


def claim_problems(spec: Mapping[str, Any], base: Path) -> list[Problem]:
    """kube-apiserver's rules for a claim's spec (a standalone claim, or a StatefulSet's volumeClaimTemplate), and
    the PD CSI driver's refusal of ReadWriteMany, which leaves the claim Pending."""
    problems: list[Problem] = []
    modes = spec.get("accessModes") or []
    if not modes and not spec.get("dataSourceRef"):
        problems.append(Problem((*base, "accessModes"), "at least 1 access mode is required"))
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        problems.append(Problem((*base, "resources", "requests"), 'missing required key "storage": the claim must '
                                                                  "request a size"))
    cls = storage.storage_class(storage.claim_storage_class(spec))
    if "ReadWriteMany" in modes and cls.provisioner == storage.PD_CSI_DRIVER:
        problems.append(Problem((*base, "accessModes"), f"ReadWriteMany: Compute Engine persistent disks "
                                                        f"(StorageClass {cls.name}) cannot be mounted read-write by "
                                                        "several nodes, so the claim stays Pending; Filestore "
                                                        "(filestore.csi.storage.gke.io) serves ReadWriteMany",
                                severity="warning"))
    return problems


def _check(data: Manifest) -> list[Problem]:
    return claim_problems(data.get("spec") or {}, ("spec",))


def _mounted_claims(lookup: Mapping[str, tuple[str, Manifest]]) -> set[tuple[str, str]]:
    """(namespace, claimName) of every claim some workload's Pods mount: one pass over the input."""
    found: set[tuple[str, str]] = set()
    for family, manifest in lookup.values():
        hook = kinds.spec_of(family).pod_spec
        if hook is None:
            continue
        namespace = (manifest.get("metadata") or {}).get("namespace") or "default"
        for volume in (hook(manifest) or {}).get("volumes") or ():
            claim = (volume.get("persistentVolumeClaim") or {}) if isinstance(volume, dict) else {}
            if claim.get("claimName"):
                found.add((namespace, str(claim["claimName"])))
    return found


def _cross_check(mine: list[tuple[str, str, str, Manifest]], index: SelectorIndex,
                 lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    mounted = _mounted_claims(lookup)
    out = []
    for address, namespace, name, manifest in mine:
        wanted = storage.claim_storage_class(manifest.get("spec") or {})
        declared = lookup.get(f"StorageClass/{wanted or storage.DEFAULT_CLASS}")
        cls = storage.storage_class(wanted, declared[1] if declared else None)
        if (namespace, name) not in mounted and cls.binding == storage.WAIT_FOR_FIRST_CONSUMER:
            out.append(Diagnostic("warning", f"no workload in {namespace} mounts it: it stays Pending and no disk is "
                                             f"created (StorageClass {cls.name} waits for the first Pod that uses it)",
                                  address=address))
    return out


def _context(op: Operation, facts: Facts) -> Context:
    manifest = (op.change.before if op.phase == "delete" else op.change.after) or {}
    spec = manifest.get("spec") or {}
    name = storage.claim_storage_class(spec)
    cls = storage.storage_class(name, facts.manifests.get(f"StorageClass/{name or storage.DEFAULT_CLASS}"))
    live = facts.statuses.get(op.change.address) or {}
    return {"storage": storage.describe(cls), "disk_type": cls.disk_type, "size": storage.requested_size(spec),
            "wait": cls.binding == storage.WAIT_FOR_FIRST_CONSUMER,
            "immediate": cls.binding != storage.WAIT_FOR_FIRST_CONSUMER,
            "volume": storage.volume_name(str((live.get("metadata") or {}).get("uid") or "<uid>")),
            "reclaim_delete": cls.reclaim == "Delete", "reclaim_retain": cls.reclaim != "Delete"}


STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates and stores PersistentVolumeClaim {name} ({size})",
          source=src.K8S_PERSISTENT_VOLUMES),
        S("controller", "persistentvolume-binder", "leaves it Pending: StorageClass {storage} provisions nothing until "
                                                   "the first Pod that mounts it is scheduled", "wait",
          source=src.K8S_VOLUME_BINDING_MODE),
        S("controller", "csi-provisioner", "then provisions it in that Pod's zone: Compute Engine creates a zonal "
                                           "{disk_type} disk pvc-<uid> of {size}, the claim is bound to the "
                                           "PersistentVolume of that name, and the Pod can only run in that zone",
          "wait", source=src.GKE_PERSISTENT_VOLUMES),
        S("controller", "csi-provisioner", "provisions it at once (StorageClass {storage}): Compute Engine creates "
                                           "a {disk_type} disk of {size} in a zone chosen without regard to its Pods",
          "immediate", source=src.K8S_VOLUME_BINDING_MODE),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes PersistentVolumeClaim {name} (kept while a Pod still uses it: "
                                              "the kubernetes.io/pvc-protection finalizer)",
          source=src.K8S_PERSISTENT_VOLUMES),
        S("controller", "persistentvolume-binder", "deletes its PersistentVolume; csi-provisioner has Compute Engine "
                                                   "delete the disk (reclaimPolicy Delete): the data is gone",
          "reclaim_delete", source=src.K8S_PERSISTENT_VOLUMES),
        S("controller", "persistentvolume-binder", "keeps its PersistentVolume and disk (reclaimPolicy Retain)",
          "reclaim_retain", source=src.K8S_PERSISTENT_VOLUMES),
    ),
    "resize": (
        S("cluster-master", "kube-apiserver", "stores the larger request ({changed}); a claim can grow, never shrink",
          source=src.K8S_PERSISTENT_VOLUMES),
        S("gke", "compute-engine", "grows the disk to {size} (asked by the PD CSI driver's resizer); csi-node grows "
                                   "the filesystem when a Pod next mounts it", source=src.GKE_PD_CSI_DRIVER),
    ),
    "store": generic.STEPS["store"],
}


def _create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    seed = engine.seed
    h = f"{seed.number('uid', op.change.address, engine.state.serial):016x}" \
        f"{seed.number('uid2', op.change.address, engine.state.serial):016x}"
    status.setdefault("metadata", {})["uid"] = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    return generic.stored(engine, op, status)


# ---------------------------------------------------------------- get pvc


def _claim_row(namespace: str | None, claim: Mapping[str, Any]) -> dict[str, Any]:
    spec = claim.get("spec") or {}
    status = claim.get("status") or {}
    return {"namespace": namespace, "name": claim["metadata"]["name"], "status": status.get("phase") or "Pending",
            "volume": spec.get("volumeName") or "", "capacity": (status.get("capacity") or {}).get("storage", ""),
            "accessModes": ",".join(ACCESS_MODES.get(m, m) for m in spec.get("accessModes") or []),
            "storageClass": spec.get("storageClassName") or storage.DEFAULT_CLASS,
            "created": (claim.get("metadata") or {}).get("creationTimestamp"),
            "zone": (claim.get("gce") or {}).get("zone", ""), "volumeMode": "Filesystem"}


def _consumers(state: State) -> dict[tuple[str, str], str]:
    """(namespace, claimName) -> the zone of the node of the first running Pod that mounts it."""
    zones = {row["name"]: row["zone"] for row in _node_rows(state)}
    found: dict[tuple[str, str], str] = {}
    for resource in workloads.workloads(state):
        running = [objects.pod_node(p) for p in resource.status.get("pods") or [] if objects.pod_node(p)]
        if not running:
            continue
        for volume in workloads.pod_spec(resource.manifest).get("volumes") or ():
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                found.setdefault((resource.namespace or "default", str(claim)), zones.get(running[0], ""))
    return found


def _node_rows(state: State) -> list[dict[str, Any]]:
    view = kinds.REGISTRY.view("nodes")
    return view.rows(state) if view is not None else []


def _pvc_rows(state: State) -> list[dict[str, Any]]:
    """Every claim: standalone ones (Bound once a running Pod mounts them) and those StatefulSets made."""
    out = []
    consumers: dict[tuple[str, str], str] | None = None
    for resource in state.resources.values():
        if resource.family == FAMILY:
            consumers = _consumers(state) if consumers is None else consumers
            row = _claim_row(resource.namespace, {**resource.manifest, "metadata": {
                "name": resource.name, "creationTimestamp": (resource.status.get("metadata") or {}).get(
                    "creationTimestamp")}})
            zone = consumers.get((resource.namespace or "default", resource.name))
            if zone is not None:
                uid = str((resource.status.get("metadata") or {}).get("uid") or "")
                row.update(status="Bound", volume=storage.volume_name(uid), zone=zone,
                           capacity=storage.requested_size(resource.manifest.get("spec") or {}))
            out.append(row)
        else:
            out += [_claim_row(resource.namespace, c) for c in resource.status.get("claims") or ()
                    if isinstance(c, dict)]
    return sorted(out, key=lambda r: (r["namespace"] or "", r["name"]))


PVC_VIEW = GetView("persistentvolumeclaims", _pvc_rows,
                   (("NAMESPACE", "namespace"), ("NAME", "name"), ("STATUS", "status"), ("VOLUME", "volume"),
                    ("CAPACITY", "capacity"), ("ACCESS MODES", "accessModes"), ("STORAGECLASS", "storageClass"),
                    ("AGE", "age")), (("VOLUMEMODE", "volumeMode"), ("ZONE", "zone")),
                   aliases=("pvc", "persistentvolumeclaim"), resource="persistentvolumeclaim")

SPEC = KindSpec(
    imperative=imperative.kubernetes(),
    family=FAMILY,
    kinds=(("v1", "PersistentVolumeClaim"),),
    rank=generic.RANKS_BY_KIND["PersistentVolumeClaim"],
    steps=STEPS,
    handlers={"create": _create, "update": generic.stored, "delete": generic.stored},
    check=_check,
    cross_check=_cross_check,
    defaults=(("spec.volumeMode", "Filesystem"),),
    replace_paths=tuple((f"spec.{f}", f"spec.{f} is immutable once the claim exists (kube-apiserver: spec is "
                                      "immutable after creation except resources.requests): the claim is deleted "
                                      "and created again, with a new, empty disk")
                        for f in ("accessModes", "storageClassName", "selector", "volumeMode", "volumeName",
                                  "dataSource", "dataSourceRef")),
    change_classes=(("spec.resources.requests", "resize"), ("", "store")),
    subsumes={"resize": ("store",)},
    context=_context,
    views=(PVC_VIEW,),
    messages=generic.MESSAGES,
)
