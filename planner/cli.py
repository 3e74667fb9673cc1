"""The command line: parse options, call planner.api, pick a renderer, map results to exit codes.

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 any error, 2 changes present (only with
--detailed-exitcode), 130 interrupted. Warnings never change the exit code.
"""

from __future__ import annotations

import enum
import os
import sys
from typing import IO, TYPE_CHECKING, NoReturn

import typer

from planner import __version__

if TYPE_CHECKING:  # imported lazily at run time: `planner --help` must start fast
    from rich.progress import Progress

    from planner.api import Options
    from planner.errors import Diagnostic
    from planner.plan import Plan
    from planner.state import Backend, ReadResult, State

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="planner",
    help="A terraform-style planner for Google Kubernetes Engine: validate YAML, plan in execution order with the "
         "component that performs each step, and apply it to a simulated GKE.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class PlanFormat(str, enum.Enum):
    text = "text"
    json = "json"


STATE_HELP = "State file (default: planner.state.json in the working directory)."
K8S_HELP = "Kubernetes minor version whose schemas validate the input."
OutputOpt = typer.Option(PlanFormat.text, "-o", "--output", help="Output format.")
StateOpt = typer.Option("planner.state.json", "--state", help=STATE_HELP)
VersionOpt = typer.Option("1.34", "--kubernetes-version", help=K8S_HELP)
SkipOpt = typer.Option(False, "--skip-unknown", help="Skip documents of unknown kinds with a warning.")
LockTimeoutOpt = typer.Option(0.0, "--lock-timeout", help="Seconds to wait for the state lock.", min=0.0)


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _fail(error: object, output: PlanFormat = PlanFormat.text) -> NoReturn:
    from planner.errors import Diagnostic, PlannerError

    if isinstance(error, PlannerError):
        diagnostics = sorted(error.errors, key=Diagnostic.sort_key)
        warnings = [d for d in error.diagnostics if d.severity == "warning"]
        if output is PlanFormat.json:
            import json

            _out(json.dumps({"valid": False, "summary": error.summary(),
                             "diagnostics": [d.to_json() for d in diagnostics + warnings]}) + "\n")
        else:
            for d in diagnostics + warnings:
                _err(d.format())
            if len(diagnostics) > 1 or any(d.file for d in diagnostics):
                _err(error.summary())
    else:
        _err(f"Error: {error}")
    raise typer.Exit(EXIT_ERROR)


def _options(kubernetes_version: str, skip_unknown: bool) -> Options:
    from planner.api import Options

    return Options(kubernetes_version=kubernetes_version, skip_unknown=skip_unknown)


def _stdin_for(paths: list[str]) -> IO[bytes] | None:
    return sys.stdin.buffer if "-" in paths else None


