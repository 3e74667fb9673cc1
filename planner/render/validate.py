"""`planner validate`: the report (from `ValidationReport.to_wire()`) as text or JSON, and its JSON failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from planner.errors import Diagnostic, PlannerError
from planner.render.escape import escape_json


def render_validate_text(report: dict[str, Any]) -> str:
    """The one-line verdict on stdout (the warnings go to stderr, as every command's do)."""
    return (f"Valid: {report['documents']} resource(s) in {report['files']} file(s) (Kubernetes "
            f"{report['kubernetes_version']} schemas).\n")


def render_validate_json(report: dict[str, Any]) -> str:
    return escape_json(json.dumps(report)) + "\n"  # ASCII: only a DEL to escape


def render_validate_failure_json(error: PlannerError) -> str:
    """`validate -o json` when the input is invalid: the same document with `valid: false`, errors first."""
    errors = sorted(error.errors, key=Diagnostic.sort_key)
    warnings = [d for d in error.diagnostics if d.severity == "warning"]
    return escape_json(json.dumps({"valid": False, "summary": error.summary(),
                       "diagnostics": [d.to_json() for d in errors + warnings]})) + "\n"


VALIDATE_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "text": render_validate_text, "json": render_validate_json}
"""`validate -o`: format -> renderer of the report."""
