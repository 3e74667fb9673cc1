"""The simulated cluster: nodes, Pods, and every address allocation, rebuilt from the state in one pass.

Deterministic: every "random" choice (names, hashes, IPs) is derived from the state's lineage and a stable key, so
the same state and plan give the same result. Allocators probe from a hashed start (as kube-apiserver's random
allocators do) and keep a set of used values: O(1) per allocation, and a clear error when a range is exhausted.
"""

from __future__ import annotations

import hashlib
import heapq
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from planner.errors import PlannerError
from planner.knowledge import capacity

_QUAD = re.compile(r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\."
                   r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")
"""A dotted quad as ipaddress accepts it: four decimal octets 0-255 in ASCII digits, none with a leading zero."""


def ip_int(text: str) -> int:
    """int(ipaddress.ip_address(text)), the same value or the same ValueError, with a fast path for the dotted
    quads a state is full of: rebuilding the simulated world parses every Pod, Service and node address in it
    (~15,000 at 10,000 resources), and ipaddress's parser was ~40% of that rebuild."""
    match = _QUAD.fullmatch(text) if text.__class__ is str else None
    if match is None:
        return int(ipaddress.ip_address(text))
    a, b, c, d = match.groups()
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


class Seeded:
    """Stable pseudo-random tokens from the lineage: same state, same names."""

    def __init__(self, lineage: str) -> None:
        self.lineage = lineage

    def number(self, *key: object) -> int:
        digest = hashlib.blake2b("|".join([self.lineage, *map(str, key)]).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big")

    def token(self, alphabet: str, length: int, *key: object) -> str:
        n = self.number(*key)
        out = []
        for _ in range(length):
            n, r = divmod(n, len(alphabet))
            out.append(alphabet[r])
        return "".join(out)

    def hex8(self, *key: object) -> str:
        return f"{self.number(*key) & 0xFFFFFFFF:08x}"


class RangeAllocator:
    """Addresses of one CIDR (or ports of one range), probing from a hashed start; exhaustion is an error."""

    def __init__(self, what: str, first: int, last: int, render: Any, reserved: set[int] | None = None) -> None:
        self.what, self.first, self.last, self.render = what, first, last, render
        self.used: set[int] = set(reserved or ())
        self._size = last - first + 1

    @classmethod
    def for_cidr(cls, what: str, cidr: str, reserved_offsets: tuple[int, ...] = ()) -> RangeAllocator:
        net = ipaddress.ip_network(cidr, strict=False)
        base = int(net.network_address)
        reserved = {base + o for o in reserved_offsets}
        return cls(what, base + 1, int(net.broadcast_address) - 1, lambda n: str(ipaddress.ip_address(n)), reserved)

    def value_of(self, text: str | int) -> int:
        return int(text) if isinstance(text, int) else ip_int(text)

    def take(self, value: str | int, owner: str) -> None:
        n = self.value_of(value)
        if n in self.used:
            raise PlannerError.single(f"{self.what} {value} is already allocated (wanted by {owner})")
        if not self.first <= n <= self.last:
            raise PlannerError.single(f"{self.what} {value} is outside {self.describe()} (wanted by {owner})")
        self.used.add(n)

    def mark(self, value: str | int) -> None:
        self.used.add(self.value_of(value))

    def release(self, value: str | int | None) -> None:
        if value is not None:
            self.used.discard(self.value_of(value))

    def allocate(self, start_hint: int, owner: str) -> str | int:
        if len(self.used) >= self._size:
            raise PlannerError.single(f"{self.what} range {self.describe()} is exhausted: no free value for {owner}")
        n = self.first + start_hint % self._size
        while n in self.used:
            n = self.first if n >= self.last else n + 1
        self.used.add(n)
        rendered: str | int = self.render(n)
        return rendered

    def describe(self) -> str:
        return f"{self.render(self.first)}-{self.render(self.last)}"

    def full(self) -> bool:
        return len(self.used) >= self._size

    def holds(self, value: str | int) -> bool:
        return self.first <= self.value_of(value) <= self.last


class SpillingAllocator:
    """Addresses of a first range, then of an overflow range once the first is full: the shape of a
    RangeAllocator (`allocate`, `take`, `mark`, `release`), so callers need not know there are two. While the
    first range has room, every allocation is exactly what a RangeAllocator of it alone would give."""

    def __init__(self, first: RangeAllocator, overflow: RangeAllocator) -> None:
        self.first, self.overflow = first, overflow

    def _of(self, value: str | int) -> RangeAllocator:
        return self.first if self.first.holds(value) else self.overflow

    def allocate(self, start_hint: int, owner: str) -> str | int:
        return (self.overflow if self.first.full() else self.first).allocate(start_hint, owner)

    def take(self, value: str | int, owner: str) -> None:
        self._of(value).take(value, owner)

    def mark(self, value: str | int) -> None:
        self._of(value).mark(value)

    def release(self, value: str | int | None) -> None:
        if value is not None:
            self._of(value).release(value)


@dataclass
class Node:
    name: str
    pool: str
    zone: str
    internal_ip: str
    pod_cidr: str
    machine_type: str
    cpu_free: int
    memory_free: int
    pods_free: int
    cpu_alloc: int
    memory_alloc: int
    score_cpu: int = 0
    score_memory: int = 0
    pod_ips: set[int] = field(default_factory=set)
    version: int = 0
    pod_base: int = 0
    """First address of the node's Pod CIDR, as an integer (parsed once, not per Pod)."""
    pod_ip_floor: int = 2
    """Every offset from pod_base below this one is taken: the search for the lowest free Pod IP starts here
    instead of at .2, so filling a node is linear, not quadratic, in its Pods."""
    external_ip: str | None = None
    """The VM's ephemeral external IP (nodes of a public cluster), released with the node."""

    def __post_init__(self) -> None:
        self.pod_base = int(ipaddress.ip_network(self.pod_cidr).network_address)

    def score(self) -> float:
        """LeastAllocated: lower is better. Uses the scheduler's non-zero defaults (100m, 200Mi) for Pods
        without requests, as kube-scheduler does for scoring."""
        return (self.score_cpu / max(1, self.cpu_alloc) + self.score_memory / max(1, self.memory_alloc)) / 2


DEFAULT_SCORE_CPU_MILLI = 100
DEFAULT_SCORE_MEMORY_MIB = 200


def score_share(cpu: int, memory: int) -> tuple[int, int]:
    """What one Pod adds to its node's score: its requests, or the scheduler's non-zero defaults."""
    return cpu or DEFAULT_SCORE_CPU_MILLI, memory or DEFAULT_SCORE_MEMORY_MIB


class Scheduler:
    """Binds Pods to the least-allocated node that fits: a heap keyed by score, not a scan of every node per Pod."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.free_pod_slots = 0
        """Free Pod slots over every node, kept up to date (so asking is O(1), not a scan per workload)."""
        self._heap: list[tuple[float, str, int]] = []
        self._unfit: set[tuple[int, int, str | None]] = set()

    def add(self, node: Node) -> None:
        self.nodes[node.name] = node
        self.free_pod_slots += max(0, node.pods_free)
        self._push(node)
        self._unfit.clear()

    def remove(self, name: str) -> Node | None:
        node = self.nodes.pop(name, None)
        if node is not None:
            node.version += 1
            self.free_pod_slots -= max(0, node.pods_free)
        return node

    def _push(self, node: Node) -> None:
        node.version += 1
        heapq.heappush(self._heap, (node.score(), node.name, node.version))

    def bind(self, cpu: int, memory: int, zone: str | None = None) -> Node | None:
        """The least allocated node that fits; with `zone`, only a node in that zone (a Pod whose zonal persistent
        disk already exists: kube-scheduler's VolumeBinding filter honours the PersistentVolume's node affinity)."""
        if (cpu, memory, zone) in self._unfit:
            return None
        skipped: list[tuple[float, str, int]] = []
        chosen: Node | None = None
        while self._heap:
            entry = heapq.heappop(self._heap)
            node = self.nodes.get(entry[1])
            if node is None or node.version != entry[2]:
                continue
            if node.cpu_free >= cpu and node.memory_free >= memory and node.pods_free >= 1 \
                    and (zone is None or node.zone == zone):
                chosen = node
                break
            skipped.append(entry)
        for entry in skipped:
            heapq.heappush(self._heap, entry)
        if chosen is None:
            self._unfit.add((cpu, memory, zone))
            return None
        self.charge(chosen, cpu, memory, +1)
        return chosen

    def bind_on(self, name: str, cpu: int, memory: int) -> Node | None:
        """Bind a Pod whose node affinity names one node (a DaemonSet's) to that node, if it has room."""
        node = self.nodes.get(name)
        if node is None or node.cpu_free < cpu or node.memory_free < memory or node.pods_free < 1:
            return None
        self.charge(node, cpu, memory, +1)
        return node

    def charge(self, node: Node, cpu: int, memory: int, sign: int) -> None:
        node.cpu_free -= sign * cpu
        node.memory_free -= sign * memory
        in_cluster = node.name in self.nodes
        if in_cluster:
            self.free_pod_slots -= max(0, node.pods_free)
        node.pods_free -= sign
        if in_cluster:
            self.free_pod_slots += max(0, node.pods_free)
        share = score_share(cpu, memory)
        node.score_cpu += sign * share[0]
        node.score_memory += sign * share[1]
        if sign < 0:
            self._unfit.clear()
        if node.name in self.nodes:
            self._push(node)

    def why_unschedulable(self, cpu: int, memory: int, zone: str | None = None) -> str:
        """kube-scheduler's FailedScheduling wording: `0/3 nodes are available: 3 Insufficient cpu`; nodes outside a
        bound volume's zone count as `volume node affinity conflict` (pkg/scheduler/framework/plugins/volumebinding)."""
        total = len(self.nodes)
        if total == 0:
            return "0/0 nodes are available: no nodes in the cluster"
        reasons: dict[str, int] = {}
        for node in self.nodes.values():
            if zone is not None and node.zone != zone:
                reasons["node(s) had volume node affinity conflict"] = \
                    reasons.get("node(s) had volume node affinity conflict", 0) + 1
                continue
            if node.pods_free < 1:
                reasons["Too many pods"] = reasons.get("Too many pods", 0) + 1
            if node.cpu_free < cpu:
                reasons["Insufficient cpu"] = reasons.get("Insufficient cpu", 0) + 1
            if node.memory_free < memory:
                reasons["Insufficient memory"] = reasons.get("Insufficient memory", 0) + 1
        parts = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
        return f"0/{total} nodes are available: {parts}"

    def why_not_on(self, name: str, cpu: int, memory: int) -> str:
        """kube-scheduler's FailedScheduling wording for a Pod bound by node affinity to one node: every other node
        "didn't match Pod's node affinity/selector"."""
        node = self.nodes.get(name)
        total = len(self.nodes)
        others = total - (node is not None)
        reasons = []
        if node is not None:
            reasons += [r for r, short in (("Too many pods", node.pods_free < 1),
                                           ("Insufficient cpu", node.cpu_free < cpu),
                                           ("Insufficient memory", node.memory_free < memory)) if short]
        parts = [f"1 {r}" for r in reasons]
        if others:
            parts.append(f"{others} node(s) didn't match Pod's node affinity/selector")
        return f"0/{total} nodes are available: {', '.join(parts) or 'the node is gone'}"


def make_node(name: str, pool: str, zone: str, internal_ip: str, pod_cidr: str, machine_type: str,
              max_pods: int, external_ip: str | None = None) -> Node:
    free = capacity.free_for_workloads(machine_type, max_pods)
    return Node(name, pool, zone, internal_ip, pod_cidr, machine_type, free.cpu_milli, free.memory_mib, free.pods,
                free.cpu_milli, free.memory_mib, external_ip=external_ip)
