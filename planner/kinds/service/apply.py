"""Apply for Services: kube-apiserver's allocations (ClusterIP, nodePorts) and the load balancer's address.

Sources: Kubernetes' Service allocators (pkg/registry/core/service/ipallocator and portallocator); Services
(https://kubernetes.io/docs/concepts/services-networking/service/); cloud-provider-gcp
providers/gce/gce_loadbalancer_external.go (load balancer name `a` + UID).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.errors import PlannerError
from planner.kinds.base import OpResult
from planner.kinds.service.live import (
    NODE_PORT_TYPES,
    PORT_PROTOCOL,
    cluster_ip,
    external_ip,
    field,
    health_check_node_port,
    live_ports,
    load_balancer,
    manifest_spec,
)
from planner.knowledge import naming

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine
    from planner.state import StoredResource


def _uid(engine: Engine, address: str, incarnation: int) -> str:
    seed = engine.seed
    h = f"{seed.number('uid', address, incarnation):016x}{seed.number('uid2', address, incarnation):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _incarnation(engine: Engine, previous: Mapping[str, Any]) -> int:
    """Which creation of this address the object is: the state serial it was created at. A Service deleted and
    created again (replaced, or recreated with its cluster) is a new object: new UID, load-balancer name, ClusterIP,
    nodePorts and external IP, so its seeds must differ from the first one's."""
    found = previous.get("incarnation")
    return found if isinstance(found, int) else engine.state.serial


def _allocate(engine: Engine, op: Operation, status: dict[str, Any], previous: Mapping[str, Any]
              ) -> list[dict[str, Any]]:
    """kube-apiserver's allocations (ClusterIP, nodePorts) and the load balancer's external IP."""
    world = engine.world
    address = op.change.address
    manifest = op.change.after or {}
    spec = manifest_spec(manifest)
    service_type = field(manifest, "spec.type")
    live_spec: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    incarnation = _incarnation(engine, previous)
    old_ip = cluster_ip(previous)
    if service_type == "ExternalName":  # a DNS name only: any ClusterIP it had goes back to the range
        if world.cluster_ips is not None and old_ip not in (None, "None"):
            world.cluster_ips.release(old_ip)
    else:
        if old_ip is not None:
            live_spec["clusterIP"] = old_ip
        elif spec.get("clusterIP") == "None":
            live_spec["clusterIP"] = "None"
        else:
            allocator = world.cluster_ips
            if allocator is None:
                raise PlannerError.single("no cluster to allocate a ClusterIP from")
            if spec.get("clusterIP"):
                allocator.take(spec["clusterIP"], address)
                live_spec["clusterIP"] = spec["clusterIP"]
            else:
                live_spec["clusterIP"] = allocator.allocate(engine.seed.number("cluster-ip", address, incarnation),
                                                            address)
        events.append({"event": "cluster-ip", "ip": live_spec["clusterIP"]})
    # A port keeps its nodePort across updates (matched by port and protocol), and a Service may move its own
    # nodePorts between its ports: only a nodePort it does not hold yet must be free.
    old_ports = {(p["port"], p.get("protocol") or PORT_PROTOCOL): p.get("nodePort") for p in live_ports(previous)}
    held = {n for n in old_ports.values() if n}
    wanted_ports = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
    ports = []
    wants_node_port = service_type in NODE_PORT_TYPES
    for port in spec.get("ports") or []:
        protocol = port.get("protocol") or PORT_PROTOCOL
        entry: dict[str, Any] = {"port": port["port"], "protocol": protocol,
                                 "targetPort": port.get("targetPort", port["port"])}
        if wants_node_port:
            wanted = port.get("nodePort")
            previous_port = old_ports.get((port["port"], protocol))
            if wanted:
                if wanted not in held:
                    world.node_ports.take(wanted, address)
                entry["nodePort"] = wanted
            elif previous_port and previous_port not in wanted_ports:
                entry["nodePort"] = previous_port
            else:
                entry["nodePort"] = world.node_ports.allocate(
                    engine.seed.number("node-port", address, port["port"], incarnation), address)
        ports.append(entry)
    kept = {p.get("nodePort") for p in ports}
    for old in held - kept:
        world.node_ports.release(old)
    live_spec["ports"] = ports
    status["spec"] = live_spec
    if wants_node_port:
        events.append({"event": "node-ports", "ports": naming.ports_text(ports)})
    events += _health_check_node_port(engine, address, spec, service_type, live_spec, previous, incarnation)
    uid = (previous.get("metadata") or {}).get("uid") or _uid(engine, address, incarnation)
    status.setdefault("metadata", {})["uid"] = uid
    status["incarnation"] = incarnation
    old_lb, old_external = load_balancer(previous), external_ip(previous)
    if service_type == "LoadBalancer":
        if old_lb and old_external:
            status["gce"] = {"loadBalancer": old_lb}
            status["status"] = {"loadBalancer": {"ingress": [{"ip": old_external}]}}
        else:
            ip = world.external_ips.allocate(engine.seed.number("external-ip", address, incarnation), address)
            status["gce"] = {"loadBalancer": {"name": "a" + uid.replace("-", "")[:31],
                                              "flavour": naming.load_balancer_flavour(
                                                  manifest, engine.kubernetes_version)}}
            status["status"] = {"loadBalancer": {"ingress": [{"ip": ip}]}}
        events.append({"event": "external-ip", "ip": external_ip(status),
                       "flavour": status["gce"]["loadBalancer"]["flavour"]})
    else:
        status.pop("gce", None)
        status.pop("status", None)
        if old_lb:
            world.external_ips.release(old_external)
            events.append({"event": "lb-torn-down"})
    return events


