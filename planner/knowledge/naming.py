"""Names, zones and address ranges as GKE and Kubernetes form them. Sources: VPC subnet ranges
(https://cloud.google.com/vpc/docs/subnets#ip-ranges), GKE alias IPs and Service ranges
(https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips), pod-template-hash
(https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label).

Where GKE's exact choice is not public (which /14 a new cluster's Pod range gets, which three zones a regional
cluster uses), the choice here is modelled, deterministic, and says so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from planner.knowledge.gce import REGIONS

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""Kubernetes' rand.SafeEncodeString alphabet (no vowels, no 0/1/3): ReplicaSet hashes and Pod suffixes."""
NODE_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
"""The managed instance group's 4-character instance suffix."""

POD_SUFFIX_LENGTH = 5
NODE_SUFFIX_LENGTH = 4
MAX_NAME_LENGTH = 63

DEFAULT_POOL = "default-pool"
NODE_POOL_LABEL = "cloud.google.com/gke-nodepool"
REMOVE_DEFAULT_POOL_ANNOTATION = "cnrm.cloud.google.com/remove-default-node-pool"
DELETION_POLICY_ANNOTATION = "cnrm.cloud.google.com/deletion-policy"
PROJECT_ID_ANNOTATION = "cnrm.cloud.google.com/project-id"
STATE_INTO_SPEC_ANNOTATION = "cnrm.cloud.google.com/state-into-spec"
"""Config Connector's generic annotations (https://cloud.google.com/config-connector/docs/reference/annotations);
their values are checked by schemas/cnrm-annotations.constraints.schema.json."""
CNRM_GROUP_SUFFIX = ".cnrm.cloud.google.com/"


def cnrm_annotation(api_version: str, manifest: dict[str, Any], key: str) -> str | None:
    """A Config Connector annotation of a Config Connector object (None on any other kind: it means nothing there)."""
    if CNRM_GROUP_SUFFIX not in api_version:
        return None
    value = ((manifest.get("metadata") or {}).get("annotations") or {}).get(key)
    return value if isinstance(value, str) else None


def other_project(pool: dict[str, Any], api_version: str, cluster: dict[str, Any]) -> str | None:
    """Why a clusterRef.external cannot name the declared cluster: it names another project than the cluster's
    project-id annotation (when the cluster has one; without it, the project is the namespace's, unknown here)."""
    external = ((pool.get("spec") or {}).get("clusterRef") or {}).get("external")
    project = cnrm_annotation(api_version, cluster, PROJECT_ID_ANNOTATION)
    match = EXTERNAL_CLUSTER.match(external) if isinstance(external, str) else None
    if match is None or project is None or match["project"] == project:
        return None
    return (f'clusterRef.external names a cluster in project "{match["project"]}", but the declared cluster is in '
            f'project "{project}" (its {PROJECT_ID_ANNOTATION} annotation)')


def abandoned(api_version: str, manifest: dict[str, Any]) -> bool:
    """Config Connector leaves the Google Cloud resource running when its object is deleted (deletion-policy)."""
    return cnrm_annotation(api_version, manifest, DELETION_POLICY_ANNOTATION) == "abandon"
L4_RBS_ANNOTATION = "cloud.google.com/l4-rbs"
L4_REGIONAL_EXTERNAL_CLASS = "networking.gke.io/l4-regional-external"

POD_RANGE_CANDIDATES = tuple(f"10.{4 * i}.0.0/14" for i in range(1, 32))
"""MODELLED: a new cluster's Pod range is one of these /14s (GKE picks one from 10.0.0.0/8 that the VPC does not use;
auto-mode subnets sit in 10.128.0.0/9), chosen deterministically from the state's lineage."""


def pod_range_candidate(seed: int, avoid: tuple[str, ...] = ()) -> str:
    """A new cluster's Pod range: the candidate the seed picks, or the next one clear of `avoid` (a private
    cluster's control-plane range: GKE picks ranges that do not overlap it)."""
    taken = [ipaddress.ip_network(a) for a in avoid]
    count = len(POD_RANGE_CANDIDATES)
    for step in range(count):
        candidate = POD_RANGE_CANDIDATES[(seed + step) % count]
        if not any(ipaddress.ip_network(candidate).overlaps(t) for t in taken):
            return candidate
    return POD_RANGE_CANDIDATES[seed % count]


