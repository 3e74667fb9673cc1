"""ContainerCluster (Config Connector, container.cnrm.cloud.google.com/v1beta1): the GKE cluster and its default pool.

Sources: GKE cluster architecture (https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture),
creating a zonal cluster (https://cloud.google.com/kubernetes-engine/docs/how-to/creating-a-zonal-cluster), deleting
one (https://cloud.google.com/kubernetes-engine/docs/how-to/deleting-a-cluster), and Config Connector's
ContainerCluster reference with the fields it marks Immutable
(https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containercluster).
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import NotRequired, TypedDict  # pydantic reads these for the state schema: it needs this one

from planner import kinds
from planner.errors import Diagnostic, PlannerError
from planner.kinds import autopilot, cluster_commands, gcloud, nodes, private, ranges
from planner.kinds import sources as src
from planner.kinds.base import (
    CNRM_ANNOTATIONS,
    Context,
    Facts,
    Fields,
    KindSpec,
    Manifest,
    Meta,
    NodePoolShape,
    OpResult,
    Problem,
    Rank,
    S,
    Schema,
    created_only,
)
from planner.kinds.network import check_cluster_network, cluster_network, cluster_references, network_of
from planner.knowledge import naming
from planner.knowledge.capacity import parse_custom_machine
from planner.knowledge.gce import MACHINE_TYPES, REGIONS
from planner.simulate.world import RangeAllocator

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine
    from planner.state import StoredResource

CNRM_CONTAINER = "container.cnrm.cloud.google.com/v1beta1"


class ClusterStatus(TypedDict):
    """What GKE's Cluster resource reports (endpoint, locations, clusterIpv4Cidr, servicesIpv4Cidr; a private
    cluster's privateClusterConfig.privateEndpoint and publicEndpoint) and the node subnet's primary range."""

    endpoint: str
    locations: list[str]
    clusterIpv4Cidr: str
    servicesIpv4Cidr: str
    nodeIpv4Cidr: str
    privateEndpoint: NotRequired[str]
    publicEndpoint: NotRequired[str]


class ClusterLive(TypedDict, total=False):
    metadata: Meta
    status: ClusterStatus
    pool: nodes.Pool


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.initialNodeCount", autopilot.unless_autopilot(nodes.DEFAULT_NODES_PER_ZONE)),  # Autopilot: no pool, no
    ("spec.nodeConfig", autopilot.unless_autopilot({})),  # node settings (planner.kinds.autopilot)
    ("spec.nodeConfig.machineType", nodes.DEFAULT_MACHINE_TYPE),
    ("spec.nodeConfig.diskSizeGb", 100),
    ("spec.nodeConfig.diskType", "pd-balanced"),
    ("spec.releaseChannel", {}),
    ("spec.releaseChannel.channel", "REGULAR"),
    ("spec.networkingMode", "VPC_NATIVE"),
    ("spec.ipAllocationPolicy", ranges.unless_routes({})),
    # No default range where the cluster names a secondary range of its subnetwork for its Services.
    ("spec.ipAllocationPolicy.servicesIpv4CidrBlock",
     lambda policy: None if policy.get("servicesSecondaryRangeName") else naming.SERVICE_RANGE_DEFAULT),
)
"""What the GKE API fills in (creating a cluster: https://cloud.google.com/kubernetes-engine/docs/how-to/creating-a-zonal-cluster;
Service range 34.118.224.0/20 from GKE 1.29)."""
field = Fields(DEFAULTS, **{"spec.ipAllocationPolicy.servicesIpv4CidrBlock": naming.SERVICE_RANGE_DEFAULT,
                            "spec.initialNodeCount": nodes.DEFAULT_NODES_PER_ZONE})


# ---------------------------------------------------------------- validation (shared with ContainerNodePool)


def check_gke(spec: Mapping[str, Any]) -> list[Problem]:
    """Location and machine type, as the GKE API checks them."""
    problems = check_location(spec.get("location", ""), ("spec", "location"))
    machine = (spec.get("nodeConfig") or {}).get("machineType")
    if machine is not None:
        problems.extend(check_machine(machine, ("spec", "nodeConfig", "machineType")))
    return problems


def check_location(location: str, path: tuple[str, ...]) -> list[Problem]:
    region, zone = naming.split_location(location)
    if region not in REGIONS:
        close = difflib.get_close_matches(region, sorted(REGIONS), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return [Problem(path, f'unknown region "{region}"{hint}')]
    if zone and zone not in REGIONS[region].zones:
        zones = ", ".join(f"{region}-{z}" for z in REGIONS[region].zones)
        return [Problem(path, f'unknown zone "{location}" (zones of {region}: {zones})')]
    return []


def check_machine(machine: str, path: tuple[str, ...]) -> list[Problem]:
    if machine in MACHINE_TYPES or parse_custom_machine(machine) is not None:
        return []
    close = difflib.get_close_matches(machine, sorted(MACHINE_TYPES), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return [Problem(path, f'unknown machine type "{machine}"{hint}')]


def _check(data: Manifest) -> list[Problem]:
    spec = data.get("spec") or {}
    problems = (check_gke(spec) + _check_ranges(spec.get("ipAllocationPolicy") or {}) + private.check(spec)
                + autopilot.check(spec))
    routes_range = spec.get("clusterIpv4Cidr")
    if isinstance(routes_range, str):
        problems += _check_ranges({"clusterIpv4CidrBlock": routes_range}, ("spec", "clusterIpv4Cidr"))
        if spec.get("ipAllocationPolicy") is not None:
            problems.append(Problem(("spec", "clusterIpv4Cidr"), "is ignored: it only works for routes-based "
                                    "clusters, where ipAllocationPolicy is not defined (the ContainerCluster CRD); "
                                    "set ipAllocationPolicy.clusterIpv4CidrBlock instead", severity="warning"))
    return problems


def _check_ranges(policy: Mapping[str, Any], at: tuple[str, ...] | None = None) -> list[Problem]:
    """The Pod and Service ranges: a CIDR block (host bits zero) or a size, within what GKE accepts, not
    overlapping each other (the GKE API refuses all three). `at` places a single range written elsewhere (a
    routes-based cluster's spec.clusterIpv4Cidr)."""
    problems: list[Problem] = []
    blocks: list[tuple[str, ipaddress.IPv4Network]] = []
    for key, (low, high) in naming.RANGE_SIZES.items():
        value = policy.get(key)
        if not isinstance(value, str):
            continue
        path = at or ("spec", "ipAllocationPolicy", key)
        size = value[1:] if value.startswith("/") else value.rpartition("/")[2]
        if not value.startswith("/"):
            network = network_of(value)
            if network is None:
                problems.append(Problem(path, f'invalid CIDR block "{value}": give an IPv4 block with its host bits '
                                              "zero (10.4.0.0/14) or only a size (/14)"))
                continue
            blocks.append((key, network))
        if not size.isdigit() or not low <= int(size) <= high:
            problems.append(Problem(path, f'"{value}" is outside the sizes this range can have: /{low} to /{high}'))
    if len(blocks) == 2 and blocks[0][1].overlaps(blocks[1][1]):
        problems.append(Problem(("spec", "ipAllocationPolicy", blocks[1][0]),
                                f"{blocks[1][1]} overlaps the {blocks[0][0]} {blocks[0][1]}"))
    return problems


# ---------------------------------------------------------------- plan


def _created_pool(manifest: Manifest) -> NodePoolShape:
    """default-pool as GKE creates it (even when Config Connector deletes it right after)."""
    return nodes.shape(manifest, field, "spec.initialNodeCount", naming.gke_name(manifest), naming.DEFAULT_POOL)


def _pool_shape(manifest: Manifest) -> NodePoolShape | None:
    """The default pool the cluster keeps, if any."""
    return _created_pool(manifest) if has_default_pool(manifest) else None


def _removes_default_pool(manifest: Manifest) -> bool:
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    return bool(annotations.get(naming.REMOVE_DEFAULT_POOL_ANNOTATION) == "true")


def has_default_pool(manifest: Manifest) -> bool:
    """GKE creates default-pool unless initialNodeCount is 0, Config Connector removes it right away, or the cluster
    is an Autopilot one."""
    return _per_zone(manifest) > 0 and not _removes_default_pool(manifest)


def _per_zone(manifest: Manifest) -> int:
    """default-pool's nodes per zone: none in an Autopilot cluster."""
    return 0 if autopilot.enabled(manifest) else int(field(manifest, "spec.initialNodeCount"))


def _context(op: Operation, facts: Facts) -> Context:
    now = (op.change.before if op.phase == "delete" else op.change.after) or {}
    spec = now.get("spec") or {}
    per_zone = _per_zone(now)
    context = nodes.context(spec.get("location", ""), spec.get("nodeLocations"), per_zone,
                            field(now, "spec.nodeConfig.machineType"), facts)
    routes = field(now, "spec.networkingMode") == "ROUTES"
    prefix = naming.node_prefix(naming.gke_name(now), naming.DEFAULT_POOL, "<8hex>")
    live = facts.current(op.change.address, op.phase)
    observed = live.get("status") or {}
    network = cluster_network(now, facts.manifests.get)
    groups, vms = nodes.allocated(live, f"{prefix}-grp", f"{prefix}-<4 chars>")
    context.update(
        location=spec.get("location"), channel=field(now, "spec.releaseChannel.channel"),
        pod_range=(network.pods if network else None) or ranges.requested_pod_range(spec)
        or observed.get("clusterIpv4Cidr") or "(a /14 from 10.0.0.0/8, known after apply)",
        service_range=(network.services if network else None) or observed.get("servicesIpv4Cidr")
        or ranges.planned_service_range(spec),
        pool=naming.DEFAULT_POOL, groups=groups, vm_pattern=vms,
        default_pool=per_zone > 0, remove_default_pool=_removes_default_pool(now), routes=routes,
        vpc_native=not routes, mode="ROUTES (routes-based)" if routes else "VPC-native",
        default_pool_routes=per_zone > 0 and routes, default_pool_vpc_native=per_zone > 0 and not routes,
        **private.context(now),
        autopilot=autopilot.enabled(now), standard=not autopilot.enabled(now),
    )
    return context


def _cross_check(address: str, cluster: Manifest, lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """The subnetwork the cluster names, and room in its ranges for every node the input asks for."""
    pools = [shape for family, manifest in lookup.values() if family != SPEC.family
             and (hook := kinds.spec_of(family).node_pool) is not None and (shape := hook(manifest)) is not None]
    default = _pool_shape(cluster)
    found = [*check_cluster_network(address, cluster, lookup), *private.cross_check(address, cluster, lookup),
             *autopilot.check_members(address, cluster, lookup)]
    if found:
        return found
    return ranges.check_room(address, cluster, pools + ([default] if default else []),
                             lambda at: lookup[at][1] if at in lookup else None)


def _known_after_apply(manifest: Manifest) -> list[str]:
    spec = nodes.manifest_spec(manifest)
    if ranges.routes_mode(spec):  # a routes-based cluster's container range is spec.clusterIpv4Cidr
        pods = [] if spec.get("clusterIpv4Cidr") else ["spec.clusterIpv4Cidr"]
    else:
        pods = [] if "clusterIpv4CidrBlock" in (spec.get("ipAllocationPolicy") or {}) else [
            "spec.ipAllocationPolicy.clusterIpv4CidrBlock"]
    return [*pods, "status.endpoint", "status.nodes"]


STEPS = {
    "create": (
        S("gke", "container-api", "validates ContainerCluster {name} and applies GKE defaults: {machine_type}, "
                                  "{per_zone} node(s) per zone, first pool default-pool, {mode}, release "
                                  "channel {channel}", "standard", source=src.GKE_ARCHITECTURE),
        autopilot.CLUSTER_CREATE,
        S("gke", "container-api", "starts the Google-managed control plane in {location} (kube-apiserver, etcd, "
                                  "kube-scheduler, controllers): not VMs in your project", source=src.GKE_ARCHITECTURE),
        S("gke", "compute-engine", "creates the cluster's firewall rules; reserves Pod range {pod_range} and "
                                   "Service range {service_range}", source=src.GKE_FIREWALLS),
        *private.CREATE_STEPS,
        S("cluster-master", "kube-apiserver", "starts with namespaces default, kube-system, kube-public and "
                                              "kube-node-lease, and Service default/kubernetes",
                                                source=src.K8S_INITIAL_NAMESPACES),
        *autopilot.CLUSTER_AUTOPILOT,
        *(s._replace(when=f"default_pool_{s.when}" if s.when else "default_pool") for s in nodes.NODES_UP),
        S("gke", "container-api", "deletes default-pool right after creation (annotation "
                                  "cnrm.cloud.google.com/remove-default-node-pool)", "remove_default_pool",
                                    source=src.GKE_ARCHITECTURE),
    ),
    "delete": (
        S("gke", "container-api", "deletes the control plane of {name}, with every object stored in it",
          source=src.GKE_ARCHITECTURE),
        S("gke", "compute-engine", "deletes all nodes and their Pods, instance groups, templates and firewall rules "
                                   "(load balancers are only attempted: LoadBalancer Services are deleted first)",
          source=src.GKE_FIREWALLS),
        S("gke", "compute-engine", "deletes the cluster's per-node routes (a routes-based cluster's Pod ranges)",
          "routes", source=src.GKE_ROUTES_CLUSTER),
    ),
    "release-channel": (
        S("gke", "container-api", "moves {name} to release channel {channel}; upgrades follow the channel's "
                                  "schedule", source=src.GKE_ARCHITECTURE),
    ),
    "private-endpoint": private.ENDPOINT_STEPS,
    "gke-update": (
        S("gke", "container-api", "updates cluster {name} in place ({changed})", source=src.GKE_ARCHITECTURE),
    ),
}


# ---------------------------------------------------------------- apply


def _create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    spec = manifest.get("spec") or {}
    incarnation = nodes.incarnation(engine)  # a replaced cluster is a new one: new endpoint, new Pod range
    seed = engine.seed.number("pod-range", op.change.name, incarnation)
    def manifest_at(address: str) -> Manifest | None:
        found = engine.state.resources.get(address)
        return found.manifest if found is not None else None

    network = cluster_network(manifest, manifest_at)  # user-managed ranges of the subnetwork it names
    master = private.master_range(manifest)
    avoid = (str(master),) if master is not None else ()  # GKE picks ranges clear of the control plane's /28
    pod_range = (network.pods if network else None) or ranges.requested_pod_range(spec) or \
        naming.pod_range_candidate(seed, avoid)
    if pod_range.startswith("/"):  # a size: GKE picks the block
        pod_range = naming.sized_range(int(pod_range[1:]), seed, avoid=avoid)
    service_range = (network.services if network else None) or ranges.planned_service_range(spec, pod_range)
    if service_range.startswith("/"):
        service_range = naming.sized_range(int(service_range[1:]), seed // 7, avoid=(pod_range, *avoid))
    control_plane = RangeAllocator.for_cidr("control plane IP", naming.CONTROL_PLANE_RANGE)
    region = naming.region_of(spec["location"])
    if region not in REGIONS:
        raise PlannerError.single(f"unknown region {region}")
    public = str(control_plane.allocate(engine.seed.number("endpoint", op.change.name, incarnation), "control plane"))
    status["status"] = {
        **private.endpoints(manifest, public),
        "locations": naming.zones_for(spec["location"], spec.get("nodeLocations")),
        "clusterIpv4Cidr": pod_range,
        "servicesIpv4Cidr": service_range,
        "nodeIpv4Cidr": network.nodes if network else REGIONS[region].subnet,
    }
    _open(engine, status, manifest)
    details: list[dict[str, Any]] = [{"event": "cluster-ranges", **status["status"]}]
    if master is not None:
        details.append({"event": "cluster-private", "masterIpv4CidrBlock": str(master),
                        **status["status"]})
    shape = _created_pool(manifest)
    if autopilot.enabled(manifest):
        autopilot.install(engine, engine.own(op.change.address))
    elif shape.per_zone > 0:
        pool = nodes.make_pool(engine, shape)
        status["pool"] = pool
        details.append({"event": "default-pool-nodes", "count": len(pool["nodes"]),
                        "names": nodes.names_event(pool["nodes"])})
        if _removes_default_pool(manifest):
            engine.world.delete_nodes(nodes.names_event(pool["nodes"]))
            status.pop("pool")
            details.append({"event": "default-pool-removed"})
    return OpResult(op.change.address, "create", {"event": "cluster-running", "name": op.change.name,
                                                  "location": spec["location"]}, details)


def _open(engine: Engine, status: Mapping[str, Any], manifest: Manifest) -> None:
    """The cluster's ranges, and whether its new nodes get external IPs (not with private nodes)."""
    observed = status["status"]
    engine.world.open_ranges(observed["nodeIpv4Cidr"], observed["clusterIpv4Cidr"], observed["servicesIpv4Cidr"],
                             node_external_ips=not private.private_nodes(manifest))


def _delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    engine.remove_everything_but(op.change.address)
    return OpResult(op.change.address, "delete", {"event": "cluster-deleted", "name": op.change.name})


def _update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    details = private.update_endpoint(op.change.after or {}, status) if "private-endpoint" in \
        op.change.change_classes else []
    return OpResult(op.change.address, "update", {"event": "cluster-updated", "name": op.change.name}, details)


def _restore(engine: Engine, resource: StoredResource) -> None:
    if "status" in resource.status:
        _open(engine, resource.status, resource.manifest)
        (autopilot.restore if autopilot.enabled(resource.manifest) else nodes.restore)(engine, resource)


def _status_lines(status: Mapping[str, Any]) -> list[str]:
    observed = status.get("status") or {}
    out = [f"endpoint {observed.get('endpoint')}  Pod range {observed.get('clusterIpv4Cidr')}  Service range "
           f"{observed.get('servicesIpv4Cidr')}  zones {', '.join(observed.get('locations') or [])}"]
    return out + private.status_lines(observed) + nodes.pool_lines(status.get("pool"))


def _upgrade_v1(status: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2: the cluster's observed ranges move under `status`, named as GKE's API names them."""
    if "endpoint" not in status:
        return created_only(status)
    out: dict[str, Any] = {**created_only(status), "status": {
        "endpoint": status["endpoint"], "locations": status.get("zones") or [], "clusterIpv4Cidr": status["podRange"],
        "servicesIpv4Cidr": status["serviceRange"], "nodeIpv4Cidr": status["subnet"]}}
    if status.get("pool"):
        out["pool"] = nodes.upgrade_pool_v1(status["pool"])
    return out


def service_range(facts: Facts) -> str:
    """The range ClusterIPs come from: what the running cluster has, else what the desired cluster asks for."""
    observed = facts.cluster_status.get("status") or {}
    if observed.get("servicesIpv4Cidr"):
        return str(observed["servicesIpv4Cidr"])
    network = cluster_network(facts.cluster, facts.manifests.get) if facts.cluster else None
    if network is not None and network.services:
        return network.services
    return ranges.planned_service_range((facts.cluster or {}).get("spec") or {})


SPEC = KindSpec(
    imperative=gcloud.cluster,
    family="cluster",
    run_commands=cluster_commands.COMMANDS,
    references=cluster_references,
    kinds=((CNRM_CONTAINER, "ContainerCluster"),),
    rank=Rank(0, "everything else runs on the cluster's control plane"),
    steps=STEPS,
    handlers={"create": _create, "update": _update, "delete": _delete},
    schema=Schema(own=("containercluster.crd.schema.json", "containercluster.constraints.schema.json",
                               CNRM_ANNOTATIONS)),
    check=_check,
    cross_check=lambda mine, index, lookup: [d for address, _ns, _name, manifest in mine
                                             for d in _cross_check(address, manifest, lookup)],
    defaults=DEFAULTS,
    replace_paths=(  # with better words than the CRD's marker, or (network, subnetwork) not marked at all
        ("spec.location", "a cluster cannot move: location is immutable"),
        ("spec.initialNodeCount", "initialNodeCount is immutable; resize with a ContainerNodePool's nodeCount "
                                  "(and the cnrm.cloud.google.com/remove-default-node-pool annotation)"),
        ("spec.nodeConfig", "the default pool's nodeConfig is immutable on ContainerCluster"),
        ("spec.ipAllocationPolicy", "Pod and Service ranges are fixed when a cluster is created"),
        ("spec.networkingMode", "networkingMode is fixed when a cluster is created"),
        ("spec.networkRef", "a cluster cannot move to another VPC network (GKE's ClusterUpdate has no network)"),
        ("spec.subnetworkRef", "a cluster cannot move to another subnetwork (GKE's ClusterUpdate has no "
                               "subnetwork)"),
    ),
    change_classes=(("spec.releaseChannel", "release-channel"),
                    ("spec.privateClusterConfig.enablePrivateEndpoint", "private-endpoint"), ("", "gke-update")),
    context=_context,
    known_after_apply=_known_after_apply,
    before_view=ranges.routes_before_view,
    status_lines=_status_lines,
    restore=_restore,
    node_pool=_pool_shape,
    live=ClusterLive,
    upgrades={1: _upgrade_v1},
    names_allocations=lambda op: op.phase == "create",
    is_cluster=True,
    in_cluster=False,
    namespaced=False,
    messages={
        **nodes.MESSAGES,
        **autopilot.MESSAGES,
        "cluster-running": "cluster {name} running in {location}",
        "cluster-ranges": "control plane endpoint {endpoint}; Pod range {clusterIpv4Cidr}; Service range "
                          "{servicesIpv4Cidr}",
        "default-pool-nodes": "{count} node(s) in default-pool: {names}",
        "default-pool-removed": "default-pool removed (remove-default-node-pool annotation)",
        "cluster-private": "private nodes (no external IPs); control plane range {masterIpv4CidrBlock} peered with "
                           "the cluster's network; private endpoint {privateEndpoint}, public endpoint "
                           "{publicEndpoint}",
        "cluster-endpoint": "cluster endpoint now {endpoint}",
        "cluster-deleted": "cluster {name} deleted",
        "cluster-updated": "cluster {name} updated",
    },
)
