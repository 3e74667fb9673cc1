"""Private clusters: a ContainerCluster's `spec.privateClusterConfig`, and what it means for the cluster's nodes and
control plane endpoint. ContainerCluster's own module (cluster.py) asks this one; nodes.py asks it whether new VMs
get an external IP.

What is modelled, with sources:
- Nodes of a public cluster have external IPs; with `enablePrivateNodes` they have internal addresses only
  (https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept: "Private clusters use nodes that
  don't have external IP addresses"; the CRD's enablePrivateNodes: "nodes only have RFC 1918 private addresses").
- `masterIpv4CidrBlock` is the control plane's range: "it must be a /28 subnet" and "must not overlap with any other
  ranges in use within the cluster's network"; it "only applies to private clusters, when enable_private_nodes is
  true" (Config Connector's ContainerCluster CRD, ../shared/upstream/config-connector/containerclusters...yaml).
  No range may overlap 172.17.0.0/16 (https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters,
  Restrictions). Private clusters must be VPC-native
  (https://cloud.google.com/kubernetes-engine/docs/how-to/legacy/network-isolation).
- GKE connects the control plane's Google-owned VPC network to the cluster's with VPC Network Peering
  (private-cluster-concept: "the control plane's VPC network is connected to your cluster's VPC network with VPC
  Network Peering").
- `enablePrivateEndpoint`: "the cluster's private endpoint is used as the cluster endpoint and access through the
  public endpoint is disabled" (the CRD). It is not marked Immutable: GKE updates it in place.
- Private nodes reach Google's registries through Private Google Access (private-cluster-concept: it "makes it
  possible for private nodes to pull container images from" Google's registry); images elsewhere need Cloud NAT
  (https://cloud.google.com/kubernetes-engine/docs/how-to/advanced-private-cluster-config: "To provide outbound
  internet access for your private nodes, such as to pull images from an external registry, use Cloud NAT").

Not modelled: clusters whose private nodes have no masterIpv4CidrBlock (GKE >= 1.29 connects those through Private
Service Connect, with the private endpoint in the cluster's subnet); authorized networks; global access.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from planner import kinds
from planner.errors import Diagnostic
from planner.kinds import sources as src
from planner.kinds.base import Manifest, Path, Problem, S
from planner.kinds.network import cluster_network, dotted_path, network_of
from planner.knowledge import naming
from planner.knowledge.gce import REGIONS

MASTER_RANGE_PREFIX = 28
"""masterIpv4CidrBlock "must be a /28 subnet" (the ContainerCluster CRD)."""
DOCKER_BRIDGE_RANGE = ipaddress.IPv4Network("172.17.0.0/16")
""""You cannot use a cluster master, node, Pod, or Service IP range that overlaps with 172.17.0.0/16"
(https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters, Restrictions)."""
PRIVATE_ENDPOINT_OFFSET = 2
"""MODELLED: which address of the /28 the private endpoint gets is GKE's choice, not documented; planner gives it the
third address (172.16.0.2 of 172.16.0.0/28), the one commonly seen."""
GOOGLE_REGISTRY = re.compile(r"^(?:[a-z0-9-]+\.)*(?:gcr\.io|pkg\.dev)$")
"""Registries private nodes reach without NAT, through Private Google Access: Container Registry (gcr.io and its
regional hosts) and Artifact Registry (LOCATION-docker.pkg.dev)."""
PATH = ("spec", "privateClusterConfig")


def config(manifest: Mapping[str, Any] | None) -> Mapping[str, Any]:
    found = ((manifest or {}).get("spec") or {}).get("privateClusterConfig")
    return found if isinstance(found, Mapping) else {}


def private_nodes(manifest: Mapping[str, Any] | None) -> bool:
    """Whether the cluster's nodes have internal IPs only (so no ephemeral external IP each)."""
    return config(manifest).get("enablePrivateNodes") is True


def master_range(manifest: Mapping[str, Any] | None) -> ipaddress.IPv4Network | None:
    """The control plane's /28, where it applies (private nodes) and is valid."""
    block = config(manifest).get("masterIpv4CidrBlock")
    network = network_of(block) if private_nodes(manifest) and isinstance(block, str) else None
    return network if network is not None and network.prefixlen == MASTER_RANGE_PREFIX else None


def private_endpoint(manifest: Mapping[str, Any] | None) -> str | None:
    network = master_range(manifest)
    return str(network.network_address + PRIVATE_ENDPOINT_OFFSET) if network is not None else None


def endpoint_is_private(manifest: Mapping[str, Any] | None) -> bool:
    """enablePrivateEndpoint on a cluster that has a private endpoint: the public one is disabled."""
    return config(manifest).get("enablePrivateEndpoint") is True and private_endpoint(manifest) is not None


