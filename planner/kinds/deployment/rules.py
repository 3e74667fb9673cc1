"""kube-apiserver's Deployment strategy rules (pkg/apis/apps/validation/validation.go ValidateDeploymentStrategy,
ValidateRollingUpdateDeployment); rows of `planner.kinds.apirules.RULES`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from planner.kinds.apirules import MAPPING as _MAP
from planner.kinds.base import Path, Problem

RECREATE = "Recreate"
_STRATEGY: Path = ("spec", "strategy")


def _int_or_percent(value: Any) -> int | None:
    """getIntOrPercentValue: 3 -> 3, "25%" -> 25; None for what the schema refuses or leaves to the default."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


def strategy(data: Mapping[str, Any]) -> list[Problem]:
    spec = data.get("spec")
    found = spec.get("strategy") if isinstance(spec, _MAP) else None
    if not isinstance(found, _MAP):
        return []
    rolling = found.get("rollingUpdate")
    if found.get("type") == RECREATE:
        if rolling is not None:
            return [Problem((*_STRATEGY, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'",
                            at_key=True)]
        return []
    if not isinstance(rolling, _MAP):
        return []
    problems: list[Problem] = []
    unavailable_raw = rolling.get("maxUnavailable")
    unavailable, surge = _int_or_percent(unavailable_raw), _int_or_percent(rolling.get("maxSurge"))
    at = (*_STRATEGY, "rollingUpdate", "maxUnavailable")
    if unavailable == 0 and surge == 0:  # an absent value defaults to 25%
        problems.append(Problem(at, f"invalid value {json.dumps(unavailable_raw)}: may not be 0 when `maxSurge` is 0"))
    if isinstance(unavailable_raw, str) and unavailable is not None and unavailable > 100:
        problems.append(Problem(at, f"invalid value {json.dumps(unavailable_raw)}: must not be greater than 100%"))
    return problems
