"""A Deployment's live object, as `kubectl get deployment -o yaml` and `kubectl get rs` show it: the revision
annotation, status counts, the Progressing condition, its ReplicaSets and their Pods (pkg/controller/deployment)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.errors import PlannerError
from planner.kinds.base import Fields, created_only
from planner.kinds.workloads import upgrade_pods_v1
from planner.simulate import objects

FAMILY = "deployment"
KUBECTL_NAMES = ("deployment", "deployments", "deploy")
"""kubectl's names for the resource type (https://kubernetes.io/docs/reference/kubectl/#resource-types)."""
POD_SPEC = "spec.template.spec"


def container_defaults(base: str) -> tuple[tuple[str, Any], ...]:
    return (
        (f"{base}[*].imagePullPolicy", _image_pull_policy),
        (f"{base}[*].terminationMessagePath", "/dev/termination-log"),
        (f"{base}[*].terminationMessagePolicy", "File"),
        (f"{base}[*].resources", {}),
        (f"{base}[*].ports[*].protocol", "TCP"),
    )


def pod_spec_defaults(base: str, restart_policy: str | None = "Always") -> tuple[tuple[str, Any], ...]:
    """A PodSpec's defaults under `base`, shared by every workload's template (Kubernetes API reference: PodSpec).
    A Job's template has no default restartPolicy (it must say Never or OnFailure): `restart_policy=None`."""
    return (
        *(((f"{base}.restartPolicy", restart_policy),) if restart_policy is not None else ()),
        (f"{base}.terminationGracePeriodSeconds", 30),
        (f"{base}.dnsPolicy", "ClusterFirst"),
        (f"{base}.schedulerName", "default-scheduler"),
        (f"{base}.securityContext", {}),
        *container_defaults(f"{base}.containers"),
        *container_defaults(f"{base}.initContainers"),
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


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.replicas", 1),
    ("spec.revisionHistoryLimit", 10),
    ("spec.progressDeadlineSeconds", 600),
    ("spec.strategy", {}),
    ("spec.strategy.type", "RollingUpdate"),
    ("spec.strategy.rollingUpdate", _when_rolling({})),
    ("spec.strategy.rollingUpdate.maxSurge", "25%"),
    ("spec.strategy.rollingUpdate.maxUnavailable", "25%"),
    *pod_spec_defaults(POD_SPEC),
)
"""What kube-apiserver fills in (Kubernetes API reference: DeploymentSpec, PodSpec, Container)."""
field = Fields(DEFAULTS)


RevisionAnnotation = TypedDict("RevisionAnnotation", {"deployment.kubernetes.io/revision": str})


class DeploymentMeta(TypedDict, total=False):
    creationTimestamp: str
    annotations: RevisionAnnotation
    """`deployment.kubernetes.io/revision`."""


class DeploymentCondition(TypedDict):
    type: str
    status: str
    reason: str
    message: str


class DeploymentStatus(TypedDict, total=False):
    replicas: int
    updatedReplicas: int
    readyReplicas: int
    availableReplicas: int
    conditions: list[DeploymentCondition]


class ReplicaSetSpec(TypedDict):
    replicas: int


class ReplicaSetMeta(TypedDict):
    name: str
    creationTimestamp: str
    annotations: RevisionAnnotation


class ReplicaSet(TypedDict):
    metadata: ReplicaSetMeta
    spec: ReplicaSetSpec


class Unscheduled(TypedDict):
    owner: str
    count: int


class DeploymentLive(TypedDict, total=False):
    """`kubectl get deployment -o yaml` (metadata, status), its ReplicaSets and Pods, and the Pod name sequence."""

    metadata: DeploymentMeta
    status: DeploymentStatus
    replicaSets: list[ReplicaSet]
    pods: list[objects.Pod]
    podSequence: int
    unscheduled: Unscheduled
    notTriggerScaleUp: str
    """Why cluster-autoscaler added no node for the Pending Pods (no node of any autoscaled pool would fit them)."""
    """Pods of a workload larger than the cluster could ever run, counted instead of created (all Pending)."""


def _revision_number(text: Any) -> int:
    """The revision annotation's number; a value that is none (a hand-edited state) is said so, by name."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise PlannerError.single(f"the state is damaged: {objects.REVISION_ANNOTATION} is {text!r}, not a revision "
                                  "number: restore the state's .backup") from None
    return number


def revision(status: Mapping[str, Any]) -> int:
    annotations = (status.get("metadata") or {}).get("annotations") or {}
    return _revision_number(annotations.get(objects.REVISION_ANNOTATION, 1))


def rs_name(rs: Mapping[str, Any]) -> str:
    name: str = rs["metadata"]["name"]
    return name


def rs_revision(rs: Mapping[str, Any]) -> int:
    return _revision_number(rs["metadata"]["annotations"][objects.REVISION_ANNOTATION])


def replica_set(name: str, rev: int, replicas: int, created: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "creationTimestamp": created,
                         "annotations": {objects.REVISION_ANNOTATION: str(rev)}}, "spec": {"replicas": replicas}}


def current_replica_set(status: Mapping[str, Any]) -> str | None:
    rev = revision(status)
    return next((rs_name(r) for r in status.get("replicaSets") or [] if rs_revision(r) == rev), None)


def stall(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Progressing=False condition the controller sets when a rollout exceeds its progress deadline."""
    for condition in (status.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Progressing" and condition.get("status") == "False":
            found: Mapping[str, Any] = condition
            return found
    return None


def write_status(status: dict[str, Any], replicas: int) -> None:
    """The deployment controller's status counts, as `kubectl get deployment -o yaml` shows them."""
    pods = status.get("pods") or []
    current = current_replica_set(status)
    ready = sum(1 for p in pods if objects.pod_node(p))
    observed = status.setdefault("status", {})
    counted = (status.get("unscheduled") or {}).get("count", 0)
    observed.update(replicas=len(pods) + counted,
                    updatedReplicas=sum(1 for p in pods if objects.pod_owner(p) == current),
                    readyReplicas=ready, availableReplicas=ready)
    observed.pop("conditions", None)


def upgrade_v1(status: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2: revision annotation, ReplicaSet objects, Pod objects, the Progressing condition."""
    out = created_only(status)
    if "revision" not in status:
        return out
    out["metadata"]["annotations"] = {objects.REVISION_ANNOTATION: str(status["revision"])}
    out["replicaSets"] = [replica_set(r["name"], r["revision"], r["replicas"], r.get("created") or "")
                          for r in status.get("replicaSets") or []]
    out["pods"] = upgrade_pods_v1(status.get("pods") or [], "ReplicaSet")
    out["podSequence"] = status.get("podSequence", 0)
    spec = (status.get("rollout") or {})
    replicas = len(out["pods"])
    write_status(out, replicas)
    if spec.get("stalled"):
        out["status"]["conditions"] = [{"type": "Progressing", "status": "False", "reason": spec.get("reason", ""),
                                        "message": spec.get("message", "")}]
    return out
