"""What every command of the CLI shares: exit codes, output formats, writing to stdout and stderr, failing.

The commands (planner.cli) and the apply flow (planner.cli_apply) both write through these, so output never
bypasses them: stdout carries results, stderr errors, warnings and progress.
"""

from __future__ import annotations

import enum
import sys
from typing import NoReturn

import typer

from planner.errors import PlannerError
from planner.render.diagnostics import render_error
from planner.render.validate import render_validate_failure_json

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130


class PlanFormat(str, enum.Enum):
    text = "text"
    json = "json"


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def err(text: str) -> None:
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")


def fail(error: PlannerError, output: PlanFormat = PlanFormat.text) -> NoReturn:
    """Report the errors (stderr; with `-o json`, validate's JSON failure on stdout) and exit 1."""
    if output is PlanFormat.json:
        out(render_validate_failure_json(error))
    else:
        err(render_error(error))
    raise typer.Exit(EXIT_ERROR)


