"""ContainerNodePool (Config Connector): a pool of node VMs in the cluster.

Sources: resizing a pool (https://cloud.google.com/kubernetes-engine/docs/how-to/resizing-a-cluster), the cluster
autoscaler (https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler), and Config Connector's
ContainerNodePool reference with the fields it marks Immutable
(https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containernodepool).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.errors import PlannerError
from planner.kinds import gcloud, nodepool_commands, nodes, surge
from planner.kinds import sources as src
from planner.kinds.base import (
    CNRM_ANNOTATIONS,
    THE_CLUSTER,
    Context,
    Facts,
    Fields,
    KindSpec,
    Manifest,
    NodePoolShape,
    OpResult,
    Problem,
    Rank,
    Ref,
    S,
    Schema,
    created_only,
)
from planner.kinds.cluster import CNRM_CONTAINER, check_gke
from planner.knowledge import capacity, naming
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.nodeConfig", {}),
    ("spec.nodeConfig.machineType", nodes.DEFAULT_MACHINE_TYPE),
    ("spec.nodeConfig.diskSizeGb", 100),
    ("spec.nodeConfig.diskType", "pd-balanced"),
    ("spec.management", {}),
    ("spec.management.autoRepair", True),
    ("spec.management.autoUpgrade", True),
    ("spec.maxPodsPerNode", capacity.MAX_PODS_PER_NODE),
    ("spec.nodeCount", lambda spec: _within_autoscaling(spec, spec.get("initialNodeCount",
                                                                      nodes.DEFAULT_NODES_PER_ZONE))),
)
"""What the GKE API fills in for a node pool (Config Connector ContainerNodePool reference)."""
field = Fields(DEFAULTS, **{"spec.nodeCount": nodes.DEFAULT_NODES_PER_ZONE}, **surge.UPGRADE_DEFAULTS)


def _check(data: Manifest) -> list[Problem]:
    spec = data.get("spec") or {}
    problems = check_gke(spec) + surge.check(spec)
    auto = spec.get("autoscaling") or {}
    low, high = auto.get("minNodeCount"), auto.get("maxNodeCount")
    if low is not None and high is not None and low > high:
        problems.append(Problem(("spec", "autoscaling"), f"minNodeCount {low} is above maxNodeCount {high}"))
    if spec.get("nodeCount") is not None and spec.get("autoscaling"):
        problems.append(Problem(("spec", "nodeCount"), "nodeCount should not be used alongside autoscaling "
                                "(Config Connector's ContainerNodePool reference): cluster-autoscaler changes the "
                                "node count and Config Connector's periodic reconcile sets it back to nodeCount; "
                                "drop nodeCount (initialNodeCount sets the starting size)", severity="warning"))
    ref = naming.cluster_ref(data)
    if ref is not None and ref[0] == "malformed":
        problems.append(Problem(("spec", "clusterRef", "external"), f'"{ref[1]}" is not a GKE cluster: valid '
                                "formats are projects/{projectID}/locations/{location}/clusters/{clusterID} and "
                                "projects/{projectID}/zones/{zone}/clusters/{clusterID}"))
    return problems


def _within_autoscaling(spec: dict[str, Any], count: int) -> int:
    """GKE starts an autoscaled pool inside its bounds (min <= nodes per zone <= max)."""
    bounds = spec.get("autoscaling") or {}
    low, high = bounds.get("minNodeCount", 0), bounds.get("maxNodeCount", count)
    return int(max(low, min(count, high)))


def _cluster_name(manifest: Manifest, cluster: Manifest | None) -> str:
    """The GKE name of the pool's cluster: clusterRef.external's cluster ID, or the referenced ContainerCluster's
    resourceID, else clusterRef.name."""
    kind, ref = naming.cluster_ref(manifest) or ("name", "?")
    if kind == "name" and cluster is not None and (cluster.get("metadata") or {}).get("name") == ref:
        return naming.gke_name(cluster)
    return ref


def _cluster_manifest(engine: Engine) -> Manifest | None:
    return engine.cluster.manifest if engine.cluster is not None else None


def _shape(manifest: Manifest, cluster: Manifest | None = None) -> NodePoolShape:
    """The pool's shape; names are GKE's (resourceIDs) when the cluster's manifest is at hand (apply), and only
    sizes matter to the other callers (the autoscaler's room, which reads existing pools' groups from their status)."""
    return nodes.shape(manifest, field, "spec.nodeCount", _cluster_name(manifest, cluster), naming.gke_name(manifest))


def _context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    spec = now.get("spec") or {}
    before_spec = before.get("spec") or {}
    cluster = _cluster_name(now, facts.cluster)
    pool_name = naming.gke_name(now)
    per_zone = field(now, "spec.nodeCount")
    context = nodes.context(spec.get("location", ""), spec.get("nodeLocations"), per_zone,
                            field(now, "spec.nodeConfig.machineType"), facts)
    before_per_zone = before_spec.get("nodeCount", per_zone)
    live = ((facts.statuses.get(op.change.address) or {}).get("pool") or {}).get("nodes")
    if op.phase == "delete" and live is not None:  # the autoscaler may have grown it past nodeCount
        context["total"] = len(live)
    autoscaling = spec.get("autoscaling") or {}
    prefix = naming.node_prefix(cluster, pool_name, "<8hex>")
    groups, vms = (f"{prefix}-grp", f"{prefix}-<4 chars>")
    if op.phase == "create":
        groups, vms = nodes.allocated(facts.current(op.change.address, op.phase), groups, vms)
    elif (live_groups := ((facts.statuses.get(op.change.address) or {}).get("pool") or {}).get("instanceGroups")):
        groups, vms = ", ".join(live_groups), f"{str(live_groups[0]).removesuffix('-grp')}-<4 new chars>"
    context.update(surge.context(now, field, context["total"]))
    context.update(
        cluster=cluster, pool=pool_name, groups=groups, vm_pattern=vms,
        before_per_zone=before_per_zone, before_total=before_per_zone * len(context["zones"]),
        grow=per_zone > before_per_zone, shrink=per_zone < before_per_zone,
        autoscaling=bool(autoscaling), min_nodes=autoscaling.get("minNodeCount", 0),
        max_nodes=autoscaling.get("maxNodeCount", per_zone),
        added=max(0, per_zone - before_per_zone) * len(context["zones"]),
    )
    for flag in ("vpc_native", "routes", "lb_target_pool", "lb_backend_service"):
        context[f"grow_{flag}"] = context["grow"] and context[flag]
        context[f"shrink_{flag}"] = context["shrink"] and context[flag]
    return context


STEPS = {
    "create": (
        S("gke", "container-api", "creates node pool {name} in cluster {cluster}: {total} x {machine_type} "
                                  "({per_zone} per zone in {zones_text})", source=src.GKE_RESIZE),
        *nodes.NODES_UP,
        *nodes.LB_NODES_ADDED,
        S("cluster-master", "kube-scheduler", "binds Pending Pods (if any) to the new nodes", source=src.K8S_SCHEDULER),
        S("gke", "cluster-autoscaler", "keeps {name} between {min_nodes} and {max_nodes} node(s) per zone, adding "
                                       "nodes when Pods are Pending and a new node would fit them",
          "autoscaling", source=src.CA_NO_SCALE_UP),
    ),
    "delete": (
        S("gke", "container-api", "deletes node pool {name}: GKE drains its {total} node(s) (Pods terminated "
                                  "gracefully)", source=src.GKE_RESIZE),
        S("gke", "compute-engine", "deletes the VMs, managed instance group(s) and instance template",
          source=src.GKE_RESIZE),
        S("controller", "node-controller", "deletes the Node objects", source=src.K8S_NODE_CONTROLLER),
        S("controller", "replicaset-controller", "recreates the drained Pods; kube-scheduler places them on other "
                                                 "nodes or leaves them Pending", source=src.K8S_REPLICASET),
        *nodes.LB_NODES_REMOVED,
    ),
    "resize": (
        S("gke", "container-api", "resizes node pool {name}: {before_per_zone} -> {per_zone} node(s) per zone "
                                  "({before_total} -> {total})", source=src.GKE_RESIZE),
        S("gke", "compute-engine", "grows the managed instance group(s): {added} new VM(s) {vm_pattern}, each "
                                   "with an alias IP range (a /{pod_cidr_prefix}) from the Pod range",
          "grow_vpc_native", source=src.GKE_ALIAS_IPS),
        S("gke", "compute-engine", "grows the managed instance group(s): {added} new VM(s) {vm_pattern}",
          "grow_routes", source=src.GKE_RESIZE),
        S("node", "kubelet", "each new VM's kubelet registers its Node, tainted "
                             "node.cloudprovider.kubernetes.io/uninitialized", "grow",
          source=src.K8S_NODE_REGISTRATION),
        S("controller", "node-controller", "initialises the new Nodes from their VMs and removes the uninitialized "
                                           "taint", "grow", source=src.K8S_NODE_CONTROLLER),
        S("controller", "node-ipam-controller", "reads each new VM's alias IP range, writes it to the Node's "
                                                "spec.podCIDR, then clears NetworkUnavailable", "grow_vpc_native",
          source=src.GCP_CLOUD_CIDR_ALLOCATOR),
        S("controller", "node-ipam-controller", "gives each new Node a /{pod_cidr_prefix} of the Pod range and a "
                                                "route to it; then clears NetworkUnavailable", "grow_routes",
          source=src.GKE_ROUTES_CLUSTER),
        S("node", "kubelet", "reports the {added} new Node(s) Ready once their Pod range is set", "grow",
          source=src.K8S_NODE_REGISTRATION),
        S("node", "kube-proxy", "starts on every new node and programs the existing Service rules", "grow",
          source=src.K8S_KUBE_PROXY),
        *(t._replace(when=f"grow_{t.when}") for t in nodes.LB_NODES_ADDED),
        S("cluster-master", "kube-scheduler", "binds Pending Pods (if any) to the new nodes; running Pods are not "
                                              "moved", "grow", source=src.K8S_SCHEDULER),
        S("gke", "container-api", "drains the nodes being removed (Pods terminated gracefully)", "shrink",
          source=src.GKE_RESIZE),
        S("gke", "compute-engine", "shrinks the managed instance group(s), deleting those VMs", "shrink",
          source=src.GKE_RESIZE),
        S("controller", "replicaset-controller", "recreates the drained Pods; kube-scheduler places them elsewhere",
          "shrink", source=src.K8S_REPLICASET),
        S("controller", "node-controller", "deletes the removed Node objects", "shrink",
          source=src.K8S_NODE_CONTROLLER),
        *(t._replace(when=f"shrink_{t.when}") for t in nodes.LB_NODES_REMOVED),
    ),
    "autoscaling": (
        S("gke", "container-api", "sets autoscaling of {name} to {min_nodes}-{max_nodes} node(s) per zone",
          source=src.GKE_RESIZE),
        S("gke", "cluster-autoscaler", "adds nodes when Pods are Pending and removes idle ones, within the bounds",
          source=src.GKE_AUTOSCALER),
    ),
    "management": (
        S("gke", "container-api", "updates auto-repair / auto-upgrade of node pool {name}", source=src.GKE_RESIZE),
    ),
    "node-labels": (
        S("gke", "container-api", "updates the Kubernetes labels of {name}'s existing Nodes in place ({changed}); "
                                  "the kubelet sets labels only when a node registers, so only new nodes get them "
                                  "from it", source=src.GKE_NODE_LABELS_UPDATE),
    ),
    "node-config": (
        S("gke", "container-api", "updates the mutable node settings of {name} in place ({changed})",
          source=src.GKE_RESIZE),
    ),
    "node-upgrade": surge.STEPS,
    "gke-update": (
        S("gke", "container-api", "updates node pool {name} in place ({changed})", source=src.GKE_UPDATE_NODE_POOL),
    ),
}


# ---------------------------------------------------------------- apply


def _create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    if engine.cluster is None:
        raise PlannerError.single("no cluster in the state to run this in")
    pool = nodes.make_pool(engine, _shape(op.change.after or {}, _cluster_manifest(engine)))
    status["pool"] = pool
    pending = engine.world.reschedule([])
    details: list[dict[str, Any]] = [{"event": "pool-nodes", "count": len(pool["nodes"]),
                                      "names": nodes.names_event(pool["nodes"])}]
    if pending:
        details.append({"event": "still-pending", "count": pending})
    return OpResult(op.change.address, "create", {"event": "pool-created", "name": op.change.name,
                                                  "count": len(pool["nodes"])}, details)


def _delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    doomed = nodes.names_event((status.get("pool") or {}).get("nodes") or [])
    world = engine.world
    before = world.pending_pods()
    evicted = world.delete_nodes(doomed)
    pending = world.reschedule(evicted)
    stranded = min(len(evicted), max(0, pending - before))  # recreated Pods that found no room
    details: list[dict[str, Any]] = [{"event": "drained", "count": len(evicted), "placed": len(evicted) - stranded,
                                      "pending": stranded}] if evicted else []
    if pending:
        details.append({"event": "pending-no-room", "count": pending, "reason": world.scheduler_reason()})
    return OpResult(op.change.address, "delete", {"event": "pool-deleted", "name": op.change.name,
                                                  "count": len(doomed)}, details)


def _relabel(op: Operation, status: dict[str, Any]) -> int:
    """GKE updates the labels of the pool's existing Nodes in place: the old nodeConfig.labels go, the new come."""
    old = ((nodes.manifest_spec(op.change.before or {}).get("nodeConfig") or {}).get("labels") or {})
    new = ((nodes.manifest_spec(op.change.after or {}).get("nodeConfig") or {}).get("labels") or {})
    pool_nodes = (status.get("pool") or {}).get("nodes") or []
    for node in pool_nodes:
        labels = node["metadata"]["labels"]
        for key in old:
            labels.pop(key, None)
        node["metadata"]["labels"] = {**new, **labels}
    return len(pool_nodes)


