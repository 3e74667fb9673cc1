"""What the two node-owning families (a cluster's default pool and ContainerNodePool) share: the steps that bring
nodes up, the context that fills them, the pool's shape, and the `get nodes` / `get instances` views.

Sources: GKE node pools (https://cloud.google.com/kubernetes-engine/docs/concepts/node-pools); node registration and
the uninitialized taint (https://kubernetes.io/docs/concepts/architecture/cloud-controller/); alias IP ranges
(https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner import kinds
from planner.kinds import private
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, Fields, GetView, Manifest, Meta, NodePoolShape, S
from planner.knowledge import capacity, naming
from planner.knowledge.gce import REGIONS
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.engine import Engine
    from planner.state import State, StoredResource

class Pool(TypedDict):
    """A pool's managed instance group(s) and the Nodes its VMs registered."""

    name: str
    instanceGroups: list[str]
    nodes: list[objects.Node]


class PoolLive(TypedDict, total=False):
    metadata: Meta
    pool: Pool


NODES_UP = (
    S("gke", "compute-engine", "creates instance template and managed instance group {groups} ({per_zone} per zone "
                               "in {zones_text})", source=src.GKE_ALIAS_IPS),
    S("gke", "compute-engine", "creates {total} VM(s) {vm_pattern} ({machine_type}) with internal IPs from "
                               "{subnet}{external_ips}; each VM's interface gets an alias IP range (a "
                               "/{pod_cidr_prefix}) from the Pod range: its node's Pod range", "vpc_native",
      source=src.GKE_ALIAS_IPS),
    S("gke", "compute-engine", "creates {total} VM(s) {vm_pattern} ({machine_type}) with internal IPs from "
                               "{subnet}{external_ips}", "routes", source=src.GKE_ROUTES_CLUSTER),
    S("node", "kubelet", "each VM's kubelet registers its Node (label cloud.google.com/gke-nodepool={pool}), "
                         "tainted node.cloudprovider.kubernetes.io/uninitialized", source=src.K8S_NODE_REGISTRATION),
    S("controller", "node-controller", "initialises each Node from its VM (addresses, zone labels, providerID) and "
                                       "removes the uninitialized taint", source=src.K8S_NODE_CONTROLLER),
    S("controller", "node-ipam-controller", "reads each VM's alias IP range, writes it to the Node's spec.podCIDR, "
                                            "then clears the NetworkUnavailable condition", "vpc_native",
      source=src.GCP_CLOUD_CIDR_ALLOCATOR),
    S("controller", "node-ipam-controller", "gives each Node a /{pod_cidr_prefix} of the Pod range in spec.podCIDR "
                                            "and a route to it; then clears NetworkUnavailable", "routes",
      source=src.GKE_ROUTES_CLUSTER),
    S("node", "kubelet", "reports {total} Node(s) Ready once their Pod range is set: {cpu_free} CPU and "
                         "{memory_free} memory free for Pods on each (allocatable {allocatable}, minus a modelled "
                         "kube-system reservation)", source=src.K8S_NODE_REGISTRATION),
    S("node", "kube-proxy", "starts on every new node and programs the existing Service rules",
      source=src.K8S_KUBE_PROXY),
)
"""How nodes come up on GKE: Compute Engine creates the VM with its alias Pod range (VPC-native); the kubelet
registers the Node; the cloud node controller initialises it; the node IPAM controller (cloud-provider-gcp's
CloudAllocator) copies the alias range to spec.podCIDR and clears NetworkUnavailable. Only then is the node Ready."""

LB_NODES_ADDED = (
    S("controller", "service-controller", "adds the new nodes to every target-pool load balancer's target pool",
      "lb_target_pool", source=src.GCE_LB_NODE_SYNC),
    S("controller", "l4-netlb-controller", "adds the new nodes to the instance-group (or GCE_VM_IP NEG) backends of "
                                           "every backend-service load balancer", "lb_backend_service",
      source=src.L4_NETLB_NODE_SYNC),
)
LB_NODES_REMOVED = (
    S("controller", "service-controller", "removes the nodes from every target-pool load balancer's target pool",
      "lb_target_pool", source=src.GCE_LB_NODE_SYNC),
    S("controller", "l4-netlb-controller", "removes the nodes from the instance-group (or NEG) backends of every "
                                           "backend-service load balancer", "lb_backend_service",
      source=src.L4_NETLB_NODE_SYNC),
)
"""The load balancers' node sync: service-controller for target pools (cloud-provider-gcp UpdateLoadBalancer),
GKE's L4 NetLB controller for backend-service load balancers."""

