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

import gc
import os
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import typer
from typer.core import TyperArgument
from typer.exceptions import TyperException

from planner import __version__, limits
from planner.cli_apply import JsonLines
from planner.cli_apply import fail_run as _fail_run
from planner.cli_apply import review_and_apply as _review_and_apply
from planner.cli_explain import explain
from planner.cli_get import get
from planner.cli_io import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    DocFormat,
    ExcludeOpt,
    ExplainOpt,
    MaxSizeOpt,
    NoCacheOpt,
    PlanFormat,
    ShowCommandsOpt,
    StateOpt,
    TargetOpt,
    Terminal,
)
from planner.cli_io import err as _err
from planner.cli_io import fail as _fail
from planner.cli_io import keep as _keep
from planner.cli_io import options as _options
from planner.cli_io import out as _out
from planner.cli_io import out_doc as _out_doc
from planner.cli_io import out_text as _out_text
from planner.cli_lock import force_unlock
from planner.cli_run import export as export_command
from planner.cli_run import run as run_command
from planner.cli_state import state_app
from planner.errors import PlannerError
from planner.render import plan_chunks, plan_renderer
from planner.render.apply import render_recovery, render_saved_plan
from planner.render.diagnostics import render_warnings
from planner.render.show import STATE_RENDERERS
from planner.render.validate import VALIDATE_RENDERERS
from planner.schemas import DEFAULT_KUBERNETES_VERSION
from planner.state import DEFAULT_STATE_FILE

if TYPE_CHECKING:

    from planner.state import Backend, ReadResult, State


# Typer prints an argument's Python type beside its name in help (`PATH... <list[str]>`); the metavars say it.
TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]

app = typer.Typer(
    name="planner",  # its help is the callback's docstring (_main_options)
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        _out(f"planner {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main_options(
    version: bool = typer.Option(False, "--version", help="Print planner's version and exit.", is_eager=True,
                                 callback=_print_version),
    no_color: bool = typer.Option(False, "--no-color", help="No colour on a terminal (also: NO_COLOR set)."),
) -> None:
    """A terraform-style planner for Google Kubernetes Engine: validate YAML, plan in execution order with the
    component that performs each step, and apply it to a simulated GKE."""
    Terminal.colour = not no_color


K8S_HELP = "Kubernetes minor version whose schemas validate the input."
OutputOpt = typer.Option(PlanFormat.text, "-o", "--output", help="Output format.")
DocOpt = typer.Option(DocFormat.text, "-o", "--output", help="Output format.")
OpenOpt = typer.Option(False, "--open", help="Write the -o html page to a file and open it in the browser.")
VersionOpt = typer.Option(DEFAULT_KUBERNETES_VERSION, "--kubernetes-version", metavar="1.N", help=K8S_HELP)
SkipOpt = typer.Option(False, "--skip-unknown", help="Skip documents of unknown kinds with a warning.")
LockTimeoutOpt = typer.Option(0.0, "--lock-timeout", metavar="SECONDS", help="Seconds to wait for the state lock.",
                              min=0.0)


def _report_read(read: ReadResult, written: bool) -> None:
    """What reading the state had to say: warnings, and a recovered interrupted apply (`written`: saved now)."""
    _err("\n".join(read.warnings))
    if read.recovered:
        _err(render_recovery(read, written=written))


def _stdin_for(paths: list[str]) -> IO[bytes] | None:
    """Standard input when `-` is among the paths; None when it is closed (the loader then says so)."""
    if "-" not in paths or sys.stdin is None:
        return None
    return getattr(sys.stdin, "buffer", None)


@app.command()
def validate(
    paths: list[str] | None = typer.Argument(None, metavar="PATH", show_default=False,
                                      help="Files, directories (recursive *.yaml/*.yml) or - for stdin (default: "
                                           "the current directory)."),
    output: PlanFormat = OutputOpt,
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
    no_cache: bool = NoCacheOpt,
) -> None:
    """Check YAML against the Kubernetes and Config Connector schemas; report every error with file:line:column."""
    from planner import api

    paths = _paths_or_here(paths, "validate")
    try:
        report = api.validate(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown, no_cache))
    except PlannerError as exc:
        _fail(exc, output, text_too=True)
    if output is PlanFormat.text:  # JSON carries the warnings in the report
        _err(render_warnings(report.warnings))
    (_out if output is PlanFormat.json else _out_text)(VALIDATE_RENDERERS[output.value](report.to_wire()))


