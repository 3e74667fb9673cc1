"""`planner explain KIND|COMPONENT`: parse, call planner.explain, pick a renderer."""

from __future__ import annotations

import typer

from planner.cli_io import PlanFormat
from planner.cli_io import fail as _fail
from planner.cli_io import out as _out
from planner.errors import PlannerError


def explain(
    name: str = typer.Argument(..., metavar="KIND|COMPONENT",
                               help="A kind (Deployment, ContainerNodePool, ...) or component (kube-scheduler)."),
    output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output", help="Output format."),
) -> None:
    """Explain one kind's lifecycle (its steps on create, each kind of change, delete) or one component's duties, from
    the same tables the planner uses, with their sources."""
    from planner.explain import explain as explained
    from planner.render.explain import render_explain_json, render_explain_text

    try:
        data = explained(name)
    except PlannerError as exc:
        _fail(exc, output)
    _out(render_explain_json(data) if output is PlanFormat.json else render_explain_text(data))
