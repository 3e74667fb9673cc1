"""Service (v1): ClusterIP, nodePorts, EndpointSlices, kube-proxy, and GKE's load balancers.

Sources: gke-lifecycle.md "Service create", "Deletion" and "What forces replacement"; Kubernetes API reference
ServiceSpec (defaults, immutable clusterIP); cloud-provider-gcp providers/gce/gce_loadbalancer_external.go (the
target-pool load balancer and its names); GKE "LoadBalancer Service parameters" (the backend-service flavour).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.errors import Diagnostic, PlannerError
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, Problem, Rank, S, Schema
from planner.kinds.cluster import service_range
from planner.knowledge import naming

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.relations import SelectorIndex
    from planner.simulate.engine import Engine, OpResult
    from planner.state import State, StoredResource

FAMILY = "service"
NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


def _spec(manifest: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = manifest.get("spec") or {}
    return found


def _selector(manifest: Manifest) -> dict[str, str] | None:
    spec = _spec(manifest)
    if spec.get("type") == "ExternalName":
        return None
    found: dict[str, str] | None = spec.get("selector")
    return found


# ---------------------------------------------------------------- validation


def _check(data: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    spec = _spec(data)
    service_type = spec.get("type", "ClusterIP")
    ports = spec.get("ports") or []
    if service_type == "ExternalName":
        if not spec.get("externalName"):
            problems.append(Problem(("spec",), 'missing required field "externalName" for type ExternalName'))
    elif not ports and spec.get("clusterIP") != "None":
        problems.append(Problem(("spec", "ports"), "a Service needs at least one port"))
    seen_ports: set[tuple[int, str]] = set()
    seen_names: set[str] = set()
    for i, port in enumerate(ports):
        key = (port.get("port"), port.get("protocol", "TCP"))
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
        spec = _spec(manifest)
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
        selector = _selector(manifest) or {}
        if not selector:
            continue
        selected = index.selected(namespace, selector)
        if not selected:
            pairs = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            out.append(Diagnostic("warning", f"selects no Pods: no Deployment in {namespace} has Pod labels {pairs}, "
                                             "so its endpoints stay empty", address=address))
            continue
        names = [a.rsplit("/", 1)[-1] for a in selected]
        declared = [p for c in _containers(selected, lookup) for p in c.get("ports") or [] if isinstance(p, dict)]
        for port in ports:
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str):
                if not any(p.get("name") == target for p in declared):
                    out.append(Diagnostic("warning", f"targetPort \"{target}\" names no container port of "
                                                     f"{', '.join(names)}: its endpoints get no port",
                                          address=address))
            elif declared and not any(p.get("containerPort") == target for p in declared):
                out.append(Diagnostic("warning", f"targetPort {target} is not a containerPort of "
                                                 f"{', '.join(names)} (declared: "
                                                 f"{', '.join(str(p.get('containerPort')) for p in declared)}): "
                                                 "traffic will be sent there anyway", address=address))
    return out


def _containers(addresses: list[str], lookup: Mapping[str, tuple[str, Manifest]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for address in addresses:
        family, manifest = lookup[address]
        hook = kinds.spec_of(family).pod_spec
        pod_spec = hook(manifest) if hook is not None else None
        out += [c for c in (pod_spec or {}).get("containers") or [] if isinstance(c, dict)]
    return out


# ---------------------------------------------------------------- plan


def _flags(manifest: Manifest) -> dict[str, bool]:
    service_type = _spec(manifest).get("type", "ClusterIP")
    lb = service_type == "LoadBalancer"
    flavour = naming.load_balancer_flavour(manifest) if lb else ""
    return {"node_port": service_type in NODE_PORT_TYPES, "lb": lb,
            "target_pool": flavour == "target-pool", "backend_service": flavour == "backend-service"}


def _context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    spec = _spec(now)
    ports = spec.get("ports") or []
    flags, old = _flags(now), _flags(before) if before else _flags({})
    selector = spec.get("selector") or {}
    external_name = spec.get("type") == "ExternalName"
    headless = spec.get("clusterIP") == "None"
    return {
        "has_cluster_ip": not (external_name or headless), "no_cluster_ip": external_name or headless,
        "kind_of_service": f"ExternalName, a DNS CNAME to {spec.get('externalName')}" if external_name else
                           "headless: DNS returns the Pod IPs",
        "type": spec.get("type", "ClusterIP"), "before_type": _spec(before).get("type", "ClusterIP"),
        "port_list": ", ".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in ports) or "no ports",
        "target_ports": ", ".join(str(p.get("targetPort", p.get("port"))) for p in ports) or "-",
        "selector": ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "(none)",
        "has_selector": bool(selector), "service_range": service_range(facts),
        "rules": "ClusterIP and NodePort" if flags["node_port"] else "ClusterIP",
        "has_node_port": flags["node_port"], "loadbalancer": flags["lb"], "target_pool": flags["target_pool"],
        "backend_service": flags["backend_service"],
        "lb_pieces": "backend service, instance-group backends" if flags["backend_service"] else "target pool",
        "node_port_text": " and nodePort(s)" if flags["node_port"] else "",
        "gains_node_port": flags["node_port"] and not old["node_port"],
        "loses_node_port": old["node_port"] and not flags["node_port"],
        "gains_lb": flags["lb"] and not old["lb"], "loses_lb": old["lb"] and not flags["lb"],
        "gains_lb_target_pool": flags["target_pool"] and not old["lb"],
        "gains_lb_backend_service": flags["backend_service"] and not old["lb"],
    }


def _known_after_apply(manifest: Manifest) -> list[str]:
    spec = _spec(manifest)
    out = []
    if spec.get("type") != "ExternalName" and "clusterIP" not in spec:
        out.append("spec.clusterIP")
    if spec.get("type") in NODE_PORT_TYPES:
        out += [f"spec.ports[port={p.get('port')}].nodePort" for p in spec.get("ports") or [] if "nodePort" not in p]
    if spec.get("type") == "LoadBalancer":
        out.append("status.loadBalancer.ingress[0].ip")
    return out


LB_CREATE = (
    S("controller", "service-controller", "event EnsuringLoadBalancer; adds finalizer "
                                          "service.kubernetes.io/load-balancer-cleanup", "loadbalancer"),
    S("gke", "compute-engine", "reserves a regional external IP address (ephemeral); the load balancer is named "
                               "a<Service UID without dashes, 32 chars>", "loadbalancer"),
    S("gke", "compute-engine", "creates firewall rule k8s-fw-<lb> allowing {port_list} to the nodes", "loadbalancer"),
    S("gke", "compute-engine", "creates HTTP health check (port 10256 /healthz) and target pool <lb> holding every "
                               "node", "target_pool"),
    S("gke", "compute-engine", "creates forwarding rule <lb>: external IP:{port_list} -> target pool "
                               "(billable)", "target_pool"),
    S("gke", "compute-engine", "creates health check, regional backend service k8s2-<hash> with the cluster's "
                               "instance groups as backends", "backend_service"),
    S("gke", "compute-engine", "creates forwarding rule k8s2-<hash>: external IP:{port_list} -> backend service "
                               "(billable)", "backend_service"),
    S("controller", "service-controller", "event EnsuredLoadBalancer; writes status.loadBalancer.ingress[0].ip "
                                          "(EXTERNAL-IP shows <pending> until now)", "loadbalancer"),
)

LB_TEARDOWN = (
    S("controller", "service-controller", "deletes forwarding rule, {lb_pieces}, health check, firewall rule and "
                                          "address of the load balancer, then removes the finalizer",
      "loadbalancer"),
)

STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({type}); allocates a ClusterIP "
                                              "from the Service range {service_range}", "has_cluster_ip"),
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({kind_of_service}): no "
                                              "ClusterIP is allocated", "no_cluster_ip"),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in 30000-32767 for {port_list}",
          "has_node_port"),
        S("controller", "endpointslice-controller", "creates EndpointSlice {name}-<5 chars> with the ready Pods "
                                                    "selected by {selector} on targetPort {target_ports}",
          "has_selector"),
        S("node", "kube-proxy", "programs {rules} rules on every node", "has_cluster_ip"),
        *LB_CREATE,
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "sets deletionTimestamp on Service {name}: the load-balancer "
                                              "finalizer holds it", "loadbalancer"),
        *LB_TEARDOWN,
        S("cluster-master", "kube-apiserver", "frees ClusterIP{node_port_text} and removes Service {name}",
          "has_cluster_ip"),
        S("cluster-master", "kube-apiserver", "removes Service {name}", "no_cluster_ip"),
        S("controller", "garbage-collector", "deletes its EndpointSlices"),
        S("node", "kube-proxy", "removes its rules from every node"),
    ),
    "type": (
        S("cluster-master", "kube-apiserver", "stores type {before_type} -> {type}"),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in 30000-32767 for {port_list}",
          "gains_node_port"),
        S("cluster-master", "kube-apiserver", "frees the nodePort(s)", "loses_node_port"),
        S("node", "kube-proxy", "reprograms {rules} rules on every node"),
        *(s._replace(when="gains_lb" if s.when == "loadbalancer" else f"gains_lb_{s.when}") for s in LB_CREATE),
        *(s._replace(when="loses_lb") for s in LB_TEARDOWN),
    ),
    "ports": (
        S("cluster-master", "kube-apiserver", "stores the new ports ({changed})"),
        S("controller", "endpointslice-controller", "rewrites the EndpointSlices with the new targetPort(s)"),
        S("node", "kube-proxy", "reprograms the Service rules on every node"),
        S("controller", "service-controller", "updates the load balancer's firewall rule and forwarding rule "
                                              "ports", "loadbalancer"),
    ),
    "selector": (
        S("cluster-master", "kube-apiserver", "stores the new selector {selector}"),
        S("controller", "endpointslice-controller", "recomputes the EndpointSlices from the Pods now selected"),
        S("node", "kube-proxy", "reprograms the Service's endpoints on every node"),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed})"),
    ),
}


# ---------------------------------------------------------------- the live object and apply


def cluster_ip(live: Mapping[str, Any]) -> str | None:
    value: str | None = (live.get("spec") or {}).get("clusterIP")
    return value


def live_ports(live: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (live.get("spec") or {}).get("ports") or []
    return found


def external_ip(live: Mapping[str, Any]) -> str | None:
    ingress = ((live.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return ingress[0].get("ip") if ingress else None


def load_balancer(live: Mapping[str, Any]) -> dict[str, Any] | None:
    """planner's record of the Compute Engine pieces: the load balancer's name and flavour (not in the object)."""
    found: dict[str, Any] | None = (live.get("gce") or {}).get("loadBalancer")
    return found


def _uid(engine: Engine, address: str) -> str:
    h = f"{engine.seed.number('uid', address):016x}{engine.seed.number('uid2', address):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _allocate(engine: Engine, op: Operation, status: dict[str, Any], previous: Mapping[str, Any]
              ) -> list[dict[str, Any]]:
    """kube-apiserver's allocations (ClusterIP, nodePorts) and the load balancer's external IP."""
    world = engine.world
    address = op.change.address
    manifest = op.change.after or {}
    spec = _spec(manifest)
    service_type = spec.get("type", "ClusterIP")
    live_spec: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
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
                live_spec["clusterIP"] = allocator.allocate(engine.seed.number("cluster-ip", address), address)
        events.append({"event": "cluster-ip", "ip": live_spec["clusterIP"]})
    # A port keeps its nodePort across updates (matched by port and protocol), and a Service may move its own
    # nodePorts between its ports: only a nodePort it does not hold yet must be free.
    old_ports = {(p["port"], p.get("protocol", "TCP")): p.get("nodePort") for p in live_ports(previous)}
    held = {n for n in old_ports.values() if n}
    wanted_ports = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
    ports = []
    wants_node_port = service_type in NODE_PORT_TYPES
    for port in spec.get("ports") or []:
        protocol = port.get("protocol", "TCP")
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
                entry["nodePort"] = world.node_ports.allocate(engine.seed.number("node-port", address, port["port"]),
                                                              address)
        ports.append(entry)
    kept = {p.get("nodePort") for p in ports}
    for old in held - kept:
        world.node_ports.release(old)
    live_spec["ports"] = ports
    status["spec"] = live_spec
    if wants_node_port:
        events.append({"event": "node-ports", "ports": naming.ports_text(ports)})
    uid = (previous.get("metadata") or {}).get("uid") or _uid(engine, address)
    status.setdefault("metadata", {})["uid"] = uid
    old_lb, old_external = load_balancer(previous), external_ip(previous)
    if service_type == "LoadBalancer":
        if old_lb and old_external:
            status["gce"] = {"loadBalancer": old_lb}
            status["status"] = {"loadBalancer": {"ingress": [{"ip": old_external}]}}
        else:
            ip = world.external_ips.allocate(engine.seed.number("external-ip", address), address)
            status["gce"] = {"loadBalancer": {"name": "a" + uid.replace("-", "")[:31],
                                              "flavour": naming.load_balancer_flavour(manifest)}}
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


def _create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    events = _allocate(engine, op, status, {})
    return OpResult(op.change.address, "create", {"event": "service-created", "name": op.change.name}, events)


def _update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    previous = dict(status)
    status.clear()
    status["metadata"] = dict(previous.get("metadata") or {})
    events = _allocate(engine, op, status, previous)
    return OpResult(op.change.address, "update", {"event": "service-updated", "name": op.change.name}, events)


def _delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    from planner.simulate.engine import OpResult

    world = engine.world
    ip = cluster_ip(status)
    if world.cluster_ips is not None and ip not in (None, "None"):
        world.cluster_ips.release(ip)
    for port in live_ports(status):
        world.node_ports.release(port.get("nodePort"))
    world.external_ips.release(external_ip(status))
    return OpResult(op.change.address, "delete", {"event": "service-deleted", "name": op.change.name})


def _restore(engine: Engine, resource: StoredResource) -> None:
    world = engine.world
    ip = cluster_ip(resource.status)
    if ip and ip != "None" and world.cluster_ips is not None:
        world.cluster_ips.mark(ip)
    for port in live_ports(resource.status):
        if port.get("nodePort"):
            world.node_ports.mark(port["nodePort"])
    external = external_ip(resource.status)
    if external:
        world.external_ips.mark(external)


def _status_lines(status: Mapping[str, Any]) -> list[str]:
    return [f"CLUSTER-IP {cluster_ip(status) or '-'}  EXTERNAL-IP {external_ip(status) or '<none>'}  PORT(S) "
            f"{naming.ports_text(live_ports(status)) or '-'}"]


# ---------------------------------------------------------------- get


def services(state: State) -> list[StoredResource]:
    return sorted((r for r in state.resources.values() if r.family == FAMILY), key=lambda r: r.address)


def _service_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in services(state):
        live = resource.status
        spec = _spec(resource.manifest)
        service_type = spec.get("type", "ClusterIP")
        external = external_ip(live) or ("<pending>" if service_type == "LoadBalancer" else
                                         spec.get("externalName", "<none>"))
        selector = spec.get("selector") or {}
        out.append({"namespace": resource.namespace, "name": resource.name, "type": service_type,
                    "clusterIP": cluster_ip(live) or "<none>", "externalIP": external,
                    "ports": naming.ports_text(live_ports(live)) or "<none>",
                    "created": (live.get("metadata") or {}).get("creationTimestamp"),
                    "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
                    "loadBalancer": (load_balancer(live) or {}).get("name", "")})
    return out


def endpoints(state: State) -> dict[str, list[str]]:
    """Service address -> `ip:port` of every Pod it selects that has an IP, as its EndpointSlices list them."""
    from planner.relations import index_of
    from planner.simulate import objects

    index = index_of((r.family, r.address, r.namespace or "", r.name, r.manifest) for r in state.resources.values())
    out: dict[str, list[str]] = {}
    for resource in services(state):
        selector = _selector(resource.manifest) or {}
        targets = [p.get("targetPort", p.get("port")) for p in live_ports(resource.status)]
        addresses: list[str] = []
        for workload in index.selected(resource.namespace or "", selector):
            owner = state.resources[workload]
            named = {p.get("name"): p.get("containerPort")
                     for c in _containers([workload], {workload: (owner.family, owner.manifest)})
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
             "created": (r.status.get("metadata") or {}).get("creationTimestamp")} for r in services(state)]


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
    family=FAMILY,
    kinds=(("v1", "Service"),),
    rank=Rank(5, "Services before the Deployments they select: Pods started after their Service get its "
                 "environment variables (Kubernetes configuration best practices; Helm's install order). "
                 "The GKE tutorial runs `kubectl expose` last only because expose reads the Deployment"),
    steps=STEPS,
    handlers={"create": _create, "update": _update, "delete": _delete},
    schema=Schema(constraints="Service"),
    check=_check,
    cross_check=_cross_check,
    defaults=(
        ("spec.type", "ClusterIP"),
        ("spec.sessionAffinity", "None"),
        ("spec.internalTrafficPolicy", "Cluster"),
        ("spec.externalTrafficPolicy", lambda spec: "Cluster" if spec.get("type") in NODE_PORT_TYPES else None),
        ("spec.ports[*].protocol", "TCP"),
        ("spec.ports[*].targetPort", lambda port: port.get("port")),
    ),
    replace_paths=(
        ("spec.clusterIP", "spec.clusterIP is immutable once set: the Service is deleted and created again"),
        ("spec.clusterIPs", "spec.clusterIPs is immutable once set"),
        ("spec.ipFamilies", "spec.ipFamilies is immutable"),
    ),
    change_classes=(("spec.type", "type"), ("spec.ports", "ports"), ("spec.selector", "selector"),
                    ("spec.externalTrafficPolicy", "ports"), ("", "store")),
    subsumes={"type": ("ports", "store"), "ports": ("store",), "selector": ("store",)},
    context=_context,
    known_after_apply=_known_after_apply,
    views=(
        GetView("services", _service_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("TYPE", "type"), ("CLUSTER-IP", "clusterIP"),
                 ("EXTERNAL-IP", "externalIP"), ("PORT(S)", "ports"), ("AGE", "age")),
                (("SELECTOR", "selector"), ("LOAD-BALANCER", "loadBalancer")), aliases=("service", "svc")),
        GetView("endpoints", _endpoint_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("ENDPOINTS", "endpoints"), ("AGE", "age")),
                aliases=("endpoint", "ep")),
    ),
    status_lines=_status_lines,
    restore=_restore,
    selector=_selector,
    outputs=_outputs,
    messages={
        "lb-output": "{address}: EXTERNAL-IP {ip} port(s) {ports} -> {endpoints} endpoint(s)",
        "service-created": "Service {name} created",
        "service-updated": "Service {name} updated",
        "service-deleted": "Service {name} deleted",
        "cluster-ip": "ClusterIP {ip}",
        "node-ports": "PORT(S) {ports}",
        "external-ip": "EXTERNAL-IP {ip} ({flavour} load balancer)",
        "lb-torn-down": "load balancer torn down",
    },
)
