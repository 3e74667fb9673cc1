"""Run plan operations against the simulated GKE, one resource at a time, recording results in the state.

Each handler does what the components named in the plan's steps would do, in the same order: the GKE API and
Compute Engine make nodes, kube-apiserver allocates ClusterIPs and nodePorts, controllers make ReplicaSets and Pods,
the scheduler binds Pods to nodes by free CPU/memory, Compute Engine gives LoadBalancers an external IP.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from planner.errors import PlannerError
from planner.knowledge import capacity, naming
from planner.knowledge.gce import REGIONS
from planner.knowledge.rollout import Wave, rolling_bounds, rollout_syncs, waves
from planner.model import digest_of, replica_set_of
from planner.plan import Action, Operation, ResourceChange
from planner.simulate.world import Node, RangeAllocator, Scheduler, Seeded, make_node
from planner.state import State, StoredResource


@dataclass
class OpResult:
    address: str
    phase: str
    summary: str
    details: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    """Every resource whose stored record this operation changed (Pods rescheduled elsewhere count)."""
    removed: set[str] = field(default_factory=set)


def _deep_copy(value: Any) -> Any:
    """Statuses are JSON data: a JSON round trip copies them faster than copy.deepcopy."""
    return json.loads(json.dumps(value))


_REQUESTS: dict[int, tuple[int, int, dict[str, Any]]] = {}


def pod_requests(manifest: dict[str, Any]) -> tuple[int, int]:
    """Memoized per manifest object (kept alive in the memo, so its id cannot be reused)."""
    found = _REQUESTS.get(id(manifest))
    if found is not None and found[2] is manifest:
        return found[0], found[1]
    cpu, memory = _pod_requests(manifest)
    if len(_REQUESTS) < 200_000:
        _REQUESTS[id(manifest)] = (cpu, memory, manifest)
    return cpu, memory


def _pod_requests(manifest: dict[str, Any]) -> tuple[int, int]:
    """Effective CPU (m) and memory (Mi) requests of one Pod: the sum over containers, or the largest init
    container if that is more (kube-scheduler's rule)."""
    pod = ((manifest.get("spec") or {}).get("template") or {}).get("spec") or {}

    def one(c: dict[str, Any]) -> tuple[int, int]:
        r = (c.get("resources") or {}).get("requests") or {}
        return (capacity.cpu_milli(r["cpu"]) if "cpu" in r else 0,
                capacity.memory_mib(r["memory"]) if "memory" in r else 0)

    main = [one(c) for c in pod.get("containers") or []]
    init = [one(c) for c in pod.get("initContainers") or []]
    cpu = max(sum(c for c, _ in main), max((c for c, _ in init), default=0))
    memory = max(sum(m for _, m in main), max((m for _, m in init), default=0))
    return cpu, memory


class Engine:
    """The simulated GKE for one state. Built from the state in one pass; mutates its statuses in place."""

    def __init__(self, state: State, copy_on_write: bool = False) -> None:
        """`copy_on_write`: `state.resources` is a shallow copy shared with a real state (a plan's preview), so
        every record is copied before it changes and the real state is never touched."""
        self.state = state
        self.copy_on_write = copy_on_write
        self.now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        """When this apply runs: the creation time of everything it makes (kubectl's AGE)."""
        self._owned: set[str] = set()
        self.seed = Seeded(state.ensure_lineage())
        self.touched: set[str] = set()
        self.removed: set[str] = set()
        self.reset_world()
        self._load()

    def reset_world(self) -> None:
        """The cluster is gone: no nodes, no Pods, every range free again."""
        self.scheduler = Scheduler()
        self.node_ips: RangeAllocator | None = None
        self.pod_blocks: RangeAllocator | None = None
        self.cluster_ips: RangeAllocator | None = None
        self.node_ports = RangeAllocator("nodePort", *naming.NODE_PORT_RANGE, render=int)
        self.external_ips = RangeAllocator.for_cidr("external IP", naming.EXTERNAL_IP_RANGE)
        self.pod_range: ipaddress.IPv4Network | None = None
        self.pending_owners: set[str] = set()
        """Deployments with Pending Pods: the only ones a new node can help, so the only ones revisited."""
        self.stalled: set[str] = set()
        """Deployments whose rollout is stalled: resumed when room appears."""

    # -- rebuilding the world from the state --------------------------------------------------------------

    def _load(self) -> None:
        cluster = self.state.cluster
        if cluster is None or not cluster.status:
            return
        self._open_ranges(cluster.status)
        for resource in self.state.resources.values():
            if resource.family in ("cluster", "nodepool"):
                pool = resource.status.get("pool") or {}
                for node in pool.get("nodes") or []:
                    self._restore_node(node, pool.get("name", resource.name), resource)
        for resource in self.state.resources.values():
            if resource.family == "deployment":
                cpu, memory = pod_requests(resource.manifest)
                if (resource.status.get("rollout") or {}).get("stalled"):
                    self.stalled.add(resource.address)
                for pod in resource.status.get("pods") or []:
                    node = self.scheduler.nodes.get(pod.get("node") or "")
                    if node is None:
                        self.pending_owners.add(resource.address)
                    else:
                        self.scheduler.charge(node, cpu, memory, +1)
                        node.pod_ips.add(int(ipaddress.ip_address(pod["ip"])))
            elif resource.family == "service":
                self._mark_service(resource.status)

    def _open_ranges(self, status: dict[str, Any]) -> None:
        self.node_ips = RangeAllocator.for_cidr("node internal IP", status["subnet"], reserved_offsets=(1,))
        self.pod_range = ipaddress.ip_network(status["podRange"])
        blocks = 2 ** (naming.POD_CIDR_PREFIX - self.pod_range.prefixlen)
        self.pod_blocks = RangeAllocator("Pod CIDR block", 0, blocks - 1, render=int)
        self.cluster_ips = RangeAllocator.for_cidr("ClusterIP", status["serviceRange"],
                                                   reserved_offsets=naming.RESERVED_SERVICE_IP_OFFSETS)

    def _restore_node(self, data: dict[str, Any], pool: str, owner: StoredResource) -> None:
        max_pods = (owner.manifest.get("spec") or {}).get("maxPodsPerNode", capacity.MAX_PODS_PER_NODE)
        node = make_node(data["name"], pool, data["zone"], data["internalIP"], data["podCIDR"], data["machineType"],
                         max_pods)
        assert self.node_ips is not None and self.pod_blocks is not None
        self.node_ips.mark(node.internal_ip)
        self.pod_blocks.mark(self._block_index(node.pod_cidr))
        self.scheduler.add(node)

    def _block_index(self, cidr: str) -> int:
        assert self.pod_range is not None
        block = ipaddress.ip_network(cidr)
        return (int(block.network_address) - int(self.pod_range.network_address)) >> (32 - naming.POD_CIDR_PREFIX)

    def _mark_service(self, status: dict[str, Any]) -> None:
        if status.get("clusterIP") and status["clusterIP"] != "None" and self.cluster_ips is not None:
            self.cluster_ips.mark(status["clusterIP"])
        for port in status.get("ports") or []:
            if port.get("nodePort"):
                self.node_ports.mark(port["nodePort"])
        ip = (status.get("loadBalancer") or {}).get("ip")
        if ip:
            self.external_ips.mark(ip)

    # -- running operations -------------------------------------------------------------------------------

    def run(self, op: Operation) -> OpResult:
        handler = HANDLERS[(op.change.family, op.phase)]
        address = op.change.address
        previous = self.state.resources.get(address)
        status: dict[str, Any] = {}
        if previous is not None and op.phase != "create":
            status = _deep_copy(previous.status) if self.copy_on_write else dict(previous.status)
        if op.phase == "create":
            status["created"] = self.now
        self.touched: set[str] = set()
        self.removed: set[str] = set()
        if op.phase != "delete":  # the new record is in place while the handler runs: others may reschedule into it
            self.state.resources[address] = self._record(op, status)
            self._owned.add(address)
        result = handler(self, op, status)
        if self.pending_owners and op.change.family in ("deployment", "nodepool") and op.phase != "delete":
            result.details += self._autoscale()
        self.stalled.discard(address)
        if op.change.family == "deployment" and op.phase != "delete" and (status.get("rollout") or {}).get("stalled"):
            self.stalled.add(address)
        elif self.stalled:
            result.details += self._resume_rollouts()
        if op.phase == "delete":
            self.state.resources.pop(address, None)
            self.removed.add(address)
            self.touched.discard(address)
        else:
            self.touched.add(address)
        result.touched, result.removed = self.touched, self.removed
        return result

    def _record(self, op: Operation, status: dict[str, Any]) -> StoredResource:
        """The stored record of an operation's resource. Our own, already validated data: no pydantic pass."""
        after = op.change.after or {}
        return StoredResource.model_construct(
            address=op.change.address, family=op.change.family, api_version=op.change.api_version,
            kind=op.change.kind, name=op.change.name, namespace=op.change.namespace,
            digest=op.change.after_digest or digest_of(after), manifest=after, status=status)

    def _resume_rollouts(self) -> list[str]:
        """The deployment controller retries stalled rollouts on every change; room freed or added lets them go on."""
        notes = []
        for address in sorted(self.stalled):
            record = self.state.resources.get(address)
            if record is None:
                self.stalled.discard(address)
                continue
            record = self.own(address)
            change = ResourceChange(address, "deployment", record.api_version, record.kind, record.name,
                                    record.namespace, Action.UPDATE, change_classes=("rollout",),
                                    before=record.manifest, after=record.manifest, after_digest=record.digest)
            summary = _rollout(self, Operation("update", change), record.status)
            self.touched.add(address)
            if not (record.status.get("rollout") or {}).get("stalled"):
                self.stalled.discard(address)
                notes.append(f"{address}: stalled rollout resumed and {summary.split(':', 1)[0]}")
        return notes

    def _autoscale(self) -> list[str]:
        """GKE's cluster-autoscaler: while Pods are Pending, grow pools that have autoscaling, one node per zone at
        a time, up to maxNodeCount per zone. It stops when new nodes do not help (a Pod too big for any node)."""
        notes = []
        for resource in list(self.state.resources.values()):
            auto = (resource.manifest.get("spec") or {}).get("autoscaling") if resource.family == "nodepool" else None
            if not auto or not self.pending_owners:
                continue
            spec = resource.manifest["spec"]
            zones, _, machine_type, max_pods = _node_pool_shape(spec, "nodeCount")
            most = auto.get("maxNodeCount", 0)
            owned = self.own(resource.address)
            pool = owned.status.setdefault("pool", {"name": resource.name, "nodes": []})
            added = 0
            while self.pending_owners:
                per_zone = max((sum(1 for n in pool["nodes"] if n["zone"] == z) for z in zones), default=0)
                if per_zone >= most:
                    break
                before = self.pending_pods()
                new = self._create_nodes(resource.address, spec["clusterRef"]["name"], resource.name, zones,
                                         per_zone + 1, machine_type, max_pods, existing=pool["nodes"])
                pool["nodes"] = pool["nodes"] + new
                added += len(new)
                self.touched.add(resource.address)
                if self._reschedule([]) >= before:
                    break
            if added:
                notes.append(f"cluster-autoscaler added {added} node(s) to {resource.name} for Pending Pods "
                             f"(max {most} per zone); {self.pending_pods()} Pod(s) still Pending")
        return notes

    # -- nodes ----------------------------------------------------------------------------------------------

    def _cluster_status(self) -> dict[str, Any]:
        cluster = self.state.cluster
        if cluster is None:
            raise PlannerError.single("no cluster in the state to run this in")
        return cluster.status

    def _create_nodes(self, owner: str, cluster: str, pool: str, zones: list[str], per_zone: int,
                      machine_type: str, max_pods: int, existing: list[dict[str, Any]] | None = None
                      ) -> list[dict[str, Any]]:
        assert self.node_ips is not None and self.pod_blocks is not None and self.pod_range is not None
        hex8 = self.seed.hex8("instance-group", cluster, pool)
        prefix = naming.node_prefix(cluster, pool, hex8)
        nodes = list(existing or [])
        taken = {n["name"] for n in nodes}
        created = []
        for zone in zones:
            have = sum(1 for n in nodes if n["zone"] == zone)
            for i in range(have, per_zone):
                attempt = 0
                while True:
                    suffix = self.seed.token(naming.NODE_SUFFIX_ALPHABET, naming.NODE_SUFFIX_LENGTH, prefix, zone, i,
                                             attempt)
                    name = f"{prefix}-{suffix}"
                    if name not in taken:
                        break
                    attempt += 1
                taken.add(name)
                ip = self._lowest_free(self.node_ips, f"node {name}")
                block = self._lowest_free(self.pod_blocks, f"node {name}")
                base = int(self.pod_range.network_address) + (int(block) << (32 - naming.POD_CIDR_PREFIX))
                cidr = f"{ipaddress.ip_address(base)}/{naming.POD_CIDR_PREFIX}"
                node = make_node(name, pool, zone, str(ip), cidr, machine_type, max_pods)
                self.scheduler.add(node)
                record = {**node.to_status(), "created": self.now}
                nodes.append(record)
                created.append(record)
        return created if existing is not None else nodes

    @staticmethod
    def _lowest_free(allocator: RangeAllocator, owner: str) -> str | int:
        """Compute Engine hands out the lowest free internal IP; the node controller the lowest free block."""
        return allocator.allocate(0, owner)

    def _delete_nodes(self, names: list[str]) -> list[tuple[str, str]]:
        """Drain and delete nodes; returns the (deployment address, pod name) of Pods that were on them."""
        assert self.node_ips is not None and self.pod_blocks is not None
        doomed = set(names)
        for name in names:
            node = self.scheduler.remove(name)
            if node is not None:
                self.node_ips.release(node.internal_ip)
                self.pod_blocks.release(self._block_index(node.pod_cidr))
        evicted: list[tuple[str, str]] = []
        for resource in self.state.resources.values():
            if resource.family != "deployment":
                continue
            for pod in resource.status.get("pods") or []:
                if pod.get("node") in doomed:
                    evicted.append((resource.address, pod["name"]))
        return evicted

    def _reschedule(self, evicted: list[tuple[str, str]]) -> int:
        """The ReplicaSet controller replaces evicted Pods (new names); the scheduler places them or leaves them
        Pending. Pending Pods elsewhere get another chance too. Returns how many Pods are still Pending."""
        by_deployment: dict[str, set[str]] = {}
        for address, pod in evicted:
            by_deployment.setdefault(address, set()).add(pod)
        for address in sorted(set(by_deployment) | self.pending_owners):
            resource = self.state.resources.get(address)
            if resource is None:
                self.pending_owners.discard(address)
                continue
            resource = self.own(address)
            gone = by_deployment.get(address, set())
            pods = resource.status.get("pods") or []
            kept = [p for p in pods if p["name"] not in gone]
            replacements = [self._new_pod(resource.status, p["replicaSet"]) for p in pods if p["name"] in gone]
            cpu, memory = pod_requests(resource.manifest)
            self.pending_owners.discard(address)
            for pod in kept + replacements:
                if not pod.get("node"):
                    self._place(pod, cpu, memory, address)
            resource.status["pods"] = kept + replacements
            self.touched.add(address)
        return self.pending_pods()

    def own(self, address: str) -> StoredResource:
        """The record at `address`, safe to change: under copy-on-write, a private copy made on first use."""
        resource = self.state.resources[address]
        if self.copy_on_write and address not in self._owned:
            resource = StoredResource.model_construct(**{**resource.__dict__, "status": _deep_copy(resource.status)})
            self.state.resources[address] = resource
            self._owned.add(address)
        return resource

    def pending_pods(self) -> int:
        pods = (p for address in self.pending_owners if address in self.state.resources
                for p in self.state.resources[address].status.get("pods", ()))
        return sum(1 for p in pods if not p.get("node"))

    # -- Pods -------------------------------------------------------------------------------------------

    def _new_pod(self, status: dict[str, Any], replica_set: str) -> dict[str, Any]:
        sequence = status.get("podSequence", 0)
        existing = {p["name"] for p in status.get("pods") or []}
        while True:
            sequence += 1
            suffix = self.seed.token(naming.NAME_ALPHABET, naming.POD_SUFFIX_LENGTH, replica_set, sequence)
            name = f"{replica_set}-{suffix}"
            if name not in existing:
                break
        status["podSequence"] = sequence
        return {"name": name, "replicaSet": replica_set, "node": None, "ip": None, "phase": "Pending",
                "created": self.now}

    def _place(self, pod: dict[str, Any], cpu: int, memory: int, owner: str) -> None:
        node = self.scheduler.bind(cpu, memory)
        if node is None:
            self.pending_owners.add(owner)
            pod.update(node=None, ip=None, phase="Pending",
                       reason=f"Unschedulable: {self.scheduler.why_unschedulable(cpu, memory)}")
            return
        pod.pop("reason", None)
        pod.update(node=node.name, ip=self._pod_ip(node), phase="Running")

    @staticmethod
    def _pod_ip(node: Node) -> str:
        """The lowest free address of the node's /24 from .2 (.1 is the node's bridge)."""
        base = node.pod_base
        for offset in range(2, 2 ** (32 - naming.POD_CIDR_PREFIX) - 1):
            if base + offset not in node.pod_ips:
                node.pod_ips.add(base + offset)
                return str(ipaddress.IPv4Address(base + offset))
        raise PlannerError.single(f"node {node.name} has no free Pod IP in {node.pod_cidr}")

    def _remove_pod(self, pod: dict[str, Any], cpu: int, memory: int) -> None:
        node = self.scheduler.nodes.get(pod.get("node") or "")
        if node is not None:
            self.scheduler.charge(node, cpu, memory, -1)
            if pod.get("ip"):
                node.pod_ips.discard(int(ipaddress.ip_address(pod["ip"])))



# ---------------------------------------------------------------- handlers, one per (family, phase)

Handler = Callable[[Engine, Operation, dict[str, Any]], OpResult]


def _node_pool_shape(spec: dict[str, Any], count_field: str) -> tuple[list[str], int, str, int]:
    zones = naming.zones_for(spec.get("location", ""), spec.get("nodeLocations"))
    per_zone = spec.get(count_field, spec.get("initialNodeCount", 3))
    machine_type = (spec.get("nodeConfig") or {}).get("machineType", "e2-medium")
    max_pods = spec.get("maxPodsPerNode", capacity.MAX_PODS_PER_NODE)
    return zones, per_zone, machine_type, max_pods


def _cluster_create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    spec = manifest.get("spec") or {}
    policy = spec.get("ipAllocationPolicy") or {}
    region = naming.region_of(spec["location"])
    pod_range = policy.get("clusterIpv4CidrBlock") or naming.POD_RANGE_CANDIDATES[
        engine.seed.number("pod-range", op.change.name) % len(naming.POD_RANGE_CANDIDATES)]
    if pod_range.startswith("/"):
        pod_range = f"10.{4 * (1 + engine.seed.number('pod-range', op.change.name) % 31)}.0.0{pod_range}"
    control_plane = RangeAllocator.for_cidr("control plane IP", naming.CONTROL_PLANE_RANGE)
    status.update(
        location=spec["location"], zones=naming.zones_for(spec["location"], spec.get("nodeLocations")),
        subnet=REGIONS[region].subnet, podRange=pod_range,
        serviceRange=policy.get("servicesIpv4CidrBlock", naming.SERVICE_RANGE_DEFAULT),
        endpoint=control_plane.allocate(engine.seed.number("endpoint", op.change.name), "control plane"),
    )
    engine._open_ranges(status)
    zones, per_zone, machine_type, max_pods = _node_pool_shape(spec, "initialNodeCount")
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    details = [f"control plane endpoint {status['endpoint']}; Pod range {pod_range}; Service range "
               f"{status['serviceRange']}"]
    if per_zone > 0:
        nodes = engine._create_nodes(op.change.address, op.change.name, naming.DEFAULT_POOL, zones, per_zone,
                                     machine_type, max_pods)
        hex8 = engine.seed.hex8("instance-group", op.change.name, naming.DEFAULT_POOL)
        status["pool"] = {"name": naming.DEFAULT_POOL, "instanceGroups": [
            f"{naming.node_prefix(op.change.name, naming.DEFAULT_POOL, hex8)}-grp"], "nodes": nodes}
        details.append(f"{len(nodes)} node(s) in default-pool: " + ", ".join(n["name"] for n in nodes[:5])
                       + (" ..." if len(nodes) > 5 else ""))
        if annotations.get(naming.REMOVE_DEFAULT_POOL_ANNOTATION) == "true":
            engine._delete_nodes([n["name"] for n in nodes])
            status.pop("pool")
            details.append("default-pool removed (remove-default-node-pool annotation)")
    return OpResult(op.change.address, "create", f"cluster {op.change.name} running in {spec['location']}", details)


def _cluster_delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    for resource in list(engine.state.resources.values()):
        if resource.address != op.change.address and resource.family != "cluster":
            engine.state.resources.pop(resource.address)
            engine.removed.add(resource.address)
    engine.reset_world()
    return OpResult(op.change.address, "delete", f"cluster {op.change.name} deleted")


def _cluster_update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    return OpResult(op.change.address, "update", f"cluster {op.change.name} updated")


def _nodepool_create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    spec = (op.change.after or {}).get("spec") or {}
    engine._cluster_status()
    zones, per_zone, machine_type, max_pods = _node_pool_shape(spec, "nodeCount")
    cluster = spec["clusterRef"]["name"]
    nodes = engine._create_nodes(op.change.address, cluster, op.change.name, zones, per_zone, machine_type, max_pods)
    hex8 = engine.seed.hex8("instance-group", cluster, op.change.name)
    status["pool"] = {"name": op.change.name, "nodes": nodes, "instanceGroups": [
        f"{naming.node_prefix(cluster, op.change.name, hex8)}-grp"]}
    pending = engine._reschedule([])
    details = [f"{len(nodes)} node(s): " + ", ".join(n["name"] for n in nodes[:5]) + (" ..." if len(nodes) > 5 else "")]
    if pending:
        details.append(f"{pending} Pod(s) still Pending")
    return OpResult(op.change.address, "create", f"node pool {op.change.name} with {len(nodes)} node(s)", details)


def _nodepool_delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    nodes = (status.get("pool") or {}).get("nodes") or []
    evicted = engine._delete_nodes([n["name"] for n in nodes])
    _drop_pods(engine, evicted)
    pending = engine._reschedule(evicted)
    details = [f"{len(evicted)} Pod(s) drained and recreated elsewhere"] if evicted else []
    if pending:
        details.append(f"{pending} Pod(s) Pending: no room on the remaining nodes")
    return OpResult(op.change.address, "delete", f"node pool {op.change.name} deleted ({len(nodes)} node(s))",
                    details)


def _drop_pods(engine: Engine, evicted: list[tuple[str, str]]) -> None:
    """Release the evicted Pods' resources (their nodes are gone, so this only frees scheduler bookkeeping)."""
    for address, name in evicted:
        resource = engine.state.resources[address]
        engine.touched.add(address)
        cpu, memory = pod_requests(resource.manifest)
        for pod in resource.status.get("pods") or []:
            if pod["name"] == name:
                engine._remove_pod(pod, cpu, memory)


def _nodepool_update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    spec = (op.change.after or {}).get("spec") or {}
    if "resize" not in op.change.change_classes:
        return OpResult(op.change.address, "update", f"node pool {op.change.name} updated in place")
    zones, per_zone, machine_type, max_pods = _node_pool_shape(spec, "nodeCount")
    pool = status.setdefault("pool", {"name": op.change.name, "nodes": []})
    nodes = pool["nodes"]
    removed: list[str] = []
    for zone in zones:
        in_zone = [n for n in nodes if n["zone"] == zone]
        removed += [n["name"] for n in in_zone[per_zone:]]
    gone = set(removed)
    evicted = engine._delete_nodes(removed)
    _drop_pods(engine, evicted)
    pool["nodes"] = [n for n in nodes if n["name"] not in gone]
    added = engine._create_nodes(op.change.address, spec["clusterRef"]["name"], op.change.name, zones, per_zone,
                                 machine_type, max_pods, existing=pool["nodes"])
    pool["nodes"] = pool["nodes"] + added
    engine.own(op.change.address).status = status
    pending = engine._reschedule(evicted)
    summary = f"node pool {op.change.name} resized to {len(pool['nodes'])} node(s)"
    details = [f"added {len(added)}, removed {len(removed)}"] + ([f"{pending} Pod(s) Pending"] if pending else [])
    return OpResult(op.change.address, "update", summary, details)


def _deployment_create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    manifest = op.change.after or {}
    replicas = (manifest.get("spec") or {}).get("replicas", 1)
    rs = replica_set_of(op.change.name, manifest, op.change.after_digest)
    status.update(revision=1, currentReplicaSet=rs,
                  replicaSets=[{"name": rs, "revision": 1, "replicas": replicas, "created": engine.now}],
                  pods=[], podSequence=0)
    cpu, memory = pod_requests(manifest)
    for _ in range(replicas):
        pod = engine._new_pod(status, rs)
        engine._place(pod, cpu, memory, op.change.address)
        status["pods"].append(pod)
    return OpResult(op.change.address, "create", f"ReplicaSet {rs} with {replicas} Pod(s)", _pod_details(status))


def _pod_details(status: dict[str, Any]) -> list[str]:
    pods = status.get("pods") or []
    running = [p for p in pods if p.get("node")]
    pending = [p for p in pods if not p.get("node")]
    details = []
    if running:
        by_node: dict[str, int] = {}
        for p in running:
            by_node[p["node"]] = by_node.get(p["node"], 0) + 1
        details.append(f"{len(running)} Running on " + ", ".join(f"{n} ({c})" for n, c in sorted(by_node.items())[:4])
                       + (" ..." if len(by_node) > 4 else ""))
    if pending:
        details.append(f"{len(pending)} Pending: {pending[0].get('reason', '')}")
    return details


def _deployment_delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    engine.pending_owners.discard(op.change.address)
    before = op.change.before or {}
    cpu, memory = pod_requests(before)
    pods = status.get("pods") or []
    for pod in pods:
        engine._remove_pod(pod, cpu, memory)
    pending = engine._reschedule([]) if pods else 0
    details = [f"{pending} Pending Pod(s) elsewhere still Pending"] if pending else []
    return OpResult(op.change.address, "delete", f"Deployment {op.change.name} and {len(pods)} Pod(s) deleted",
                    details)


def _victims(pods: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Which Pods a ReplicaSet deletes first: Pending ones, then those on the most crowded nodes, then the newest."""
    crowd: dict[str, int] = {}
    for p in pods:
        if p.get("node"):
            crowd[p["node"]] = crowd.get(p["node"], 0) + 1
    ranked = sorted(enumerate(pods), key=lambda ip: (ip[1].get("node") is not None,
                                                      -crowd.get(ip[1].get("node") or "", 0), -ip[0]))
    return [p for _, p in ranked[:count]]


def _rollout(engine: Engine, op: Operation, status: dict[str, Any]) -> str:
    """A rolling update (or Recreate) sync by sync, with real scheduling: new Pods may stay Pending, and a rollout
    that can neither surge nor scale down is stalled, as the deployment controller leaves it."""
    before, after = op.change.before or {}, op.change.after or {}
    spec = after.get("spec") or {}
    replicas = spec.get("replicas", 1)
    old_cpu, old_memory = pod_requests(before)
    cpu, memory = pod_requests(after)
    new_rs = replica_set_of(op.change.name, after, op.change.after_digest)
    history = status.get("replicaSets") or []
    continuing = new_rs == status.get("currentReplicaSet")  # a stalled rollout resumed or rescaled
    revision = status.get("revision", 1) if continuing else max((r["revision"] for r in history), default=0) + 1
    reused = any(r["name"] == new_rs for r in history) and not continuing
    pods: list[dict[str, Any]] = status.get("pods") or []
    old_pods = [p for p in pods if p["replicaSet"] != new_rs]
    new_pods = [p for p in pods if p["replicaSet"] == new_rs]
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    surge, unavailable = rolling_bounds(replicas, rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%"))

    def place(count: int) -> int:
        started = 0
        for _ in range(count):
            pod = engine._new_pod(status, new_rs)
            engine._place(pod, cpu, memory, op.change.address)
            new_pods.append(pod)
            status["pods"] = old_pods + new_pods  # _new_pod reads names from here to keep them unique
            started += pod["node"] is not None
        return started

    def release(count: int) -> int:
        for pod in _victims(old_pods, count):
            engine._remove_pod(pod, old_cpu, old_memory)
            old_pods.remove(pod)
        started = 0
        for pod in new_pods:
            if not pod.get("node"):
                engine._place(pod, cpu, memory, op.change.address)
                started += pod["node"] is not None
        return started

    excess = len(old_pods) + len(new_pods) - (replicas + surge)
    if old_pods and new_pods and excess > 0:
        # Scaling mid-rollout: the controller shares the cut among ReplicaSets in proportion to their size.
        from_old = min(len(old_pods), round(excess * len(old_pods) / (len(old_pods) + len(new_pods))))
        from_new = min(len(new_pods), excess - from_old)
        for group, count, requests in ((old_pods, from_old, (old_cpu, old_memory)),
                                       (new_pods, from_new, (cpu, memory))):
            for pod in _victims(group, count):
                engine._remove_pod(pod, *requests)
                group.remove(pod)

    def shrink(count: int) -> int:
        was_available = 0
        for pod in _victims(new_pods, count):
            engine._remove_pod(pod, cpu, memory)
            new_pods.remove(pod)
            was_available += pod.get("node") is not None
        return was_available

    syncs, stalled = rollout_syncs(replicas, len(old_pods), surge, unavailable,
                                   recreate=strategy.get("type") == "Recreate", new=len(new_pods),
                                   new_available=sum(1 for p in new_pods if p.get("node")),
                                   old_available=sum(1 for p in old_pods if p.get("node")), place=place,
                                   release=release, shrink=shrink)
    status["pods"] = old_pods + new_pods
    counts: dict[str, int] = {}
    for pod in status["pods"]:
        counts[pod["replicaSet"]] = counts.get(pod["replicaSet"], 0) + 1
    kept = [dict(r, replicas=counts.get(r["name"], 0)) for r in history if r["name"] != new_rs]
    if continuing:
        revision_of_new = next((r["revision"] for r in history if r["name"] == new_rs), revision)
        revision = revision_of_new
    limit = spec.get("revisionHistoryLimit", 10)
    idle = sorted((r for r in kept if not r["replicas"]), key=lambda r: r["revision"])
    drop = {r["name"] for r in idle[: max(0, len(idle) - limit)]}
    kept = [r for r in kept if r["name"] not in drop]
    created = next((r.get("created") for r in history if r["name"] == new_rs), engine.now)
    kept.append({"name": new_rs, "revision": revision, "replicas": counts.get(new_rs, 0), "created": created})
    status.update(revision=revision, currentReplicaSet=new_rs, replicaSets=kept)
    shown = "; ".join(_wave_text(w) for w in waves(syncs))
    if stalled:
        deadline = spec.get("progressDeadlineSeconds", 600)
        status["rollout"] = {"stalled": True, "reason": "ProgressDeadlineExceeded", "message": (
            f'ReplicaSet "{new_rs}" has timed out progressing (after {deadline}s): '
            f"{counts.get(new_rs, 0)}/{replicas} new Pods, {len(old_pods)} old Pods still serving")}
        return f"rollout to revision {revision} STALLED ({status['rollout']['message']}); waves: {shown or 'none'}"
    status.pop("rollout", None)
    return (f"rolled out revision {revision}: ReplicaSet {new_rs} ({'reused' if reused else 'new'}) with "
            f"{replicas} Pod(s); waves: {shown or 'none'}")


def _wave_text(wave: Wave) -> str:
    parts = []
    if wave.new:
        parts.append(f"new {wave.new[0]}->{wave.new[1]}")
    if wave.old:
        parts.append(f"old {wave.old[0]}->{wave.old[1]}")
    return ", ".join(parts)


def _deployment_update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    after = op.change.after or {}
    replicas = (after.get("spec") or {}).get("replicas", 1)
    cpu, memory = pod_requests(after)
    pods: list[dict[str, Any]] = status.get("pods") or []
    summary = f"Deployment {op.change.name} updated"
    mid_rollout = any(p["replicaSet"] != status.get("currentReplicaSet") for p in pods)
    if "rollout" in op.change.change_classes or mid_rollout:
        # A scale during an unfinished rollout resizes both sides, as the controller's proportional scaling does.
        summary = _rollout(engine, op, status)
    elif "scale" in op.change.change_classes:
        rs = status.get("currentReplicaSet") or replica_set_of(op.change.name, after, op.change.after_digest)
        current = [p for p in pods if p["replicaSet"] == rs]
        if replicas < len(current):
            doomed = {id(p) for p in _victims(current, len(current) - replicas)}
            for pod in pods:
                if id(pod) in doomed:
                    engine._remove_pod(pod, cpu, memory)
            status["pods"] = [p for p in pods if id(p) not in doomed]
            summary = f"scaled {op.change.name} down to {replicas}"
            engine._reschedule([])
        else:
            for _ in range(replicas - len(current)):
                pod = engine._new_pod(status, rs)
                engine._place(pod, cpu, memory, op.change.address)
                pods.append(pod)
            status["pods"] = pods
            summary = f"scaled {op.change.name} up to {replicas}"
        for r in status.get("replicaSets") or []:
            if r["name"] == rs:
                r["replicas"] = replicas
    return OpResult(op.change.address, "update", summary, _pod_details(status))


def _service_allocate(engine: Engine, op: Operation, status: dict[str, Any], previous: dict[str, Any]) -> list[str]:
    manifest = op.change.after or {}
    spec = manifest.get("spec") or {}
    service_type = spec.get("type", "ClusterIP")
    details = []
    if service_type == "ExternalName":  # a DNS name only: any ClusterIP it had goes back to the range
        if engine.cluster_ips is not None and previous.get("clusterIP") not in (None, "None"):
            engine.cluster_ips.release(previous["clusterIP"])
    else:
        if "clusterIP" in previous:
            status["clusterIP"] = previous["clusterIP"]
        elif spec.get("clusterIP") == "None":
            status["clusterIP"] = "None"
        else:
            allocator = engine.cluster_ips
            if allocator is None:
                raise PlannerError.single("no cluster to allocate a ClusterIP from")
            if spec.get("clusterIP"):
                allocator.take(spec["clusterIP"], op.change.address)
                status["clusterIP"] = spec["clusterIP"]
            else:
                status["clusterIP"] = allocator.allocate(engine.seed.number("cluster-ip", op.change.address),
                                                         op.change.address)
        details.append(f"ClusterIP {status['clusterIP']}")
    # A port keeps its nodePort across updates (matched by port and protocol), and a Service may move its own
    # nodePorts between its ports: only a nodePort it does not hold yet must be free.
    old_ports = {(p["port"], p.get("protocol", "TCP")): p.get("nodePort") for p in previous.get("ports") or []}
    held = {n for n in old_ports.values() if n}
    wanted_ports = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
    ports = []
    wants_node_port = service_type in ("NodePort", "LoadBalancer")
    for port in spec.get("ports") or []:
        protocol = port.get("protocol", "TCP")
        entry: dict[str, Any] = {"port": port["port"], "protocol": protocol,
                                 "targetPort": port.get("targetPort", port["port"])}
        if wants_node_port:
            wanted = port.get("nodePort")
            previous_port = old_ports.get((port["port"], protocol))
            if wanted:
                if wanted not in held:
                    engine.node_ports.take(wanted, op.change.address)
                entry["nodePort"] = wanted
            elif previous_port and previous_port not in wanted_ports:
                entry["nodePort"] = previous_port
            else:
                entry["nodePort"] = engine.node_ports.allocate(
                    engine.seed.number("node-port", op.change.address, port["port"]), op.change.address)
        ports.append(entry)
    kept = {p.get("nodePort") for p in ports}
    for old in held - kept:
        engine.node_ports.release(old)
    status["ports"] = ports
    if wants_node_port:
        details.append("PORT(S) " + ",".join(f"{p['port']}:{p['nodePort']}/{p['protocol']}" for p in ports))
    old_lb = previous.get("loadBalancer")
    if service_type == "LoadBalancer":
        if old_lb:
            status["loadBalancer"] = old_lb
        else:
            uid = previous.get("uid") or _uid(engine, op.change.address)
            status["uid"] = uid
            ip = engine.external_ips.allocate(engine.seed.number("external-ip", op.change.address), op.change.address)
            flavour = naming.load_balancer_flavour(manifest)
            status["loadBalancer"] = {"name": "a" + uid.replace("-", "")[:31], "flavour": flavour, "ip": ip}
        details.append(f"EXTERNAL-IP {status['loadBalancer']['ip']} ({status['loadBalancer']['flavour']} load "
                       "balancer)")
    elif old_lb:
        engine.external_ips.release(old_lb.get("ip"))
        status.pop("loadBalancer", None)
        details.append("load balancer torn down")
    status.setdefault("uid", previous.get("uid") or _uid(engine, op.change.address))
    return details


def _uid(engine: Engine, address: str) -> str:
    h = f"{engine.seed.number('uid', address):016x}{engine.seed.number('uid2', address):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _service_create(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    details = _service_allocate(engine, op, status, {})
    return OpResult(op.change.address, "create", f"Service {op.change.name} created", details)


def _service_update(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    previous = dict(status)
    status.clear()
    if previous.get("created"):
        status["created"] = previous["created"]
    details = _service_allocate(engine, op, status, previous)
    return OpResult(op.change.address, "update", f"Service {op.change.name} updated", details)


def _service_delete(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    if engine.cluster_ips is not None and status.get("clusterIP") not in (None, "None"):
        engine.cluster_ips.release(status["clusterIP"])
    for port in status.get("ports") or []:
        engine.node_ports.release(port.get("nodePort"))
    engine.external_ips.release((status.get("loadBalancer") or {}).get("ip"))
    return OpResult(op.change.address, "delete", f"Service {op.change.name} deleted")


def _stored(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    verb = {"create": "created", "update": "updated", "delete": "deleted"}[op.phase]
    return OpResult(op.change.address, op.phase, f"{op.change.kind} {op.change.name} {verb}")


HANDLERS: dict[tuple[str, str], Handler] = {
    ("cluster", "create"): _cluster_create,
    ("cluster", "update"): _cluster_update,
    ("cluster", "delete"): _cluster_delete,
    ("nodepool", "create"): _nodepool_create,
    ("nodepool", "update"): _nodepool_update,
    ("nodepool", "delete"): _nodepool_delete,
    ("deployment", "create"): _deployment_create,
    ("deployment", "update"): _deployment_update,
    ("deployment", "delete"): _deployment_delete,
    ("service", "create"): _service_create,
    ("service", "update"): _service_update,
    ("service", "delete"): _service_delete,
    **{(family, phase): _stored for family in ("namespace", "generic") for phase in ("create", "update", "delete")},
}
