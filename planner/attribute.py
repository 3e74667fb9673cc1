"""Stage 6: expand each operation into ordered steps, each naming the actor and component that performs it.

The steps themselves are the table in knowledge.steps; this module only computes the context that fills their
templates (counts, names, ranges) and evaluates their `when` flags. Steps for many identical objects are one step
("replicaset-controller creates 3 Pod(s)"), so plans stay readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.errors import Diagnostic
from planner.knowledge import capacity, naming
from planner.knowledge.gce import REGIONS
from planner.knowledge.rollout import rolling_bounds, rollout_syncs, waves
from planner.knowledge.steps import STEPS
from planner.model import replica_set_of
from planner.plan import Operation, ResourceChange, Step
from planner.relations import SelectorIndex

Context = dict[str, Any]


class _Facts:
    """What steps need to know beyond one resource: the cluster's ranges, which Services select which Pods, and
    what the state recorded (current ReplicaSets and revisions)."""

    def __init__(self, changes: list[ResourceChange], statuses: dict[str, dict[str, Any]]) -> None:
        self.cluster: dict[str, Any] | None = None
        self.statuses = statuses
        self.cluster_status = next((st for address, st in statuses.items()
                                    if address.startswith("ContainerCluster/")), {})
        objects = []
        for change in changes:
            manifest = change.after if change.after is not None else change.before
            if manifest is None:
                continue
            if change.family == "cluster" and (change.after is not None or self.cluster is None):
                self.cluster = manifest
            elif change.family in ("service", "deployment"):
                objects.append((change.family, change.namespace or "", change.name, manifest))
        self.index = SelectorIndex(objects)

    def services_selecting(self, namespace: str, labels: dict[str, str]) -> list[str]:
        return self.index.services_selecting(namespace, labels)

    def service_range(self) -> str:
        if self.cluster_status.get("serviceRange"):
            return self.cluster_status["serviceRange"]
        policy = ((self.cluster or {}).get("spec") or {}).get("ipAllocationPolicy") or {}
        return policy.get("servicesIpv4CidrBlock", naming.SERVICE_RANGE_DEFAULT)


ORDER_NOTE = ("{services} {verb} created before {deployments}, which {verb2}: Pods started after their "
              "Service get its environment variables (Kubernetes configuration best practices; Helm installs in "
              "this order too). The GKE tutorial runs `kubectl expose` last only because expose reads the "
              "Deployment.")


def attribute(operations: list[Operation], changes: list[ResourceChange],
              statuses: dict[str, dict[str, Any]] | None = None) -> tuple[list[Operation], list[Diagnostic]]:
    """Operations with their steps (indexes are 1-based execution order across the whole plan), and notes that
    explain the order where it surprises people who know the imperative tutorial. `statuses`: address -> the
    state's simulated status, read only."""
    facts = _Facts(changes, statuses or {})
    index = 0
    out: list[Operation] = []
    created = {op.change.address for op in operations if op.phase == "create"}
    explained: tuple[list[str], list[str]] = ([], [])
    for op in operations:
        context = CONTEXTS[op.change.family](op, facts)
        context.setdefault("kind", op.change.kind)
        context.setdefault("name", op.change.name)
        keys = [op.phase] if op.phase != "update" else list(op.change.change_classes)
        steps: list[Step] = []
        for key in keys:
            for template in STEPS[(op.change.family, key)]:
                if template.when is not None and not context.get(template.when):
                    continue
                index += 1
                steps.append(Step(index, op.change.address, op.phase, template.actor, template.component,
                                  template.text.format_map(context)))
        out.append(Operation(op.phase, op.change, tuple(steps)))
        if op.phase == "create" and op.change.family == "deployment" and len(explained[0]) < 3:
            selecting = [f"Service/{op.change.namespace}/{name}" for name in context.get("service_names", ())]
            selecting = [s for s in selecting if s in created]
            if selecting:
                explained[0].extend(s for s in selecting if s not in explained[0])
                explained[1].append(op.change.address)
    notes = []
    if explained[1]:
        many = len(explained[0]) > 1
        notes.append(Diagnostic("info", ORDER_NOTE.format(
            services=", ".join(explained[0]), deployments=", ".join(explained[1]), verb="are" if many else "is",
            verb2="they select" if many else "it selects")))
    return out, notes


# ---------------------------------------------------------------- contexts per family


