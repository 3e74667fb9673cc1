"""`apply -o json` and `destroy -o json`: JSON lines, one event per line, as they happen, so a CI job can stream them
(terraform's `-json` machine-readable UI does the same). Each line is one of the objects
schemas/apply-events.schema.json describes: `plan` (the plan about to run, its JSON form), `start`, `step` and
`done` per operation, then `result` (the counts and the new state serial), or `error`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from planner.render.escape import escape_json
from planner.render.events import event_text

if TYPE_CHECKING:
    from planner.api import ApplyEvent, ApplyResult
    from planner.errors import PlannerError

EVENTS_FORMAT_VERSION = "1.0"


def _line(payload: dict[str, Any]) -> str:
    return escape_json(json.dumps(payload, separators=(",", ":"), ensure_ascii=False)) + "\n"


def plan_line(wire: dict[str, Any], command: str) -> str:
    return _line({"type": "plan", "format_version": EVENTS_FORMAT_VERSION, "command": command, "plan": wire})


def event_line(event: ApplyEvent) -> str:
    change = event.operation.change
    payload: dict[str, Any] = {"type": event.kind, "address": change.address, "phase": event.operation.phase}
    if event.kind == "step" and event.step is not None:
        payload["step"] = event.step.to_wire()
    elif event.kind == "done":
        payload["message"] = event_text(event.summary)
        payload["details"] = [event_text(d) for d in event.details]
    return _line(payload)


def result_line(result: ApplyResult, command: str) -> str:
    return _line({"type": "result", "command": command, "counts": result.counts, "serial": result.serial,
                  "pending_pods": result.pending_pods, "outputs": [event_text(o) for o in result.outputs]})


def error_line(error: PlannerError) -> str:
    return _line({"type": "error", "summary": error.summary(), "diagnostics": [d.to_json() for d in error.errors]})
