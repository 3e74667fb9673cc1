"""A Service's live object as `kubectl get service -o yaml` shows it (spec.clusterIP, spec.ports[].nodePort,
status.loadBalancer.ingress[].ip), plus planner's record of the Compute Engine pieces behind it (`gce`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the state schema: it needs this one

from planner import kinds
from planner.kinds.base import Fields, Manifest, Meta

FAMILY = "service"
NODE_PORT_TYPES = ("NodePort", "LoadBalancer")
PORT_PROTOCOL = "TCP"
"""A port's protocol when it names none."""

DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.type", "ClusterIP"),
    ("spec.sessionAffinity", "None"),
    ("spec.internalTrafficPolicy", "Cluster"),
    ("spec.externalTrafficPolicy", lambda spec: "Cluster" if spec.get("type") in NODE_PORT_TYPES else None),
    ("spec.ports[*].protocol", PORT_PROTOCOL),
    ("spec.ports[*].targetPort", lambda port: port.get("port")),
)
"""What kube-apiserver fills in (Kubernetes API reference, ServiceSpec and ServicePort)."""
field = Fields(DEFAULTS)


class ServicePort(TypedDict, total=False):
    port: int
    protocol: str
    targetPort: int | str
    nodePort: int


class ServiceSpec(TypedDict, total=False):
    clusterIP: str
    ports: list[ServicePort]
    healthCheckNodePort: int
    """LoadBalancer with externalTrafficPolicy Local: where kube-proxy answers the load balancer's health check."""


class Ingress(TypedDict):
    ip: str


class LoadBalancerStatus(TypedDict):
    ingress: list[Ingress]


class ServiceStatus(TypedDict):
    loadBalancer: LoadBalancerStatus


class LoadBalancer(TypedDict):
    """The Compute Engine pieces' name (`a` + the UID) and flavour (target-pool or backend-service)."""

    name: str
    flavour: str


class Gce(TypedDict):
    loadBalancer: LoadBalancer


class ServiceLive(TypedDict, total=False):
    """`kubectl get service -o yaml` (metadata, spec.clusterIP, spec.ports, status.loadBalancer) and the `gce` record
    of the load balancer behind it."""

    metadata: Meta
    spec: ServiceSpec
    status: ServiceStatus
    gce: Gce
    incarnation: int
    """The state serial this object was created at: a Service created again at the same address is a new object
    (new UID, ClusterIP, nodePorts, load balancer), so its seeded allocations differ."""


def manifest_spec(manifest: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = manifest.get("spec") or {}
    return found


def pod_selector(manifest: Manifest) -> dict[str, str] | None:
    spec = manifest_spec(manifest)
    if spec.get("type") == "ExternalName":
        return None
    found: dict[str, str] | None = spec.get("selector")
    return found


def cluster_ip(live: Mapping[str, Any]) -> str | None:
    value: str | None = (live.get("spec") or {}).get("clusterIP")
    return value


def live_ports(live: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (live.get("spec") or {}).get("ports") or []
    return found


def health_check_node_port(live: Mapping[str, Any]) -> int | None:
    value: int | None = (live.get("spec") or {}).get("healthCheckNodePort")
    return value


def external_ip(live: Mapping[str, Any]) -> str | None:
    ingress = ((live.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return ingress[0].get("ip") if ingress else None


def load_balancer(live: Mapping[str, Any]) -> dict[str, Any] | None:
    """planner's record of the Compute Engine pieces: the load balancer's name and flavour (not in the object)."""
    found: dict[str, Any] | None = (live.get("gce") or {}).get("loadBalancer")
    return found


def containers(addresses: list[str], lookup: Mapping[str, tuple[str, Manifest]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for address in addresses:
        family, manifest = lookup[address]
        hook = kinds.spec_of(family).pod_spec
        pod_spec = hook(manifest) if hook is not None else None
        out += [c for c in (pod_spec or {}).get("containers") or [] if isinstance(c, dict)]
    return out