MESSAGES = {
    "autoscaler-added": "cluster-autoscaler added {added} node(s) to {pool} for Pending Pods (max {max} per zone)",
    "autoscaler-no-scale-up": "cluster-autoscaler: NotTriggerScaleUp for {count} Pending Pod(s) of {owner}: pod "
                              "didn't trigger scale-up (it wouldn't fit if a new node is added: {pools})",
    "autoscaler-still-pending": "{count} Pod(s) still Pending: {reason}",
}
"""Apply's English for cluster-autoscaler's events (planner.simulate.controllers.World.autoscale)."""


DEFAULT_NODES_PER_ZONE = 3
"""GKE's default pool size, per zone (`gcloud container clusters create --num-nodes`, default 3:
https://cloud.google.com/sdk/gcloud/reference/container/clusters/create)."""
DEFAULT_MACHINE_TYPE = "e2-medium"
"""GKE's default node machine type (https://cloud.google.com/kubernetes-engine/docs/concepts/node-images and
`gcloud container clusters create --machine-type`, default e2-medium)."""


def max_pods_of(manifest: Manifest) -> int:
    """spec.maxPodsPerNode, or GKE's default (110) when it is unset."""
    return int(manifest_spec(manifest).get("maxPodsPerNode", capacity.MAX_PODS_PER_NODE))


def shape(manifest: Manifest, field: Fields, count_path: str, cluster: str, pool: str) -> NodePoolShape:
    """A pool's shape, each value read through its kind's defaults (`field`)."""
    spec = manifest_spec(manifest)
    auto = spec.get("autoscaling") or None
    return NodePoolShape(
        zones=naming.zones_for(spec.get("location", ""), spec.get("nodeLocations")),
        per_zone=int(field(manifest, count_path)),
        machine_type=str(field(manifest, "spec.nodeConfig.machineType")),
        max_pods=max_pods_of(manifest),
        min_nodes=auto.get("minNodeCount", 0) if auto else None,
        max_nodes=auto.get("maxNodeCount", 0) if auto else None,
        cluster=cluster, pool=pool,
        labels=tuple(sorted(((spec.get("nodeConfig") or {}).get("labels") or {}).items())),
    )


def context(location: str, node_locations: list[str] | None, per_zone: int, machine_type: str,
            facts: Facts | None = None) -> Context:
    zones = naming.zones_for(location, node_locations)
    try:
        free = capacity.free_for_workloads(machine_type)
        alloc = capacity.allocatable(machine_type)
        cpu_free, memory_free = f"{free.cpu_milli}m", f"{free.memory_mib}Mi"
        allocatable = f"{alloc.cpu_milli}m CPU, {alloc.memory_mib}Mi"
    except KeyError:
        cpu_free = memory_free = allocatable = "?"
    region = naming.region_of(location)
    cluster = (facts.cluster if facts is not None else None) or {}
    routes = ((cluster.get("spec") or {}).get("networkingMode") or "VPC_NATIVE") == "ROUTES"
    flavours = facts.load_balancer_flavours if facts is not None else frozenset()
    return {
        "zones": zones, "zones_text": ", ".join(zones), "per_zone": per_zone, "total": per_zone * len(zones),
        "machine_type": machine_type, "cpu_free": cpu_free, "memory_free": memory_free, "allocatable": allocatable,
        "subnet": _subnet_text(region, cluster, facts), "external_ips": external_ips_text(cluster),
        "pod_cidr_prefix": naming.POD_CIDR_PREFIX, "vpc_native": not routes, "routes": routes,
        "lb_target_pool": "target-pool" in flavours, "lb_backend_service": "backend-service" in flavours,
    }


