"""`planner show` without a plan file: what the state holds, one block per resource, in address order."""

from __future__ import annotations

from typing import Any

from planner.render.escape import join_lines


def render_state(state: dict[str, Any]) -> str:
    """Escaped (render/escape.py): addresses, names and status text come from the input and the state file."""
    from planner.kinds import spec_of  # the registry is imported by the commands that need it: start-up time

    resources = state.get("resources") or {}
    if not resources:
        if state.get("serial"):
            return (f"The state is empty (serial {state.get('serial')}): the resources it held were destroyed or "
                    "forgotten.\n")
        return "The state is empty: nothing has been applied yet.\n"
    lines = [f"# state serial {state.get('serial')}, lineage {state.get('lineage')}, "
             f"{len(resources)} resource(s), input: {' '.join(state.get('roots') or []) or '-'}", ""]
    for address in sorted(resources):
        resource = resources[address]
        status = resource.get("status") or {}
        lines.append(f"{address}")
        try:
            lines_of = spec_of(resource["family"]).status_lines(status)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration) as exc:
            lines_of = [f"(its live object is damaged: {type(exc).__name__}: {exc})"]
        for line in lines_of:
            lines.append(f"    {line}")
    return join_lines(lines)  # a hand-edited state can hold anything