def _health_check_node_port(engine: Engine, address: str, spec: Mapping[str, Any], service_type: str,
                            live_spec: dict[str, Any], previous: Mapping[str, Any], incarnation: int
                            ) -> list[dict[str, Any]]:
    """kube-apiserver allocates spec.healthCheckNodePort (from the nodePort range) for a LoadBalancer with
    externalTrafficPolicy Local, keeps it across updates, and frees it when the Service stops needing it
    (pkg/registry/core/service/storage/alloc.go; Kubernetes "Preserving the client source IP")."""
    world = engine.world
    old = health_check_node_port(previous)
    if service_type != "LoadBalancer" or spec.get("externalTrafficPolicy") != "Local":
        world.node_ports.release(old)
        return []
    wanted = spec.get("healthCheckNodePort")
    if wanted and wanted != old:
        world.node_ports.take(wanted, address)
        world.node_ports.release(old)
        port = wanted
    else:
        port = old or world.node_ports.allocate(engine.seed.number("health-check-node-port", address, incarnation),
                                                address)
    live_spec["healthCheckNodePort"] = port
    return [{"event": "health-check-node-port", "port": port}]


def create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    events = _allocate(engine, op, status, {})
    return OpResult(op.change.address, "create", {"event": "service-created", "name": op.change.name}, events)


def update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    previous = dict(status)
    status.clear()
    status["metadata"] = dict(previous.get("metadata") or {})
    events = _allocate(engine, op, status, previous)
    return OpResult(op.change.address, "update", {"event": "service-updated", "name": op.change.name}, events)


def delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    world = engine.world
    ip = cluster_ip(status)
    if world.cluster_ips is not None and ip not in (None, "None"):
        world.cluster_ips.release(ip)
    for port in live_ports(status):
        world.node_ports.release(port.get("nodePort"))
    world.node_ports.release(health_check_node_port(status))
    world.external_ips.release(external_ip(status))
    return OpResult(op.change.address, "delete", {"event": "service-deleted", "name": op.change.name})


def restore(engine: Engine, resource: StoredResource) -> None:
    world = engine.world
    ip = cluster_ip(resource.status)
    if ip and ip != "None" and world.cluster_ips is not None:
        world.cluster_ips.mark(ip)
    for port in live_ports(resource.status):
        if port.get("nodePort"):
            world.node_ports.mark(port["nodePort"])
    health_check = health_check_node_port(resource.status)
    if health_check:
        world.node_ports.mark(health_check)
    external = external_ip(resource.status)
    if external:
        world.external_ips.mark(external)


def status_lines(status: Mapping[str, Any]) -> list[str]:
    return [f"CLUSTER-IP {cluster_ip(status) or '-'}  EXTERNAL-IP {external_ip(status) or '<none>'}  PORT(S) "
            f"{naming.ports_text(live_ports(status)) or '-'}"]


def upgrade_v1(status: dict[str, Any]) -> dict[str, Any]:
    """State format 1 -> 2: spec.clusterIP, spec.ports, status.loadBalancer.ingress and the gce record."""
    out: dict[str, Any] = {"metadata": {k: v for k, v in (("creationTimestamp", status.get("created")),
                                                           ("uid", status.get("uid"))) if v}}
    spec: dict[str, Any] = {"ports": status.get("ports") or []}
    if "clusterIP" in status:
        spec["clusterIP"] = status["clusterIP"]
    out["spec"] = spec
    lb = status.get("loadBalancer")
    if lb:
        out["gce"] = {"loadBalancer": {"name": lb["name"], "flavour": lb["flavour"]}}
        out["status"] = {"loadBalancer": {"ingress": [{"ip": lb["ip"]}]}}
    return out