def external_ips_text(cluster: Manifest) -> str:
    """What the VM step says about external IPs: a public cluster's nodes get an ephemeral one each, private nodes
    none (GKE "Private clusters": https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept)."""
    if private.private_nodes(cluster):
        return (" and no external IP (private nodes: images from outside Google's registries need Cloud NAT to be "
                "pulled)")
    return " and an ephemeral external IP each (a public cluster's nodes have one)"


def _subnet_text(region: str, cluster: Manifest, facts: Facts | None) -> str:
    """Where the nodes' addresses come from: the subnetwork the cluster names, else the region's auto-mode subnet."""
    from planner.kinds.network import cluster_network, external_subnetwork

    if facts is not None and cluster:
        network = cluster_network(cluster, facts.manifests.get)
        if network is not None:
            return f"subnetwork {network.subnetwork}'s primary range {network.nodes}"
    external = external_subnetwork(cluster) if cluster else None
    if external is not None and region in REGIONS:
        return (f"subnetwork {external.rsplit('/', 1)[-1]} (external: planner does not know its ranges, so the "
                f"addresses shown are MODELLED from the {region} default subnet {REGIONS[region].subnet})")
    return f"the {region} default subnet {REGIONS[region].subnet}" if region in REGIONS else "the subnet"


def incarnation(engine: Engine) -> int:
    """Which creation this is: the state serial of the apply that creates the object. A recreated pool or a replaced
    cluster is a new object, so every name seeded with it (instance-group hash, VM names, endpoint, Pod range) is
    new; within one apply an address is created at most once."""
    return engine.state.serial


def allocated(live: Mapping[str, Any], groups: str, vms: str) -> tuple[str, str]:
    """The instance group(s) and VM names a pool really got, once apply made them; the plan's patterns before."""
    pool = live.get("pool") or {}
    names = [objects.node_name(n) for n in pool.get("nodes") or []]
    if not names:
        return groups, vms
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return ", ".join(pool.get("instanceGroups") or [groups]), shown


def group_name(engine: Engine, cluster: str, pool: str) -> str:
    """The managed instance group `gke-<cluster>-<pool>-<8 hex>-grp`: the hash is new for each new pool."""
    digest = engine.seed.hex8("instance-group", cluster, pool, incarnation(engine))
    return f"{naming.node_prefix(cluster, pool, digest)}-grp"


def vm_prefix(engine: Engine, pool: NodePoolShape, live: Mapping[str, Any]) -> str:
    """The base instance name the group gives its VMs (the group's name without `-grp`); a pool recorded without
    groups (an older state) keeps the name it was given then."""
    groups = live.get("instanceGroups") or []
    if groups:
        return str(groups[0]).removesuffix("-grp")
    return naming.node_prefix(pool.cluster, pool.pool, engine.seed.hex8("instance-group", pool.cluster, pool.pool))


def make_pool(engine: Engine, pool: NodePoolShape) -> dict[str, Any]:
    """Compute Engine's managed instance group and its VMs; each kubelet registers a Node of the same name."""
    group = group_name(engine, pool.cluster, pool.pool)
    nodes = engine.world.create_nodes(group.removesuffix("-grp"), pool.pool, pool.zones, pool.per_zone,
                                      pool.machine_type, pool.max_pods, labels=dict(pool.labels))
    return {"name": pool.pool, "instanceGroups": [group], "nodes": nodes}


def restore(engine: Engine, resource: StoredResource) -> None:
    pool = resource.status.get("pool") or {}
    max_pods = max_pods_of(resource.manifest)
    for node in pool.get("nodes") or []:
        engine.world.restore_node(node, max_pods)


def names_event(nodes: list[dict[str, Any]]) -> list[str]:
    return [objects.node_name(n) for n in nodes]


