"""GKE's StorageClasses and what provisioning a claim from one does: the table StatefulSets' volumeClaimTemplates and
standalone PersistentVolumeClaims both read.

Sources:
- GKE "Persistent volumes and dynamic provisioning" (https://cloud.google.com/kubernetes-engine/docs/concepts/persistent-volumes):
  clusters come with the `standard-rwo` StorageClass (the default: balanced persistent disk, `pd-balanced`) and
  `premium-rwo` (SSD, `pd-ssd`), both served by the Compute Engine persistent disk CSI driver.
- GKE "Using the Compute Engine persistent disk CSI Driver"
  (https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver): provisioner
  `pd.csi.storage.gke.io`, `volumeBindingMode: WaitForFirstConsumer`, `reclaimPolicy: Delete`.
- Kubernetes "Storage Classes", volume binding mode
  (https://kubernetes.io/docs/concepts/storage/storage-classes/#volume-binding-mode): with WaitForFirstConsumer,
  binding and provisioning wait until a Pod using the claim is scheduled, and the volume is provisioned in the
  topology (zone) of the node the Pod was scheduled to; a StorageClass that names no mode is `Immediate`.
- Kubernetes "Persistent Volumes" (https://kubernetes.io/docs/concepts/storage/persistent-volumes/): a claim that
  names no class gets the default one; a dynamically provisioned volume follows its class's reclaim policy.

A zonal persistent disk attaches only to VMs in its zone, so once a claim is bound, its Pod can run only there.
PersistentVolume and disk names `pvc-<claim UID>` are what the CSI external-provisioner generates (its default
`--volume-name-prefix` is `pvc`); planner's UIDs are modelled (seeded), so the names are too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

PD_CSI_DRIVER = "pd.csi.storage.gke.io"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
IMMEDIATE = "Immediate"


class StorageClass(NamedTuple):
    name: str
    provisioner: str
    disk_type: str
    binding: str
    reclaim: str
    origin: str
    """Where planner knows it from: `GKE` (installed in every cluster), `input` (declared), `assumed`."""


GKE_CLASSES: dict[str, StorageClass] = {
    name: StorageClass(name, PD_CSI_DRIVER, disk, WAIT_FOR_FIRST_CONSUMER, "Delete", "GKE")
    for name, disk in (("standard-rwo", "pd-balanced"), ("premium-rwo", "pd-ssd"))
}
DEFAULT_CLASS = "standard-rwo"
"""The default StorageClass of a GKE cluster: what a claim without `storageClassName` gets."""


def storage_class(name: str | None, declared: Mapping[str, Any] | None = None) -> StorageClass:
    """The class a claim names (None: the default). A StorageClass declared in the input wins; a name planner does not
    know is assumed to provision like standard-rwo, and says so (`origin`)."""
    wanted = name or DEFAULT_CLASS
    if declared:
        parameters = declared.get("parameters") or {}
        return StorageClass(wanted, str(declared.get("provisioner") or "?"), str(parameters.get("type") or "default"),
                            str(declared.get("volumeBindingMode") or IMMEDIATE),
                            str(declared.get("reclaimPolicy") or "Delete"), "input")
    known = GKE_CLASSES.get(wanted)
    if known is not None:
        return known
    base = GKE_CLASSES[DEFAULT_CLASS]
    return base._replace(name=wanted, origin="assumed")


def describe(cls: StorageClass) -> str:
    """`standard-rwo (pd.csi.storage.gke.io, pd-balanced, WaitForFirstConsumer)` and where planner knows it from."""
    text = f"{cls.name} ({cls.provisioner}, {cls.disk_type}, {cls.binding})"
    if cls.origin == "assumed":
        text += ": not a class GKE installs nor one in the input, assumed to provision like standard-rwo"
    return text


def claim_storage_class(claim_spec: Mapping[str, Any]) -> str | None:
    value = claim_spec.get("storageClassName")
    return str(value) if value else None


def requested_size(claim_spec: Mapping[str, Any]) -> str:
    """The claim's `resources.requests.storage`, as written (`10Gi`)."""
    return str(((claim_spec.get("resources") or {}).get("requests") or {}).get("storage") or "?")


def volume_name(uid: str) -> str:
    """The PersistentVolume (and Compute Engine disk) the CSI external-provisioner names after the claim's UID."""
    return f"pvc-{uid}"
