"""Run plan operations against the simulated GKE, one resource at a time, recording results in the state.

The engine is the operation loop: it finds the operation's handler in the kinds registry, gives it the resource's
live object to fill, then lets the cluster-wide controllers react (cluster-autoscaler, stalled rollouts) and records
which stored resources changed. What each kind does lives with the kind; the shared machinery (ranges, nodes, Pods,
the scheduler) lives in `controllers.World`. Handlers return events (data); `render.apply` words them.
"""

from __future__ import annotations

import json
from typing import Any

from planner import clock, kinds
from planner.errors import PlannerError
from planner.kinds.base import OpResult
from planner.knowledge.naming import MODELLED_GKE_VERSION
from planner.model import digest_of
from planner.plan import Operation
from planner.simulate import autoscaler, objects
from planner.simulate.controllers import World
from planner.simulate.world import Seeded
from planner.state import State, StoredResource

DAMAGE = (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration)
"""What reading a stored live object raises when a value in it cannot be (an IP that is no IP, a node missing its
internal address): the state was damaged by hand, and that is what the user is told."""


def damaged(address: str, exc: BaseException) -> str:
    return (f"the state's record of {address} is damaged ({type(exc).__name__}: {exc}): restore the state's .backup, "
            "or remove the record and apply again")


def deep_copy(value: Any) -> Any:
    """Live objects are JSON data: a JSON round trip copies them faster than copy.deepcopy."""
    return json.loads(json.dumps(value))


def now_text() -> str:
    return clock.now_text()


class Engine:
    """The simulated GKE for one state. Built from the state in one pass; mutates its live objects in place."""

    def __init__(self, state: State, copy_on_write: bool = False, kubernetes_version: str = "") -> None:
        """`copy_on_write`: `state.resources` is a shallow copy shared with a real state (a plan's preview), so
        every record is copied before it changes and the real state is never touched."""
        self.state = state
        self.copy_on_write = copy_on_write
        self.kubernetes_version = kubernetes_version or MODELLED_GKE_VERSION
        """The cluster's Kubernetes minor version: which load-balancer flavour GKE builds follows it."""
        self.now = now_text()
        """When this apply runs: the creation time of everything it makes (kubectl's AGE)."""
        self._owned: set[str] = set()
        self.seed = Seeded(state.ensure_lineage())
        self.touched: set[str] = set()
        self.removed: set[str] = set()
        self.world = World(self)
        self._restore()

    def _restore(self) -> None:
        """Rebuild the world: the cluster first (it opens the ranges), then every other resource's share."""
        ordered = sorted(self.state.resources.values(), key=lambda r: not kinds.spec_of(r.family).is_cluster)
        for resource in ordered:
            spec = kinds.spec_of(resource.family)
            if spec.restore is not None and resource.status:
                try:
                    spec.restore(self, resource)
                except DAMAGE as exc:  # the schema holds the shape; this is a value that cannot be (a bad IP...)
                    raise PlannerError.single(damaged(resource.address, exc)) from None
            if spec.is_cluster and self.world.node_ips is None:
                return  # no running cluster: nothing else can hold nodes, Pods or addresses

    @property
    def cluster(self) -> StoredResource | None:
        return self.state.cluster

    def run(self, op: Operation) -> OpResult:
        if op.phase == "forget":
            return self._forget(op)
        spec = kinds.spec_of(op.change.family)
        handler = spec.handlers[op.phase]
        address = op.change.address
        previous = self.state.resources.get(address)
        status: dict[str, Any] = {}
        if previous is not None and op.phase != "create":
            status = deep_copy(previous.status) if self.copy_on_write else dict(previous.status)
        if op.phase == "create":
            objects.set_created(status, self.now)
        self.touched = set()
        self.removed = set()
        if op.phase != "delete":  # the new record is in place while the handler runs: others may reschedule into it
            self.state.resources[address] = self._record(op, status)
            self._owned.add(address)
        world = self.world
        world.stalled.discard(address)  # a handler whose change cannot go on marks it stalled again
        result = handler(self, op, status)
        if op.phase != "delete":
            self.touched.add(address)  # before the cluster-wide controllers: its Pods are among those they act on
        nodes = len(world.scheduler.nodes)
        if world.pending_owners and op.phase != "delete" and (spec.node_pool or spec.pod_spec) is not None:
            result.details += autoscaler.autoscale(world)
        if world.stalled and (address not in world.stalled or len(world.scheduler.nodes) > nodes):
            result.details += world.resume_stalled()  # its own stalled change goes on too if nodes were just added
        if world.provisioner is not None and spec.pod_spec is not None:  # Autopilot: idle nodes go
            result.details += world.provisioner.scale_down(world)
        if op.phase == "delete":
            self.state.resources.pop(address, None)
            self.removed.add(address)
            self.touched.discard(address)
        else:
            self.touched.add(address)
        result.touched, result.removed = self.touched, self.removed
        return result

    def _forget(self, op: Operation) -> OpResult:
        """The resource leaves the state and keeps running: nothing in GKE acts. A forgotten cluster takes the
        simulated world with it (planner no longer models what runs there)."""
        address = op.change.address
        self.state.resources.pop(address, None)
        if kinds.spec_of(op.change.family).is_cluster:
            self.world.reset()
        result = OpResult(address, "forget", {"event": "forgotten", "kind": op.change.kind, "name": op.change.name})
        result.touched, result.removed = set(), {address}
        return result

    def _record(self, op: Operation, status: dict[str, Any]) -> StoredResource:
        """The stored record of an operation's resource. Our own, already validated data: no pydantic pass."""
        after = op.change.after or {}
        return StoredResource.model_construct(
            address=op.change.address, family=op.change.family, api_version=op.change.api_version,
            kind=op.change.kind, name=op.change.name, namespace=op.change.namespace,
            digest=op.change.after_digest or digest_of(after), manifest=after, status=status)

    def own(self, address: str) -> StoredResource:
        """The record at `address`, safe to change: under copy-on-write, a private copy made on first use."""
        resource = self.state.resources[address]
        if self.copy_on_write and address not in self._owned:
            resource = StoredResource.model_construct(**{**resource.__dict__, "status": deep_copy(resource.status)})
            self.state.resources[address] = resource
            self._owned.add(address)
        return resource

    def remove_everything_but(self, address: str) -> None:
        """The cluster is deleted: every object stored in it goes with its control plane."""
        for resource in list(self.state.resources.values()):
            if resource.address != address and kinds.spec_of(resource.family).in_cluster:
                self.state.resources.pop(resource.address)
                self.removed.add(resource.address)
        self.world.reset()

    def pending_pods(self) -> int:
        return self.world.pending_pods()