def upgrade_pool_v1(pool: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2: flat node records become Node objects."""
    return {**pool, "nodes": [objects.new_node(n["name"], pool.get("name", ""), n["zone"], n["internalIP"],
                                               n["podCIDR"], n["machineType"], n.get("created") or "")
                              for n in pool.get("nodes") or []]}


def pool_lines(pool: Mapping[str, Any] | None) -> list[str]:
    if not pool:
        return []
    return [f"node {objects.node_name(n)}  {objects.node_zone(n)}  {objects.node_internal_ip(n)}  podCIDR "
            f"{objects.node_pod_cidr(n)}  {objects.node_machine_type(n)}"
            + (f"  external {objects.node_external_ip(n)}" if objects.node_external_ip(n) else "")
            for n in pool.get("nodes") or []]


# ---------------------------------------------------------------- get nodes / instances


def _node_rows(state: State) -> list[dict[str, Any]]:
    version = f"v{state.kubernetes_version or '1.34'}.0-gke"
    out = []
    for resource in state.resources.values():
        pool = resource.status.get("pool") if kinds.spec_of(resource.family).node_pool is not None else None
        for node in (pool or {}).get("nodes") or []:
            out.append({"name": objects.node_name(node), "labels": node["metadata"].get("labels") or {},
                        "status": "Ready", "roles": "<none>",
                        "created": node["metadata"].get("creationTimestamp"), "version": version,
                        "internalIP": objects.node_internal_ip(node),
                        "externalIP": objects.node_external_ip(node) or "<none>",
                        "podCIDR": objects.node_pod_cidr(node),
                        "zone": objects.node_zone(node), "machineType": objects.node_machine_type(node),
                        "pool": objects.node_pool(node)})
    return sorted(out, key=lambda r: r["name"])


def _instance_rows(state: State) -> list[dict[str, Any]]:
    """`gcloud compute instances list`: EXTERNAL_IP is empty for a VM without one (kubectl says <none>)."""
    return [{"name": n["name"], "zone": n["zone"], "machineType": n["machineType"], "preemptible": "",
             "internalIP": n["internalIP"], "externalIP": n["externalIP"].replace("<none>", ""), "status": "RUNNING"}
            for n in _node_rows(state)]


def _pool_rows(state: State) -> list[dict[str, Any]]:
    """`gcloud container node-pools list`: each pool's machine type, disk, node count and version (a cluster's
    default-pool among them while it has one)."""
    version = f"{state.kubernetes_version or '1.34'}.0-gke"
    out = []
    for resource in state.resources.values():
        pool = resource.status.get("pool") if kinds.spec_of(resource.family).node_pool is not None else None
        if not pool:
            continue
        config = manifest_spec(resource.manifest).get("nodeConfig") or {}
        members = pool.get("nodes") or []
        out.append({"name": pool.get("name", resource.name),
                    "machineType": objects.node_machine_type(members[0]) if members else
                    config.get("machineType", DEFAULT_MACHINE_TYPE),
                    "diskSizeGb": config.get("diskSizeGb", 100), "nodeVersion": version, "nodes": len(members)})
    return sorted(out, key=lambda r: r["name"])


VIEWS = (
    GetView("nodepools", _pool_rows, (("NAME", "name"), ("MACHINE_TYPE", "machineType"),
                                      ("DISK_SIZE_GB", "diskSizeGb"), ("NODE_VERSION", "nodeVersion")),
            (("NODES", "nodes"),), aliases=("nodepool", "node-pools")),
    GetView("nodes", _node_rows, (("NAME", "name"), ("STATUS", "status"), ("ROLES", "roles"), ("AGE", "age"),
                                  ("VERSION", "version")),
            (("INTERNAL-IP", "internalIP"), ("EXTERNAL-IP", "externalIP"), ("POD-CIDR", "podCIDR"), ("ZONE", "zone"),
             ("MACHINE-TYPE", "machineType"), ("POOL", "pool")), aliases=("node", "no"), resource="node"),
    GetView("instances", _instance_rows, (("NAME", "name"), ("ZONE", "zone"), ("MACHINE_TYPE", "machineType"),
                                          ("PREEMPTIBLE", "preemptible"), ("INTERNAL_IP", "internalIP"),
                                          ("EXTERNAL_IP", "externalIP"), ("STATUS", "status")),
            aliases=("instance",)),
)


def manifest_spec(manifest: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = manifest.get("spec") or {}
    return spec
