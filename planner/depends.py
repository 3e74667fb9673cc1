"""Part of stage 5 (order): the plan's `depends_on` edges, from what each kind says its resources reference
(`planner.kinds.references`) and which Services select which workloads (`SelectorIndex`, one lookup per label).

Edges join changes of this plan only: a reference to something that does not change needs no waiting. Creates and
updates wait for the creates and updates of what they reference; deletions run the other way round (a cluster's
delete waits for its node pools' deletes). The cluster itself is named only by what nothing else in the plan already
puts after it (a Namespace, an object in `default`), and not for deletions: deleting a cluster takes everything
in it. Linear in the plan's size: every lookup is by address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner import kinds
from planner.kinds.base import THE_CLUSTER, Ref
from planner.kinds.references import IN_CLUSTER, references
from planner.plan import Action, Dependency, ResourceChange
from planner.relations import SelectorIndex, index_of

UPSERTS = (Action.CREATE, Action.UPDATE, Action.REPLACE)
REMOVALS = (Action.DELETE, Action.REPLACE, Action.FORGET)


def upsert_phase(change: ResourceChange) -> str:
    return "update" if change.action is Action.UPDATE else "create"


def removal_phase(change: ResourceChange) -> str:
    return "forget" if change.action is Action.FORGET else "delete"


def dependencies(changes: Iterable[ResourceChange]) -> dict[str, tuple[Dependency, ...]]:
    """Each changed resource's edges by address (absent: none), sorted by (phase, address) for stable output."""
    changes = list(changes)
    ups = {c.address: c for c in changes if c.action in UPSERTS and c.after is not None}
    downs = {c.address: c for c in changes if c.action in REMOVALS and c.before is not None}
    found: dict[str, dict[tuple[str, str], Dependency]] = {}

    def add(owner: str, dependency: Dependency) -> None:
        found.setdefault(owner, {}).setdefault((dependency.phase, dependency.address), dependency)

    up_index = _index((c, c.after) for c in ups.values())
    cluster_up = _cluster(ups)
    for change in ups.values():
        assert change.after is not None
        phase = upsert_phase(change)
        refs = _refs(change, change.after, up_index)
        direct = [r for r in refs if r.address in ups and r.address != change.address]
        if not direct and cluster_up is not None and cluster_up != change.address:
            direct = [Ref(cluster_up, r.reason) for r in refs if r.address == THE_CLUSTER][:1]
        for ref in direct:
            add(change.address, Dependency(ref.address, ref.reason, phase))
    down_index = _index((c, c.before) for c in downs.values())
    cluster_down = _cluster(downs)
    for change in downs.values():
        assert change.before is not None
        for ref in _refs(change, change.before, down_index):
            target = cluster_down if ref.address == THE_CLUSTER else ref.address
            if ref.reason == IN_CLUSTER or target is None or target == change.address or target not in downs:
                continue
            add(target, Dependency(change.address, f"goes after what needs it: {ref.reason}",
                                   removal_phase(downs[target])))
    return {owner: tuple(sorted(edges.values(), key=lambda d: (d.phase, d.address)))
            for owner, edges in found.items()}


def _refs(change: ResourceChange, manifest: dict[str, Any], index: SelectorIndex) -> list[Ref]:
    """The kind's references, then the Services whose selector picks this workload's Pods."""
    spec = kinds.spec_of(change.family)
    refs = references(spec, manifest, change.namespace)
    if spec.pod_labels is not None:
        labels = spec.pod_labels(manifest)
        for service in index.selecting(change.namespace or "", labels) if labels else ():
            family = index.family_of(service)
            refs.append(Ref(service, kinds.spec_of(family).selection_reason or "it selects this workload's Pods"))
    return refs


def _index(pairs: Iterable[tuple[ResourceChange, dict[str, Any] | None]]) -> SelectorIndex:
    return index_of((c.family, c.address, c.namespace or "", c.name, m or {}) for c, m in pairs)


def _cluster(changes: Mapping[str, ResourceChange]) -> str | None:
    return next((a for a, c in changes.items() if kinds.spec_of(c.family).is_cluster), None)


