"""A StatefulSet's plan steps: who creates, schedules, provisions, attaches and mounts what, and in which order.

Sources: StatefulSets (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/: Pod identity, ordered
creation and termination, update strategies, partitions, claim retention); pkg/controller/statefulset
(stateful_set_control.go: the order of a sync; stateful_set_utils.go: names); DNS for Pods
(https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pods); GKE persistent volumes and the PD CSI
driver (planner.knowledge.storage); Kubernetes volume binding (WaitForFirstConsumer) and CSI attach/mount
(https://kubernetes.io/docs/concepts/storage/persistent-volumes/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.kinds import sources as src
from planner.kinds import workloads
from planner.kinds.base import Context, Facts, S
from planner.kinds.statefulset.live import (
    FAMILY,
    ORDERED,
    ROLLING,
    claim_name,
    claim_templates,
    field,
    pod_name,
    template_name,
)
from planner.knowledge import storage
from planner.model import replica_set_of
from planner.simulate.controllers import workload_requests

if TYPE_CHECKING:
    from planner.plan import Operation

SHOWN = 3
"""Names listed before `...`: a StatefulSet of 500 replicas lists `db-0, db-1, db-2 ... db-499`."""


def names(items: list[str]) -> str:
    if len(items) <= SHOWN + 1:
        return ", ".join(items)
    return ", ".join(items[:SHOWN]) + f" ... {items[-1]} ({len(items)})"


def _ordinal_names(name: str, ordinals: range | list[int]) -> str:
    """Names of a range of ordinals without building the whole list (replicas may be 2^31 - 1)."""
    if isinstance(ordinals, range) and len(ordinals) > SHOWN + 1:
        head = [pod_name(name, o) for o in ordinals[:SHOWN]]
        return ", ".join(head) + f" ... {pod_name(name, ordinals[-1])} ({len(ordinals)})"
    return names([pod_name(name, o) for o in ordinals])


def context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    name, namespace = op.change.name, op.change.namespace or "default"
    replicas = field(now, "spec.replicas")
    before_replicas = field(before, "spec.replicas") if before else replicas
    start = field(now, "spec.ordinals.start")
    ordered = field(now, "spec.podManagementPolicy") == ORDERED
    rolling = field(now, "spec.updateStrategy.type") == ROLLING
    partition = field(now, "spec.updateStrategy.rollingUpdate.partition") if rolling else 0
    service = field(now, "spec.serviceName")
    templates = claim_templates(now)
    first = (templates[0].get("spec") or {}) if templates else {}
    class_name = storage.claim_storage_class(first)
    declared = facts.manifests.get(f"StorageClass/{class_name or storage.DEFAULT_CLASS}")
    cls = storage.storage_class(class_name, declared)
    services = facts.services_selecting(namespace, workloads.pod_labels(now))
    cpu, memory = workload_requests(now, FAMILY)
    images = sorted({str(c.get("image") or "?") for c in workloads.pod_spec(now).get("containers") or []})
    status = facts.statuses.get(op.change.address) or {}
    old_revision = (status.get("status") or {}).get("updateRevision") or (
        replica_set_of(name, before) if before else "")
    new_revision = replica_set_of(name, now, op.change.after_digest if now is op.change.after else "")
    all_ordinals = range(start, start + replicas)
    added = range(start + before_replicas, start + replicas)
    removed = range(start + before_replicas - 1, start + replicas - 1, -1)
    updated = range(start + replicas - 1, start + partition - 1, -1) if rolling else range(0)
    claim_list = [claim_name(template_name(t), name, o) for o in all_ordinals[:SHOWN + 1] for t in templates]
    retained_delete = field(now, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted") != "Delete"
    retained_scale = field(now, "spec.persistentVolumeClaimRetentionPolicy.whenScaled") != "Delete"
    has_claims = bool(templates) and replicas > 0
    return {
        "replicas": replicas, "before_replicas": before_replicas, "has_pods": replicas > 0,
        "delta": abs(replicas - before_replicas),
        "scale_up": replicas > before_replicas, "scale_down": replicas < before_replicas,
        "pods": _ordinal_names(name, all_ordinals), "new_pods": _ordinal_names(name, added),
        "removed_pods": _ordinal_names(name, removed),
        "policy": "one at a time in ordinal order: each Pod Running and Ready before the next is created "
                  "(OrderedReady)" if ordered else "all at once, without waiting for each other (Parallel)",
        "down_policy": "from the highest ordinal down, one at a time: each fully terminated before the next "
                       "(OrderedReady)" if ordered else "all at once (Parallel)",
        "governing": service or "(none)", "has_service": bool(service),
        "dns": f"{pod_name(name, start)}.{service}.{namespace}.svc.cluster.local" if service else "",
        "has_claims": has_claims,
        "new_claims": has_claims and replicas > before_replicas and op.phase != "create",
        "claims": names(claim_list) + (" ..." if replicas > SHOWN + 1 else ""),
        "claim_templates": ", ".join(f"{template_name(t)} ({storage.requested_size(t.get('spec') or {})})"
                                     for t in templates),
        "storage": storage.describe(cls), "disk_type": cls.disk_type, "binding": cls.binding,
        "wait_for_consumer": has_claims and cls.binding == storage.WAIT_FOR_FIRST_CONSUMER,
        "immediate": has_claims and cls.binding != storage.WAIT_FOR_FIRST_CONSUMER,
        "requests": f"{cpu}m CPU, {memory}Mi memory per Pod" if cpu or memory else
                    "no CPU/memory requests: any node with a free Pod slot fits",
        "images": ", ".join(images), "grace": field(now, "spec.template.spec.terminationGracePeriodSeconds"),
        "services": ", ".join(f"{s.split('/')[1]} {s.rsplit('/', 1)[-1]}" for s in services) or "no Service",
        "selected": bool(services), "selectors": services,
        "scale_up_selected": replicas > before_replicas and bool(services),
        "scale_down_selected": replicas < before_replicas and bool(services),
        "revision": new_revision, "old_revision": old_revision or new_revision,
        "rolling": rolling and len(updated) > 0, "on_delete": not rolling,
        "nothing_to_update": rolling and len(updated) == 0,
        "update_order": _ordinal_names(name, updated), "partition": partition,
        "partitioned": rolling and partition > 0 and replicas > 0,
        "kept": _ordinal_names(name, range(start, start + min(partition, replicas))),
        "claims_kept_on_scale": has_claims and replicas < before_replicas and retained_scale,
        "claims_deleted_on_scale": bool(templates) and replicas < before_replicas and not retained_scale,
        "claims_kept_on_delete": bool(templates) and retained_delete,
        "claims_deleted_on_delete": bool(templates) and not retained_delete,
        "history": field(now, "spec.revisionHistoryLimit"),
    }


_PROVISION = (
    S("cluster-master", "kube-scheduler", "chooses a node for each Pod whose claims are not bound yet and, before "
                                          "binding the Pod, writes that node on its claims "
                                          "(volume.kubernetes.io/selected-node); a Pod whose disk exists already "
                                          "only fits a node in the disk's zone", "has_claims",
      source=src.K8S_VOLUME_BINDING_MODE),
    S("controller", "csi-provisioner", "provisions each new claim from StorageClass {storage} in the selected "
                                       "node's zone: asks Compute Engine for the disk", "has_claims",
      source=src.GKE_PD_CSI_DRIVER),
    S("gke", "compute-engine", "creates a zonal persistent disk pvc-<uid> ({disk_type}, the claim's size) in that "
                               "zone; the PersistentVolume pvc-<uid> gets node affinity to the zone (names modelled)",
      "has_claims", source=src.GKE_PERSISTENT_VOLUMES),
    S("controller", "persistentvolume-binder", "binds each claim to its new PersistentVolume (Pending -> Bound); "
                                               "only then does kube-scheduler bind the Pod",
      "has_claims", source=src.K8S_PERSISTENT_VOLUMES),
)
_ATTACH = (
    S("controller", "attachdetach-controller", "creates a VolumeAttachment for each Pod's disk and node",
      "has_claims", source=src.K8S_PERSISTENT_VOLUMES),
    S("controller", "csi-attacher", "has Compute Engine attach each disk to the VM of its Pod's node", "has_claims",
      source=src.GKE_PD_CSI_DRIVER),
    S("node", "csi-node", "formats each new disk (ext4) and mounts it into the Pod's volume directory for the kubelet",
      "has_claims", source=src.GKE_PD_CSI_DRIVER),
)

STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates, applies defaults and stores StatefulSet {name} with replicas "
                                              "{replicas}", source=src.K8S_STATEFULSET),
        S("controller", "statefulset-controller", "records revision {revision} (a ControllerRevision of the Pod "
                                                  "template) and creates Pods {pods}, {policy}",
          "has_pods", source=src.K8S_STATEFULSET_CONTROL),
        S("controller", "statefulset-controller", "creates each Pod's PersistentVolumeClaims from volumeClaimTemplates "
                                                  "{claim_templates} before the Pod: {claims}", "has_claims",
          source=src.K8S_STATEFULSET_UTILS),
        S("controller", "persistentvolume-binder", "leaves each claim Pending: StorageClass {storage} waits for the "
                                                   "first Pod that uses it to be scheduled, so the disk lands in that "
                                                   "Pod's zone", "wait_for_consumer",
          source=src.K8S_VOLUME_BINDING_MODE),
        S("controller", "csi-provisioner", "provisions each claim at once (volumeBindingMode {binding}), in a zone "
                                           "chosen without regard to the Pod", "immediate",
          source=src.K8S_VOLUME_BINDING_MODE),
        *_PROVISION,
        S("cluster-master", "kube-scheduler", "binds each Pod to a node with room for its requests ({requests})",
          "has_pods", source=src.K8S_SCHEDULER),
        *_ATTACH,
        S("node", "kubelet", "waits for the volumes, creates each Pod's sandbox and pulls {images}", "has_pods",
          source=src.K8S_POD_LIFECYCLE),
        S("node", "cni", "gives each Pod an IP from its node's Pod range", "has_pods", source=src.K8S_CNI),
        S("node", "kubelet", "starts the container(s) and reports each Pod Ready", "has_pods",
          source=src.K8S_POD_LIFECYCLE),
        S("controller", "endpointslice-controller", "lists each Pod in the EndpointSlices of {services} (ready once "
                                                    "the Pod is)", "selected", source=src.K8S_ENDPOINTSLICES),
        S("controller", "endpointslice-controller", "lists each Pod with its hostname (the statefulset-controller "
                                                    "set hostname = Pod name, subdomain = {governing}) in the headless "
                                                    "Service {governing}'s EndpointSlice: kube-dns answers {dns} with "
                                                    "the Pod's IP, the same name after every restart", "has_service",
          source=src.K8S_POD_DNS),
        S("controller", "statefulset-controller", "updates the StatefulSet's status: {replicas}/{replicas} ready",
          source=src.K8S_STATEFULSET_CONTROL),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes StatefulSet {name} (background cascade)",
          source=src.K8S_STATEFULSET),
        S("controller", "garbage-collector", "deletes its Pods {pods} in no particular order (scale to 0 first for an "
                                             "ordered shutdown)", source=src.K8S_GARBAGE_COLLECTION),
        S("node", "kubelet", "stops the containers (SIGTERM, {grace}s grace period)", source=src.K8S_POD_LIFECYCLE),
        S("node", "csi-node", "unmounts each Pod's disk", "has_claims", source=src.GKE_PD_CSI_DRIVER),
        S("controller", "csi-attacher", "has Compute Engine detach the disks from the nodes' VMs", "has_claims",
          source=src.GKE_PD_CSI_DRIVER),
        S("controller", "statefulset-controller", "leaves the PersistentVolumeClaims {claims} and their disks in place "
                                                  "(whenDeleted: Retain): they are still billed, a StatefulSet created "
                                                  "again under this name would reattach them, and planner stops "
                                                  "tracking them", "claims_kept_on_delete",
          source=src.K8S_STATEFULSET_PVC_RETENTION),
        S("controller", "garbage-collector", "deletes the PersistentVolumeClaims {claims} (whenDeleted: Delete); "
                                             "persistentvolume-binder deletes their volumes and csi-provisioner the "
                                             "disks (reclaimPolicy Delete)", "claims_deleted_on_delete",
          source=src.K8S_STATEFULSET_PVC_RETENTION),
        S("controller", "endpointslice-controller", "drops the Pods from the EndpointSlices of {services}", "selected",
          source=src.K8S_ENDPOINTSLICES),
    ),
    "scale": (
        S("cluster-master", "kube-apiserver", "stores replicas {before_replicas} -> {replicas}",
          source=src.K8S_STATEFULSET),
        S("controller", "statefulset-controller", "creates Pods {new_pods}, {policy}; each reuses its claims if "
                                                  "an earlier scale-down kept them, else gets new ones", "scale_up",
          source=src.K8S_STATEFULSET_CONTROL),
        *(t._replace(when="new_claims") for t in _PROVISION),
        S("cluster-master", "kube-scheduler", "binds the new Pods to nodes with room ({requests})", "scale_up",
          source=src.K8S_SCHEDULER),
        *(t._replace(when="new_claims") for t in _ATTACH),
        S("node", "kubelet", "creates the new Pods' sandboxes, pulls {images}, starts them and reports them Ready",
          "scale_up", source=src.K8S_POD_LIFECYCLE),
        S("controller", "statefulset-controller", "deletes Pods {removed_pods} {down_policy}", "scale_down",
          source=src.K8S_STATEFULSET_CONTROL),
        S("node", "kubelet", "stops the removed Pods (SIGTERM, {grace}s grace period); csi-node unmounts their "
                             "disks", "scale_down", source=src.K8S_POD_LIFECYCLE),
        S("controller", "statefulset-controller", "keeps the removed Pods' claims and disks (whenScaled: Retain): a "
                                                  "later scale-up reattaches them", "claims_kept_on_scale",
          source=src.K8S_STATEFULSET_PVC_RETENTION),
        S("controller", "statefulset-controller", "deletes the removed Pods' claims (whenScaled: Delete); their disks "
                                                  "are deleted with their volumes", "claims_deleted_on_scale",
          source=src.K8S_STATEFULSET_PVC_RETENTION),
        S("controller", "endpointslice-controller", "adds the new Pods to the EndpointSlices of {services}",
          "scale_up_selected", source=src.K8S_ENDPOINTSLICES),
        S("controller", "endpointslice-controller", "drops the removed Pods from the EndpointSlices of {services}",
          "scale_down_selected", source=src.K8S_ENDPOINTSLICES),
    ),
    "rollout": (
        S("cluster-master", "kube-apiserver", "stores the new Pod template: {changed}", source=src.K8S_STATEFULSET),
        S("controller", "statefulset-controller", "records revision {revision} (the old one, {old_revision}, is kept "
                                                  "as history, revisionHistoryLimit {history})",
          source=src.K8S_STATEFULSET_CONTROL),
        S("controller", "statefulset-controller", "updates Pods {update_order} from the highest ordinal down, one at a "
                                                  "time: deletes the Pod, waits until it is gone, creates it again "
                                                  "under the same name with the same claims, and waits until it is "
                                                  "Running and Ready before the next (RollingUpdate)", "rolling",
          source=src.K8S_STATEFULSET),
        S("controller", "statefulset-controller", "leaves Pods {kept} on revision {old_revision}: they are below the "
                                                  "partition ({partition})", "partitioned",
          source=src.K8S_STATEFULSET),
        S("controller", "statefulset-controller", "updates no Pod: every ordinal is below the partition ({partition})",
          "nothing_to_update", source=src.K8S_STATEFULSET),
        S("controller", "attachdetach-controller", "detaches each replaced Pod's disk from its old node and attaches "
                                                   "it to the new one (csi-attacher, Compute Engine): the new Pod is "
                                                   "scheduled only in the disk's zone", "rolling",
          source=src.K8S_PERSISTENT_VOLUMES),
        S("node", "kubelet", "pulls {images}, starts each new Pod and reports it Ready", "rolling",
          source=src.K8S_POD_LIFECYCLE),
        S("controller", "endpointslice-controller", "drops each Pod while it is replaced and lists it again (same DNS "
                                                    "name, new IP) in the EndpointSlices of {services}", "selected",
          source=src.K8S_ENDPOINTSLICES),
        S("controller", "statefulset-controller", "changes no running Pod (updateStrategy OnDelete): each keeps its "
                                                  "revision until you delete it (kubectl delete pod), and is then "
                                                  "created again from revision {revision}", "on_delete",
          source=src.K8S_STATEFULSET),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched",
          source=src.K8S_STATEFULSET),
    ),
}