def context(manifest: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the cluster's steps say about privacy: flags and texts for the step templates."""
    peered = master_range(manifest)
    only_private = endpoint_is_private(manifest)
    return {
        "private_nodes": private_nodes(manifest), "private_peering": peered is not None,
        "master_range": str(peered) if peered is not None else "", "private_endpoint": private_endpoint(manifest),
        "private_endpoint_only": only_private,
        "endpoint_access": f"access through the public endpoint is disabled: the cluster's endpoint becomes the "
                           f"private one, {private_endpoint(manifest)}" if only_private else
                           "access through the public endpoint is enabled: the cluster's endpoint is the public one",
    }


def endpoints(manifest: Mapping[str, Any], public: str) -> dict[str, str]:
    """The cluster's endpoint, and its private and public endpoints where it has a private one (GKE's Cluster
    resource reports privateClusterConfig.privateEndpoint and publicEndpoint)."""
    private = private_endpoint(manifest)
    if private is None:
        return {"endpoint": public}
    return {"endpoint": private if endpoint_is_private(manifest) else public, "privateEndpoint": private,
            "publicEndpoint": public}


CREATE_STEPS = (
    S("gke", "compute-engine", "reserves the control plane's range {master_range} and connects the control plane's "
                               "Google-owned VPC network to the cluster's network with VPC Network Peering; the "
                               "control plane's private endpoint is {private_endpoint} (which address of the range "
                               "is GKE's choice: planner models the .2)", "private_peering",
      source=src.GKE_PRIVATE_CLUSTERS),
    S("gke", "container-api", "disables access through the control plane's public endpoint: the cluster's endpoint is "
                              "the private one, {private_endpoint}, reachable from inside the VPC network",
      "private_endpoint_only", source=src.GKE_PRIVATE_ENDPOINT),
)
"""A private cluster's create steps, after the control plane starts: the peering and the /28, then the endpoint."""
ENDPOINT_STEPS = (
    S("gke", "container-api", "updates cluster {name} in place (one update of the cluster, no node is recreated): "
                              "{endpoint_access}", source=src.GKE_PRIVATE_ENDPOINT),
)
"""enablePrivateEndpoint changed: not Immutable in the CRD, so GKE updates the cluster in place."""


def update_endpoint(manifest: Manifest, status: dict[str, Any]) -> list[dict[str, Any]]:
    """enablePrivateEndpoint changed in place: the cluster's endpoint becomes the private or the public one."""
    observed = status.get("status") or {}
    if not observed.get("privateEndpoint"):
        return []
    observed["endpoint"] = endpoints(manifest, observed["publicEndpoint"])["endpoint"]
    return [{"event": "cluster-endpoint", "endpoint": observed["endpoint"]}]


def status_lines(observed: Mapping[str, Any]) -> list[str]:
    """`planner show`: a private cluster's two endpoints, and whether the public one is usable."""
    if not observed.get("privateEndpoint"):
        return []
    disabled = " (access disabled)" if observed.get("endpoint") == observed["privateEndpoint"] else ""
    return [f"private endpoint {observed['privateEndpoint']}  public endpoint {observed.get('publicEndpoint')}"
            f"{disabled}"]


# ---------------------------------------------------------------- validation


def check(spec: Mapping[str, Any]) -> list[Problem]:
    """What the GKE API refuses (or ignores) in privateClusterConfig, on the cluster's own fields."""
    cfg = spec.get("privateClusterConfig")
    if not isinstance(cfg, Mapping):
        return []
    problems: list[Problem] = []
    nodes_private = cfg.get("enablePrivateNodes") is True
    if nodes_private and spec.get("networkingMode") == "ROUTES":
        problems.append(Problem((*PATH, "enablePrivateNodes"), "private clusters must be VPC-native: remove "
                                "networkingMode ROUTES (GKE's private cluster restrictions)"))
    block = cfg.get("masterIpv4CidrBlock")
    if isinstance(block, str):
        problems += _check_block(spec, block, nodes_private)
    elif nodes_private:
        problems.append(Problem((*PATH, "enablePrivateNodes"), "planner models private clusters with a control-plane "
                                "range (masterIpv4CidrBlock, VPC Network Peering); without one GKE >= 1.29 uses "
                                "Private Service Connect, whose private endpoint planner does not model: the endpoint "
                                "shown is the public one", severity="warning"))
    if cfg.get("enablePrivateEndpoint") is True and not (nodes_private and isinstance(block, str)):
        problems.append(Problem((*PATH, "enablePrivateEndpoint"), "has no private endpoint to use: the private "
                                "endpoint comes from masterIpv4CidrBlock, with enablePrivateNodes true",
                                severity="warning"))
    return problems


def _check_block(spec: Mapping[str, Any], block: str, nodes_private: bool) -> list[Problem]:
    where: Path = (*PATH, "masterIpv4CidrBlock")
    if not nodes_private:
        return [Problem(where, "is ignored: it only applies to private clusters, when enablePrivateNodes is true "
                               "(the ContainerCluster CRD)", severity="warning")]
    network = network_of(block)
    if network is None:
        return [Problem(where, f'invalid CIDR block "{block}": give the control plane\'s /28 with its host bits zero, '
                               "such as 172.16.0.0/28")]
    if network.prefixlen != MASTER_RANGE_PREFIX:
        return [Problem(where, f"{block} is a /{network.prefixlen}: the control plane's range must be a /28 "
                               "(the ContainerCluster CRD)")]
    if network.overlaps(DOCKER_BRIDGE_RANGE):
        return [Problem(where, f"{block} overlaps 172.17.0.0/16, which no range of a private cluster may use "
                               "(GKE's private cluster restrictions)")]
    return [Problem(where, f"{block} overlaps the cluster's {what} {other}: the control plane's range must not "
                           "overlap any range in the cluster's network")
            for what, other in own_ranges(spec) if network.overlaps(other)][:1]


def own_ranges(spec: Mapping[str, Any]) -> list[tuple[str, ipaddress.IPv4Network]]:
    """The ranges a cluster's manifest fixes by itself: its Pod and Service blocks (a block, not just a size; the
    Service range's default when it names none), and its nodes' subnet when it names no subnetwork (the region's
    auto-mode subnet). A named subnetwork's ranges are another resource's: `cross_check` compares those."""
    found = spec.get("ipAllocationPolicy")
    policy: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    ref = spec.get("subnetworkRef")
    named = ref.get("name") if isinstance(ref, Mapping) else None
    out: list[tuple[str, str]] = []
    pods = policy.get("clusterIpv4CidrBlock") or spec.get("clusterIpv4Cidr")
    out.append(("Pod range", pods if isinstance(pods, str) else ""))
    services = policy.get("servicesIpv4CidrBlock")
    if services is None and not policy.get("servicesSecondaryRangeName"):
        services = naming.SERVICE_RANGE_DEFAULT
    out.append(("Service range", services if isinstance(services, str) else ""))
    region = naming.region_of(str(spec.get("location", "")))
    if named is None and region in REGIONS:
        out.append((f"node subnet ({region}'s default subnet)", REGIONS[region].subnet))
    return [(what, network) for what, cidr in out if (network := network_of(cidr)) is not None]


def cross_check(address: str, manifest: Manifest, lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """Across resources: the control plane's range against the named subnetwork's ranges, and the images of every
    workload (a family with a Pod spec) that private nodes could not pull without Cloud NAT."""
    network = master_range(manifest)
    out: list[Diagnostic] = []
    subnetwork = cluster_network(manifest, lambda a: lookup[a][1] if a in lookup else None)
    if network is not None and subnetwork is not None:
        found = lookup[f"ComputeSubnetwork/{subnetwork.subnetwork}"][1].get("spec") or {}
        ranges = [("primary range", found.get("ipCidrRange"))] + [
            (f"secondary range {r.get('rangeName')}", r.get("ipCidrRange"))
            for r in found.get("secondaryIpRange") or []]
        for what, cidr in ranges:
            other = network_of(cidr) if isinstance(cidr, str) else None
            if other is not None and network.overlaps(other):
                out.append(Diagnostic("error", f"{network} overlaps subnetwork {subnetwork.subnetwork}'s {what} "
                                               f"{other}: the control plane's range must not overlap any range in "
                                               "the cluster's network", path=".".join((*PATH, "masterIpv4CidrBlock")),
                                      address=address))
                break
    if private_nodes(manifest):
        for workload, (family, document) in sorted(lookup.items()):
            hook = kinds.spec_of(family).pod_spec
            pod_spec = (hook(document) if hook is not None else None) or {}
            out += [_image_warning(workload, document, pod_spec, image) for image in _outside_images(pod_spec)]
    return out


def _outside_images(pod_spec: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """(list, index, image) of the containers whose image is not in a Google registry."""
    out = []
    for key in ("initContainers", "containers"):
        for i, container in enumerate(pod_spec.get(key) or ()):
            image = container.get("image") if isinstance(container, Mapping) else None
            if isinstance(image, str) and not GOOGLE_REGISTRY.match(registry_of(image)):
                out.append((key, i, image))
    return out


def registry_of(image: str) -> str:
    """The registry host of an image reference: its first part when that looks like a host (a dot, a colon or
    `localhost`), else Docker Hub (docker.io), as container runtimes resolve short names."""
    head, slash, _ = image.partition("/")
    if slash and ("." in head or ":" in head or head == "localhost"):
        return head.lower()
    return "docker.io"


def _image_warning(workload: str, manifest: Manifest, pod_spec: Mapping[str, Any],
                   found: tuple[str, int, str]) -> Diagnostic:
    key, index, image = found
    base = _path_to(manifest, pod_spec) or ()
    return Diagnostic("warning", f'image "{image}" is on {registry_of(image)}, outside Google: the cluster\'s private '
                                 "nodes have no external IP and can pull it only through Cloud NAT (or another NAT "
                                 "gateway); Private Google Access reaches only Artifact Registry (*.pkg.dev) and "
                                 "Container Registry (gcr.io)",
                      path=dotted_path((*base, key, index, "image")) if base else None, address=workload)


def _path_to(node: Any, target: Mapping[str, Any], at: Path = ()) -> Path | None:
    """Where `target` (an object inside `node`) sits, found by identity: a workload's Pod spec."""
    if node is target:
        return at
    children = node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if isinstance(child, (Mapping, list)):
            found = _path_to(child, target, (*at, key))
            if found is not None:
                return found
    return None