RANGE_SIZES = {"clusterIpv4CidrBlock": (8, 24), "servicesIpv4CidrBlock": (8, 28)}
"""Prefix lengths planner accepts for the Pod and Service ranges: inside 10.0.0.0/8 at the widest, and at least one
node's /24 (Pods) or a /28 of ClusterIPs (Services). GKE documents narrower limits per cluster type
(https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips); planner does not enforce those, since they
could not be checked against the source here."""
SIZED_RANGE_SUPERNET = "10.0.0.0/9"
"""MODELLED: where a range given only as a size (`/14`) is placed: GKE picks an unused block of 10.0.0.0/8; auto-mode
subnets sit in 10.128.0.0/9, so planner picks from the lower half, deterministically from the state's lineage."""


def sized_range(size: int, seed: int, avoid: tuple[str, ...] = ()) -> str:
    """A block of `/size` inside SIZED_RANGE_SUPERNET chosen from `seed`, not overlapping the `avoid` ranges."""
    supernet = ipaddress.ip_network(SIZED_RANGE_SUPERNET)
    blocks = 2 ** (size - supernet.prefixlen) if size >= supernet.prefixlen else 1
    taken = [ipaddress.ip_network(a) for a in avoid]
    for step in range(blocks):
        index = (seed + step) % blocks
        start = int(supernet.network_address) + index * 2 ** (32 - size)
        block = ipaddress.ip_network(f"{ipaddress.IPv4Address(start)}/{size}")
        if not any(block.overlaps(t) for t in taken):
            return str(block)
    return str(ipaddress.ip_network(f"{supernet.network_address}/{size}", strict=False))


POD_CIDR_PREFIX = 24
"""One /24 per node: room for 110 Pods (GKE's default maximum) with spare addresses for churn."""

SERVICE_RANGE_DEFAULT = "34.118.224.0/20"
"""GKE >= 1.29 allocates ClusterIPs from 34.118.224.0/20 by default (the tutorial era used 10.3.240.0/20)."""
RESERVED_SERVICE_IP_OFFSETS = (1, 10)
"""Offsets in the Service range that are taken from the start: .1 Service default/kubernetes, .10 kube-dns."""

NODE_PORT_RANGE = (30000, 32767)
EXTERNAL_IP_RANGE = "203.0.113.0/24"
"""Documentation range (RFC 5737) standing in for the ephemeral external IPs Compute Engine assigns: load balancers'
and, in a public cluster, every node VM's (one pool, so they never collide)."""
EXTERNAL_IP_OVERFLOW_RANGE = "198.18.0.0/15"
"""MODELLED: where ephemeral external IPs continue once EXTERNAL_IP_RANGE's 254 addresses are taken (a public cluster
of hundreds of nodes): the benchmarking range (RFC 2544), which, like the documentation ranges, is never routed on
the internet."""
CONTROL_PLANE_RANGE = "198.51.100.0/24"
"""Documentation range standing in for the Google-owned control-plane endpoint."""

REGIONAL_ZONE_COUNT = 3
"""A regional cluster or pool runs in three of its region's zones unless nodeLocations says otherwise; MODELLED as
the first three zones in the region's table."""


@lru_cache(maxsize=65536)
def template_hash(canonical_template: str) -> str:
    """pod-template-hash in Kubernetes' form: a 32-bit hash printed in decimal, each digit mapped to the safe
    alphabet (so 10 characters or fewer from `bcdfghjklmnpqrstvwxz2456789`). Kubernetes hashes the Go struct
    with FNV-32a; this MODELLED hash (BLAKE2b, 32 bits) of our canonical JSON has the same form and is stable per
    template, so a template reverted to an earlier one finds that ReplicaSet again."""
    number = int.from_bytes(hashlib.blake2b(canonical_template.encode(), digest_size=4).digest(), "big")
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in str(number).encode())


def replica_set_name(deployment: str, template_json: str) -> str:
    """`<deployment>-<pod-template-hash>` from the canonical JSON of the Pod template."""
    return f"{deployment}-{template_hash(template_json)}"


