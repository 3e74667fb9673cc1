"""The small public surface the CLI calls: validate, plan, read the state (and recover it under the lock), save/load a
plan, apply, destroy.

Library code never prints or exits: it returns values, reports progress through a callback, and raises
`PlannerError` (with every diagnostic) or `Interrupted`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from planner import cache, inspect, kinds, mass_deletion, pipeline, plan_cache, runs, state_secrets, targeting
from planner.attribute import applied_steps, attribute, facts_for
from planner.commands import with_commands
from planner.diff import diff
from planner.errors import Diagnostic, PlannerError
from planner.kinds.base import GetView
from planner.model import DesiredState, SecretKey
from planner.order import order
from planner.plan import Action, Operation, Plan, Step
from planner.plan_cache import PlanKey
from planner.plan_cache import remember_plan as remember_plan
from planner.plan_cache import remembered_plan as remembered_plan
from planner.preview import Prepared, foresee, prepare
from planner.saved import SavedPlan as SavedPlan  # saved plans live in planner.saved; re-exported here
from planner.saved import check_not_stale as check_not_stale
from planner.saved import is_saved_plan as is_saved_plan
from planner.saved import load_saved_plan as load_saved_plan
from planner.saved import plan_to_apply as plan_to_apply
from planner.saved import save_plan as save_plan
from planner.saved import state_digest as state_digest
from planner.schemas import DEFAULT_KUBERNETES_VERSION, resolve_version
from planner.simulate.engine import Engine
from planner.state import Backend, ReadResult, State
from planner.state.versions import migrate_state as migrate_state
from planner.state.versions import rollback_state as rollback_state
from planner.state.versions import state_history as state_history
from planner.state.versions import state_version as state_version
from planner.validate import check_stored_manifests


@dataclass(frozen=True)
class Options:
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    skip_unknown: bool = False
    use_cache: bool = True
    """Unchanged input files come from planner.cache (--no-cache and PLANNER_NO_CACHE=1 turn it off)."""


@dataclass
class ValidationReport:
    files: int
    documents: int
    kubernetes_version: str
    warnings: list[Diagnostic]

    def to_wire(self) -> dict[str, Any]:
        """The JSON report of `validate -o json` (the renderers read this)."""
        return {"valid": True, "files": self.files, "documents": self.documents,
                "kubernetes_version": self.kubernetes_version, "diagnostics": [d.to_json() for d in self.warnings]}


def relative_roots(paths: list[str], backend: Backend) -> list[str]:
    """Input roots as recorded in the state: relative to the state file's folder (the working directory for a
    backend in no folder), so the same checkout planned from another working directory (or another clone) is
    recognised as the same input."""
    base = backend.folder() or os.getcwd()
    return sorted({p if p == "-" else os.path.relpath(os.path.abspath(p), base) for p in paths})


def load_desired(paths: list[str], stdin: IO[bytes] | None = None, options: Options = Options(),
                 complete: bool = True, secret_key: SecretKey | None = None,
                 meanwhile: Callable[[], None] | None = None, idle: Callable[[], None] | None = None) -> DesiredState:
    """load -> validate -> model. Raises PlannerError with every problem found in every file.

    `complete`: the input is the whole cluster (plan, apply), so dangling references are errors.
    `secret_key`: the key of the secret values' digests, the state backend's `secret_key` (plan, apply); without
    it (validate, which compares no digests) a random key of this process. `meanwhile` is done while a second
    process loads, `idle` if this one would then wait for it (see planner.pipeline); neither may raise."""
    return pipeline.load_desired(paths, stdin, options.kubernetes_version, options.skip_unknown, complete,
                                 secret_key, options.use_cache, meanwhile, idle)


@dataclass
class Loaded:
    """What plan reads before it plans: the input, the state and (when there was time) the state's simulated
    cluster, rebuilt for the preview."""

    desired: DesiredState
    read: ReadResult
    prepared: Prepared | None = None


def load_and_read(paths: list[str], stdin: IO[bytes] | None, options: Options, backend: Backend) -> Loaded:
    """plan's two reads, the input and the state: the state is read in this process while a second one loads the
    input files the cache does not hold, and the preview's cluster rebuilt if this one would then wait. What the
    user sees is the order of `load_desired` then `read_state`: the input's errors come first (the state's are
    raised only when it has none), and old secret digests in the state are upgraded after the input's values were
    loaded."""
    box: list[ReadResult | PlannerError] = []
    prepared: list[Prepared] = []

    def read_meanwhile() -> None:
        try:
            with cache.turned_off(not options.use_cache):
                box.append(backend.read())
        except PlannerError as exc:
            box.append(exc)

    def while_waiting() -> None:
        if box and isinstance(box[0], ReadResult) and not box[0].recovered:
            prepared.append(prepare(box[0].state, resolve_version(options.kubernetes_version)))

    desired = load_desired(paths, stdin, options, secret_key=backend.secret_key, meanwhile=read_meanwhile,
                           idle=while_waiting)
    desired.roots = relative_roots(paths, backend)
    read = box[0] if box else PlannerError.single("the state was not read")  # pragma: no cover - always read
    if isinstance(read, PlannerError):
        raise read
    return Loaded(desired, _finish_read(read, backend), prepared[0] if prepared else None)


def validate(paths: list[str], stdin: IO[bytes] | None = None, options: Options = Options()) -> ValidationReport:
    desired = load_desired(paths, stdin, options, complete=False)
    files = {r.document.source.name for r in desired.resources.values() if r.document is not None}
    return ValidationReport(len(files), len(desired.resources), desired.kubernetes_version, desired.warnings)


def make_plan(desired: DesiredState, state: State, destroy: bool = False, targets: tuple[str, ...] = (),
              excluded: tuple[str, ...] = (), commands: bool = True, state_digest: bytes | None = None,
              prepared: Prepared | None = None) -> Plan:
    """diff -> order -> (narrow) -> attribute -> commands: a pure function of the desired resources and the state
    (`destroy`: the plan of `planner destroy`, whose deletions are asked for, so it carries no mass-deletion banner;
    `targets` and `excluded`: --target and --exclude, see planner.targeting). `commands=False` leaves out the
    imperative equivalents, for an output that does not show them: writing a create's manifest out as
    `kubectl apply -f -` is a third of a 10,000-resource plan's time. `state_digest`: the digest of the bytes the
    state was parsed from (ReadResult.digest), by which planner.cache knows its manifests were checked before.
    `prepared`: the state's simulated cluster, rebuilt ahead (load_and_read)."""
    check_stored_manifests(state, desired, state_digest)
    known = [*desired.resources, *state.resources]
    targeting.check_addresses(targets, known, "--target")
    targeting.check_addresses(excluded, known, "--exclude")
    changes, warnings = diff(desired, state, destroy)
    changes = runs.with_drift(changes, state)
    if not destroy:
        warnings += mass_deletion.banner(changes, desired, state) or _other_input(desired, state)  # one banner
    operations, ordered = order(changes)
    operations, ordered, narrowed = targeting.narrow(operations, ordered, targets, excluded)
    warnings += narrowed
    statuses = {address: resource.status for address, resource in state.resources.items()}
    foreseeing = foresee(operations, state, desired.kubernetes_version, prepared)  # meanwhile, for a large plan
    try:
        operations, notes = attribute(operations, ordered, statuses, desired.kubernetes_version)
        if commands:
            operations, ordered = with_commands(operations, ordered)
        foreseen = foreseeing.result()
    finally:
        foreseeing.stop()
    return Plan(
        operations=tuple(operations), changes=tuple(ordered),
        diagnostics=tuple(desired.warnings + warnings + foreseen + notes),
        state_lineage=state.lineage, state_serial=state.serial, roots=tuple(desired.roots),
        previous_roots=tuple(state.roots) if state.resources else (), kubernetes_version=desired.kubernetes_version,
        targets=tuple(sorted(set(targets))), excluded=tuple(sorted(set(excluded))),
    )


