"""Service (v1): ClusterIP, nodePorts, EndpointSlices, kube-proxy, and GKE's load balancers.

Sources: Services (https://kubernetes.io/docs/concepts/services-networking/service/); Kubernetes API reference
ServiceSpec (defaults, immutable clusterIP); cloud-provider-gcp providers/gce/gce_loadbalancer_external.go (the
target-pool load balancer and its names); GKE "LoadBalancer Service parameters" (the backend-service flavour).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner import limits
from planner.errors import Diagnostic
from planner.kinds import apirules
from planner.kinds.base import GetView, KindSpec, Manifest, Problem, Rank, Schema
from planner.kinds.service import apply, commands, run, steps
from planner.kinds.service.live import (
    DEFAULTS,
    FAMILY,
    NODE_PORT_TYPES,
    PORT_PROTOCOL,
    ServiceLive,
    cluster_ip,
    containers,
    external_ip,
    field,
    health_check_node_port,
    live_ports,
    load_balancer,
    manifest_spec,
    pod_selector,
)
from planner.knowledge import naming
from planner.relations import index_of
from planner.simulate import objects
from planner.simulate.world import Seeded

if TYPE_CHECKING:
    from planner.relations import SelectorIndex
    from planner.state import State, StoredResource

__all__ = ["FAMILY", "SPEC", "cluster_ip", "endpoints", "external_ip", "live_ports", "load_balancer"]


# ---------------------------------------------------------------- validation


def _check(data: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    spec = manifest_spec(data)
    service_type = field(data, "spec.type")
    ports = spec.get("ports") or []
    if service_type == "ExternalName":
        if not spec.get("externalName"):
            problems.append(Problem(("spec",), 'missing required field "externalName" for type ExternalName'))
    elif not ports and spec.get("clusterIP") != "None":
        problems.append(Problem(("spec", "ports"), "a Service needs at least one port"))
    cluster_ip = spec.get("clusterIP")
    if cluster_ip == "None" and service_type in NODE_PORT_TYPES:
        # kube-apiserver: pkg/apis/core/validation ValidateService (apirules.RULES "headless-load-balancer")
        problems.append(Problem(("spec", "clusterIP"), f"may not be set to 'None' for {service_type} services"))
    problems.extend(apirules.object_meta(data.get("metadata")))
    if isinstance(cluster_ip, str) and cluster_ip not in ("", "None"):
        try:
            ipaddress.ip_address(cluster_ip)
        except ValueError:
            # kube-apiserver: pkg/apis/core/validation ValidateService ("must be a valid IP address or None")
            problems.append(Problem(("spec", "clusterIP"), f"invalid value {json.dumps(cluster_ip)}: must be a valid "
                                                          'IP address or "None"'))
    seen_ports: set[tuple[int, str]] = set()
    seen_names: set[str] = set()
    for i, port in enumerate(ports):
        key = (port.get("port"), port.get("protocol") or PORT_PROTOCOL)
        if key in seen_ports:
            problems.append(Problem(("spec", "ports", i), f"duplicate port {key[0]}/{key[1]}"))
        seen_ports.add(key)
        name = port.get("name")
        if len(ports) > 1 and not name:
            problems.append(Problem(("spec", "ports", i), "every port needs a name when a Service has several"))
        if name in seen_names:
            problems.append(Problem(("spec", "ports", i, "name"), f'duplicate port name "{name}"'))
        if name:
            seen_names.add(name)
        if port.get("nodePort") and service_type not in NODE_PORT_TYPES:
            problems.append(Problem(("spec", "ports", i, "nodePort"),
                                    f"nodePort may not be used when type is {service_type!r}"))
    return problems


def _cross_check(mine: list[tuple[str, str, str, Manifest]], index: SelectorIndex,
                 lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """Warnings for Services whose traffic goes nowhere, errors for nodePorts claimed twice (kube-apiserver:
    "provided port is already allocated")."""
    out: list[Diagnostic] = []
    node_ports: dict[int, str] = {}
    for address, namespace, _name, manifest in sorted(mine, key=lambda s: (s[1], s[2])):
        spec = manifest_spec(manifest)
        ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
        for port in ports:
            wanted = port.get("nodePort")
            if wanted:
                if wanted in node_ports:
                    out.append(Diagnostic("error", f"nodePort {wanted} is already claimed by {node_ports[wanted]}: "
                                                   "kube-apiserver refuses the second (provided port is already "
                                                   "allocated)", address=address))
                else:
                    node_ports[wanted] = address
        selector = pod_selector(manifest) or {}
        if not selector:
            continue
        selected = index.selected(namespace, selector)
        if not selected:
            pairs = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            out.append(Diagnostic("warning", f"selects no Pods: no workload in {namespace} has Pod labels {pairs}, "
                                             "so its endpoints stay empty", address=address))
            continue
        names = _listed([a.rsplit("/", 1)[-1] for a in selected])
        declared = [p for c in containers(selected, lookup) for p in c.get("ports") or [] if isinstance(p, dict)]
        port_names = {p.get("name") for p in declared}
        numbers = {p.get("containerPort") for p in declared}
        unnamed = [t for t in (port.get("targetPort", port.get("port")) for port in ports)
                   if isinstance(t, str) and t not in port_names]
        missing = [t for t in (port.get("targetPort", port.get("port")) for port in ports)
                   if not isinstance(t, str) and declared and t not in numbers]
        # One warning per Service and kind of problem, lists cut short: a Service of thousands of ports must not
        # produce thousands of warnings (limits.MAX_LISTED).
        if unnamed:
            quoted = _listed([json.dumps(t) for t in unnamed])
            out.append(Diagnostic("warning", f"targetPort {quoted} names no container port of {names}: its "
                                             "endpoints get no port", address=address))
        if missing:
            listed = _listed(sorted({str(p.get("containerPort")) for p in declared}))
            out.append(Diagnostic("warning", f"targetPort {_listed([str(t) for t in missing])} is not a containerPort "
                                             f"of {names} (declared: {listed}): traffic will be sent there anyway",
                                  address=address))
    return out


def _listed(items: list[str]) -> str:
    """`a, b, c and 17 more`: long lists in messages stay short."""
    shown = ", ".join(items[:limits.MAX_LISTED])
    return shown + (f" and {len(items) - limits.MAX_LISTED} more" if len(items) > limits.MAX_LISTED else "")


# ---------------------------------------------------------------- plan


def _known_after_apply(manifest: Manifest) -> list[str]:
    spec = manifest_spec(manifest)
    out = []
    if spec.get("type") != "ExternalName" and "clusterIP" not in spec:
        out.append("spec.clusterIP")
    if spec.get("type") in NODE_PORT_TYPES:
        out += [f"spec.ports[port={p.get('port')}].nodePort" for p in spec.get("ports") or [] if "nodePort" not in p]
    if spec.get("type") == "LoadBalancer":
        if spec.get("externalTrafficPolicy") == "Local" and "healthCheckNodePort" not in spec:
            out.append("spec.healthCheckNodePort")
        out.append("status.loadBalancer.ingress[0].ip")
    return out


def _before_view(stored: Manifest, live: Mapping[str, Any], desired: Manifest) -> Manifest:
    """The stored manifest as the diff compares it: kube-apiserver's allocations (ClusterIP, nodePorts,
    healthCheckNodePort) that the desired manifest now sets itself are filled in from the live object, so pinning an
    allocated nodePort 31362 to 30080 plans `~ 31362 -> 30080` (a move), and pinning the ClusterIP a Service already
    has is no change at all. Allocations the desired manifest leaves out stay out: kube-apiserver keeps them."""
    spec, wanted = manifest_spec(stored), manifest_spec(desired)
    filled: dict[str, Any] = {}
    if "clusterIP" in wanted and "clusterIP" not in spec and cluster_ip(live):
        filled["clusterIP"] = cluster_ip(live)
    if "healthCheckNodePort" in wanted and "healthCheckNodePort" not in spec and health_check_node_port(live):
        filled["healthCheckNodePort"] = health_check_node_port(live)
    pinned = {(p.get("port"), p.get("protocol") or PORT_PROTOCOL) for p in wanted.get("ports") or []
              if isinstance(p, dict) and p.get("nodePort")}
    allocated = {(p.get("port"), p.get("protocol") or PORT_PROTOCOL): p.get("nodePort") for p in live_ports(live)}
    ports = spec.get("ports") or []
    if pinned and any(isinstance(p, dict) and "nodePort" not in p for p in ports):
        filled["ports"] = [
            {**p, "nodePort": allocated[key]} if isinstance(p, dict) and "nodePort" not in p
            and (key := (p.get("port"), p.get("protocol") or PORT_PROTOCOL)) in pinned and allocated.get(key)
            else p for p in ports]
    return {**stored, "spec": {**spec, **filled}} if filled else stored


# ---------------------------------------------------------------- get


def services(state: State) -> list[StoredResource]:
    return state.of_family(FAMILY)


def _service_rows(state: State) -> list[dict[str, Any]]:
    out = _kubernetes_service(state)
    for resource in services(state):
        live = resource.status
        spec = manifest_spec(resource.manifest)
        service_type = field(resource.manifest, "spec.type")
        external = external_ip(live) or ("<pending>" if service_type == "LoadBalancer" else
                                         spec.get("externalName", "<none>"))
        selector = spec.get("selector") or {}
        out.append({"namespace": resource.namespace, "name": resource.name, "type": service_type,
                    "clusterIP": cluster_ip(live) or "<none>", "externalIP": external,
                    "ports": naming.ports_text(live_ports(live)) or "<none>",
                    "created": objects.created(live),
                    "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
                    "loadBalancer": (load_balancer(live) or {}).get("name", "")})
    return out


def _kubernetes_service(state: State) -> list[dict[str, Any]]:
    """default/kubernetes: kube-apiserver's own Service, with the first address of the Service range
    (kubernetes pkg/controlplane/services.go ServiceIPRange: the API server's service IP is the range's first)."""
    cluster = state.cluster
    observed = ((cluster.status.get("status") or {}) if cluster is not None else {})
    services_range = observed.get("servicesIpv4Cidr")
    if not services_range:
        return []
    first = str(ipaddress.ip_network(services_range, strict=False).network_address + 1)
    return [{"namespace": "default", "name": "kubernetes", "type": "ClusterIP", "clusterIP": first,
             "labels": {"component": "apiserver", "provider": "kubernetes"},
             "externalIP": "<none>", "ports": "443/TCP",
             "created": objects.created(cluster.status) if cluster else None,
             "selector": "<none>", "loadBalancer": ""}]


def endpoints(state: State) -> dict[str, list[str]]:
    """Service address -> `ip:port` of every Pod it selects that has an IP, as its EndpointSlices list them."""
    index = index_of((r.family, r.address, r.namespace or "", r.name, r.manifest) for r in state.resources.values())
    out: dict[str, list[str]] = {}
    for resource in services(state):
        selector = pod_selector(resource.manifest) or {}
        targets = [p.get("targetPort", p.get("port")) for p in live_ports(resource.status)]
        addresses: list[str] = []
        for workload in index.selected(resource.namespace or "", selector):
            owner = state.resources[workload]
            named = {p.get("name"): p.get("containerPort")
                     for c in containers([workload], {workload: (owner.family, owner.manifest)})
                     for p in c.get("ports") or []}
            # A named targetPort resolves to the selected container's port number, as in EndpointSlices.
            numbers = [named.get(t, t) if isinstance(t, str) else t for t in targets]
            for pod in owner.status.get("pods") or []:
                ip = objects.pod_ip(pod)
                if ip:
                    addresses += [f"{ip}:{t}" for t in numbers]
        out[resource.address] = sorted(addresses)
    return out


def _endpoint_rows(state: State) -> list[dict[str, Any]]:
    found = endpoints(state)
    return [{"namespace": r.namespace, "name": r.name, "endpoints": found[r.address],
             "created": objects.created(r.status)} for r in services(state)]


def _slice_rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get endpointslices`: one slice per selecting Service (up to 100 endpoints each, the
    EndpointSlice controller's default maxEndpointsPerSlice; more are not modelled), named `<service>-<5 chars>`
    as the controller's generateName makes it (the suffix seeded from the state's lineage: MODELLED)."""
    found = endpoints(state)
    seed = Seeded(state.lineage or "")
    out = []
    for r in services(state):
        if not pod_selector(r.manifest):
            continue
        listed = found[r.address]
        ports = sorted({a.rpartition(":")[2] for a in listed}) or ["<unset>"]
        out.append({"namespace": r.namespace, "name": f"{r.name}-{seed.token(naming.NAME_ALPHABET, 5, r.address)}",
                    "addressType": "IPv4", "ports": ",".join(ports),
                    "endpoints": sorted({a.rpartition(":")[0] for a in listed}),
                    "created": objects.created(r.status)})
    return out


