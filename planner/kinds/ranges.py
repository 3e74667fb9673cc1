"""Whether a cluster's address ranges can hold its nodes: every node takes an address from the nodes' subnet and a
Pod range (an alias IP range, or a route's block) out of the cluster's Pod range.

Sources: flexible Pod CIDR (https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr): a node's Pod
range has at least twice as many addresses as its maximum Pods (8 Pods: /28, 16: /27, 32: /26, 64: /25, 110: /24),
and a Pod range of a given size therefore holds a fixed number of nodes; subnet primary ranges
(https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet): four addresses of every primary
range are unusable.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

from planner.errors import Diagnostic
from planner.kinds.base import Manifest, NodePoolShape
from planner.kinds.network import cluster_network, network_of
from planner.knowledge import naming
from planner.knowledge.gce import REGIONS

DEFAULT_POD_RANGE_PREFIX = 14
"""GKE's Pod range when the cluster asks for none: a /14 (https://cloud.google.com/kubernetes-engine/docs/concepts/
alias-ips#defaults_limits)."""
UNUSABLE_PER_SUBNET = 4
BOUNDS: tuple[tuple[str, Literal["error", "warning"]], ...] = (("now", "error"), ("max", "warning"))
"""The nodes asked for now must fit (an error); the autoscaler's upper bounds should (a warning)."""


def node_block_prefix(max_pods: int) -> int:
    """The prefix of one node's Pod range: the smallest block with at least 2 x maxPodsPerNode addresses."""
    return 32 - max(0, math.ceil(math.log2(max(1, 2 * max_pods))))


def requested_pod_range(spec: Mapping[str, Any]) -> str | None:
    """The Pod range the input asks for: ipAllocationPolicy.clusterIpv4CidrBlock (VPC-native), or a routes-based
    cluster's spec.clusterIpv4Cidr, which only counts where ipAllocationPolicy is not defined (the CRD's
    clusterIpv4Cidr description; https://cloud.google.com/kubernetes-engine/docs/how-to/routes-based-cluster)."""
    policy = spec.get("ipAllocationPolicy")
    if isinstance(policy, Mapping) and policy.get("clusterIpv4CidrBlock"):
        return str(policy["clusterIpv4CidrBlock"])
    routes_range = spec.get("clusterIpv4Cidr")
    return str(routes_range) if routes_range and not user_policy(spec) else None


def user_policy(spec: Mapping[str, Any]) -> bool:
    """Whether ipAllocationPolicy holds more than the Service range default planner fills in."""
    policy = spec.get("ipAllocationPolicy") or {}
    return any(key != "servicesIpv4CidrBlock" or value != naming.SERVICE_RANGE_DEFAULT
               for key, value in policy.items())


ROUTES_SERVICE_PREFIX = 20
"""A routes-based cluster's Service range: a /20 at the end of its Pod range. The CRD's servicesIpv4Cidr "is
typically put in the last /16 from the container CIDR"; GKE's tutorial era shows 10.3.240.0/20, the last /20 of the
10.0.0.0/14 container range (the seed's ClusterIP 10.3.251.122). Which /20 of that /16 is MODELLED as the last."""


def routes_mode(spec: Mapping[str, Any]) -> bool:
    return spec.get("networkingMode") == "ROUTES"


def unless_routes(value: Any) -> Callable[[dict[str, Any]], Any]:
    """A default GKE fills in for VPC-native clusters only: a routes-based cluster has no ipAllocationPolicy."""
    return lambda spec: None if routes_mode(spec) else value


def routes_service_range(pod_range: str) -> str | None:
    """The last /20 of a routes-based cluster's Pod range (None when the range is not known yet)."""
    network = network_of(pod_range)
    if network is None or network.prefixlen > ROUTES_SERVICE_PREFIX:
        return None
    last = int(network.broadcast_address) - (1 << (32 - ROUTES_SERVICE_PREFIX)) + 1
    return str(ipaddress.ip_network((last, ROUTES_SERVICE_PREFIX)))


def planned_service_range(spec: Mapping[str, Any], pod_range: str | None = None) -> str:
    """The Service range a cluster asks for, as the plan shows it before GKE picks: ipAllocationPolicy's, the last
    /20 of a routes-based cluster's Pod range, else GKE's default."""
    policy = spec.get("ipAllocationPolicy") or {}
    if policy.get("servicesIpv4CidrBlock"):
        return str(policy["servicesIpv4CidrBlock"])
    if routes_mode(spec):
        return routes_service_range(pod_range or requested_pod_range(spec) or "") or \
            f"the last /{ROUTES_SERVICE_PREFIX} of the Pod range (known after apply)"
    return naming.SERVICE_RANGE_DEFAULT


