"""Names, zones and address ranges as GKE and Kubernetes form them. Sources: VPC subnet ranges
(https://cloud.google.com/vpc/docs/subnets#ip-ranges), GKE alias IPs and Service ranges
(https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips), pod-template-hash
(https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label).

Where GKE's exact choice is not public (which /14 a new cluster's Pod range gets, which three zones a regional
cluster uses), the choice here is modelled, deterministic, and says so.
"""

from __future__ import annotations

import hashlib
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
L4_RBS_ANNOTATION = "cloud.google.com/l4-rbs"
L4_REGIONAL_EXTERNAL_CLASS = "networking.gke.io/l4-regional-external"

POD_RANGE_CANDIDATES = tuple(f"10.{4 * i}.0.0/14" for i in range(1, 32))
"""MODELLED: a new cluster's Pod range is one of these /14s (GKE picks one from 10.0.0.0/8 that the VPC does not use;
auto-mode subnets sit in 10.128.0.0/9), chosen deterministically from the state's lineage."""
POD_CIDR_PREFIX = 24
"""One /24 per node: room for 110 Pods (GKE's default maximum) with spare addresses for churn."""

SERVICE_RANGE_DEFAULT = "34.118.224.0/20"
"""GKE >= 1.29 allocates ClusterIPs from 34.118.224.0/20 by default (the tutorial era used 10.3.240.0/20)."""
RESERVED_SERVICE_IP_OFFSETS = (1, 10)
"""Offsets in the Service range that are taken from the start: .1 Service default/kubernetes, .10 kube-dns."""

NODE_PORT_RANGE = (30000, 32767)
EXTERNAL_IP_RANGE = "203.0.113.0/24"
"""Documentation range (RFC 5737) standing in for the ephemeral external IPs Compute Engine assigns."""
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


def node_prefix(cluster: str, pool: str, hex8: str) -> str:
    """`gke-<cluster>-<pool>-<8 hex>`, shortening cluster and pool names (MODELLED) so instance names fit 63 chars."""
    room = MAX_NAME_LENGTH - len("gke---") - 8 - 1 - NODE_SUFFIX_LENGTH
    if len(cluster) + len(pool) > room:
        half = room // 2
        cluster = cluster[: max(half, room - len(pool))]
        pool = pool[: room - len(cluster)]
    return f"gke-{cluster}-{pool}-{hex8}"


def load_balancer_flavour(manifest: Mapping[str, Any]) -> str:
    """`backend-service` (GKE's L4 RBS controller) or `target-pool` (legacy, the tutorial's era)."""
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    spec = manifest.get("spec") or {}
    if annotations.get(L4_RBS_ANNOTATION) == "enabled" or spec.get("loadBalancerClass") == L4_REGIONAL_EXTERNAL_CLASS:
        return "backend-service"
    return "target-pool"


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