@app.command()
def plan(
    paths: list[str] | None = typer.Argument(None, metavar="PATH", show_default=False,
                                      help="Files, directories (recursive *.yaml/*.yml) or - for stdin "
                                           "(default: the current directory)."),
    state: str = StateOpt,
    destroy: bool = typer.Option(False, "--destroy", help="Preview what `planner destroy` would do."),
    out: str | None = typer.Option(None, "--out", metavar="PLANFILE",
                                   help="Save the plan to this file for `planner apply PLANFILE`."),
    output: DocFormat = DocOpt,
    max_size: int = MaxSizeOpt,
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help="Exit 2 when there are changes."),
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
    no_cache: bool = NoCacheOpt,
    open_page: bool = OpenOpt,
    target: list[str] | None = TargetOpt,
    exclude: list[str] | None = ExcludeOpt,
    show_commands: bool = ShowCommandsOpt,
    explain: bool = ExplainOpt,
) -> None:
    """Show what apply would do, in execution order, with the component that performs each step."""
    from planner import api
    from planner.state import open_backend

    output = DocFormat.html if open_page else output
    paths = _paths_or_here(paths, "plan", destroy)
    commands = bool(out) or show_commands or output is not DocFormat.text
    key = None
    try:
        backend = open_backend(state)
        if not out and output is not DocFormat.html:  # those need the plan itself, not only its JSON form
            key = api.plan_key(paths, _options(kubernetes_version, skip_unknown, no_cache), backend, destroy,
                               tuple(target or ()), tuple(exclude or ()), commands)
        found = api.remembered_plan(key) if key is not None else None
        if found is not None:
            _out_doc(plan_chunks(output.value, max_size, show_commands, explain)(found[0]), output, open_page)
            if detailed_exitcode and found[1]:
                raise typer.Exit(EXIT_CHANGES)
            return
        if destroy:
            read = api.read_state(backend, use_cache=not no_cache)
            _report_read(read, written=False)
            result = api.destroy_plan(read.state, tuple(target or ()), tuple(exclude or ()))
            desired = api.destroyed_desired(read.state)
        else:
            loaded = api.load_and_read(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown, no_cache),
                                       backend)
            desired, read = loaded.desired, loaded.read
            _report_read(read, written=False)
            result = api.make_plan(desired, read.state, targets=tuple(target or ()), excluded=tuple(exclude or ()),
                                   commands=commands, state_digest=read.digest, prepared=loaded.prepared)
        wire = result.to_wire()  # once: the saved plan and the output share it
        if key is not None:
            api.remember_plan(key, result, read, wire, paths)
        if out:
            api.save_plan(result, desired, out, read.state, wire)
        if output is DocFormat.html:  # the page draws the cluster before and after
            wire = {**wire, "pictures": api.plan_pictures(result, read.state)}
    except PlannerError as exc:
        _fail(exc, output.errors, text_too=True)
    _keep(desired, result, read, wire)  # not torn down when plan() returns (cli_io.Kept)
    _out_doc(plan_chunks(output.value, max_size, show_commands, explain)(wire), output, open_page)
    if out and output is DocFormat.text:
        from planner.state.pg_url import masked

        _out_text(render_saved_plan(out, masked(state) if state != DEFAULT_STATE_FILE else None))
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _paths_or_here(paths: list[str] | None, command: str, destroy: bool = False) -> list[str]:
    """terraform plans the working directory when given none: so do plan and apply."""
    if destroy:
        if paths:
            _err(f"Error: {command} --destroy takes no paths: it plans the deletion of everything the state holds.")
            raise typer.Exit(EXIT_ERROR)
        return []
    return list(paths) if paths else ["."]


@app.command()
def apply(
    paths: list[str] | None = typer.Argument(None, metavar="PATH|PLANFILE", show_default=False,
                                      help="Files, directories or - (the desired state; default: the current "
                                           "directory), or one saved plan."),
    state: str = StateOpt,
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Apply without asking for 'yes'."),
    lock_timeout: float = LockTimeoutOpt,
    kubernetes_version: str = VersionOpt,
    skip_unknown: bool = SkipOpt,
    no_cache: bool = NoCacheOpt,
    output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output",
                                      help="Output format: json is one JSON line per event "
                                           "(schemas/apply-events.schema.json)."),
    target: list[str] | None = TargetOpt,
    exclude: list[str] | None = ExcludeOpt,
) -> None:
    """Carry out a plan against the simulated GKE and write the state."""
    JsonLines.on = output is PlanFormat.json
    from planner import api
    from planner.state import open_backend

    paths = _paths_or_here(paths, "apply")
    try:
        saved_path = _saved_plan_among(paths)
        saved = api.load_saved_plan(saved_path) if saved_path is not None else None
        if saved is not None and (target or exclude):
            raise PlannerError.single(f"{saved_path} is a saved plan: it applies exactly what it shows (with the "
                                      "targets it was planned with); --target and --exclude go to plan")
        backend = open_backend(state)
        if saved is not None:
            desired = saved.desired
        else:
            desired = api.load_desired(paths, _stdin_for(paths), _options(kubernetes_version, skip_unknown, no_cache),
                                       secret_key=backend.secret_key)
        if saved is None:
            desired.roots = api.relative_roots(paths, backend)
        with api.locked_state(backend, "apply", lock_timeout, not no_cache) as read:
            _report_read(read, written=True)
            if saved is not None:
                # Exactly the reviewed operations: the same state (lineage, serial, contents), and the plan
                # recomputed from the saved desired resources must be the one the file shows.
                api.check_not_stale(saved.state, read.state, saved.path, read.recovered)
                result = api.plan_to_apply(saved, read.state)
            else:
                result = api.make_plan(desired, read.state, targets=tuple(target or ()), excluded=tuple(exclude or ()),
                                       commands=output is PlanFormat.json)  # the text shows none
            _keep(desired, result, read)  # not torn down when apply() returns (cli_io.Kept)
            _review_and_apply(result, read.state, backend,
                              None if saved else "Do you want to perform these actions?", auto_approve, "-" in paths)
    except PlannerError as exc:
        _fail_run(exc)