def split_location(location: str) -> tuple[str, str | None]:
    """A GKE location as (region, zone suffix): `us-central1-b` -> (`us-central1`, `b`); `us-central1` ->
    (`us-central1`, None).

    The one place that splits locations. A Compute Engine zone is its region's name, a hyphen and one letter
    (https://cloud.google.com/compute/docs/regions-zones), and no region name ends in a one-character part, so a
    location whose last hyphen-separated part is one character is a zone. Whether that region or zone exists is
    not decided here (look the region up in `gce.REGIONS`); text with nothing before the hyphen (`-b`) is not a
    zone and comes back whole, as a region name for the caller to refuse.
    """
    head, _, tail = location.rpartition("-")
    if head and len(tail) == 1:
        return head, tail
    return location, None


def zones_for(location: str, node_locations: list[str] | None = None) -> list[str]:
    """Zones a cluster or pool's nodes run in: one for a zonal location, three for a regional one."""
    if node_locations:
        return list(node_locations)
    region, zone = split_location(location)
    if zone is not None:
        return [location]
    suffixes = REGIONS[region].zones[:REGIONAL_ZONE_COUNT] if region in REGIONS else ("a", "b", "c")
    return [f"{region}-{s}" for s in suffixes]


def region_of(location: str) -> str:
    return split_location(location)[0]


def gke_name(manifest: dict[str, Any]) -> str:
    """The name GKE knows a Config Connector resource by: `spec.resourceID`, else `metadata.name` (the CRDs'
    resourceID: "The name of the resource. Used for creation and acquisition. When unset, the value of
    `metadata.name` is used as the default." ../shared/upstream/config-connector/containerclusters...yaml)."""
    resource_id = (manifest.get("spec") or {}).get("resourceID")
    return str(resource_id) if resource_id else str((manifest.get("metadata") or {}).get("name", ""))


EXTERNAL_CLUSTER = re.compile(r"^projects/(?P<project>[^/]+)/(?:locations|zones)/[^/]+/clusters/(?P<cluster>[^/]+)$")
"""A ContainerNodePool's `clusterRef.external` ("Valid formats: `projects/{projectID}/locations/{location}/clusters/
{clusterID}` `projects/{projectID}/zones/{zone}/clusters/{clusterID}`", the ContainerNodePool CRD)."""


def cluster_ref(manifest: dict[str, Any]) -> tuple[str, str] | None:
    """What a resource's clusterRef names: ("name", a ContainerCluster's metadata.name) or ("external", a GKE
    cluster ID); ("malformed", text) for an external reference in neither of the CRD's formats."""
    ref = (manifest.get("spec") or {}).get("clusterRef")
    if not isinstance(ref, dict):
        return None
    if isinstance(ref.get("name"), str):
        return "name", ref["name"]
    external = ref.get("external")
    if isinstance(external, str):
        match = EXTERNAL_CLUSTER.match(external)
        return ("external", match["cluster"]) if match else ("malformed", external)
    return None


def node_prefix(cluster: str, pool: str, hex8: str) -> str:
    """`gke-<cluster>-<pool>-<8 hex>`, shortening cluster and pool names (MODELLED) so instance names fit 63 chars."""
    room = MAX_NAME_LENGTH - len("gke---") - 8 - 1 - NODE_SUFFIX_LENGTH
    if len(cluster) + len(pool) > room:
        half = room // 2
        cluster = cluster[: max(half, room - len(pool))]
        pool = pool[: room - len(cluster)]
    return f"gke-{cluster}-{pool}-{hex8}"


TARGET_POOL, BACKEND_SERVICE = "target-pool", "backend-service"
"""The two flavours of GKE's external LoadBalancer: cloud-provider-gcp's target pool (service-controller), and the
backend-service one GKE's L4 NetLB controller (kubernetes/ingress-gce) builds."""

