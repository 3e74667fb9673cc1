"""A DaemonSet's live object, as `kubectl get daemonset -o yaml` shows it, with its Pods, and what it shares with
its plan and apply: defaults, which nodes are eligible, the rolling-update arithmetic.

Sources: DaemonSet (https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/), the API reference
DaemonSetSpec (defaults: updateStrategy RollingUpdate, maxUnavailable 1, maxSurge 0, revisionHistoryLimit 10);
pkg/controller/daemon/util/daemonset_util.go (UnavailableCount, SurgeCount: percentages of the desired number of
nodes, rounded up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.kinds.base import Fields, Manifest, Meta
from planner.kinds.deployment.live import pod_spec_defaults
from planner.kinds.workloads import pod_spec
from planner.model import replica_set_of
from planner.selectors import equality_selector_matches
from planner.simulate import objects

FAMILY = "daemonset"
POD_SPEC = "spec.template.spec"
REVISION_LABEL = "controller-revision-hash"
"""The label the DaemonSet controller puts on each Pod: which ControllerRevision (template) it runs."""

DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"
DOC_SCHEDULING = DOC + "#how-daemon-pods-are-scheduled"
DOC_UPDATE = "https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/"
CA_DAEMONSETS = "kubernetes/autoscaler cluster-autoscaler/core/podlistprocessor/filter_out_daemon_sets.go"
VALIDATION = "kubernetes pkg/apis/apps/validation/validation.go (ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet)"


def _when_rolling(value: Any) -> Any:
    return lambda strategy: value if strategy.get("type", "RollingUpdate") == "RollingUpdate" else None


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.revisionHistoryLimit", 10),
    ("spec.updateStrategy", {}),
    ("spec.updateStrategy.type", "RollingUpdate"),
    ("spec.updateStrategy.rollingUpdate", _when_rolling({})),
    ("spec.updateStrategy.rollingUpdate.maxUnavailable", 1),
    ("spec.updateStrategy.rollingUpdate.maxSurge", 0),
    *pod_spec_defaults(POD_SPEC),
)
"""What kube-apiserver fills in (Kubernetes API reference: DaemonSetSpec, RollingUpdateDaemonSet, PodSpec)."""
field = Fields(DEFAULTS)


class DaemonSetStatus(TypedDict, total=False):
    desiredNumberScheduled: int
    currentNumberScheduled: int
    numberReady: int
    numberAvailable: int
    updatedNumberScheduled: int


class Revision(TypedDict):
    name: str
    revision: int


class DaemonSetLive(TypedDict, total=False):
    """`kubectl get daemonset -o yaml` (metadata, status), its current ControllerRevision and its Pods."""

    metadata: Meta
    status: DaemonSetStatus
    controllerRevision: Revision
    pods: list[objects.Pod]
    podSequence: int


def node_selector(manifest: Manifest) -> dict[str, str]:
    found: dict[str, str] = pod_spec(manifest).get("nodeSelector") or {}
    return found


def eligible(manifest: Manifest, node: Mapping[str, Any]) -> bool:
    """Whether the DaemonSet wants a Pod on this node: its template's nodeSelector matches the node's labels.
    (Taints are not modelled for any Pod, so tolerations change nothing here.)"""
    return equality_selector_matches(node_selector(manifest), node["metadata"]["labels"])


def revision_name(name: str, manifest: Manifest, digest: str = "") -> str:
    """The ControllerRevision `<daemonset>-<hash>` of the template (MODELLED hash: stable per template)."""
    return replica_set_of(name, manifest, digest)


def revision_hash(name: str, revision: str) -> str:
    return revision.removeprefix(f"{name}-")


def pod_revision(pod: Mapping[str, Any]) -> str:
    return str((pod["metadata"].get("labels") or {}).get(REVISION_LABEL, ""))


def rolling_numbers(manifest: Manifest, nodes: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as Pod counts: percentages of the desired nodes rounded up; both 0 makes
    maxUnavailable 1 (validation refuses it; the controller still guards)."""
    def count(value: Any) -> int:
        if isinstance(value, str) and value.endswith("%"):
            return math.ceil(int(value[:-1]) * nodes / 100)
        return int(value)

    surge = count(field(manifest, "spec.updateStrategy.rollingUpdate.maxSurge"))
    unavailable = count(field(manifest, "spec.updateStrategy.rollingUpdate.maxUnavailable"))
    return surge, (unavailable if surge or unavailable else 1)


def write_status(status: dict[str, Any], current: str) -> None:
    """The DaemonSet controller's status counts (desired = nodes that should run a Pod)."""
    pods = status.get("pods") or []
    scheduled = sum(1 for p in pods if objects.pod_node(p))
    nodes = {objects.pinned_node(p) for p in pods}
    status["status"] = {"desiredNumberScheduled": len(nodes), "currentNumberScheduled": scheduled,
                        "numberReady": scheduled, "numberAvailable": scheduled,
                        "updatedNumberScheduled": sum(1 for p in pods if pod_revision(p) == current
                                                      and objects.pod_node(p))}
