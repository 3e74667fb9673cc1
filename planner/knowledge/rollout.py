"""The deployment controller's rollout arithmetic
(https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment).

`rolling_bounds` turns maxSurge/maxUnavailable into Pod counts: surge rounds up, unavailable rounds down, and both
0 makes unavailable 1. `rollout_syncs` replays the controller's loop (pkg/controller/deployment/rolling.go): each
sync either scales the new ReplicaSet up (total Pods <= replicas + surge) or, when it cannot, scales old ones down
(keeping >= replicas - unavailable available, counting new Pods that are not yet available). A rollout that can do
neither before it is done is stalled; Kubernetes reports it as ProgressDeadlineExceeded after
progressDeadlineSeconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple


def _resolve(value: int | str, replicas: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    percent = int(str(value).rstrip("%"))
    exact = percent * replicas / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def rolling_bounds(replicas: int, max_surge: int | str = "25%", max_unavailable: int | str = "25%") -> tuple[int, int]:
    """(surge, unavailable): maxSurge rounds up, maxUnavailable rounds down; both 0 makes unavailable 1."""
    surge = _resolve(max_surge, replicas, round_up=True)
    unavailable = _resolve(max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


class Sync(NamedTuple):
    """One controller sync: which ReplicaSet moved and from/to how many replicas."""

    which: str  # "new" or "old"
    before: int
    after: int


class Wave(NamedTuple):
    """A scale-up of the new ReplicaSet and the scale-down of the old ones that follows it (either may be absent)."""

    new: tuple[int, int] | None
    old: tuple[int, int] | None


def rollout_syncs(replicas: int, old: int, surge: int, unavailable: int, *, recreate: bool = False,
                  new: int = 0, new_available: int | None = None, old_available: int | None = None,
                  place: Callable[[int], int] = lambda n: n, release: Callable[[int], int] = lambda n: 0,
                  shrink: Callable[[int], int] = lambda n: n, max_syncs: int | None = None) -> tuple[list[Sync], bool]:
    """The syncs of one rollout, and whether it stalls.

    `new`/`new_available`: Pods the new ReplicaSet already has (a rollback to a template that still has Pods).
    `place(n)` starts n new Pods and returns how many became available (the scheduler may leave some Pending);
    `release(n)` deletes n old Pods (unavailable ones first, as cleanupUnhealthyReplicas does) and returns how many
    Pending new Pods that let start; `shrink(n)` deletes n surplus new Pods and returns how many were available.
    Without callbacks every Pod starts: the plan's arithmetic. `max_syncs` stops after that many syncs (a plan shows
    the first ones of a huge rollout; the result is then not stalled, only cut short).
    """
    syncs: list[Sync] = []
    new_available = new if new_available is None else new_available
    old_available = old if old_available is None else old_available
    if new > replicas:  # the new ReplicaSet is first brought down to the wanted size
        syncs.append(Sync("new", new, replicas))
        new_available -= shrink(new - replicas)
        new = replicas
    if recreate:
        if old:
            syncs.append(Sync("old", old, 0))
            new_available += release(old)
        if new < replicas:
            syncs.append(Sync("new", new, replicas))
            new_available += place(replicas - new)
        return syncs, False
    max_total = replicas + surge
    min_available = replicas - unavailable
    while max_syncs is None or len(syncs) < max_syncs:
        total = new + old
        if new < replicas and total < max_total:
            up = min(max_total - total, replicas - new)
            syncs.append(Sync("new", new, new + up))
            new += up
            new_available += place(up)
            continue
        if old > 0:
            max_down = total - min_available - (new - new_available)
            if max_down <= 0:
                return syncs, True
            unhealthy = min(max_down, old - old_available)
            healthy = min(old_available, max(0, new_available + old_available - min_available))
            down = unhealthy + healthy
            if down <= 0:
                return syncs, True
            syncs.append(Sync("old", old, old - down))
            old -= down
            old_available -= healthy
            new_available += release(down)
            continue
        return syncs, False
    return syncs, False


def waves(syncs: list[Sync]) -> list[Wave]:
    """Pair each scale-up with the scale-down that follows it, for display."""
    out: list[Wave] = []
    pending_new: tuple[int, int] | None = None
    for sync in syncs:
        if sync.which == "new":
            if pending_new is not None:
                out.append(Wave(pending_new, None))
            pending_new = (sync.before, sync.after)
        else:
            out.append(Wave(pending_new, (sync.before, sync.after)))
            pending_new = None
    if pending_new is not None:
        out.append(Wave(pending_new, None))
    return out