def plan_key(paths: list[str], options: Options, backend: Backend, destroy: bool = False,
             targets: tuple[str, ...] = (), excluded: tuple[str, ...] = (), commands: bool = True) -> PlanKey | None:
    """Where the plan of these inputs against this backend's state is kept (planner.plan_cache), or None."""
    if not options.use_cache:
        return None
    roots = [] if destroy else relative_roots(paths, backend)
    return plan_cache.plan_key(paths, roots, options.kubernetes_version, options.skip_unknown, backend, destroy,
                               targets, excluded, commands)


def _other_input(desired: DesiredState, state: State) -> list[Diagnostic]:
    """The input roots differ from the last apply's: said before the plan (and in JSON), since what the state holds
    and this input does not declare is planned for deletion."""
    if not state.resources or not mass_deletion.roots_differ(desired, state):
        return []
    return [Diagnostic("warning", f"{mass_deletion.other_input_text(desired, state)}: everything the state holds "
                                  "that this input does not declare is planned for deletion.", banner=True)]


def command_plan(argv: list[str], state: State, secret_key: SecretKey) -> Plan:
    """`planner run -- <command>`: the plan of the one change the kubectl or gcloud command makes (planner.runs),
    carrying the origin apply records on that resource. Raises PlannerError for an unsupported or malformed
    command, before anything is written."""
    desired, address, command = runs.command_desired(argv, state, secret_key)
    plan = make_plan(desired, state)
    origins = runs.origins_for({c.address: c for c in plan.changes}, address, command, state)
    return dataclasses.replace(plan, origins=origins)


