"""Stage 7: a plan's preview of apply. The operations run on a copy-on-write view of the state, so the plan can
warn before anything happens ("2 of 20 Pods of web will stay Pending: 0/3 nodes are available: 3 Insufficient cpu")
and refuse what apply would certainly fail (an exhausted address range, a nodePort already taken).

Pending Pods and stalled rollouts are status, not drift: a plan with nothing to change still repeats them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

from planner import kinds, second_process
from planner.errors import Diagnostic, PlannerError
from planner.plan import Operation
from planner.simulate.engine import Engine
from planner.state import State, StoredResource


class Prepared:
    """The simulated cluster of a state, rebuilt ahead of its preview (`prepare`): planner.api builds it while it
    would otherwise wait for the second process (planner.pipeline); the preview takes it once, for that state."""

    def __init__(self, state: State, kubernetes_version: str) -> None:
        self.state = state
        self.kubernetes_version = kubernetes_version
        self.engine: Engine | None = None

    def take(self, state: State, kubernetes_version: str) -> Engine | None:
        engine, self.engine = self.engine, None
        return engine if state is self.state and kubernetes_version == self.kubernetes_version else None


def prepare(state: State, kubernetes_version: str) -> Prepared:
    """Rebuild the world of `state` for its preview. A state that cannot be rebuilt is left to the preview, which
    reports it where the plan would."""
    prepared = Prepared(state, kubernetes_version)
    if state.resources:
        with contextlib.suppress(PlannerError):
            prepared.engine = _engine(state, kubernetes_version)
    return prepared


def _engine(state: State, kubernetes_version: str) -> Engine:
    view = State(serial=state.serial, lineage=state.lineage or "preview", roots=state.roots,
                 resources=dict(state.resources))
    return Engine(view, copy_on_write=True, kubernetes_version=kubernetes_version)


PARALLEL_MIN_OPERATIONS = 500
"""Plans with at least this many operations have their preview computed by a second process while this one
attributes their steps (neither needs the other's result): forking costs ~20 ms, a preview of 10,000 creates ~0.3 s."""


class Foreseeing:
    """A preview under way (`foresee`): computed by a second process, or here when `result` is asked for."""

    def __init__(self, pending: second_process.Pending | None, compute: Callable[[], list[Diagnostic]]) -> None:
        self._pending = pending
        self._compute = compute

    def result(self) -> list[Diagnostic]:
        """The preview's warnings; PlannerError if apply would fail, as `preview` raises it."""
        if self._pending is None:
            return self._compute()
        failed, diagnostics = self._pending.get()
        if failed:
            raise PlannerError(diagnostics)
        return list(diagnostics)

    def stop(self) -> None:
        if self._pending is not None:
            self._pending.stop()


def foresee(operations: list[Operation], state: State, kubernetes_version: str = "",
            prepared: Prepared | None = None) -> Foreseeing:
    """`preview`, started: in a second process for a large plan (the simulation needs neither the steps nor the
    commands, which this process adds meanwhile), otherwise when its result is asked for."""

    def compute() -> list[Diagnostic]:
        return preview(operations, state, kubernetes_version, prepared)

    if len(operations) < PARALLEL_MIN_OPERATIONS:
        return Foreseeing(None, compute)
    return Foreseeing(second_process.start_inheriting(_outcome, compute), compute)


def _outcome(compute: Callable[[], list[Diagnostic]]) -> tuple[bool, list[Diagnostic]]:
    """The child's answer: (failed, diagnostics); an error is sent as its diagnostics, not pickled as an exception."""
    try:
        return False, compute()
    except PlannerError as exc:
        return True, exc.diagnostics


def preview(operations: tuple[Operation, ...] | list[Operation], state: State,
            kubernetes_version: str = "", prepared: Prepared | None = None) -> list[Diagnostic]:
    """Warnings about the state that applying `operations` would leave; PlannerError if apply would fail."""
    if not operations:
        return status_warnings(state.resources.values(), future=False)
    engine = (prepared.take(state, kubernetes_version) if prepared is not None else None) or \
        _engine(state, kubernetes_version)
    view = engine.state
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
