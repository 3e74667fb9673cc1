"""The cluster-level machinery every kind's handlers share: address ranges, nodes, Pods and the controllers that act
across resources (kube-scheduler, the node drain, GKE's cluster-autoscaler, the retry of stalled rollouts).

Kinds reach it through `engine.world`. It never branches on a family: it asks the registry which families own nodes
(`KindSpec.node_pool`) and which run Pods (`KindSpec.pod_spec`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from planner import kinds, limits
from planner.errors import PlannerError
from planner.knowledge import capacity, naming
from planner.simulate import objects
from planner.simulate.requests import workload_requests as workload_requests
from planner.simulate.world import (
    Node,
    RangeAllocator,
    Scheduler,
    SpillingAllocator,
    ip_int,
    make_node,
    score_share,
)
from planner.state import StoredResource

if TYPE_CHECKING:
    from planner.simulate.engine import Engine

class Provisioner(Protocol):
    """A cluster that makes its own nodes for Pending Pods (Autopilot's node auto-provisioning, installed by the
    cluster's kind): `provision` adds nodes and reschedules, `scale_down` removes idle ones, `room` is the Pods the
    nodes it may still add could hold."""

    def provision(self, world: World) -> list[dict[str, Any]]: ...

    def scale_down(self, world: World) -> list[dict[str, Any]]: ...

    def room(self) -> int: ...


class World:
    """The simulated cluster behind one apply (or one plan's preview): rebuilt from the state in one pass."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reset()

    def reset(self) -> None:
        """The cluster is gone: no nodes, no Pods, every range free again."""
        self.scheduler = Scheduler()
        self.node_ips: RangeAllocator | None = None
        self.pod_blocks: RangeAllocator | None = None
        self.cluster_ips: RangeAllocator | None = None
        self.node_ports = RangeAllocator("nodePort", *naming.NODE_PORT_RANGE, render=int)
        self.external_ips = SpillingAllocator(RangeAllocator.for_cidr("external IP", naming.EXTERNAL_IP_RANGE),
                                              RangeAllocator.for_cidr("external IP",
                                                                      naming.EXTERNAL_IP_OVERFLOW_RANGE))
        """Compute Engine's ephemeral external IPs: load balancers' and public nodes' (one pool: no collisions)."""
        self.node_external_ips = True
        """Whether new node VMs get an external IP: yes in a public cluster, no with private nodes (the cluster
        says which when it opens its ranges)."""
        self.pod_range: ipaddress.IPv4Network | None = None
        self.pending_owners: set[str] = set()
        """Workloads with Pending Pods: the only ones a new node can help, so the only ones revisited."""
        self.stalled: set[str] = set()
        """Resources whose change is stalled (a rollout with no room): resumed when room appears."""
        self._names: dict[int, tuple[dict[str, Any], set[str]]] = {}
        """Pod names taken per workload status (names of deleted Pods may linger: harmless), so that creating N
        Pods is linear, not N scans of the list."""
        self.admission: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
        """The running cluster's admission of Pods (Autopilot's GKE Warden), installed by the cluster's kind: the Pod
        spec as admitted, whose requests the scheduler reserves."""
        self.provisioner: Provisioner | None = None
        self._pinned_score: dict[str, tuple[int, int]] = {}
        """Per node, the scheduler score of the Pods bound there by node affinity (DaemonSet Pods): a node that
        runs only those is idle to cluster-autoscaler, which does not count DaemonSet Pods as blocking scale-down."""
        self._admitted: dict[int, tuple[int, int, Mapping[str, Any]]] = {}

    def requests(self, manifest: Mapping[str, Any], family: str) -> tuple[int, int]:
        """(CPU m, memory Mi) one Pod of a workload requests once admitted: as written, or as the cluster's
        admission changed them (memoized per manifest object, as workload_requests is)."""
        if self.admission is None:
            return workload_requests(manifest, family)
        found = self._admitted.get(id(manifest))
        if found is not None and found[2] is manifest:
            return found[0], found[1]
        hook = kinds.spec_of(family).pod_spec
        pod_spec = hook(dict(manifest)) if hook is not None else None
        cpu, memory = capacity.pod_requests(self.admission(pod_spec or {}))
        self._admitted[id(manifest)] = (cpu, memory, manifest)
        return cpu, memory

    # -- ranges ---------------------------------------------------------------------------------------------

    def open_ranges(self, subnet: str, pod_range: str, service_range: str, node_external_ips: bool = True) -> None:
        self.node_external_ips = node_external_ips
        self.node_ips = RangeAllocator.for_cidr("node internal IP", subnet, reserved_offsets=(1,))
        network = ipaddress.ip_network(pod_range)
        if not isinstance(network, ipaddress.IPv4Network):
            raise PlannerError.single(f"Pod range {pod_range} is not an IPv4 range")
        self.pod_range = network
        blocks = 2 ** (naming.POD_CIDR_PREFIX - network.prefixlen)
        self.pod_blocks = RangeAllocator("Pod CIDR block", 0, blocks - 1, render=int)
        services = ipaddress.ip_network(service_range)
        # A routes-based cluster's Services take the end of its Pod range: no node gets those blocks.
        if isinstance(services, ipaddress.IPv4Network) and services.subnet_of(network):
            for block in services.subnets(new_prefix=max(naming.POD_CIDR_PREFIX, services.prefixlen)):
                self.pod_blocks.mark(self._block_index(str(block)))
        self.cluster_ips = RangeAllocator.for_cidr("ClusterIP", service_range,
                                                   reserved_offsets=naming.RESERVED_SERVICE_IP_OFFSETS)

    def _block_index(self, cidr: str) -> int:
        assert self.pod_range is not None
        block = ipaddress.ip_network(cidr)
        return (int(block.network_address) - int(self.pod_range.network_address)) >> (32 - naming.POD_CIDR_PREFIX)

    # -- nodes ------------------------------------------------------------------------------------------------

    def restore_node(self, node: dict[str, Any], max_pods: int) -> None:
        assert self.node_ips is not None and self.pod_blocks is not None
        made = make_node(objects.node_name(node), objects.node_pool(node), objects.node_zone(node),
                         objects.node_internal_ip(node), objects.node_pod_cidr(node), objects.node_machine_type(node),
                         max_pods, objects.node_external_ip(node))
        self.node_ips.mark(made.internal_ip)
        if made.external_ip:
            self.external_ips.mark(made.external_ip)
        self.pod_blocks.mark(self._block_index(made.pod_cidr))
        self.scheduler.add(made)

    def create_nodes(self, prefix: str, pool: str, zones: list[str], per_zone: int, machine_type: str,
                     max_pods: int, existing: list[dict[str, Any]] | None = None,
                     labels: Mapping[str, str] | None = None, avoid: set[str] | None = None) -> list[dict[str, Any]]:
        """Compute Engine creates the VMs of the managed instance group whose base instance name is `prefix` (lowest
        free internal IP, an alias Pod range each, and in a public cluster an ephemeral external IP, seeded by the
        VM's name); returns the new Node objects, or all of them when `existing` is None.
        Names in `avoid` are not reused (a surge upgrade's new nodes get new names)."""
        assert self.node_ips is not None and self.pod_blocks is not None and self.pod_range is not None
        seed = self.engine.seed
        nodes = list(existing or [])
        taken = {objects.node_name(n) for n in nodes} | (avoid or set())
        created = []
        for zone in zones:
            have = sum(1 for n in nodes if objects.node_zone(n) == zone)
            for i in range(have, per_zone):
                attempt = 0
                while True:
                    suffix = seed.token(naming.NODE_SUFFIX_ALPHABET, naming.NODE_SUFFIX_LENGTH, prefix, zone, i,
                                        attempt)
                    name = f"{prefix}-{suffix}"
                    if name not in taken:
                        break
                    attempt += 1
                taken.add(name)
                ip = self.node_ips.allocate(0, f"node {name}")  # Compute Engine: the lowest free address
                block = int(self.pod_blocks.allocate(0, f"node {name}"))  # the VM's alias IP range
                base = int(self.pod_range.network_address) + (block << (32 - naming.POD_CIDR_PREFIX))
                cidr = f"{ipaddress.ip_address(base)}/{naming.POD_CIDR_PREFIX}"
                external = str(self.external_ips.allocate(seed.number("node-external-ip", name), f"node {name}")) \
                    if self.node_external_ips else None
                self.scheduler.add(make_node(name, pool, zone, str(ip), cidr, machine_type, max_pods, external))
                # The node IPAM controller copies the alias range to spec.podCIDR: only then is the Node Ready.
                node = objects.new_node(name, pool, zone, str(ip), cidr, machine_type, self.engine.now, labels,
                                        external)
                nodes.append(node)
                created.append(node)
        if created:
            self._nodes_changed(created, set())
        return created if existing is not None else nodes

    def delete_nodes(self, names: list[str]) -> list[tuple[str, str]]:
        """Drain and delete nodes; returns (workload address, Pod name) of the Pods that ran on them, their
        resources released."""
        assert self.node_ips is not None and self.pod_blocks is not None
        doomed = set(names)
        for name in names:
            node = self.scheduler.remove(name)
            if node is not None:
                self.node_ips.release(node.internal_ip)
                self.external_ips.release(node.external_ip)  # ephemeral: it goes with the VM
                self.pod_blocks.release(self._block_index(node.pod_cidr))
        evicted: list[tuple[str, str]] = []
        for resource in self.workloads():
            if kinds.spec_of(resource.family).follow_nodes is not None:
                continue  # its Pods go with their nodes (below), never to another node
            cpu, memory = self.requests(resource.manifest, resource.family)
            for pod in resource.status.get("pods") or []:
                if objects.pod_node(pod) in doomed:
                    evicted.append((resource.address, objects.pod_name(pod)))
                    self.remove_pod(pod, cpu, memory)
                    self.engine.touched.add(resource.address)
        if doomed:
            self._nodes_changed([], doomed)
        return evicted

    def workloads(self) -> list[StoredResource]:
        return [r for r in self.engine.state.resources.values() if kinds.spec_of(r.family).pod_spec is not None]

    def _nodes_changed(self, added: list[dict[str, Any]], removed: set[str]) -> None:
        """Nodes came or went: every workload that follows the nodes (DaemonSets) adds or drops its Pods, wherever
        the change came from."""
        followers = sorted((r for r in self.engine.state.resources.values()
                            if kinds.spec_of(r.family).follow_nodes is not None), key=lambda r: r.address)
        for resource in followers:
            hook = kinds.spec_of(resource.family).follow_nodes
            assert hook is not None
            hook(self.engine, self.engine.own(resource.address), added, removed)
            self.engine.touched.add(resource.address)

    def node_objects(self) -> list[dict[str, Any]]:
        """Every registered Node object (from the families that own nodes), in name order."""
        out = []
        for resource in self.engine.state.resources.values():
            if kinds.spec_of(resource.family).node_pool is None:
                continue
            out += [n for n in (resource.status.get("pool") or {}).get("nodes") or []
                    if objects.node_name(n) in self.scheduler.nodes]
        return sorted(out, key=objects.node_name)

    # -- Pods -------------------------------------------------------------------------------------------------

    def new_pod(self, status: dict[str, Any], owner: str, owner_kind: str = "ReplicaSet") -> dict[str, Any]:
        """The owning controller names a Pod `<owner>-<5 chars>` (Kubernetes' SimpleNameGenerator), unique among
        its siblings; a per-workload sequence keeps names stable and creation linear."""
        sequence = status.get("podSequence", 0)
        cached = self._names.get(id(status))
        if cached is None or cached[0] is not status:
            cached = (status, {objects.pod_name(p) for p in status.get("pods") or []})
            self._names[id(status)] = cached
        names = cached[1]
        while True:
            sequence += 1
            suffix = self.engine.seed.token(naming.NAME_ALPHABET, naming.POD_SUFFIX_LENGTH, owner, sequence)
            name = f"{owner}-{suffix}"
            if name not in names:
                break
        names.add(name)
        status["podSequence"] = sequence
        return objects.new_pod(name, owner_kind, owner, self.engine.now)

    def start_pods(self, status: dict[str, Any], owner_rs: str, count: int, cpu: int, memory: int,
                   address: str, owner_kind: str = "ReplicaSet") -> list[dict[str, Any]]:
        """The owning controller creates `count` Pods and kube-scheduler places them. Pods that could never fit
        anywhere (more than the cluster's room) are counted in `status["unscheduled"]` instead of created one by
        one: a workload of 2^31-1 replicas is planned, not enumerated."""
        make = self.materializable(count)
        pods = []
        for _ in range(make):
            pod = self.new_pod(status, owner_rs, owner_kind)
            self.place(pod, cpu, memory, address)
            pods.append(pod)
        if count > make:
            surplus = status.setdefault("unscheduled", {"owner": owner_rs, "count": 0})
            surplus["owner"] = owner_rs
            surplus["count"] += count - make
            self.pending_owners.add(address)
        return pods

    def place(self, pod: dict[str, Any], cpu: int, memory: int, owner: str, zone: str | None = None) -> None:
        """kube-scheduler binds the Pod to the least allocated node that fits (in `zone` when its volume's disk
        already lives there; on the one node its node affinity names, for a DaemonSet's Pod), or leaves it
        Pending."""
        pinned = objects.pinned_node(pod)
        node = self.scheduler.bind(cpu, memory, zone) if pinned is None else self.scheduler.bind_on(pinned, cpu,
                                                                                                    memory)
        if node is None:
            self.pending_owners.add(owner)
            objects.unschedulable(pod, self.scheduler.why_unschedulable(cpu, memory, zone) if pinned is None
                                  else self.scheduler.why_not_on(pinned, cpu, memory))
            return
        if pinned is not None:
            self._pin_score(pinned, cpu, memory, +1)
        objects.bind(pod, node.name, self._pod_ip(node))

    def zone_of(self, node: str | None) -> str | None:
        found = self.scheduler.nodes.get(node or "")
        return found.zone if found is not None else None

    def _pin_score(self, node: str, cpu: int, memory: int, sign: int) -> None:
        have, share = self._pinned_score.get(node, (0, 0)), score_share(cpu, memory)
        self._pinned_score[node] = (have[0] + sign * share[0], have[1] + sign * share[1])

    @staticmethod
    def _pod_ip(node: Node) -> str:
        """The CNI plugin's IPAM: the lowest free address of the node's Pod range from .2 (.1 is the bridge)."""
        base = node.pod_base
        for offset in range(node.pod_ip_floor, 2 ** (32 - naming.POD_CIDR_PREFIX) - 1):
            if base + offset not in node.pod_ips:
                node.pod_ips.add(base + offset)
                node.pod_ip_floor = offset + 1
                return str(ipaddress.IPv4Address(base + offset))
        raise PlannerError.single(f"node {node.name} has no free Pod IP in {node.pod_cidr}")

    def restore_pod(self, pod: dict[str, Any], cpu: int, memory: int, owner: str) -> None:
        node = self.scheduler.nodes.get(objects.pod_node(pod) or "")
        if node is None:
            self.pending_owners.add(owner)
            return
        self.scheduler.charge(node, cpu, memory, +1)
        if objects.pinned_node(pod) is not None:
            self._pin_score(node.name, cpu, memory, +1)
        ip = objects.pod_ip(pod)
        if ip:
            node.pod_ips.add(ip_int(ip))

    def remove_pod(self, pod: dict[str, Any], cpu: int, memory: int) -> None:
        node = self.scheduler.nodes.get(objects.pod_node(pod) or "")
        if node is not None:
            self.scheduler.charge(node, cpu, memory, -1)
            if objects.pinned_node(pod) is not None:
                self._pin_score(node.name, cpu, memory, -1)
            ip = objects.pod_ip(pod)
            if ip:
                address = ip_int(ip)
                node.pod_ips.discard(address)
                node.pod_ip_floor = max(2, min(node.pod_ip_floor, address - node.pod_base))

    def reschedule(self, evicted: list[tuple[str, str]]) -> int:
        """The owning controllers replace evicted Pods (new names); the scheduler places them or leaves them
        Pending. Pending Pods elsewhere get another chance too. Returns how many Pods are still Pending."""
        by_owner: dict[str, set[str]] = {}
        for address, pod in evicted:
            by_owner.setdefault(address, set()).add(pod)
        for address in sorted(set(by_owner) | self.pending_owners):
            if address not in self.engine.state.resources:
                self.pending_owners.discard(address)
                continue
            resource = self.engine.own(address)
            gone = by_owner.get(address, set())
            pods = resource.status.get("pods") or []
            kept = [p for p in pods if objects.pod_name(p) not in gone]
            # A Pod with a stable identity (a StatefulSet's `<name>-<ordinal>`) comes back under the same name.
            replacements = [objects.recreated(p, self.engine.now) if objects.stable_name(p)
                            else self.new_pod(resource.status, objects.pod_owner(p)) for p in pods
                            if objects.pod_name(p) in gone]
            cpu, memory = self.requests(resource.manifest, resource.family)
            self.pending_owners.discard(address)
            zones = resource.status.get("volumeZones") or {}
            for pod in kept + replacements:
                if not objects.pod_node(pod):
                    self.place(pod, cpu, memory, address, zones.get(objects.pod_name(pod)))
            surplus = resource.status.pop("unscheduled", None)
            if surplus:  # room may have appeared: the counted Pods are created now, as far as they could fit
                replacements += self.start_pods(resource.status, surplus["owner"], surplus["count"], cpu, memory,
                                                address)
            resource.status["pods"] = kept + replacements
            if all(objects.pod_node(p) for p in resource.status["pods"]):
                resource.status.pop("notTriggerScaleUp", None)  # nothing Pending: the autoscaler's word is old
            self.engine.touched.add(address)
        return self.pending_pods()

    def pending_pods(self) -> int:
        resources = self.engine.state.resources
        return sum(sum(1 for p in resources[address].status.get("pods", ()) if not objects.pod_node(p))
                   + (resources[address].status.get("unscheduled") or {}).get("count", 0)
                   for address in self.pending_owners if address in resources)

    def pod_room(self) -> int:
        """Pods the cluster could still run: free Pod slots on every node, plus the nodes cluster-autoscaler may
        still add. A workload never needs more Pods materialized than this (plus one to carry the reason)."""
        room = self.scheduler.free_pod_slots
        for resource in self.engine.state.resources.values():
            hook = kinds.spec_of(resource.family).node_pool
            shape = hook(resource.manifest) if hook is not None else None
            if shape is None or shape.max_nodes is None:
                continue
            have = len((resource.status.get("pool") or {}).get("nodes") or [])
            extra = max(0, shape.max_nodes * len(shape.zones) - have)
            room += extra * capacity.free_for_workloads(shape.machine_type, shape.max_pods).pods
        return room + (self.provisioner.room() if self.provisioner is not None else 0)

    def materializable(self, wanted: int) -> int:
        """How many of `wanted` new Pods to create one by one (limits.POD_ROOM_MARGIN): the rest could never be
        scheduled, and are counted instead of created."""
        if wanted <= self.scheduler.free_pod_slots + limits.POD_ROOM_MARGIN:
            return max(0, wanted)
        return min(wanted, self.pod_room() + limits.POD_ROOM_MARGIN)

    # -- controllers across resources -------------------------------------------------------------------------

    def pending_requests(self) -> dict[str, tuple[int, int, int]]:
        """Workloads with Pending Pods: (CPU m, memory Mi, how many Pending) of one Pod."""
        out = {}
        resources = self.engine.state.resources
        for address in sorted(self.pending_owners):
            resource = resources.get(address)
            if resource is None:
                continue
            # cluster-autoscaler leaves DaemonSet Pods out: a new node would get its own
            # (cluster-autoscaler core/podlistprocessor/filter_out_daemon_sets.go)
            count = (sum(1 for p in resource.status.get("pods") or ()
                         if not objects.pod_node(p) and objects.pinned_node(p) is None)
                     + (resource.status.get("unscheduled") or {}).get("count", 0))
            if count:
                out[address] = (*self.requests(resource.manifest, resource.family), count)
        return out

    def idle(self, name: str) -> bool:
        """Whether no Pod runs on the node (kube-system's modelled share aside)."""
        node = self.scheduler.nodes.get(name)
        pinned = self._pinned_score.get(name, (0, 0))  # DaemonSet Pods do not keep a node (cluster-autoscaler FAQ)
        return node is not None and node.score_cpu == pinned[0] and node.score_memory == pinned[1]

    def scheduler_reason(self) -> str:
        """kube-scheduler's message on the first Pending Pod (what `kubectl describe pod` shows)."""
        resources = self.engine.state.resources
        for address in sorted(self.pending_owners):
            for pod in (resources[address].status.get("pods") or ()) if address in resources else ():
                if not objects.pod_node(pod):
                    return objects.scheduler_message(pod)
        return ""

    def resume_stalled(self) -> list[dict[str, Any]]:
        """Controllers retry stalled changes on every sync; room freed or added lets them go on."""
        events = []
        for address in sorted(self.stalled):
            record = self.engine.state.resources.get(address)
            resume = kinds.spec_of(record.family).resume if record is not None else None
            if record is None or resume is None:
                self.stalled.discard(address)
                continue
            summary = resume(self.engine, self.engine.own(address))
            self.engine.touched.add(address)
            if summary is not None:
                self.stalled.discard(address)
                events.append({"event": "resumed", "address": address, "summary": summary})
        return events