def export_state(state: State) -> tuple[str, list[str]]:
    """`planner export`: the state as YAML documents, and the warnings about placeholders (planner.export)."""
    from planner.export import export

    return export(state)


def destroyed_desired(state: State) -> DesiredState:
    """What `planner destroy` asks for: nothing, with the state's own roots and Kubernetes version."""
    return DesiredState({}, list(state.roots), state.kubernetes_version or DEFAULT_KUBERNETES_VERSION)


def destroy_plan(state: State, targets: tuple[str, ...] = (), excluded: tuple[str, ...] = ()) -> Plan:
    return make_plan(destroyed_desired(state), state, destroy=True, targets=targets, excluded=excluded)


# ---------------------------------------------------------------- state


def read_state(backend: Backend, use_cache: bool = True) -> ReadResult:
    """The state for plan, show and get: an interrupted apply's journal is replayed in memory only (`recovered`
    says how many operations); the next apply writes them into the state. `use_cache`: the parsed state may come
    from planner.cache (found by the state's bytes)."""
    with cache.turned_off(not use_cache):
        read = backend.read()
    return _finish_read(read, backend)


def _finish_read(read: ReadResult, backend: Backend) -> ReadResult:
    """A read's secret values made safe: digests of an older state under the backend's key, env literals masked."""
    state_secrets.upgrade_legacy_digests(read.state, backend.secret_key)
    if read.recovered or not cache.known_clean(read.state):  # one from the cache holds no env literal to mask
        state_secrets.mask_env_literals(read.state, backend.secret_key)
    return read


@contextmanager
def locked_state(backend: Backend, operation: str, timeout: float = 0.0,
                 use_cache: bool = True) -> Iterator[ReadResult]:
    """Hold the state lock for `operation` (apply, destroy) and read the state under it. An interrupted apply's
    recovered journal is written into the state at once (one write; `recovered` says how many operations), so what
    follows starts from a compact state."""
    with backend.lock(operation, timeout):
        with cache.turned_off(not use_cache):
            read = backend.read()
        if read.recovered:
            backend.write(read.state, read.state.serial)
        state_secrets.upgrade_legacy_digests(read.state, backend.secret_key)
        if read.recovered or not cache.known_clean(read.state):
            state_secrets.mask_env_literals(read.state, backend.secret_key)
        yield read


def get_rows(state: State, what: str, namespace: str | None = None, name: str | None = None,
             selector: str | None = None) -> tuple[GetView, list[dict[str, Any]]]:
    """`planner get WHAT [NAME] [-n NS] [-l SELECTOR]`: the view WHAT names (aliases resolved: `po` is `pods`) and
    its rows, narrowed as kubectl narrows them."""
    view = inspect.view(what)
    rows = inspect.select(view, inspect.view_rows(view, state), namespace, name, selector, state)
    if namespace is not None:  # one namespace: kubectl drops the NAMESPACE column
        view = dataclasses.replace(view, columns=tuple(c for c in view.columns if c[0] != "NAMESPACE"))
    return view, rows


def cluster_picture(state: State) -> dict[str, Any]:
    """What `planner show -o html` draws: the state's nodes, Pods, Services and load balancers (planner.picture)."""
    from planner.picture import picture

    return picture(state)


def plan_pictures(plan: Plan, state: State) -> dict[str, Any]:
    """The plan page's cluster before and after: the plan's operations run, as plan's preview runs them, on a
    copy-on-write view of the state (nothing is written; the same lineage, so the same names every time). A plan
    apply would refuse has no after picture, and says why."""
    before = cluster_picture(state)
    view = State(serial=state.serial, lineage=state.lineage or "preview", roots=state.roots,
                 kubernetes_version=state.kubernetes_version, resources=dict(state.resources))
    try:
        engine = Engine(view, copy_on_write=True, kubernetes_version=plan.kubernetes_version)
        for op in plan.operations:
            engine.run(op)
    except PlannerError as exc:
        return {"before": before, "after": None, "problem": "; ".join(d.message for d in exc.errors)}
    return {"before": before, "after": cluster_picture(view), "problem": None}


# ---------------------------------------------------------------- apply