def _saved_plan_among(paths: list[str]) -> str | None:
    """The saved plan apply was given, if any: alone, and recognised by its content; a `.plan` file that is not one
    is refused by name rather than read as YAML."""
    from planner import api

    plans = [p for p in paths if p != "-" and api.is_saved_plan(p)]
    if plans and len(paths) > 1:
        raise PlannerError.single(f"{plans[0]} is a saved plan, which is applied alone: `planner apply {plans[0]}` "
                                  "applies exactly what it shows; to plan the input again, give only paths")
    if not plans and len(paths) == 1 and paths[0].endswith(".plan") and os.path.isfile(paths[0]):
        raise PlannerError.single(f"{paths[0]} is not a saved planner plan (`planner plan --out FILE` writes one)")
    return plans[0] if plans else None


@app.command()
def destroy(
    state: str = StateOpt,
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Destroy without asking for 'yes'."),
    lock_timeout: float = LockTimeoutOpt,
    output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output",
                                      help="Output format: json is one JSON line per event "
                                           "(schemas/apply-events.schema.json)."),
    target: list[str] | None = TargetOpt,
    exclude: list[str] | None = ExcludeOpt,
) -> None:
    """Delete everything the state holds, in reverse order (LoadBalancer Services before their cluster); with
    --target, only those resources and what must go before them."""
    JsonLines.on = output is PlanFormat.json
    from planner import api
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        first = api.read_state(backend)
        if not first.state.resources and not first.recovered:  # nothing to lock for
            (_err if JsonLines.on else _out)(f"Nothing to destroy: {_empty_state_words(first.state, backend)}.\n")
            return
        with api.locked_state(backend, "destroy", lock_timeout) as read:
            _report_read(read, written=True)
            which = "these" if target or exclude else "all"
            _review_and_apply(api.destroy_plan(read.state, tuple(target or ()), tuple(exclude or ())), read.state,
                              backend, f"Do you really want to destroy {which} resources? There is no undo.",
                              auto_approve, False, "destroy")
    except PlannerError as exc:
        _fail_run(exc)


def _empty_state_words(state: State, backend: Backend) -> str:
    if state.serial:
        return f"the state {backend.describe()} is empty (serial {state.serial})"
    return f"there is no state at {backend.describe()}"


@app.command()
def show(
    planfile: str | None = typer.Argument(None, help="A saved plan; without it, the state."),
    state: str = StateOpt,
    output: DocFormat = DocOpt,
    open_page: bool = OpenOpt,
    max_size: int = MaxSizeOpt,
    show_commands: bool = ShowCommandsOpt,
    explain: bool = ExplainOpt,
) -> None:
    """Show a saved plan, or what the state holds."""
    from planner import api
    from planner.state import open_backend

    output = DocFormat.html if open_page else output
    try:
        if planfile:
            text = _render_saved(planfile, api.load_saved_plan(planfile).wire,
                                 plan_renderer(output.value, max_size, show_commands, explain))
        else:
            if output.value not in STATE_RENDERERS:
                raise PlannerError.single(f"-o {output.value} shows a plan: give a PLANFILE (plan --out saves one)")
            held = api.read_state(open_backend(state)).state
            text = STATE_RENDERERS[output.value](api.cluster_picture(held) if output is DocFormat.html
                                                 else held.model_dump(mode="json"))
    except PlannerError as exc:
        _fail(exc, output.errors, text_too=True)
    _out_doc(text, output, open_page)



def _render_saved(planfile: str, wire: dict[str, Any], renderer: Callable[[dict[str, Any]], str]) -> str:
    """A saved plan's `plan` section, checked on load; a combination of values the checks did not foresee is
    still refused by name, never an internal error."""
    try:
        return renderer(wire)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise PlannerError.single(f"{planfile} cannot be displayed: its plan section is inconsistent "
                                  f"({type(exc).__name__}: {str(exc)[:80]}): run plan again") from None


for _name, _command in (("get", get), ("force-unlock", force_unlock), ("explain", explain), ("run", run_command),
                        ("export", export_command)):  # the commands that have a module of their own
    app.command(_name)(_command)
app.add_typer(state_app)


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
