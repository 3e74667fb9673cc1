"""`planner state history | show | rollback | migrate`: a shared state's versions, and moving a state to another
backend. Each command parses, calls planner.api, and picks a renderer."""

from __future__ import annotations

import typer

from planner.cli_io import DocFormat, PlanFormat, StateOpt
from planner.cli_io import fail as _fail
from planner.cli_io import out as _out
from planner.cli_io import out_text as _out_text
from planner.errors import PlannerError
from planner.render.history import HISTORY_RENDERERS, render_migrated, render_rollback
from planner.render.show import STATE_RENDERERS

state_app = typer.Typer(name="state", no_args_is_help=True,
                        help="A state's versions (history, show, rollback; PostgreSQL states), and migrate.")
SerialOpt = typer.Option(..., "--serial", metavar="N", min=1, help="The version (see `planner state history`).")


@state_app.command()
def history(state: str = StateOpt, output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output")) -> None:
    """List every version of the state: serial, when, by whom, lineage, the digest of the plan that made it."""
    from planner import api
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        versions = api.state_history(backend)
    except PlannerError as exc:
        _fail(exc, output, text_too=True)
    _out(HISTORY_RENDERERS[output.value](backend.describe(), versions))


@state_app.command("show")
def show_version(serial: int = SerialOpt, state: str = StateOpt,
                 output: DocFormat = typer.Option(DocFormat.text, "-o", "--output")) -> None:
    """Show one version of the state, as `planner show` shows the current one."""
    from planner import api
    from planner.state import open_backend

    try:
        text = STATE_RENDERERS[output.value](api.state_version(open_backend(state), serial).model_dump(mode="json"))
    except PlannerError as exc:
        _fail(exc, output.errors, text_too=True)
    (_out_text if output is DocFormat.text else _out)(text)


@state_app.command()
def rollback(serial: int = SerialOpt, state: str = StateOpt,
             lock_timeout: float = typer.Option(0.0, "--lock-timeout", metavar="SECONDS", min=0.0,
                                                help="Seconds to wait for the state lock.")) -> None:
    """Make version N the current state again, as a new version (history is never rewritten)."""
    from planner import api
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        written = api.rollback_state(backend, serial, lock_timeout)
    except PlannerError as exc:
        _fail(exc)
    _out(render_rollback(backend.describe(), serial, written.serial))


@state_app.command()
def migrate(source: str = typer.Option(..., "--from", metavar="FILE|URL", help="The state to copy."),
            target: str = typer.Option(..., "--to", metavar="URL", help="An empty postgresql:// workspace."),
            lock_timeout: float = typer.Option(0.0, "--lock-timeout", metavar="SECONDS", min=0.0,
                                               help="Seconds to wait for either lock.")) -> None:
    """Copy a state (its lineage, serial and secret key) into an empty PostgreSQL workspace. The source is kept."""
    from planner import api
    from planner.state import open_backend

    try:
        origin, destination = open_backend(source), open_backend(target)
        moved = api.migrate_state(origin, destination, lock_timeout)
    except PlannerError as exc:
        _fail(exc)
    _out(render_migrated(origin.describe(), destination.describe(), moved.serial, moved.lineage))
