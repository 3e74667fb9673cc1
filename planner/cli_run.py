"""`planner run -- <command>` and `planner export`: the imperative way in (a kubectl or gcloud command applied to
the state, with apply's steps), and the way from there to YAML. Parsing and output only; planner.api decides."""

from __future__ import annotations

import enum

import typer

from planner.cli_apply import JsonLines, fail_run, run_apply
from planner.cli_io import PlanFormat, StateOpt, err, fail, keep, out, out_text
from planner.errors import PlannerError
from planner.render import events_json


def run(
    command: list[str] = typer.Argument(..., metavar="-- COMMAND...", show_default=False,
                                        help="A kubectl or gcloud command, after `--` (or quoted as one argument)."),
    state: str = StateOpt,
    lock_timeout: float = typer.Option(0.0, "--lock-timeout", metavar="SECONDS", min=0.0,
                                       help="Seconds to wait for the state lock."),
    output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output",
                                      help="Output format: json is one JSON line per event, as apply's."),
) -> None:
    """Apply one kubectl or gcloud command to the simulated GKE, as if typed against the real one: the state
    changes (under the lock, with apply's journal) and the next plan shows the change as drift."""
    JsonLines.on = output is PlanFormat.json
    from planner import api
    from planner.state import open_backend

    try:
        backend = open_backend(state)
        with api.locked_state(backend, "run", lock_timeout) as read:
            err("\n".join(read.warnings))
            result = api.command_plan(command, read.state, backend.secret_key)
            keep(result, read)
            if JsonLines.on:
                out(events_json.plan_line(result.to_wire(), "run"))
            if not result.has_changes:
                if not JsonLines.on:
                    out_text("No changes: the command leaves the cluster as it is.\n")
                return
            run_apply(result, read.state, backend, "run")
    except PlannerError as exc:
        fail_run(exc)


class ExportFormat(str, enum.Enum):
    yaml = "yaml"


def export(
    state: str = StateOpt,
    output: ExportFormat = typer.Option(ExportFormat.yaml, "-o", "--output", help="Output format."),
) -> None:
    """Print the state as the YAML that reproduces it: the same kinds planner reads, no status or server-set
    fields; Secret values as placeholders (with a warning on stderr)."""
    from planner import api
    from planner.state import open_backend

    try:
        text, warnings = api.export_state(api.read_state(open_backend(state)).state)
    except PlannerError as exc:
        fail(exc)
    err("\n".join(warnings))
    out(text)
