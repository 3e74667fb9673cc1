"""What every command of the CLI shares: exit codes, output formats, writing to stdout and stderr, failing.

The commands (planner.cli) and the apply flow (planner.cli_apply) both write through these, so output never
bypasses them: stdout carries results, stderr errors, warnings and progress.
"""

from __future__ import annotations

import enum
import os
import shutil
import sys
from typing import IO, NoReturn

import typer

from planner.errors import PlannerError
from planner.render.diagnostics import render_error
from planner.render.validate import render_validate_failure_json
from planner.state import DEFAULT_STATE_FILE

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130

STATE_HELP = (f"State file, or postgresql://USER@HOST/DB?workspace=NAME (default: $PLANNER_STATE, else "
              f"{DEFAULT_STATE_FILE} in the working directory).")
StateOpt = typer.Option(DEFAULT_STATE_FILE, "--state", metavar="FILE|URL", show_default=False, help=STATE_HELP,
                        envvar="PLANNER_STATE", show_envvar=False)


class PlanFormat(str, enum.Enum):
    text = "text"
    json = "json"


class DocFormat(str, enum.Enum):
    """plan and show print one document, which may also be YAML (kubectl's -o yaml); apply's JSON lines may not."""

    text = "text"
    json = "json"
    yaml = "yaml"

    @property
    def errors(self) -> PlanFormat:
        """How errors come out: as JSON for any machine-readable format."""
        return PlanFormat.text if self is DocFormat.text else PlanFormat.json


class Terminal:
    """How text meets a terminal: `colour` is off with --no-color or NO_COLOR (https://no-color.org)."""

    colour = True


def _laid_out(text: str, stream: IO[str]) -> str:
    """Text as the renderers wrote it, or, on a terminal, wrapped to its width and coloured (render.terminal)."""
    if not text or not stream.isatty():
        return text
    from planner.render.terminal import for_terminal

    colour = Terminal.colour and "NO_COLOR" not in os.environ
    return for_terminal(text, shutil.get_terminal_size().columns, colour)


class Kept:
    """What a command built, kept alive until the process leaves, when the console script leaves with os._exit
    (planner.entrypoint sets `objects` to a list). Freed when the command returns, a 10,000-resource plan's
    objects (the desired state, the plan and its wire form) cost ~0.1 s to tear down one by one, for memory the OS
    reclaims at once. In-process callers (the tests) leave `objects` None, and everything is freed as usual."""

    objects: list[object] | None = None


def keep(*values: object) -> None:
    """Keep these values until exit when the process leaves without freeing its heap (see Kept)."""
    if Kept.objects is not None:
        Kept.objects.extend(values)


def out(text: str) -> None:
    """Output as it is: JSON, tables, anything a program may read."""
    sys.stdout.write(text)
    sys.stdout.flush()


def out_text(text: str) -> None:
    """Prose for a person (plans, apply's progress): laid out for the terminal when stdout is one."""
    sys.stdout.write(_laid_out(text, sys.stdout))
    sys.stdout.flush()


def err(text: str) -> None:
    if text:
        sys.stderr.write(_laid_out(text if text.endswith("\n") else text + "\n", sys.stderr))


def fail(error: PlannerError, output: PlanFormat = PlanFormat.text, text_too: bool = False) -> NoReturn:
    """Report the errors (stderr; with `-o json`, validate's JSON failure on stdout, and with `text_too` the text on
    stderr as well, for the person watching a job that reads the JSON) and exit 1."""
    if output is PlanFormat.json:
        out(render_validate_failure_json(error))
    if output is not PlanFormat.json or text_too:
        err(render_error(error))
    raise typer.Exit(EXIT_ERROR)