MODELLED_GKE_VERSION = "1.34"
"""MODELLED: the GKE version the load-balancer choices below are made for. `--kubernetes-version` does not reach a
Service's steps or handlers yet, so they follow this version (planner's default, schemas.DEFAULT_KUBERNETES_VERSION)."""
RBS_NEG_BACKENDS_SINCE = "1.32.2-gke.1652000"
"""From this GKE version a backend-service load balancer's backends are GCE_VM_IP NEGs, not instance groups (GKE
"LoadBalancer Service parameters")."""
RBS_DEFAULT_SINCE = "1.37"
"""From this GKE version a plain `type: LoadBalancer` gets the backend-service flavour (GKE "About LoadBalancer
Services": "In clusters with GKE 1.37 or later, GKE automatically creates a backend service-based ...")."""

LB_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
"""service-controller's finalizer (k8s.io/cloud-provider controllers/service)."""
NETLB_FINALIZER_TARGET_POOL = "gke.networking.io/l4-netlb-v1"
"""cloud-provider-gcp's NetLBFinalizerV1, added by ensureExternalLoadBalancer to target-pool Services."""
NETLB_FINALIZER_INSTANCE_GROUPS = "gke.networking.io/l4-netlb-v2"
NETLB_FINALIZER_NEGS = "gke.networking.io/l4-netlb-v3"
"""ingress-gce pkg/utils/common: NetLBFinalizerV2 (backend service, instance groups) and NetLBFinalizerV3 ("the NEG
backed variant of the L4 External LoadBalancer services")."""

NODE_HEALTH_CHECK_PORT = 10256
"""kube-proxy's /healthz port (ports.ProxyHealthzPort): the shared node health check of every load balancer whose
Service has externalTrafficPolicy Cluster."""
HEALTH_CHECK_RANGES = ("130.211.0.0/22", "35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22")
"""Google's L3/L4 health-checker ranges the health-check firewall rules allow (cloud-provider-gcp gce_loadbalancer.go,
l4LbSrcRngsFlag; the last two are the target-pool Network Load Balancer's legacy checkers)."""


def gke_version_key(version: str) -> tuple[int, ...]:
    """`1.32.2-gke.1652000` -> (1, 32, 2, 1652000); `1.34` -> (1, 34, 0, 0): a minor version alone counts as its
    first release."""
    numbers = [int(n) for n in re.findall(r"\d+", version)]
    return tuple([*numbers, 0, 0, 0, 0][:4])


@lru_cache(maxsize=64)
def rbs_uses_negs(version: str = MODELLED_GKE_VERSION) -> bool:
    return gke_version_key(version) >= gke_version_key(RBS_NEG_BACKENDS_SINCE)


def load_balancer_flavour(manifest: Mapping[str, Any], version: str = MODELLED_GKE_VERSION) -> str:
    """`backend-service` (GKE's L4 NetLB controller) or `target-pool` (cloud-provider-gcp, the tutorial's era): the
    annotation or the load-balancer class ask for the first; from GKE 1.37 it is the default."""
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    spec = manifest.get("spec") or {}
    if annotations.get(L4_RBS_ANNOTATION) == "enabled" or spec.get("loadBalancerClass") == L4_REGIONAL_EXTERNAL_CLASS:
        return BACKEND_SERVICE
    if gke_version_key(version) >= gke_version_key(RBS_DEFAULT_SINCE):
        return BACKEND_SERVICE
    return TARGET_POOL


def port_range(ports: Iterable[Mapping[str, Any]]) -> str:
    """A forwarding rule's port range: lowest to highest Service port (cloud-provider-gcp loadBalancerPortRange)."""
    numbers = [int(p["port"]) for p in ports if isinstance(p.get("port"), int)]
    return f"{min(numbers)}-{max(numbers)}" if numbers else "-"


def ports_text(ports: Iterable[Mapping[str, Any]]) -> str:
    """A Service's ports as kubectl's PORT(S) column shows them: `80/TCP`, or `80:30080/TCP` when the port has a
    nodePort, comma-joined without spaces (`80:30080/TCP,443:30443/TCP`); no ports is an empty string.

    kubectl's makePortString (pkg/printers/internalversion/printers.go). A missing protocol is TCP, the API
    server's default for ServicePort.protocol.
    """
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        node_port = port.get("nodePort")
        if node_port:
            pieces.append(f"{port.get('port')}:{node_port}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)
