"""Stage 7 (after attribute): each resource change's imperative equivalents, the `kubectl`/`gcloud` commands a person
would have typed for it, from its kind's `KindSpec.imperative` (planner.kinds.imperative for the default).

Kept on the plan (`ResourceChange.imperative`, the JSON plan's `imperative`), so every renderer reads the same
commands and a saved plan shows what it showed when it was made.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from planner import kinds
from planner.kinds import imperative as imp
from planner.plan import Action, Operation, ResourceChange

_DEFAULT = imp.kubernetes()


def with_commands(operations: list[Operation], changes: list[ResourceChange]) -> tuple[list[Operation],
                                                                                       list[ResourceChange]]:
    """The operations and changes again, every changed resource carrying its commands (no-ops carry none)."""
    others: dict[str, Any] = {c.address: c.after for c in changes if c.after is not None}
    done: dict[str, ResourceChange] = {}
    out: list[ResourceChange] = []
    for change in changes:
        if change.action is not Action.NOOP:
            hook = kinds.spec_of(change.family).imperative or _DEFAULT
            change = done[change.address] = dataclasses.replace(change, imperative=hook(change, others))
        out.append(change)
    return [Operation(op.phase, done.get(op.change.address, op.change), op.steps) for op in operations], out
