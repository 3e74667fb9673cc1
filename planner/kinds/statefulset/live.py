"""A StatefulSet's live object, as `kubectl get statefulset -o yaml`, `kubectl get pods` and `kubectl get pvc` show it:
status counts and revisions, its Pods `<name>-<ordinal>` and the PersistentVolumeClaims of its volumeClaimTemplates.

Sources: Kubernetes API reference StatefulSetSpec (defaults: replicas 1, podManagementPolicy OrderedReady,
updateStrategy RollingUpdate with partition 0, revisionHistoryLimit 10, persistentVolumeClaimRetentionPolicy Retain
and Retain; pkg/apis/apps/v1/defaults.go), pkg/controller/statefulset/stateful_set_utils.go (Pod and claim names,
the `statefulset.kubernetes.io/pod-name` and `controller-revision-hash` labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.kinds.base import Fields, Meta
from planner.kinds.deployment.live import pod_spec_defaults
from planner.simulate import objects

FAMILY = "statefulset"
POD_SPEC = "spec.template.spec"
REVISION_LABEL = "controller-revision-hash"
"""The label the controller puts on each Pod: the ControllerRevision (template) it was created from."""
ORDERED = "OrderedReady"
PARALLEL = "Parallel"
ROLLING = "RollingUpdate"
ON_DELETE = "OnDelete"
RETAIN = "Retain"


def _when_rolling(value: Any) -> Any:
    return lambda strategy: value if strategy.get("type", ROLLING) == ROLLING else None


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.replicas", 1),
    ("spec.podManagementPolicy", ORDERED),
    ("spec.revisionHistoryLimit", 10),
    ("spec.minReadySeconds", 0),
    ("spec.serviceName", ""),
    ("spec.updateStrategy", {}),
    ("spec.updateStrategy.type", ROLLING),
    ("spec.updateStrategy.rollingUpdate", _when_rolling({})),
    ("spec.updateStrategy.rollingUpdate.partition", 0),
    ("spec.persistentVolumeClaimRetentionPolicy", {}),
    ("spec.persistentVolumeClaimRetentionPolicy.whenDeleted", RETAIN),
    ("spec.persistentVolumeClaimRetentionPolicy.whenScaled", RETAIN),
    ("spec.volumeClaimTemplates[*].spec.volumeMode", "Filesystem"),
    *pod_spec_defaults(POD_SPEC),
)
"""What kube-apiserver fills in (Kubernetes API reference: StatefulSetSpec, PodSpec, Container)."""
field = Fields(DEFAULTS, **{"spec.ordinals.start": 0, "spec.volumeClaimTemplates": []})


class StatefulSetStatus(TypedDict, total=False):
    replicas: int
    readyReplicas: int
    availableReplicas: int
    currentReplicas: int
    updatedReplicas: int
    currentRevision: str
    updateRevision: str


class ClaimMeta(TypedDict, total=False):
    name: str
    uid: str
    creationTimestamp: str


class ClaimResources(TypedDict, total=False):
    requests: dict[str, str]


class ClaimSpec(TypedDict, total=False):
    accessModes: list[str]
    storageClassName: str
    volumeName: str
    resources: ClaimResources


class ClaimStatus(TypedDict, total=False):
    phase: str
    capacity: dict[str, str]


class Disk(TypedDict, total=False):
    """planner's record of the Compute Engine disk behind the volume (not part of the claim object)."""

    name: str
    zone: str
    type: str


class Claim(TypedDict, total=False):
    metadata: ClaimMeta
    spec: ClaimSpec
    status: ClaimStatus
    gce: Disk


class StatefulSetLive(TypedDict, total=False):
    """`kubectl get statefulset -o yaml` (metadata, status), its Pods and claims, and planner's records: each bound
    Pod's zone (its disk's), and the requests of each revision its Pods run."""

    metadata: Meta
    status: StatefulSetStatus
    pods: list[objects.Pod]
    claims: list[Claim]
    volumeZones: dict[str, str]
    """Pod name -> the zone of its bound disks: the Pod can only run there from now on."""
    revisionRequests: dict[str, list[int]]
    """Revision -> [CPU m, memory Mi] of one Pod of it (old Pods keep running under OnDelete or a partition)."""
    uncreated: int
    """Pods of a Parallel StatefulSet larger than the cluster could ever run: counted (Pending), not created."""
    waitingFor: str
    """The Pod the controller waits for (Running and Ready) before it goes on (OrderedReady, or a rolling update)."""
    notTriggerScaleUp: str
    incarnation: int


def pod_name(name: str, ordinal: int) -> str:
    return f"{name}-{ordinal}"


def ordinal_of(pod: Mapping[str, Any]) -> int:
    """The ordinal at the end of a StatefulSet Pod's name (`web-2` -> 2)."""
    return int(objects.pod_name(dict(pod)).rsplit("-", 1)[1])


def claim_name(template: str, name: str, ordinal: int) -> str:
    return f"{template}-{name}-{ordinal}"


def claim_templates(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [t for t in field(manifest, "spec.volumeClaimTemplates") if isinstance(t, dict)]
    return found


def template_name(template: Mapping[str, Any]) -> str:
    return str((template.get("metadata") or {}).get("name") or "?")


def pod_revision(pod: Mapping[str, Any]) -> str:
    return str((pod["metadata"].get("labels") or {}).get(REVISION_LABEL, ""))


def claim_phase(claim: Mapping[str, Any]) -> str:
    return str((claim.get("status") or {}).get("phase") or "Pending")


def claim_zone(claim: Mapping[str, Any]) -> str | None:
    zone = (claim.get("gce") or {}).get("zone")
    return str(zone) if zone else None