def _manifests(op: Operation) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, now): `now` is what this operation leaves behind (the old object for a delete)."""
    before = op.change.before or {}
    after = op.change.after or {}
    return before, (before if op.phase == "delete" else after)


def _changed(op: Operation) -> str:
    paths = [c.path for c in op.change.changes]
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _nodes(location: str, node_locations: list[str] | None, per_zone: int, machine_type: str) -> Context:
    zones = naming.zones_for(location, node_locations)
    try:
        free = capacity.free_for_workloads(machine_type)
        alloc = capacity.allocatable(machine_type)
        cpu_free, memory_free = f"{free.cpu_milli}m", f"{free.memory_mib}Mi"
        allocatable = f"{alloc.cpu_milli}m CPU, {alloc.memory_mib}Mi"
    except KeyError:
        cpu_free = memory_free = allocatable = "?"
    region = naming.region_of(location)
    return {
        "zones": zones, "zones_text": ", ".join(zones), "per_zone": per_zone, "total": per_zone * len(zones),
        "machine_type": machine_type, "cpu_free": cpu_free, "memory_free": memory_free, "allocatable": allocatable,
        "subnet": f"the {region} default subnet {REGIONS[region].subnet}" if region in REGIONS else "the subnet",
    }


def _cluster(op: Operation, facts: _Facts) -> Context:
    _before, now = _manifests(op)
    spec = now.get("spec") or {}
    node_config = spec.get("nodeConfig") or {}
    per_zone = spec.get("initialNodeCount", 3)
    annotations = (now.get("metadata") or {}).get("annotations") or {}
    policy = spec.get("ipAllocationPolicy") or {}
    name = op.change.name
    context = _nodes(spec.get("location", ""), spec.get("nodeLocations"), per_zone,
                     node_config.get("machineType", "e2-medium"))
    prefix = naming.node_prefix(name, naming.DEFAULT_POOL, "<8hex>")
    context.update(
        location=spec.get("location"), channel=(spec.get("releaseChannel") or {}).get("channel", "REGULAR"),
        pod_range=policy.get("clusterIpv4CidrBlock", "(a /14 from 10.0.0.0/8, known after apply)"),
        service_range=policy.get("servicesIpv4CidrBlock", naming.SERVICE_RANGE_DEFAULT),
        pool=naming.DEFAULT_POOL, groups=f"{prefix}-grp", vm_pattern=f"{prefix}-<4 chars>",
        default_pool=per_zone > 0,
        remove_default_pool=annotations.get(naming.REMOVE_DEFAULT_POOL_ANNOTATION) == "true",
        changed=_changed(op),
    )
    return context


def _nodepool(op: Operation, facts: _Facts) -> Context:
    before, now = _manifests(op)
    spec = now.get("spec") or {}
    before_spec = before.get("spec") or {}
    cluster = (spec.get("clusterRef") or {}).get("name", "?")
    per_zone = spec.get("nodeCount", spec.get("initialNodeCount", 3))
    context = _nodes(spec.get("location", ""), spec.get("nodeLocations"), per_zone,
                     (spec.get("nodeConfig") or {}).get("machineType", "e2-medium"))
    before_per_zone = before_spec.get("nodeCount", per_zone)
    live = ((facts.statuses.get(op.change.address) or {}).get("pool") or {}).get("nodes")
    if op.phase == "delete" and live is not None:  # the autoscaler may have grown it past nodeCount
        context["total"] = len(live)
    autoscaling = spec.get("autoscaling") or {}
    prefix = naming.node_prefix(cluster, op.change.name, "<8hex>")
    context.update(
        cluster=cluster, pool=op.change.name, groups=f"{prefix}-grp", vm_pattern=f"{prefix}-<4 chars>",
        before_per_zone=before_per_zone, before_total=before_per_zone * len(context["zones"]),
        grow=per_zone > before_per_zone, shrink=per_zone < before_per_zone,
        autoscaling=bool(autoscaling), min_nodes=autoscaling.get("minNodeCount", 0),
        max_nodes=autoscaling.get("maxNodeCount", per_zone), changed=_changed(op),
    )
    return context


def _describe_requests(pod_spec: dict[str, Any]) -> str:
    cpu = memory = 0
    for container in pod_spec.get("containers") or []:
        requests = (container.get("resources") or {}).get("requests") or {}
        if "cpu" in requests:
            cpu += capacity.cpu_milli(requests["cpu"])
        if "memory" in requests:
            memory += capacity.memory_mib(requests["memory"])
    if not cpu and not memory:
        return "no CPU/memory requests: any node with a free Pod slot fits"
    return f"{cpu}m CPU, {memory}Mi memory per Pod"


def _deployment(op: Operation, facts: _Facts) -> Context:
    before, now = _manifests(op)
    spec = now.get("spec") or {}
    template = spec.get("template") or {}
    pod_spec = template.get("spec") or {}
    replicas = spec.get("replicas", 1)
    before_replicas = (before.get("spec") or {}).get("replicas", replicas if not before else 1)
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    max_surge, max_unavailable = rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%")
    if (spec.get("strategy") or {}).get("type") == "Recreate":
        surge, unavailable = 0, replicas
    else:
        surge, unavailable = rolling_bounds(replicas, max_surge, max_unavailable)
    images = sorted({c.get("image", "?") for c in pod_spec.get("containers") or []})
    labels = (template.get("metadata") or {}).get("labels") or {}
    services = facts.services_selecting(op.change.namespace or "default", labels)
    status = facts.statuses.get(op.change.address) or {}
    new_rs = replica_set_of(op.change.name, now, op.change.after_digest if now is op.change.after else "")
    old_rs = status.get("currentReplicaSet") or (replica_set_of(op.change.name, before) if before else new_rs)
    history = status.get("replicaSets") or []
    recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
    syncs, _ = rollout_syncs(replicas, before_replicas, surge, unavailable, recreate=recreate)
    waves_text = "; ".join(
        ", ".join(part for part in (f"{new_rs} {w.new[0]}->{w.new[1]}" if w.new else "",
                                    f"{old_rs} {w.old[0]}->{w.old[1]}" if w.old else "") if part)
        for w in waves(syncs))
    return {
        "new_rs": new_rs, "old_rs": old_rs, "waves": waves_text or "none",
        "revision": max((r["revision"] for r in history), default=1) + 1,
        "reused": " (reused: this template ran before)" if any(r["name"] == new_rs for r in history) else "",
        "strategy": "Recreate: every old Pod stops before a new one starts (downtime)" if recreate else
                    f"RollingUpdate: at most {replicas + surge} Pods in all, at least {replicas - unavailable} "
                    "available",
        "replicas": replicas, "before_replicas": before_replicas, "delta": abs(replicas - before_replicas),
        "scale_up": replicas > before_replicas, "scale_down": replicas < before_replicas, "has_pods": replicas > 0,
        "images": ", ".join(images), "requests": _describe_requests(pod_spec),
        "max_surge": max_surge, "max_unavailable": max_unavailable, "surge": surge, "unavailable": unavailable,
        "history": spec.get("revisionHistoryLimit", 10), "grace": pod_spec.get("terminationGracePeriodSeconds", 30),
        "selected": bool(services), "services": ", ".join(f"Service {s}" for s in services) or "no Service",
        "service_names": services,
        "changed": _changed(op),
    }


def _service_flags(manifest: dict[str, Any]) -> dict[str, bool]:
    service_type = (manifest.get("spec") or {}).get("type", "ClusterIP")
    lb = service_type == "LoadBalancer"
    flavour = naming.load_balancer_flavour(manifest) if lb else ""
    return {"node_port": service_type in ("NodePort", "LoadBalancer"), "lb": lb,
            "target_pool": flavour == "target-pool", "backend_service": flavour == "backend-service"}


def _service(op: Operation, facts: _Facts) -> Context:
    before, now = _manifests(op)
    spec = now.get("spec") or {}
    ports = spec.get("ports") or []
    flags, old = _service_flags(now), _service_flags(before) if before else _service_flags({})
    selector = spec.get("selector") or {}
    external_name = spec.get("type") == "ExternalName"
    headless = spec.get("clusterIP") == "None"
    return {
        "has_cluster_ip": not (external_name or headless), "no_cluster_ip": external_name or headless,
        "kind_of_service": f"ExternalName, a DNS CNAME to {spec.get('externalName')}" if external_name else
                           "headless: DNS returns the Pod IPs",
        "type": spec.get("type", "ClusterIP"), "before_type": (before.get("spec") or {}).get("type", "ClusterIP"),
        "port_list": ", ".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in ports) or "no ports",
        "target_ports": ", ".join(str(p.get("targetPort", p.get("port"))) for p in ports) or "-",
        "selector": ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "(none)",
        "has_selector": bool(selector), "service_range": facts.service_range(),
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
        "changed": _changed(op),
    }


def _plain(op: Operation, facts: _Facts) -> Context:
    return {"changed": _changed(op)}


CONTEXTS: dict[str, Callable[[Operation, _Facts], Context]] = {
    "cluster": _cluster,
    "nodepool": _nodepool,
    "deployment": _deployment,
    "service": _service,
    "namespace": _plain,
    "generic": _plain,
}
