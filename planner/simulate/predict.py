"""A plan's preview of apply: the operations run on a copy-on-write view of the state, so the plan can warn before
anything happens ("2 of 20 Pods of web will stay Pending: 0/3 nodes are available: 3 Insufficient cpu") and refuse
what apply would certainly fail (an exhausted address range, a nodePort already taken).

Pending Pods and stalled rollouts are status, not drift: a plan with nothing to change still repeats them.
"""

from __future__ import annotations

from collections.abc import Iterable

from planner.errors import Diagnostic, PlannerError
from planner.plan import Operation
from planner.simulate.engine import Engine
from planner.state import State, StoredResource


def preview(operations: tuple[Operation, ...] | list[Operation], state: State) -> list[Diagnostic]:
    """Warnings about the state that applying `operations` would leave; PlannerError if apply would fail."""
    if not operations:
        return status_warnings(state.resources.values(), future=False)
    view = State(serial=state.serial, lineage=state.lineage or "preview", roots=state.roots,
                 resources=dict(state.resources))
    engine = Engine(view, copy_on_write=True)
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
    """One warning per Deployment with Pending Pods or a stalled rollout."""
    out: list[Diagnostic] = []
    for resource in resources:
        if resource.family != "deployment":
            continue
        status = resource.status
        pods = status.get("pods") or []
        pending = [p for p in pods if not p.get("node")]
        if pending:
            reason = pending[0].get("reason", "").removeprefix("Unschedulable: ")
            verb = "will stay" if future else "are"
            out.append(Diagnostic("warning", f"{len(pending)} of {len(pods)} Pods {verb} Pending: {reason}",
                                  address=resource.address))
        rollout = status.get("rollout") or {}
        if rollout.get("stalled"):
            verb = "will stall" if future else "is stalled"
            out.append(Diagnostic("warning", f"the rollout {verb} ({rollout.get('reason')}): {rollout.get('message')}",
                                  address=resource.address))
    return sorted(out, key=lambda d: (d.address or "", d.message))
