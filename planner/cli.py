"""The command line: parse options, call planner.api, pick a renderer, map results to exit codes.

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 any error, 2 changes present (only with
--detailed-exitcode), 130 interrupted (Ctrl-C; also at the confirmation prompt), 143 apply stopped by SIGTERM
(like Ctrl-C: after the operation in flight, with the state saved; 128 + the signal, as a shell reports it).
Warnings never change the exit code.

Imports: planner.api, the state backends (`open_backend`) and rich are imported inside the commands that use them.
At the top they would load pydantic, the schemas and the simulator before anything runs, and `planner --help` and
`planner version` would take ~190 ms to start instead of ~65 ms. The renderers are light and imported here.
"""

from __future__ import annotations

import enum
import gc
import os
import sys
from typing import IO, TYPE_CHECKING, Any, NoReturn

import typer
from typer.exceptions import TyperException

from planner import __version__, limits
from planner.errors import PlannerError
from planner.render import GET_RENDERERS, RENDERERS
from planner.render.apply import (
    render_apply_result,
    render_event,
    render_interrupted,
    render_recovery,
    render_saved_plan,
)
from planner.render.diagnostics import render_error, render_warnings
from planner.render.show import STATE_RENDERERS
from planner.render.validate import VALIDATE_RENDERERS, render_validate_failure_json
from planner.schemas import DEFAULT_KUBERNETES_VERSION
from planner.state import DEFAULT_STATE_FILE

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from planner.api import Options
    from planner.plan import Plan
    from planner.state import Backend, LockInfo, ReadResult, State

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


STATE_HELP = f"State file (default: {DEFAULT_STATE_FILE} in the working directory)."
K8S_HELP = "Kubernetes minor version whose schemas validate the input."
OutputOpt = typer.Option(PlanFormat.text, "-o", "--output", help="Output format.")
StateOpt = typer.Option(DEFAULT_STATE_FILE, "--state", help=STATE_HELP)
VersionOpt = typer.Option(DEFAULT_KUBERNETES_VERSION, "--kubernetes-version", help=K8S_HELP)
SkipOpt = typer.Option(False, "--skip-unknown", help="Skip documents of unknown kinds with a warning.")
LockTimeoutOpt = typer.Option(0.0, "--lock-timeout", help="Seconds to wait for the state lock.", min=0.0)


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _err(text: str) -> None:
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _report_read(read: ReadResult, written: bool) -> None:
    """What reading the state had to say: warnings, and a recovered interrupted apply (`written`: saved now)."""
    _err("\n".join(read.warnings))
    if read.recovered:
        _err(render_recovery(read, written=written))


def _fail(error: PlannerError, output: PlanFormat = PlanFormat.text) -> NoReturn:
    """Report the errors (stderr; with `-o json`, validate's JSON failure on stdout) and exit 1."""
    if output is PlanFormat.json:

        _out(render_validate_failure_json(error))
    else:

        _err(render_error(error))
    raise typer.Exit(EXIT_ERROR)


def _options(kubernetes_version: str, skip_unknown: bool) -> Options:
    from planner.api import Options

    return Options(kubernetes_version=kubernetes_version, skip_unknown=skip_unknown)


def _stdin_for(paths: list[str]) -> IO[bytes] | None:
    """Standard input when `-` is among the paths; None when it is closed (the loader then says so)."""
    if "-" not in paths or sys.stdin is None:
        return None
    return getattr(sys.stdin, "buffer", None)


