"""The objects the simulated cluster keeps, shaped as `kubectl get -o yaml` shows them (the fields planner models).

A Pod is `metadata.name`, `metadata.ownerReferences`, `spec.nodeName`, `status.phase`, `status.podIP` and, while it
cannot be scheduled, kube-scheduler's `PodScheduled=False` condition (reason `Unschedulable`). A Node is
`metadata.name` and `labels`, `spec.podCIDR` and `status.addresses`. Sources: Kubernetes API reference, Pod v1
(https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/) and Node v1
(https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/node-v1/); the labels GKE sets are
`cloud.google.com/gke-nodepool`, `topology.kubernetes.io/zone` and `node.kubernetes.io/instance-type`
(https://kubernetes.io/docs/reference/labels-annotations-taints/).

These helpers are the one place that knows the nesting, so the controllers and kinds read like the story they tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.knowledge.naming import NODE_POOL_LABEL

ZONE_LABEL = "topology.kubernetes.io/zone"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
"""The deployment controller records each ReplicaSet's revision in this annotation (pkg/controller/deployment/util)."""

Obj = dict[str, Any]


class OwnerReference(TypedDict):
    kind: str
    name: str


class PodCondition(TypedDict):
    type: str
    status: str
    reason: str
    message: str


class PodMeta(TypedDict, total=False):
    name: str
    creationTimestamp: str
    ownerReferences: list[OwnerReference]
    labels: dict[str, str]
    """Only the labels a controller writes that planner reads: a StatefulSet Pod's name and revision labels, a
    DaemonSet's controller-revision-hash."""


class NodeSelectorRequirement(TypedDict):
    key: str
    operator: str
    values: list[str]


class NodeSelectorTerm(TypedDict):
    matchFields: list[NodeSelectorRequirement]


class NodeSelector(TypedDict):
    nodeSelectorTerms: list[NodeSelectorTerm]


class NodeAffinity(TypedDict):
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector


class Affinity(TypedDict):
    nodeAffinity: NodeAffinity


class PodSpec(TypedDict, total=False):
    nodeName: str
    affinity: Affinity
    """A Pod meant for one node (a DaemonSet's): required node affinity on the node's metadata.name."""


class PodStatus(TypedDict, total=False):
    phase: str
    podIP: str
    conditions: list[PodCondition]


class Pod(TypedDict):
    metadata: PodMeta
    spec: PodSpec
    status: PodStatus


class NodeAddress(TypedDict):
    type: str
    address: str


NodeLabels = TypedDict("NodeLabels", {
    "cloud.google.com/gke-nodepool": str, "topology.kubernetes.io/zone": str, "node.kubernetes.io/instance-type": str})
"""The labels GKE sets on every node (the pool's own labels come beside them)."""


class NodeMeta(TypedDict):
    name: str
    creationTimestamp: str
    labels: NodeLabels


class NodeSpec(TypedDict):
    podCIDR: str


class NodeStatus(TypedDict):
    addresses: list[NodeAddress]


class Node(TypedDict):
    metadata: NodeMeta
    spec: NodeSpec
    status: NodeStatus


# ---------------------------------------------------------------- Pods


_OWNERS: dict[tuple[str, str], list[dict[str, str]]] = {}


def new_pod(name: str, owner_kind: str, owner: str, now: str) -> Obj:
    """A new Pod. Its ownerReferences list is shared by the siblings of one owner (nothing changes it): a large
    plan's preview holds tens of thousands of Pods, and one list per owner instead of one per Pod saves memory."""
    owners = _OWNERS.get((owner_kind, owner))
    if owners is None:
        owners = [{"kind": owner_kind, "name": owner}]
        if len(_OWNERS) < 200_000:
            _OWNERS[(owner_kind, owner)] = owners
    return {"metadata": {"name": name, "creationTimestamp": now, "ownerReferences": owners},
            "spec": {}, "status": {"phase": "Pending"}}


STATEFUL_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
"""Set by the StatefulSet controller on each of its Pods (pkg/controller/statefulset/stateful_set_utils.go): a Pod
with it keeps its name when it is recreated."""


def stable_name(pod: Obj) -> bool:
    """Whether the Pod comes back under the same name when it is replaced (a StatefulSet's `<name>-<ordinal>`)."""
    return STATEFUL_POD_NAME_LABEL in (pod["metadata"].get("labels") or {})


def recreated(pod: Obj, now: str) -> Obj:
    """The same identity as a new, unscheduled Pod (its owner recreates it after an eviction)."""
    meta = pod["metadata"]
    fresh = {**meta, "creationTimestamp": now}
    return {"metadata": fresh, "spec": {}, "status": {"phase": "Pending"}}


def pod_name(pod: Obj) -> str:
    name: str = pod["metadata"]["name"]
    return name


