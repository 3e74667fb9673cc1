"""The mass-deletion banner: a plan that destroys every resource the state holds, or more than half of them, says
so before anything else, with the count and the most likely reason.

Such a plan is rarely meant: the usual causes are an input that lost its resources (a folder of `kind: List`
files skipped with --skip-unknown, an empty or wrong path) or an input that is not the one the last apply used.
terraform shows a destroy-everything plan like any other; planner puts it first, as it does a replaced cluster.
`planner destroy` asks for exactly this, so its plan carries no banner (api.destroy_plan).
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.errors import Diagnostic
from planner.model import DesiredState
from planner.plan import Action, ResourceChange
from planner.state import State

SHARE = 0.5
"""More than this share of the state's resources destroyed by one plan is a mass deletion (or all of them)."""


def banner(changes: Sequence[ResourceChange], desired: DesiredState, state: State) -> list[Diagnostic]:
    """The banner when the plan destroys all or most of what the state holds; nothing otherwise."""
    held = len(state.resources)
    destroyed = sum(1 for c in changes if c.action is Action.DELETE)
    if not held or not destroyed or (destroyed < held and destroyed <= held * SHARE):
        return []
    share = "all of them" if destroyed == held else f"more than {SHARE:.0%}"
    message = (f"MASS DELETION: this plan destroys {destroyed} of the {held} resources the state holds ({share}): "
               f"{_reason(desired, state)}. Do not apply unless that is what you mean; `planner destroy` deletes "
               "everything on purpose.")
    return [Diagnostic("warning", message, banner=True)]


def roots_differ(desired: DesiredState, state: State) -> bool:
    """The input is not the one the last apply used (the same paths in another order are the same input)."""
    return bool(state.roots) and sorted(state.roots) != sorted(desired.roots)


def other_input_text(desired: DesiredState, state: State) -> str:
    return (f"the input is not the one the last apply used (last apply: {' '.join(state.roots)}; this plan: "
            f"{' '.join(desired.roots)})")


def _reason(desired: DesiredState, state: State) -> str:
    """The most specific explanation the input and state give, most likely cause first."""
    skipped = (f" ({desired.skipped} document{'s' if desired.skipped != 1 else ''} skipped as unknown kinds by "
               "--skip-unknown)") if desired.skipped else ""
    if not desired.resources:
        return f"the input has no resources{skipped}"
    if roots_differ(desired, state):
        return f"{other_input_text(desired, state)}{skipped}"
    old, new = state.cluster, desired.cluster
    if old is not None and new is not None and old.address != new.address:
        return f"the input declares {new.address}, not {old.address}, which the state holds{skipped}"
    return f"the input no longer declares them{skipped}"
