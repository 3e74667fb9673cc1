"""Diagnostics as the lines planner prints on stderr: `file:line:column: path: message`, then a summary."""

from __future__ import annotations

from collections.abc import Iterable

from planner.errors import Diagnostic, PlannerError


def _line(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def render_warnings(diagnostics: Iterable[Diagnostic]) -> str:
    """The warnings among `diagnostics`, one a line (infos are for the plan's own text)."""
    return "".join(_line(d.format()) for d in diagnostics if d.severity == "warning")


def render_error(error: PlannerError) -> str:
    """Every error in file order, then the warnings, then `N errors in M files` when there is more than one error
    or any is located in a file."""
    errors = sorted(error.errors, key=Diagnostic.sort_key)
    warnings = [d for d in error.diagnostics if d.severity == "warning"]
    text = "".join(_line(d.format()) for d in errors + warnings)
    if len(errors) > 1 or any(d.file for d in errors):
        text += _line(error.summary())
    return text