def picture_rows(state: State) -> list[dict[str, Any]]:
    """The Services for the cluster picture (`planner show -o html`): `get services`' rows, each with the IPs of its
    endpoints and, for a LoadBalancer, its forwarding rule (external IP:port -> the nodes' nodePort; the target-pool
    flavour's path, gke-lifecycle.md "LoadBalancer Service" steps 7-8 and "Traffic")."""
    found = endpoints(state)
    live = {(r.namespace, r.name): r for r in services(state)}
    out = []
    for row in _service_rows(state):
        resource = live.get((row["namespace"], row["name"]))
        ips = sorted({a.rpartition(":")[0] for a in found.get(resource.address, [])}) if resource else []
        lb = load_balancer(resource.status) if resource else None
        balancer = None
        if resource is not None and lb and external_ip(resource.status):
            balancer = {"name": lb.get("name", ""), "flavour": lb.get("flavour", ""),
                        "ip": external_ip(resource.status),
                        "forwards": [f"{p.get('port')} -> node port {p.get('nodePort')}/{p.get('protocol', 'TCP')}"
                                     for p in live_ports(resource.status)]}
        out.append({**row, "endpointIPs": ips, "balancer": balancer})
    return out


def _outputs(state: State) -> list[dict[str, Any]]:
    """Each load balancer's external IP and how many endpoints it forwards to."""
    balanced = [r for r in services(state) if external_ip(r.status)]
    if not balanced:
        return []
    found = endpoints(state)
    return [{"event": "lb-output", "address": r.address, "ip": external_ip(r.status),
             "ports": ",".join(str(p["port"]) for p in live_ports(r.status)), "endpoints": len(found[r.address])}
            for r in balanced]


