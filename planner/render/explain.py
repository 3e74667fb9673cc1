"""`planner explain`: one kind's lifecycle or one component's duties (planner.explain computed them), as text or
JSON."""

from __future__ import annotations

import json
from typing import Any

from planner.render.escape import join_lines


def render_explain_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _step(index: int, step: dict[str, Any], who: bool = True) -> list[str]:
    head = f"{step['actor'] + '/' + step['component']:<40} " if who else ""
    when = f" [only when: {step['when']}]" if step.get("when") else ""
    lines = [f"  {index:>3}. {head}{step['does']}{when}"]
    if step.get("source"):
        lines.append(f"       source: {step['source']}")
    return lines


def render_explain_text(data: dict[str, Any]) -> str:
    lines: list[str] = []
    if data["explains"] == "kind":
        kinds = ", ".join(f"{k['kind']} ({k['api_version']})" for k in data["kinds"]) or "every other kind"
        lines += [f"{data['name']}: {kinds}. What happens to one, step by step, from the tables planner plans with "
                  "(<name> is a value the plan fills in).",
                  f"Order: rank {data['rank']['rank']}: {data['rank']['why']}.", ""]
        for phase in data["phases"]:
            fields = f" (a change to {', '.join(phase['fields'])})" if phase["fields"] else ""
            lines.append(f"On {phase['phase']}{fields}:")
            for i, step in enumerate(phase["steps"], 1):
                lines += _step(i, step)
            lines.append("")
        if data["replaced_when"]:
            lines.append("Replaced (deleted, then created again) when these change:")
            lines += [f"  - {r['path']}: {r['why']}" for r in data["replaced_when"]]
    else:
        lines += [f"{data['actor']}/{data['name']}: {data['why']} (source: {data['source']}).", ""]
        for group in data["by_kind"]:
            lines.append(f"{group['kind']}:")
            for i, step in enumerate(group["steps"], 1):
                lines += _step(i, {**step, "does": f"on {step['phase']}: {step['does']}"}, who=False)
            lines.append("")
    return join_lines(lines[:-1] if lines[-1:] == [""] else lines)