def _update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    classes = op.change.change_classes
    relabelled = _relabel(op, status) if "node-labels" in classes else 0
    result = OpResult(op.change.address, "update", {"event": "pool-updated", "name": op.change.name},
                      [{"event": "pool-relabelled", "count": relabelled}] if relabelled else [])
    if "resize" in classes:
        result = _resize(engine, op, status)
    if "node-upgrade" in classes:
        result = _upgrade(engine, op, status, result)
    return result


def _upgrade(engine: Engine, op: Operation, status: dict[str, Any], before: OpResult) -> OpResult:
    """GKE recreates the pool's nodes with its upgrade strategy: new VMs (new names) of the new shape, old ones
    cordoned, drained and deleted."""
    manifest = op.change.after or {}
    pool = status.setdefault("pool", {"name": naming.gke_name(manifest), "nodes": []})
    added, removed, pending = surge.upgrade(engine, pool, _shape(manifest, _cluster_manifest(engine)), manifest,
                                            field)
    engine.own(op.change.address).status = status
    details = [*before.details, {"event": "pool-upgraded", "added": len(added), "removed": len(removed),
                                 "names": added}]
    if pending:
        details.append({"event": "pending", "count": pending})
    return OpResult(op.change.address, "update", {"event": "pool-recreated", "name": op.change.name,
                                                  "count": len(pool["nodes"])}, details)