def routes_before_view(stored: Manifest, live: Mapping[str, Any], desired: Manifest) -> Manifest:
    """A routes-based cluster applied before planner knew it has no ipAllocationPolicy was stored with the VPC-native
    default one: compared without it, so that knowledge is not planned as a change (let alone a replacement)."""
    spec = stored.get("spec") or {}
    if routes_mode(spec) and spec.get("ipAllocationPolicy") == {"servicesIpv4CidrBlock": naming.SERVICE_RANGE_DEFAULT} \
            and "ipAllocationPolicy" not in (desired.get("spec") or {}):
        return {**stored, "spec": {k: v for k, v in spec.items() if k != "ipAllocationPolicy"}}
    return stored


def _prefix(cidr: str | None) -> int | None:
    """The prefix length of a range written in full (10.4.0.0/14) or as a size (/14); None when unknown."""
    if not cidr:
        return None
    if cidr.startswith("/") and cidr[1:].isdigit():
        return int(cidr[1:])
    network = network_of(cidr)
    return network.prefixlen if network is not None else None


def check_room(address: str, cluster: Manifest, pools: list[NodePoolShape],
               manifest_at: Callable[[str], Manifest | None]) -> list[Diagnostic]:
    """Errors when the nodes the input asks for cannot all get an address and a Pod range; warnings when the
    cluster-autoscaler's upper bounds could not."""
    spec = cluster.get("spec") or {}
    network = cluster_network(cluster, manifest_at)
    pod_cidr = (network.pods if network else None) or requested_pod_range(spec)
    pod_prefix = _prefix(pod_cidr) or DEFAULT_POD_RANGE_PREFIX
    where = ("spec.ipAllocationPolicy.clusterSecondaryRangeName" if network and network.pods else
             "spec.ipAllocationPolicy.clusterIpv4CidrBlock" if (spec.get("ipAllocationPolicy") or {}).get(
                 "clusterIpv4CidrBlock") else "spec.clusterIpv4Cidr" if spec.get("clusterIpv4Cidr") else None)
    shown = pod_cidr or f"the default /{DEFAULT_POD_RANGE_PREFIX}"
    out: list[Diagnostic] = []
    for bound, severity in BOUNDS:
        counts = [(len(p.zones) * (p.per_zone if bound == "now" or p.max_nodes is None else max(p.per_zone,
                                                                                                  p.max_nodes)),
                   node_block_prefix(p.max_pods)) for p in pools]
        nodes = sum(count for count, _ in counts)
        needed = sum(count << (32 - block) for count, block in counts)
        held = 1 << (32 - pod_prefix)
        if needed > held:
            blocks = ", ".join(sorted({f"/{block}" for _, block in counts}))
            out.append(Diagnostic(severity, f"Pod range {shown} is too small: {_verb(bound)} {nodes} node(s), each "
                                            f"taking a {blocks} Pod range for its maxPodsPerNode, need "
                                            f"{needed} addresses and the range has {held}. Use a larger range or a "
                                            "lower maxPodsPerNode (flexible-pod-cidr)", path=where, address=address))
            break
    subnet = network.nodes if network else None
    region = naming.region_of(str(spec.get("location", "")))
    subnet = subnet or (REGIONS[region].subnet if region in REGIONS else None)
    subnet_prefix = _prefix(subnet)
    if subnet_prefix is not None:
        usable = (1 << (32 - subnet_prefix)) - UNUSABLE_PER_SUBNET
        for bound, severity in BOUNDS:
            nodes = sum(len(p.zones) * (p.per_zone if bound == "now" or p.max_nodes is None
                                        else max(p.per_zone, p.max_nodes)) for p in pools)
            if nodes > usable:
                out.append(Diagnostic(severity, f"the nodes' subnet {subnet} has {usable} usable addresses, but "
                                                f"{_verb(bound)} {nodes} node(s)", address=address,
                                      path="spec.subnetworkRef" if network else "spec.location"))
                break
    return out


def _verb(bound: str) -> str:
    return "the node pools ask for" if bound == "now" else "cluster-autoscaler may grow the node pools to"