@app.command()
def validate(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive *.yaml/*.yml) or - for stdin."),
    output: PlanFormat = OutputOpt,
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
) -> None:
    """Check YAML against the Kubernetes and Config Connector schemas; report every error with file:line:column."""
    from planner import api

    try:
        report = api.validate(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown))
    except PlannerError as exc:
        _fail(exc, output)
    if output is PlanFormat.text:  # JSON carries the warnings in the report
        _err(render_warnings(report.warnings))
    _out(VALIDATE_RENDERERS[output.value](report.to_wire()))


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
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        desired = api.load_desired(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown),
                                   secret_key=backend.secret_key)
        desired.roots = api.relative_roots(paths, backend)
        read = api.read_state(backend)
        _report_read(read, written=False)
        result = api.make_plan(desired, read.state)
        if out:
            api.save_plan(result, desired, out, read.state)
    except PlannerError as exc:
        _fail(exc)
    _out(RENDERERS[output.value](result.to_wire()))
    if out and output is PlanFormat.text:
        _out(render_saved_plan(out, state if state != DEFAULT_STATE_FILE else None))
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _confirm(question: str, auto_approve: bool, stdin_used: bool) -> None:
    if auto_approve:
        return
    if stdin_used or not sys.stdin.isatty():
        _err("Error: apply needs confirmation, and standard input is not a terminal: run it on a terminal, or "
             "pass --auto-approve.")
        raise typer.Exit(EXIT_ERROR)
    try:  # the prompt too: Ctrl-C may come as soon as it is shown, before readline starts
        _out(f"\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        _err("\nApply cancelled (interrupted).")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    # Exactly `yes`: only the line's end is taken off (not spaces: " yes " is not what was asked for).
    if answer.removesuffix("\n").removesuffix("\r") != "yes":
        _err("\nApply cancelled.")
        raise typer.Exit(EXIT_ERROR)


PROGRESS_THRESHOLD = 50
"""Applies with at least this many operations show a progress bar, when stderr is a terminal."""


def _progress_bar(total: int) -> tuple[Progress, TaskID] | None:
    """A rich progress bar on stderr; step lines keep going to stdout, above it."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True, redirect_stdout=True)
    return progress, progress.add_task("apply", total=total)


def _run_apply(plan_result: Plan, current: State, backend: Backend) -> None:
    from planner import api

    bar = _progress_bar(len(plan_result.operations))

    def on_event(event: api.ApplyEvent) -> None:
        text = render_event(event)
        if text:
            _out(text)
        if event.kind == "done" and bar is not None:
            bar[0].advance(bar[1])

    try:
        if bar is not None:
            bar[0].start()
        result = api.apply_plan(plan_result, current, backend, on_event)
    except api.Interrupted as exc:
        _err(render_interrupted(exc.done, exc.remaining))
        raise typer.Exit(128 + exc.signum) from None
    except PlannerError as exc:
        _fail(exc)
    finally:
        if bar is not None:
            bar[0].stop()
    _out(render_apply_result(result))


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
    from planner.state import open_backend

    saved_path = paths[0] if len(paths) == 1 and paths[0] != "-" and api.is_saved_plan(paths[0]) else None
    try:
        saved = api.load_saved_plan(saved_path) if saved_path is not None else None
        backend = open_backend(state)
        if saved is not None:
            desired = saved.desired
        else:
            desired = api.load_desired(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown),
                                       secret_key=backend.secret_key)
        if saved is None:
            desired.roots = api.relative_roots(paths, backend)
        with api.locked_state(backend, "apply", lock_timeout) as read:
            _report_read(read, written=True)
            if saved is not None:
                # Exactly the reviewed operations: the same state (lineage, serial, contents), and the plan
                # recomputed from the saved desired resources must be the one the file shows.
                api.check_not_stale(saved.state, read.state, saved.path, read.recovered)
                result = api.plan_to_apply(saved, read.state)
            else:
                result = api.make_plan(desired, read.state)
            _review_and_apply(result, read.state, backend,
                              None if saved else "Do you want to perform these actions?", auto_approve, "-" in paths)
    except PlannerError as exc:
        _fail(exc)


def _review_and_apply(result: Plan, current: State, backend: Backend, question: str | None, auto_approve: bool,
                      stdin_used: bool) -> None:
    """Show the plan, ask (unless it was a reviewed saved plan or --auto-approve), then apply it."""

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
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        with api.locked_state(backend, "destroy", lock_timeout) as read:
            _report_read(read, written=True)
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
    from planner import api
    from planner.state import open_backend

    try:
        if planfile:
            _out(_render_saved(planfile, api.load_saved_plan(planfile).wire, output))
            return
        text = STATE_RENDERERS[output.value](api.read_state(open_backend(state)).state.model_dump(mode="json"))
    except PlannerError as exc:
        _fail(exc)
    _out(text)


def _render_saved(planfile: str, wire: dict[str, Any], output: PlanFormat) -> str:
    """A saved plan's `plan` section, checked on load; a combination of values the checks did not foresee is
    still refused by name, never an internal error."""
    try:
        return RENDERERS[output.value](wire)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise PlannerError.single(f"{planfile} cannot be displayed: its plan section is inconsistent "
                                  f"({type(exc).__name__}: {str(exc)[:80]}): run plan again") from None


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
    from planner import api
    from planner.state import open_backend

    try:
        view, rows = api.get_rows(api.read_state(open_backend(state)).state, what)
    except PlannerError as exc:
        _fail(exc)
    _out(GET_RENDERERS[output.value](view, rows))


@app.command("force-unlock")
def force_unlock(
    state: str = StateOpt,
    force: bool = typer.Option(False, "--force", help="Break the lock even if its holder is still running, or "
                                                      "cannot be identified (another host, unreadable details)."),
) -> None:
    """Break the state lock. The kernel releases a dead process's lock by itself: this is for the rare stale case."""
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        holder = backend.holder()
        if holder is None:
            _out(f"{state} is not locked.\n")
            return
        # Only a holder known to be dead is broken without --force: one that is alive, or whose liveness cannot be
        # told from here (another host; details unreadable, as in the moment between its flock and writing them),
        # may be writing the state right now.
        alive = backend.holder_alive(holder)
        if alive is not False and not force:
            _err(_live_lock_message(state, holder, alive))
            raise typer.Exit(EXIT_ERROR)
        backend.force_unlock()
    except PlannerError as exc:
        _fail(exc)
    who = holder.describe() if holder.pid > 0 else "a holder whose details could not be read"
    _out(f"Lock on {state} broken (it was held by {who}).\n")


def _live_lock_message(state: str, holder: LockInfo, alive: bool | None) -> str:
    sure = ("pass --force if you are sure it is hung (breaking a live lock lets two applies write at once)")
    if alive:
        return f"Error: the lock on {state} is held by {holder.describe()}, which is still running. Stop it, or {sure}."
    if holder.pid <= 0:
        return (f"Error: the lock on {state} is held by a process whose details cannot be read (it may have just "
                "taken the lock, or its details are damaged): this machine cannot tell whether it is still running. "
                f"Wait and run force-unlock again, or {sure}.")
    return (f"Error: the lock on {state} is held by {holder.describe()}: this machine cannot tell whether it is still "
            f"running. Check on {holder.host}, or {sure}.")


@app.command()
def version() -> None:
    """Print planner's version."""
    _out(f"planner {__version__}\n")


def main() -> None:
    """Console entry point: Ctrl-C is 130, usage errors are 1, and no traceback is ever shown to a user."""
    # A run builds large trees of acyclic data (YAML documents, plans) and exits: the cyclic collector would scan
    # them again and again for nothing (a third of a 10,000-resource plan's time). Reference counting still frees.
    # Only for the run: main() also runs inside other processes (the tests call it in-process, hundreds of times),
    # which must get their collector back, so it is re-enabled (if it was on) however the run ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = _run()
    finally:
        if collecting:
            gc.enable()
    sys.exit(code)


def _run() -> int:
    """The app, with every way it can end mapped to an exit code."""
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
    return code if isinstance(code, int) else EXIT_OK
