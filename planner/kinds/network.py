"""ComputeNetwork and ComputeSubnetwork (Config Connector, compute.cnrm.cloud.google.com/v1beta1): the VPC network
and its subnetworks, created by Compute Engine before the cluster that uses them and deleted after it.

Sources: VPC networks and subnets (https://cloud.google.com/vpc/docs/vpc, https://cloud.google.com/vpc/docs/subnets:
the first two and last two addresses of a primary range are reserved, the first is the gateway); secondary ranges
for VPC-native clusters (https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips); Config Connector's
ComputeNetwork and ComputeSubnetwork references.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner.errors import Diagnostic
from planner.kinds import gcloud, generic
from planner.kinds import sources as src
from planner.kinds.base import (
    CNRM_ANNOTATIONS,
    Context,
    Facts,
    KindSpec,
    Manifest,
    Meta,
    OpResult,
    Problem,
    Rank,
    Ref,
    S,
    Schema,
)
from planner.knowledge import naming

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.relations import SelectorIndex
    from planner.simulate.engine import Engine

CNRM_COMPUTE = "compute.cnrm.cloud.google.com/v1beta1"


def _spec(manifest: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = manifest.get("spec") or {}
    return found


def network_of(cidr: str) -> ipaddress.IPv4Network | None:
    """A CIDR block as the Compute Engine API takes it, or None when it is not one."""
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return None
    return network if isinstance(network, ipaddress.IPv4Network) else None


# ---------------------------------------------------------------- ComputeNetwork


def _network_context(op: Operation, facts: Facts) -> Context:
    now = (op.change.before if op.phase == "delete" else op.change.after) or {}
    auto = _spec(now).get("autoCreateSubnetworks", True)
    return {"mode": "auto mode: a subnetwork in every region" if auto else "custom mode: only the subnetworks you "
                                                                          "declare"}


NETWORK = KindSpec(
    imperative=gcloud.network,
    family="network",
    kinds=((CNRM_COMPUTE, "ComputeNetwork"),),
    rank=Rank(-2, "the VPC network comes before its subnetworks and the cluster whose nodes use it"),
    steps={
        "create": (S("gke", "compute-engine", "creates VPC network {name} ({mode})", source=src.VPC_NETWORKS),),
        "delete": (S("gke", "compute-engine", "deletes VPC network {name} (after everything that uses it)",
                     source=src.VPC_NETWORKS),),
        "store": (S("gke", "compute-engine", "updates VPC network {name} in place ({changed})",
                    source=src.VPC_NETWORKS),),
    },
    handlers=generic.HANDLERS,
    schema=Schema(own=("computenetwork.crd.schema.json", CNRM_ANNOTATIONS)),
    replace_paths=(("spec.autoCreateSubnetworks", "a network's subnet mode is fixed when it is created"),),
    context=_network_context,
    in_cluster=False,
    namespaced=False,
    messages=generic.MESSAGES,
)


# ---------------------------------------------------------------- ComputeSubnetwork


class SubnetworkStatus(TypedDict):
    gatewayAddress: str


class SubnetworkLive(TypedDict, total=False):
    """What Config Connector's ComputeSubnetwork status reports that planner models: the gateway address."""

    metadata: Meta
    status: SubnetworkStatus


def _check_subnetwork(data: Manifest) -> list[Problem]:
    """Ranges are CIDR blocks and do not overlap (the Compute Engine API refuses both)."""
    spec = _spec(data)
    problems: list[Problem] = []
    ranges: list[tuple[tuple[str | int, ...], ipaddress.IPv4Network]] = []
    primary = spec.get("ipCidrRange")
    if isinstance(primary, str):
        network = network_of(primary)
        if network is None:
            problems.append(Problem(("spec", "ipCidrRange"), f'invalid CIDR block "{primary}": must be an IPv4 '
                                                             "range such as 10.10.0.0/20 (host bits zero)"))
        else:
            ranges.append((("spec", "ipCidrRange"), network))
    for i, secondary in enumerate(spec.get("secondaryIpRange") or []):
        cidr = secondary.get("ipCidrRange")
        if not isinstance(cidr, str):
            continue
        network = network_of(cidr)
        where: tuple[str | int, ...] = ("spec", "secondaryIpRange", i, "ipCidrRange")
        if network is None:
            problems.append(Problem(where, f'invalid CIDR block "{cidr}": must be an IPv4 range such as '
                                           "10.20.0.0/14 (host bits zero)"))
        else:
            ranges.append((where, network))
    for i, (where, network) in enumerate(ranges):
        for other_where, other in ranges[:i]:
            if network.overlaps(other):
                problems.append(Problem(where, f"{network} overlaps {other} ({dotted_path(other_where)})"))
    return problems