def _warn(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        if d.severity == "warning":
            _err(d.format())


@app.command()
def validate(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive *.yaml/*.yml) or - for stdin."),
    output: PlanFormat = OutputOpt,
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
) -> None:
    """Check YAML against the Kubernetes and Config Connector schemas; report every error with file:line:column."""
    from planner import api
    from planner.errors import PlannerError

    try:
        report = api.validate(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown))
    except PlannerError as exc:
        _fail(exc, output)
    if output is PlanFormat.json:
        import json

        _out(json.dumps({"valid": True, "files": report.files, "documents": report.documents,
                         "kubernetes_version": report.kubernetes_version,
                         "diagnostics": [d.to_json() for d in report.warnings]}) + "\n")
    else:
        _warn(report.warnings)
        _out(f"Valid: {report.documents} resource(s) in {report.files} file(s) (Kubernetes "
             f"{report.kubernetes_version} schemas).\n")


@app.command()
def plan(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive *.yaml/*.yml) or - for stdin."),
    state: str = StateOpt,
    out: str | None = typer.Option(None, "--out", help="Save the plan to this file for `planner apply FILE`."),
    output: PlanFormat = OutputOpt,
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help="Exit 2 when there are changes."),
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
) -> None:
    """Show what apply would do, in execution order, with the component that performs each step."""
    from planner import api
    from planner.errors import PlannerError
    from planner.render import RENDERERS
    from planner.state import open_backend

    try:
        desired = api.load_desired(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown))
        backend = open_backend(state)
        desired.roots = api.relative_roots(paths, backend)
        read = api.read_state(backend)
        _recovery_warning(read, written=False)
        result = api.make_plan(desired, read.state)
        if out:
            api.save_plan(result, desired, out)
    except PlannerError as exc:
        _fail(exc)
    _out(RENDERERS[output.value](result.to_wire()))
    if out and output is PlanFormat.text:
        _out(f"\nSaved the plan to: {out}\nTo perform exactly these actions, run: planner apply {out}"
             f"{' --state ' + state if state != 'planner.state.json' else ''}\n")
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _recovery_warning(read: ReadResult, written: bool) -> None:
    """Say so when the read replayed an interrupted apply's journal (`written`: api wrote it into the state)."""
    if read.recovered:
        _err(f"Warning: an earlier apply was interrupted; {read.recovered} operation(s) it completed were recovered "
             f"from {read.journal}. " + ("They are now written into the state." if written else
                                         "The next apply writes them into the state."))


def _confirm(question: str, auto_approve: bool, stdin_used: bool) -> None:
    if auto_approve:
        return
    if stdin_used or not sys.stdin.isatty():
        _err("Error: apply needs confirmation, and standard input is not a terminal: run it on a terminal, or "
             "pass --auto-approve.")
        raise typer.Exit(EXIT_ERROR)
    _out(f"\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
    try:
        answer = sys.stdin.readline().strip()
    except KeyboardInterrupt:
        answer = ""
    if answer != "yes":
        _err("\nApply cancelled.")
        raise typer.Exit(EXIT_ERROR)


PROGRESS_THRESHOLD = 50
"""Applies with at least this many operations show a progress bar, when stderr is a terminal."""


def _progress_bar(total: int) -> Progress | None:
    """A rich progress bar on stderr; step lines keep going to stdout, above it."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True, redirect_stdout=True)
    progress.add_task("apply", total=total)
    return progress


def _run_apply(plan_result: Plan, current: State, backend: Backend) -> None:
    from planner import api
    from planner.errors import PlannerError

    verbs = {"create": ("Creating...", "Creation complete"), "update": ("Modifying...", "Modifications complete"),
             "delete": ("Destroying...", "Destruction complete")}

    progress = _progress_bar(len(plan_result.operations))

    def on_event(event: api.ApplyEvent) -> None:
        address, phase = event.operation.change.address, event.operation.phase
        if event.kind == "start":
            _out(f"{address}: {verbs[phase][0]}\n")
        elif event.kind == "step" and event.step is not None:
            step = event.step
            _out(f"  {step.index:>4}. [{step.actor}/{step.component}] {step.description}\n")
        elif event.kind == "done":
            _out(f"{address}: {verbs[phase][1]}: {event.summary}\n")
            for detail in event.details:
                _out(f"    {detail}\n")
            if progress is not None:
                progress.advance(0)

    try:
        if progress is not None:
            progress.start()
        result = api.apply_plan(plan_result, current, backend, on_event)
    except api.Interrupted as exc:
        _err(f"\nInterrupted: the operation in flight finished and the state was saved ({exc.done} operation(s) "
             f"done). Not done:")
        for line in exc.remaining:
            _err(f"  {line}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except PlannerError as exc:
        _fail(exc)
    finally:
        if progress is not None:
            progress.stop()
    counts = result.counts
    _out(f"\nApply complete! Resources: {counts['create']} added, {counts['update']} changed, {counts['replace']} "
         f"replaced, {counts['delete']} destroyed. State serial {result.serial}.\n")
    if result.pending_pods:
        _out(f"Note: {result.pending_pods} Pod(s) are Pending: no node has room for them (see `planner show`).\n")
    for line in result.outputs:
        _out(f"{line}\n")


@app.command()
def apply(
    paths: list[str] = typer.Argument(..., help="Files, directories or - (the desired state), or one saved plan."),
    state: str = StateOpt,
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Apply without asking for 'yes'."),
    lock_timeout: float = LockTimeoutOpt,
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
) -> None:
    """Carry out a plan against the simulated GKE and write the state."""
    from planner import api
    from planner.errors import PlannerError
    from planner.state import open_backend

    saved = len(paths) == 1 and paths[0] != "-" and api.is_saved_plan(paths[0])
    try:
        if saved:
            desired, saved_state = api.load_saved_plan(paths[0])
        else:
            desired = api.load_desired(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown))
        backend = open_backend(state)
        if not saved:
            desired.roots = api.relative_roots(paths, backend)
        with api.locked_state(backend, "apply", lock_timeout) as read:
            _recovery_warning(read, written=True)
            if saved:
                api.check_not_stale(saved_state, read.state, paths[0], read.recovered)
            _review_and_apply(api.make_plan(desired, read.state), read.state, backend,
                              None if saved else "Do you want to perform these actions?", auto_approve, "-" in paths)
    except PlannerError as exc:
        _fail(exc)


def _review_and_apply(result: Plan, current: State, backend: Backend, question: str | None, auto_approve: bool,
                      stdin_used: bool) -> None:
    """Show the plan, ask (unless it was a reviewed saved plan or --auto-approve), then apply it."""
    from planner.render import RENDERERS

    if question is not None or not result.has_changes:
        _out(RENDERERS["text"](result.to_wire()))
    if not result.has_changes:
        return
    if question is not None:
        _confirm(question, auto_approve, stdin_used)
    _out("\n")
    _run_apply(result, current, backend)


@app.command()
def destroy(
    state: str = StateOpt,
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Destroy without asking for 'yes'."),
    lock_timeout: float = LockTimeoutOpt,
) -> None:
    """Delete everything the state holds, in reverse order (LoadBalancer Services before their cluster)."""
    from planner import api
    from planner.errors import PlannerError
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        with api.locked_state(backend, "destroy", lock_timeout) as read:
            _recovery_warning(read, written=True)
            _review_and_apply(api.destroy_plan(read.state), read.state, backend,
                              "Do you really want to destroy all resources? There is no undo.", auto_approve, False)
    except PlannerError as exc:
        _fail(exc)


@app.command()
def show(
    planfile: str | None = typer.Argument(None, help="A saved plan; without it, the state."),
    state: str = StateOpt,
    output: PlanFormat = OutputOpt,
) -> None:
    """Show a saved plan, or what the state holds."""
    import json

    from planner import api
    from planner.errors import PlannerError
    from planner.render import RENDERERS
    from planner.render.state import render_state
    from planner.state import open_backend

    try:
        if planfile:
            if not os.path.exists(planfile):
                raise PlannerError.single("no such file", file=planfile)
            if not api.is_saved_plan(planfile):
                raise PlannerError.single(f"{planfile} is not a saved planner plan")
            with open(planfile, encoding="utf-8") as fh:
                wire = json.load(fh)["plan"]
            _out(RENDERERS[output.value](wire))
            return
        current = api.read_state(open_backend(state)).state
    except PlannerError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(f"cannot read {planfile}: {exc.strerror}")
    data = current.model_dump(mode="json")
    _out(json.dumps(data, separators=(",", ":")) + "\n" if output is PlanFormat.json else render_state(data))


class GetFormat(str, enum.Enum):
    text = "text"
    wide = "wide"
    json = "json"


@app.command()
def get(
    what: str = typer.Argument(..., help="nodes, instances, pods, deployments, replicasets, services or endpoints."),
    state: str = StateOpt,
    output: GetFormat = typer.Option(GetFormat.text, "-o", "--output", help="Output format."),
) -> None:
    """Show the simulated cluster as kubectl get (and gcloud compute instances list) would."""
    from planner import api, inspect
    from planner.errors import PlannerError
    from planner.render.get import render_get
    from planner.state import open_backend

    try:
        current = api.read_state(open_backend(state)).state
        found = inspect.rows(current, what)
    except PlannerError as exc:
        _fail(exc)
    _out(render_get(inspect.ALIASES.get(what, what), found, output.value))


@app.command("force-unlock")
def force_unlock(
    state: str = StateOpt,
    force: bool = typer.Option(False, "--force", help="Break the lock even if its holder is still running here."),
) -> None:
    """Break the state lock. The kernel releases a dead process's lock by itself: this is for the rare stale case."""
    from planner.errors import PlannerError
    from planner.state import open_backend

    try:
        backend = open_backend(state)
    except PlannerError as exc:
        _fail(exc)
    holder = backend.holder()
    if holder is None:
        _out(f"{state} is not locked.\n")
        return
    # A holder whose liveness cannot be told from here (another host) is broken without --force, as a dead one is.
    if backend.holder_alive(holder) is True and not force:
        _err(f"Error: the lock on {state} is held by {holder.describe()}, which is still running. Stop it, or pass "
             "--force if you are sure it is hung (breaking a live lock lets two applies write at once).")
        raise typer.Exit(EXIT_ERROR)
    backend.force_unlock()
    _out(f"Lock on {state} broken (it was held by {holder.describe()}).\n")


@app.command()
def version() -> None:
    """Print planner's version."""
    _out(f"planner {__version__}\n")


def main() -> None:
    """Console entry point: Ctrl-C is 130, usage errors are 1, and no traceback is ever shown to a user."""
    import gc

    from typer.exceptions import TyperException

    from planner import limits

    # A run builds large trees of acyclic data (YAML documents, plans) and exits: the cyclic collector would scan
    # them again and again for nothing (a third of a 10,000-resource plan's time). Reference counting still frees.
    gc.disable()
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _err("Interrupted.")
        code = EXIT_INTERRUPTED
    except TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _err(f"Error: {exc.format_message()}")
        code = EXIT_ERROR
    except RecursionError:
        _err(f"Error: the input nests too deeply to process (limit about {limits.MAX_DEPTH} levels).")
        code = EXIT_ERROR
    except MemoryError:
        _err("Error: out of memory: the input is too large for this machine.")
        code = EXIT_ERROR
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    except Exception as exc:  # a bug: say so plainly, no traceback unless asked for
        if os.environ.get("PLANNER_DEBUG"):
            raise
        _err(f"planner: internal error: {type(exc).__name__}: {exc}\n(set PLANNER_DEBUG=1 for a traceback, and "
             "please report it)")
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