SPEC = KindSpec(
    imperative=commands.imperative,
    names_allocations=lambda op: any(field(m, "spec.type") == "LoadBalancer"
                                     for m in (op.change.before, op.change.after) if m),
    family=FAMILY,
    kinds=(("v1", "Service"),),
    run_commands=run.COMMANDS,
    rank=Rank(5, "Services before the Deployments they select: Pods started after their Service get its "
                 "environment variables (Kubernetes configuration best practices; Helm's install order). "
                 "The GKE tutorial runs `kubectl expose` last only because expose reads the Deployment"),
    steps=steps.STEPS,
    handlers={"create": apply.create, "update": apply.update, "delete": apply.delete},
    schema=Schema(constraints="Service"),
    check=_check,
    cross_check=_cross_check,
    defaults=DEFAULTS,
    replace_paths=(
        ("spec.clusterIP", "spec.clusterIP is immutable once set: the Service is deleted and created again"),
        ("spec.clusterIPs", "spec.clusterIPs is immutable once set"),
        ("spec.ipFamilies", "spec.ipFamilies is immutable"),
    ),
    change_classes=(("spec.type", "type"), ("spec.ports", "ports"), ("spec.selector", "selector"),
                    ("spec.externalTrafficPolicy", "traffic_policy"), ("spec.healthCheckNodePort", "traffic_policy"),
                    ("", "store")),
    subsumes={"type": ("ports", "traffic_policy", "store"), "ports": ("store",), "selector": ("store",),
              "traffic_policy": ("store",)},
    context=steps.context,
    known_after_apply=_known_after_apply,
    before_view=_before_view,
    views=(
        GetView("services", _service_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("TYPE", "type"), ("CLUSTER-IP", "clusterIP"),
                 ("EXTERNAL-IP", "externalIP"), ("PORT(S)", "ports"), ("AGE", "age")),
                (("SELECTOR", "selector"), ("LOAD-BALANCER", "loadBalancer")), aliases=("service", "svc"),
                resource="service"),
        GetView("endpointslices", _slice_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("ADDRESSTYPE", "addressType"), ("PORTS", "ports"),
                 ("ENDPOINTS", "endpoints"), ("AGE", "age")), aliases=("endpointslice",),
                resource="endpointslice.discovery.k8s.io"),
        GetView("endpoints", _endpoint_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("ENDPOINTS", "endpoints"), ("AGE", "age")),
                aliases=("endpoint", "ep"), resource="endpoints"),
    ),
    status_lines=apply.status_lines,
    restore=apply.restore,
    live=ServiceLive,
    upgrades={1: apply.upgrade_v1},
    selector=pod_selector,
    selection_reason="Pods started after their Service get its environment variables (SERVICE_HOST, SERVICE_PORT): "
                     "create a Service before the workloads it selects "
                     "(https://kubernetes.io/docs/concepts/configuration/overview/#services)",
    outputs=_outputs,
    messages={
        "lb-output": "{address}: EXTERNAL-IP {ip} port(s) {ports} -> {endpoints} endpoint(s)",
        "service-created": "Service {name} created",
        "service-updated": "Service {name} updated",
        "service-deleted": "Service {name} deleted",
        "cluster-ip": "ClusterIP {ip}",
        "node-ports": "PORT(S) {ports}",
        "health-check-node-port": "healthCheckNodePort {port}",
        "external-ip": "EXTERNAL-IP {ip} ({flavour} load balancer)",
        "lb-torn-down": "load balancer torn down",
    },
)