def _resize(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    shape = _shape(op.change.after or {}, _cluster_manifest(engine))
    pool = status.setdefault("pool", {"name": naming.gke_name(op.change.after or {}), "nodes": []})
    removed: list[str] = []
    for zone in shape.zones:
        in_zone = [n for n in pool["nodes"] if objects.node_zone(n) == zone]
        removed += nodes.names_event(in_zone[shape.per_zone:])
    gone = set(removed)
    evicted = engine.world.delete_nodes(removed)
    pool["nodes"] = [n for n in pool["nodes"] if objects.node_name(n) not in gone]
    added = engine.world.create_nodes(nodes.vm_prefix(engine, shape, pool), shape.pool, shape.zones, shape.per_zone,
                                      shape.machine_type, shape.max_pods, existing=pool["nodes"],
                                      labels=dict(shape.labels))
    pool["nodes"] = pool["nodes"] + added
    engine.own(op.change.address).status = status
    pending = engine.world.reschedule(evicted)
    details: list[dict[str, Any]] = [{"event": "pool-resize-counts", "added": len(added), "removed": len(removed)}]
    if pending:
        details.append({"event": "pending", "count": pending})
    return OpResult(op.change.address, "update", {"event": "pool-resized", "name": op.change.name,
                                                  "count": len(pool["nodes"])}, details)


def _upgrade_v1(status: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2: Node objects in the pool."""
    out = created_only(status)
    if status.get("pool"):
        out["pool"] = nodes.upgrade_pool_v1(status["pool"])
    return out


POOL_IN_CLUSTER = "node pools are created inside a cluster: its clusterRef"
"""GKE's nodePools.create takes the cluster as its parent
(https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools/create)."""


def _references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    ref = naming.cluster_ref(manifest)
    if ref is not None and ref[0] == "name":
        return [Ref(f"ContainerCluster/{ref[1]}", POOL_IN_CLUSTER)]
    return [Ref(THE_CLUSTER, POOL_IN_CLUSTER)]  # clusterRef.external: the GKE name of the one declared cluster


SPEC = KindSpec(
    imperative=gcloud.nodepool,
    family="nodepool",
    run_commands=nodepool_commands.COMMANDS,
    references=_references,
    kinds=((CNRM_CONTAINER, "ContainerNodePool"),),
    rank=Rank(1, "Pods need nodes to be scheduled on"),
    steps=STEPS,
    handlers={"create": _create, "update": _update, "delete": _delete},
    schema=Schema(own=("containernodepool.crd.schema.json", "containernodepool.constraints.schema.json",
                               CNRM_ANNOTATIONS)),
    check=_check,
    defaults=DEFAULTS,
    replace_paths=(  # fields the CRD does not mark Immutable that GKE's API still cannot change
        ("spec.clusterRef", "a node pool cannot move to another cluster (UpdateNodePoolRequest names the pool "
                            "inside its cluster)"),
        ("spec.initialNodeCount", "initialNodeCount is read only when the pool is created; change nodeCount to "
                                  "resize"),
        ("spec.maxPodsPerNode", "GKE fixes a pool's maximum Pods per node, and so its nodes' Pod-range size, when "
                                "the pool is created (flexible-pod-cidr)"),
        ("spec.nodeConfig.serviceAccountRef", "UpdateNodePoolRequest has no service account: GKE cannot change the "
                                              "nodes' service account in place"),
        *((f"spec.networkConfig.{f}", "a pool's Pod range is chosen when the pool is created") for f in (
            "podRange", "podIpv4CidrBlock", "createPodRange", "subnetworkRef")),
    ),
    updated_in_place=(  # the CRD marks these Immutable; GKE's UpdateNodePoolRequest changes them
        *((f"spec.nodeConfig.{f}", src.GKE_UPDATE_NODE_POOL) for f in (
            "machineType", "diskSizeGb", "diskType", "labels", "guestAccelerator", "gvnic", "confidentialNodes",
            "gcfsConfig")),
    ),
    change_classes=(("spec.nodeCount", "resize"), ("spec.autoscaling", "autoscaling"),
                    ("spec.management", "management"), *((path, "node-upgrade") for path in surge.RECREATES_NODES),
                    ("spec.nodeConfig.labels", "node-labels"), ("spec.nodeConfig", "node-config"),
                    ("", "gke-update")),
    subsumes={"resize": ("gke-update",), "autoscaling": ("gke-update",), "node-config": ("gke-update",),
              "node-labels": ("gke-update",), "node-upgrade": ("gke-update", "node-config", "node-labels")},
    context=_context,
    known_after_apply=lambda manifest: ["status.instanceGroupUrls", "status.nodes"],
    views=nodes.VIEWS,
    status_lines=lambda status: nodes.pool_lines(status.get("pool")),
    restore=nodes.restore,
    node_pool=_shape,
    names_allocations=lambda op: op.phase == "create",
    live=nodes.PoolLive,
    upgrades={1: _upgrade_v1},
    namespaced=False,
    messages={
        **nodes.MESSAGES,
        "pool-created": "node pool {name} with {count} node(s)",
        "pool-nodes": "{count} node(s): {names}",
        "still-pending": "{count} Pod(s) still Pending",
        "pool-deleted": "node pool {name} deleted ({count} node(s))",
        "drained": "{count} Pod(s) drained; their controllers recreated them: {placed} running on other nodes, "
                   "{pending} Pending",
        "pending-no-room": "{count} Pod(s) Pending in the cluster now: {reason}",
        "pool-updated": "node pool {name} updated in place",
        "pool-resized": "node pool {name} resized to {count} node(s)",
        "pool-resize-counts": "added {added}, removed {removed}",
        "pool-relabelled": "labels of its {count} existing node(s) updated in place",
        "pool-recreated": "node pool {name}'s nodes recreated ({count} node(s))",
        "pool-upgraded": "{added} new node(s) created, {removed} old node(s) drained and deleted: {names}",
        "pending": "{count} Pod(s) Pending",
    },
)
