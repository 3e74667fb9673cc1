"""Stage 5: put resource changes in execution order, from each kind's rank (`KindSpec.rank`, with its reason).

Deletions first, in reverse rank (what was created last goes first; a replacement's delete half among them), then
creates and updates by rank. Ties break by namespace and name, never by dict or set order.
"""

from __future__ import annotations

from planner import kinds
from planner.kinds.base import Rank
from planner.plan import Action, Operation, ResourceChange


def rank_of(family: str, kind: str) -> Rank:
    spec = kinds.spec_of(family)
    return spec.ranks_by_kind.get(kind, spec.rank)


def order(changes: list[ResourceChange]) -> tuple[list[Operation], list[ResourceChange]]:
    """Operations in execution order, and every change (no-ops last) in the order of its first operation."""
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
    operations = [op for _, op in deletes] + [op for _, op in upserts]
    seen: set[str] = set()
    ordered: list[ResourceChange] = []
    for op in operations:
        if op.change.address not in seen:
            seen.add(op.change.address)
            ordered.append(op.change)
    ordered.extend(sorted((c for c in changes if c.action is Action.NOOP), key=lambda c: c.address))
    return operations, ordered
