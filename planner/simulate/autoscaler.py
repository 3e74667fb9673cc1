"""GKE's cluster-autoscaler in the simulation: grows autoscaled pools for Pending Pods, or says why it does not.

Sources: https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler; kubernetes/autoscaler
cluster-autoscaler/FAQ.md ("I have a couple of pending pods, but there was no scale-up?").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.knowledge import capacity
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.controllers import World
    from planner.state import StoredResource


def autoscale(world: World) -> list[dict[str, Any]]:
    """GKE's cluster-autoscaler: while Pods are Pending, grow a pool that has autoscaling, one node per zone at a
    time up to maxNodeCount per zone, but only if a new (empty) node of that pool would fit a Pending Pod. A Pod
    no new node would fit gets NotTriggerScaleUp and nothing is added (cluster-autoscaler FAQ: "I have a couple
    of pending pods, but there was no scale-up?")."""
    events: list[dict[str, Any]] = []
    if world.provisioner is not None and world.pending_owners:
        events += world.provisioner.provision(world)
    pools = _autoscaled_pools(world)
    if not pools or not world.pending_owners:
        return events
    from planner.kinds.nodes import vm_prefix  # the group's base VM name, as a resize takes it

    for resource, shape in pools:
        free = capacity.free_for_workloads(shape.machine_type, shape.max_pods)
        owned = world.engine.own(resource.address)
        pool = owned.status.setdefault("pool", {"name": shape.pool, "nodes": []})
        prefix = vm_prefix(world.engine, shape, pool)
        labels = dict(shape.labels)
        added = 0
        while True:
            helped = [a for a, (cpu, memory, _) in world.pending_requests().items()
                      if cpu <= free.cpu_milli and memory <= free.memory_mib and free.pods >= 1]
            per_zone = max((sum(1 for n in pool["nodes"] if objects.node_zone(n) == z) for z in shape.zones),
                           default=0)
            if not helped or per_zone >= shape.max_nodes:
                break
            before = world.pending_pods()
            new = world.create_nodes(prefix, shape.pool, shape.zones, per_zone + 1, shape.machine_type,
                                    shape.max_pods, existing=pool["nodes"], labels=labels)
            pool["nodes"] = pool["nodes"] + new
            added += len(new)
            world.engine.touched.add(resource.address)
            if world.reschedule([]) >= before:
                break
        if added:
            events.append({"event": "autoscaler-added", "pool": shape.pool, "added": added,
                           "max": shape.max_nodes})
    for address, (cpu, memory, count) in world.pending_requests().items():
        if address not in world.engine.touched:
            continue  # only the Pods this operation left Pending: the others had their event already
        room = [(shape, capacity.free_for_workloads(shape.machine_type, shape.max_pods)) for _, shape in pools]
        if not any(cpu <= free.cpu_milli and memory <= free.memory_mib and free.pods >= 1 for _, free in room):
            why = "; ".join(f"{shape.pool}'s {shape.machine_type} nodes have {free.cpu_milli}m CPU, "
                            f"{free.memory_mib}Mi free for Pods" for shape, free in room)
            events.append({"event": "autoscaler-no-scale-up", "owner": address, "count": count,
                           "pools": f"{why}; the Pod requests {cpu}m CPU, {memory}Mi"})
            # Kept on the workload, so the plan that foresees it can say so too (the pod event's reason).
            world.engine.own(address).status["notTriggerScaleUp"] = f"{why}; the Pod requests {cpu}m CPU, " \
                                                                  f"{memory}Mi"
    if any(e["event"] == "autoscaler-added" for e in events) and world.pending_pods():  # the scheduler's word
        events.append({"event": "autoscaler-still-pending", "count": world.pending_pods(),
                       "reason": world.scheduler_reason()})
    return events


def _autoscaled_pools(world: World) -> list[tuple[StoredResource, Any]]:
    out = []
    for resource in list(world.engine.state.resources.values()):
        hook = kinds.spec_of(resource.family).node_pool
        shape = hook(resource.manifest) if hook is not None else None
        if shape is not None and shape.max_nodes is not None:
            out.append((resource, shape))
    return out
