"""Stage 7: a plan's preview of apply. The operations run on a copy-on-write view of the state, so the plan can
warn before anything happens ("2 of 20 Pods of web will stay Pending: 0/3 nodes are available: 3 Insufficient cpu")
and refuse what apply would certainly fail (an exhausted address range, a nodePort already taken).

Pending Pods and stalled rollouts are status, not drift: a plan with nothing to change still repeats them.
"""

from __future__ import annotations

from collections.abc import Iterable

from planner import kinds
from planner.errors import Diagnostic, PlannerError
from planner.plan import Operation
from planner.simulate.engine import Engine
from planner.state import State, StoredResource


def preview(operations: tuple[Operation, ...] | list[Operation], state: State,
            kubernetes_version: str = "") -> list[Diagnostic]:
    """Warnings about the state that applying `operations` would leave; PlannerError if apply would fail."""
    if not operations:
        return status_warnings(state.resources.values(), future=False)
    view = State(serial=state.serial, lineage=state.lineage or "preview", roots=state.roots,
                 resources=dict(state.resources))
    engine = Engine(view, copy_on_write=True, kubernetes_version=kubernetes_version)
    touched: set[str] = set()
    for op in operations:
        try:
            result = engine.run(op)
        except PlannerError as exc:
            raise PlannerError([Diagnostic("error", f"apply would fail at {op.phase} {op.change.address}: "
                                                    f"{d.message}", address=op.change.address)
                                for d in exc.errors]) from None
        touched |= result.touched
    changed = [view.resources[a] for a in sorted(touched) if a in view.resources]
    untouched = [r for a, r in state.resources.items() if a not in touched and a in view.resources]
    return status_warnings(changed, future=True) + status_warnings(untouched, future=False)


def status_warnings(resources: Iterable[StoredResource], future: bool) -> list[Diagnostic]:
    """Each kind's warnings about its live object (Pending Pods, stalled rollouts)."""
    out: list[Diagnostic] = []
    for resource in resources:
        hook = kinds.spec_of(resource.family).status_warnings
        if hook is not None:
            out += hook(resource, future)
    return sorted(out, key=lambda d: (d.address or "", d.message))
