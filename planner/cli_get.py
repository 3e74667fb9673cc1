"""`planner get KIND [NAME]`: parse, read the state through planner.api, pick a renderer (kubectl's columns)."""

from __future__ import annotations

import typer

from planner.cli_io import GetFormat, PlanFormat, StateOpt
from planner.cli_io import fail as _fail
from planner.cli_io import out as _out
from planner.errors import PlannerError
from planner.render import GET_RENDERERS


def get(
    what: str = typer.Argument(..., metavar="KIND",
                               help="nodes, instances, pods, deployments, replicasets, statefulsets, pvc, daemonsets, "
                                    "jobs, cronjobs, hpa, services or endpoints (kubectl's short names work too)."),
    name: str | None = typer.Argument(None, metavar="[NAME]", show_default=False, help="Only this object."),
    state: str = StateOpt,
    namespace: str | None = typer.Option(None, "-n", "--namespace", metavar="NS",
                                         help="Only this namespace (default: default, as kubectl's)."),
    all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces", help="Every namespace."),
    selector: str | None = typer.Option(None, "-l", "--selector", metavar="SELECTOR",
                                        help="Label selector: key=value, key!=value, key, !key, comma-separated."),
    output: GetFormat = typer.Option(GetFormat.text, "-o", "--output", help="Output format."),
) -> None:
    """Show the simulated cluster as kubectl get (and gcloud compute instances list) would."""
    from planner import api
    from planner.state import open_backend

    try:
        if all_namespaces and namespace is not None:
            raise PlannerError.single("-n and -A do not go together: -A lists every namespace")
        namespace = None if all_namespaces else (namespace or "default")  # kubectl's: the default namespace
        view, rows = api.get_rows(api.read_state(open_backend(state)).state, what, namespace, name, selector)
    except PlannerError as exc:
        _fail(exc, PlanFormat.json if output is GetFormat.json else PlanFormat.text, text_too=True)
    _out(GET_RENDERERS[output.value](view, rows))
