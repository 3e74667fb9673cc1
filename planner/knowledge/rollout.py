"""The deployment controller's rolling-update arithmetic (gke-lifecycle.md, "Pod template change")."""

from __future__ import annotations

import math


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