def pod_owner(pod: Obj) -> str:
    owner: str = pod["metadata"]["ownerReferences"][0]["name"]
    return owner


def pod_node(pod: Obj) -> str | None:
    node: str | None = pod["spec"].get("nodeName")
    return node


def pod_ip(pod: Obj) -> str | None:
    ip: str | None = pod["status"].get("podIP")
    return ip


def pod_created(pod: Obj) -> str | None:
    created: str | None = pod["metadata"].get("creationTimestamp")
    return created


def bind(pod: Obj, node: str, ip: str) -> None:
    """kube-scheduler binds (spec.nodeName); the CNI plugin gives the IP; the kubelet reports it Running."""
    affinity = pod["spec"].get("affinity")
    pod["spec"] = {"nodeName": node} if affinity is None else {"affinity": affinity, "nodeName": node}
    pod["status"] = {"phase": "Running", "podIP": ip}


def unschedulable(pod: Obj, message: str) -> None:
    affinity = pod["spec"].get("affinity")
    pod["spec"] = {} if affinity is None else {"affinity": affinity}
    pod["status"] = {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}]}


def pending_reason(pod: Obj) -> str:
    """Why a Pod is Pending, as `kubectl describe` sums it up: `Unschedulable: 0/3 nodes are available: ...`."""
    for condition in pod["status"].get("conditions") or ():
        if condition.get("status") == "False":
            return f"{condition.get('reason')}: {condition.get('message', '')}"
    return ""


def pin(pod: Obj, node: str) -> None:
    """The node affinity the DaemonSet controller writes on each of its Pods: the node's metadata.name, so
    kube-scheduler can bind it there and nowhere else (pkg/controller/daemon/util/daemonset_util.go,
    ReplaceDaemonSetPodNodeNameNodeAffinity; https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#how-daemon-pods-are-scheduled)."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
    pod["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [term]}}}


def pinned_node(pod: Obj) -> str | None:
    """The one node a Pod may run on (see `pin`), or None for a Pod any node may take."""
    affinity = pod["spec"].get("affinity")
    if affinity is None:
        return None
    terms = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    name: str = terms[0]["matchFields"][0]["values"][0]
    return name


def scheduler_message(pod: Obj) -> str:
    """kube-scheduler's message alone (`0/3 nodes are available: 3 Insufficient cpu`)."""
    return pending_reason(pod).removeprefix("Unschedulable: ")


# ---------------------------------------------------------------- Nodes


def new_node(name: str, pool: str, zone: str, internal_ip: str, pod_cidr: str, machine_type: str, now: str,
             labels: Mapping[str, str] | None = None, external_ip: str | None = None) -> Obj:
    """A registered Node: the pool's `nodeConfig.labels` and GKE's own labels, the Pod range the node IPAM
    controller wrote to spec.podCIDR, and the VM's addresses the cloud node controller copied to status.addresses
    (an ExternalIP only where the VM has one: not on a private cluster's nodes)."""
    addresses = [{"type": "InternalIP", "address": internal_ip}]
    if external_ip:
        addresses.append({"type": "ExternalIP", "address": external_ip})
    return {"metadata": {"name": name, "creationTimestamp": now,
                         "labels": {**(labels or {}), NODE_POOL_LABEL: pool, ZONE_LABEL: zone,
                                    INSTANCE_TYPE_LABEL: machine_type}},
            "spec": {"podCIDR": pod_cidr},
            "status": {"addresses": addresses}}


def node_name(node: Obj) -> str:
    name: str = node["metadata"]["name"]
    return name


def node_zone(node: Obj) -> str:
    zone: str = node["metadata"]["labels"][ZONE_LABEL]
    return zone


def node_pool(node: Obj) -> str:
    pool: str = node["metadata"]["labels"][NODE_POOL_LABEL]
    return pool


def node_machine_type(node: Obj) -> str:
    machine: str = node["metadata"]["labels"][INSTANCE_TYPE_LABEL]
    return machine


def node_internal_ip(node: Obj) -> str:
    address: str = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    return address


def node_external_ip(node: Obj) -> str | None:
    """The node's ExternalIP, or None: a private cluster's nodes, and nodes recorded before planner modelled
    external IPs, have none."""
    return next((str(a["address"]) for a in node["status"]["addresses"] if a["type"] == "ExternalIP"), None)


def node_pod_cidr(node: Obj) -> str:
    cidr: str = node["spec"]["podCIDR"]
    return cidr


# ---------------------------------------------------------------- metadata


def created(live: Obj) -> str | None:
    value: str | None = (live.get("metadata") or {}).get("creationTimestamp")
    return value


def set_created(live: Obj, now: str) -> None:
    live.setdefault("metadata", {})["creationTimestamp"] = now
