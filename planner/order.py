"""Stage 5: put resource changes in execution order, from each kind's rank (`KindSpec.rank`, with its reason),
refined by the plan's `depends_on` edges (planner.depends).

Deletions first, in reverse rank (what was created last goes first; a replacement's delete half among them), then
creates and updates by rank. Ties break by namespace and name, never by dict or set order. Then a stable topological
refinement: an operation whose edge target would come later by rank moves just after it; where the ranks already
agree with every edge (all the kinds planner models today) the order is exactly the rank order.
"""

from __future__ import annotations

import dataclasses
import heapq

from planner import kinds
from planner.depends import dependencies
from planner.kinds.base import Rank
from planner.plan import Action, Operation, ResourceChange


def rank_of(family: str, kind: str) -> Rank:
    spec = kinds.spec_of(family)
    return spec.ranks_by_kind.get(kind, spec.rank)


def order(changes: list[ResourceChange]) -> tuple[list[Operation], list[ResourceChange]]:
    """Operations in execution order, and every change (no-ops last) in the order of its first operation; each
    change carries its `depends_on`."""
    edges = dependencies(changes)
    if edges:
        changes = [dataclasses.replace(c, depends_on=edges[c.address]) if c.address in edges else c for c in changes]
    deletes: list[tuple[tuple[int, str, str, str], Operation]] = []
    upserts: list[tuple[tuple[int, str, str, str], Operation]] = []
    for change in changes:
        rank = rank_of(change.family, change.kind).rank
        tie = (change.namespace or "", change.kind, change.name)
        if change.action in (Action.DELETE, Action.REPLACE):
            deletes.append(((-rank, *tie), Operation("delete", change)))
        elif change.action is Action.FORGET:  # after what runs inside it: forgetting a cluster comes last
            deletes.append(((-rank, *tie), Operation("forget", change)))
        if change.action in (Action.CREATE, Action.REPLACE):
            upserts.append(((rank, *tie), Operation("create", change)))
        elif change.action is Action.UPDATE:
            upserts.append(((rank, *tie), Operation("update", change)))
    deletes.sort(key=lambda pair: pair[0])
    upserts.sort(key=lambda pair: pair[0])
    operations = _refined([op for _, op in deletes], ("delete", "forget")) + \
        _refined([op for _, op in upserts], ("create", "update"))
    seen: set[str] = set()
    ordered: list[ResourceChange] = []
    for op in operations:
        if op.change.address not in seen:
            seen.add(op.change.address)
            ordered.append(op.change)
    ordered.extend(sorted((c for c in changes if c.action is Action.NOOP), key=lambda c: c.address))
    return operations, ordered


def _refined(ops: list[Operation], phases: tuple[str, ...]) -> list[Operation]:
    """Kahn's algorithm taking, among the operations whose edges are met, the earliest by rank: O((n + e) log n)."""
    position = {op.change.address: i for i, op in enumerate(ops)}
    after: list[list[int]] = [[] for _ in ops]
    waiting = [0] * len(ops)
    later = False
    for i, op in enumerate(ops):
        for dependency in op.change.depends_on:
            j = position.get(dependency.address)
            if dependency.phase in phases and j is not None:
                after[j].append(i)
                waiting[i] += 1
                later = later or j > i
    if not later:  # every edge's target already runs earlier (the ranks agree): the order stays as it is
        return ops
    ready = [i for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        out.append(i)
        for k in after[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(ready, k)
    placed = set(out)
    out += [i for i in range(len(ops)) if i not in placed]  # a cycle (no kind makes one): rank order for the rest
    return [ops[i] for i in out]