def dotted_path(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _cross_check(mine: list[tuple[str, str, str, Manifest]], index: SelectorIndex,
                 lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """A subnetwork's networkRef by name must be a declared ComputeNetwork."""
    out = []
    for address, _namespace, _name, manifest in mine:
        ref = (_spec(manifest).get("networkRef") or {}).get("name")
        if ref is not None and f"ComputeNetwork/{ref}" not in lookup:
            out.append(Diagnostic("error", f'networkRef "{ref}" names no ComputeNetwork in the input (use '
                                           "networkRef.external for a network planner does not manage)",
                                  address=address, path="spec.networkRef.name"))
    return out


def _subnetwork_context(op: Operation, facts: Facts) -> Context:
    now = (op.change.before if op.phase == "delete" else op.change.after) or {}
    spec = _spec(now)
    secondary = [f"{r.get('rangeName')} {r.get('ipCidrRange')}" for r in spec.get("secondaryIpRange") or []]
    return {"region": spec.get("region", "?"), "primary": spec.get("ipCidrRange", "?"),
            "network": (spec.get("networkRef") or {}).get("name") or (spec.get("networkRef") or {}).get("external"),
            "secondary": "; secondary ranges " + ", ".join(secondary) if secondary else ""}


def _subnetwork_create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    network = network_of(str(_spec(op.change.after or {}).get("ipCidrRange", "")))
    if network is not None:  # the first address of a primary range is its gateway
        status["status"] = {"gatewayAddress": str(network.network_address + 1)}
    return generic.stored(engine, op, status)


def _subnetwork_references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    """Compute Engine's subnetworks.insert names the subnetwork's network
    (https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks/insert)."""
    name = (_spec(manifest).get("networkRef") or {}).get("name")
    return [Ref(f"ComputeNetwork/{name}", "a subnetwork is created inside its VPC network: its networkRef")] \
        if isinstance(name, str) else []


SUBNETWORK = KindSpec(
    imperative=gcloud.subnetwork,
    family="subnetwork",
    references=_subnetwork_references,
    kinds=((CNRM_COMPUTE, "ComputeSubnetwork"),),
    rank=Rank(-1, "a subnetwork comes before the cluster whose nodes and Pods take addresses from it"),
    steps={
        "create": (S("gke", "compute-engine", "creates subnetwork {name} of {network} in {region}: primary range "
                                              "{primary}{secondary}", source=src.VPC_SUBNETS),),
        "delete": (S("gke", "compute-engine", "deletes subnetwork {name} (after the cluster that uses it)",
                     source=src.VPC_SUBNETS),),
        "store": (S("gke", "compute-engine", "updates subnetwork {name} in place ({changed})",
                    source=src.VPC_SUBNETS),),
    },
    handlers={**generic.HANDLERS, "create": _subnetwork_create},
    schema=Schema(own=("computesubnetwork.crd.schema.json", CNRM_ANNOTATIONS)),
    check=_check_subnetwork,
    cross_check=_cross_check,
    replace_paths=(
        ("spec.region", "a subnetwork cannot move to another region"),
        ("spec.networkRef", "a subnetwork cannot move to another network"),
        ("spec.ipCidrRange", "planner replaces a subnetwork whose primary range changes (Compute Engine can only "
                             "expand it in place)"),
    ),
    context=_subnetwork_context,
    live=SubnetworkLive,
    in_cluster=False,
    namespaced=False,
    messages=generic.MESSAGES,
)

SPECS = (NETWORK, SUBNETWORK)


class ClusterNetwork(NamedTuple):
    """What a VPC-native cluster takes from the subnetwork it names: nodes' addresses from its primary range, Pods
    and Services from the secondary ranges it names (GKE "VPC-native clusters": user-managed secondary ranges)."""

    subnetwork: str
    nodes: str
    pods: str | None
    services: str | None


def cluster_network(cluster: Manifest, manifest_at: Callable[[str], Manifest | None]) -> ClusterNetwork | None:
    """The ranges a cluster gets from its `subnetworkRef`, when that names a ComputeSubnetwork planner knows."""
    spec = _spec(cluster)
    name = (spec.get("subnetworkRef") or {}).get("name")
    subnetwork = manifest_at(f"ComputeSubnetwork/{name}") if name else None
    if subnetwork is None:
        return None
    sub = _spec(subnetwork)
    secondary = {r.get("rangeName"): r.get("ipCidrRange") for r in sub.get("secondaryIpRange") or []}
    policy = spec.get("ipAllocationPolicy") or {}
    return ClusterNetwork(str(name), str(sub.get("ipCidrRange")),
                          secondary.get(policy.get("clusterSecondaryRangeName")),
                          secondary.get(policy.get("servicesSecondaryRangeName")))


EXTERNAL_NETWORK = re.compile(r"^(?:https://www\.googleapis\.com/compute/v1/)?projects/(?P<project>[^/]+)/global/"
                              r"networks/(?P<network>[^/]+)$")
EXTERNAL_SUBNETWORK = re.compile(r"^(?:https://www\.googleapis\.com/compute/v1/)?projects/(?P<project>[^/]+)/regions/"
                                 r"(?P<region>[^/]+)/subnetworks/(?P<subnetwork>[^/]+)$")
"""The ContainerCluster CRD's formats for networkRef.external ("projects/{{projectID}}/global/networks/{{networkID}}")
and subnetworkRef.external ("projects/{{projectID}}/regions/{{region}}/subnetworks/{{subnetworkID}}"); a selfLink
(the same path under https://www.googleapis.com/compute/v1/) names the same resource."""


def check_cluster_network(address: str, cluster: Manifest,
                          lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """A cluster's network references: declared ComputeNetwork/ComputeSubnetwork by name, external ones in the CRD's
    format, the subnetwork in the cluster's region and network, its secondary range names present."""
    spec = _spec(cluster)
    region = naming.region_of(str(spec.get("location", "")))
    out = _external_refs(address, spec, region)
    network_name = (spec.get("networkRef") or {}).get("name")
    if network_name is not None and f"ComputeNetwork/{network_name}" not in lookup:
        out.append(Diagnostic("error", f'networkRef "{network_name}" names no ComputeNetwork in the input (use '
                                       "networkRef.external for a network planner does not manage)", address=address,
                              path="spec.networkRef.name"))
    name = (spec.get("subnetworkRef") or {}).get("name")
    if name is None:
        return out
    found = lookup.get(f"ComputeSubnetwork/{name}")
    if found is None:
        return [*out, Diagnostic("error", f'subnetworkRef "{name}" names no ComputeSubnetwork in the input (use '
                                          "subnetworkRef.external for one planner does not manage)", address=address,
                                 path="spec.subnetworkRef.name")]
    sub = _spec(found[1])
    if sub.get("region") and region and sub["region"] != region:
        out.append(Diagnostic("error", f"subnetwork {name} is in {sub['region']}, but the cluster's nodes run in "
                                       f"{region}: a cluster's subnetwork must be in its region", address=address,
                              path="spec.subnetworkRef.name"))
    sub_network = (sub.get("networkRef") or {}).get("name")
    if network_name is not None and sub_network is not None and sub_network != network_name:
        out.append(Diagnostic("error", f'subnetwork {name} belongs to network "{sub_network}", but the cluster names '
                                       f'network "{network_name}"', address=address, path="spec.subnetworkRef.name"))
    ranges = {r.get("rangeName") for r in sub.get("secondaryIpRange") or []}
    policy = spec.get("ipAllocationPolicy") or {}
    return [*out, *(Diagnostic("error", f'{key} "{policy[key]}" is not a secondary range of subnetwork {name} (it '
                                        f"has: {', '.join(sorted(str(r) for r in ranges)) or 'none'})",
                               address=address, path=f"spec.ipAllocationPolicy.{key}")
                    for key in ("clusterSecondaryRangeName", "servicesSecondaryRangeName")
                    if policy.get(key) is not None and policy[key] not in ranges)]


def _external_refs(address: str, spec: Mapping[str, Any], region: str) -> list[Diagnostic]:
    out = []
    for key, pattern, form in (("networkRef", EXTERNAL_NETWORK, "projects/{projectID}/global/networks/{networkID}"),
                               ("subnetworkRef", EXTERNAL_SUBNETWORK,
                                "projects/{projectID}/regions/{region}/subnetworks/{subnetworkID}")):
        external = (spec.get(key) or {}).get("external")
        if not isinstance(external, str):
            continue
        match = pattern.match(external)
        if match is None:
            out.append(Diagnostic("error", f'{key}.external "{external}" is not in the format {form} (the '
                                           "ContainerCluster CRD)", address=address, path=f"spec.{key}.external"))
        elif key == "subnetworkRef" and region and match["region"] != region:
            out.append(Diagnostic("error", f"subnetworkRef.external is in region {match['region']}, but the "
                                           f"cluster's nodes run in {region}: a cluster's subnetwork must be in its "
                                           "region", address=address, path="spec.subnetworkRef.external"))
    return out


def external_subnetwork(cluster: Manifest) -> str | None:
    """The subnetwork a cluster names by `external`: planner does not know its ranges."""
    found = (_spec(cluster).get("subnetworkRef") or {}).get("external")
    return found if isinstance(found, str) else None


def cluster_references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    """The VPC network and subnetwork the cluster's nodes and Pods take their addresses from: GKE's clusters.create
    names them (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters)."""
    spec = manifest.get("spec") or {}
    out = []
    for key, kind, why in (
            ("networkRef", "ComputeNetwork", "the cluster is created in its VPC network: its networkRef"),
            ("subnetworkRef", "ComputeSubnetwork", "the cluster's nodes and Pods take addresses from its subnetwork: "
                                                   "its subnetworkRef")):
        name = (spec.get(key) or {}).get("name") if isinstance(spec.get(key), dict) else None
        if isinstance(name, str):
            out.append(Ref(f"{kind}/{name}", why))
    return out
