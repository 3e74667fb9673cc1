"""The two things that make runs differ when nothing else does: the clock and a new state's lineage. Both can be
fixed through the environment, so documentation and tests show reproducible names, addresses and ages:

- `PLANNER_NOW` (an ISO 8601 time, e.g. `2026-01-01T00:00:00+00:00`) is "now" for the simulation's timestamps and
  for the AGE columns of `planner get`;
- `PLANNER_LINEAGE` is the lineage a new state gets (the simulation is seeded from it: VM names, IPs, nodePorts).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

NOW_VARIABLE, LINEAGE_VARIABLE = "PLANNER_NOW", "PLANNER_LINEAGE"


def now() -> datetime:
    fixed = os.environ.get(NOW_VARIABLE)
    if fixed:
        try:
            parsed = datetime.fromisoformat(fixed)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def now_text() -> str:
    return now().isoformat(timespec="seconds")


def new_lineage() -> str:
    return os.environ.get(LINEAGE_VARIABLE) or str(uuid.uuid4())