@dataclass
class ApplyEvent:
    """Progress for the CLI: an operation starts, a step is done, an operation is done."""

    kind: str
    operation: Operation
    step: Step | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ApplyResult:
    counts: dict[str, int]
    outputs: list[dict[str, Any]]
    pending_pods: int
    serial: int


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM during apply: the operation in flight finished and the state was saved."""

    def __init__(self, done: int, remaining: list[str], signum: int = signal.SIGINT) -> None:
        super().__init__(f"interrupted after {done} operation(s); not done: {len(remaining)}")
        self.done = done
        self.remaining = remaining
        self.signum = signum
        """The signal that stopped the apply (the CLI exits 128 + signum: 130 for SIGINT, 143 for SIGTERM)."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""Signals that stop an apply gracefully: Ctrl-C, and what `kill`, systemd, docker stop and CI runners send."""


@contextmanager
def _deferred_interrupts() -> Iterator[list[int]]:
    """Turn SIGINT and SIGTERM into a flag checked between operations (0, or the first signal received), so the
    operation in flight always completes and the state is saved before the process exits."""
    flag = [0]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: object) -> None:
        flag[0] = flag[0] or signum

    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield flag
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


def apply_plan(plan: Plan, state: State, backend: Backend,
               on_event: Callable[[ApplyEvent], None] = lambda e: None) -> ApplyResult:
    """Carry out the plan's operations in order against the simulated GKE, starting from `state` as read.

    Each completed operation is appended to the backend's journal; the state is written once, at the end (or when
    an operation fails, or on Ctrl-C or SIGTERM after the operation in flight), on condition that the stored state
    is still the one read. Apply time is linear in the plan's size."""
    base_serial = state.serial
    facts = facts_for(list(plan.changes), {a: r.status for a, r in state.resources.items()},
                      plan.kubernetes_version)
    engine = Engine(state, kubernetes_version=plan.kubernetes_version)
    counts = {"create": 0, "update": 0, "replace": 0, "delete": 0, "forget": 0}
    done = 0
    operations = plan.operations
    journal = backend.journal(state)
    try:
        with _deferred_interrupts() as interrupted:
            for position, op in enumerate(operations):
                if interrupted[0]:
                    _finish(state, plan, backend, base_serial)
                    raise Interrupted(done, [f"{o.phase} {o.change.address}" for o in operations[position:]],
                                      interrupted[0])
                on_event(ApplyEvent("start", op))
                try:
                    result = engine.run(op)
                except PlannerError as exc:
                    journal.close()
                    # The in-memory world may hold half of the failed operation: keep what the journal recorded.
                    recorded = backend.read().state
                    _finish(recorded, plan, backend, base_serial)
                    raise PlannerError([Diagnostic(
                        "error", f"apply stopped at {op.phase} {op.change.address}: {d.message}. The {done} "
                                 "operation(s) completed before it are saved in the state.",
                        address=op.change.address) for d in exc.errors]) from None
                record = state.resources.get(op.change.address)
                if record is not None:  # planner run's resource records the command; any other apply clears it
                    record.origin = plan.origins.get(op.change.address)
                journal.record(state, result.touched | ({op.change.address} if record is not None else set()),
                               result.removed)
                stored = state.resources.get(op.change.address)
                if stored is not None:
                    facts.live[op.change.address] = stored.status
                for step in applied_steps(op, facts):  # the plan's steps, naming what was really allocated
                    on_event(ApplyEvent("step", op, step))
                on_event(ApplyEvent("done", op, summary=result.summary, details=result.details))
                done += 1
                if not (op.phase == "delete" and op.change.action is Action.REPLACE):
                    counts[op.change.action.value] += 1
            journal.close()
            _finish(state, plan, backend, base_serial)
    finally:
        journal.close()
    outputs = [event for spec in kinds.specs() if spec.outputs is not None for event in spec.outputs(state)]
    return ApplyResult(counts, outputs, engine.pending_pods(), state.serial)


def _finish(state: State, plan: Plan, backend: Backend, base_serial: int) -> None:
    state.roots = list(plan.roots)
    state.kubernetes_version = plan.kubernetes_version
    backend.write(state, base_serial, plan_digest(plan))


def plan_digest(plan: Plan) -> str:
    """What a version's history row says made it: a digest of the plan's operations (phase, action, address, in
    order) and its Kubernetes version. Linear in the plan's size."""
    digest = hashlib.sha256(plan.kubernetes_version.encode())
    for op in plan.operations:
        digest.update(f"\n{op.phase} {op.change.action.value} {op.change.address}".encode())
    return "sha256:" + digest.hexdigest()
