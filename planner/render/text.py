"""The human plan: terraform's symbols and summary line, in execution order, every step prefixed by its actor.

Reads the JSON wire form (as terraform's human renderer does), so a saved plan renders exactly like a fresh one.
Written as plain lines joined once: a plan of 10,000 resources is ~100,000 lines, and a terminal library's
per-line layout would cost seconds.

Names, images, field paths and anything a hand-edited saved plan holds are user-controlled: join_lines checks the
whole output in one pass and escapes it line by line only if it holds a control character (render/escape.py). A
check per value instead would cost ~10% of a large plan's render (~290,000 field paths), this one ~5%.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from planner.knowledge.components import DUTIES
from planner.render.escape import escape_json, join_lines

SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "forget": "."}
HEADLINE = {
    "create": "will be created",
    "update": "will be updated in place",
    "replace": "must be replaced",
    "delete": "will be destroyed",
    "forget": "will no longer be managed by planner, but will not be destroyed",
}
REASON_TEXT = {
    "delete_because_no_resource_config": "not in the input any more",
    "delete_because_cluster_deleted": "its cluster is deleted",
    "replace_because_cluster_replaced": "its cluster is replaced",
    "forget_because_abandoned": "cnrm.cloud.google.com/deletion-policy: abandon",
}
MAX_ALIGN = 48
NO_CHANGES = "No changes. Your infrastructure matches the configuration."


SENSITIVE_TEXT = "(sensitive value)"
"""What the diff shows instead of a secret's value: terraform's words, unquoted (it is not the value)."""
SENSITIVE_CHANGED = "(sensitive value changed)"
"""A secret that changed: the wire carries `sensitive: true` and masked before/after, so there is nothing to show
on either side of an arrow."""


def value_text(value: Any) -> str:
    """JSON text of a value; plain strings and numbers take a fast path (a large plan has ~25 values a resource).
    json.dumps escapes the C0 controls, escape_json the other characters escape.py lists, so a value is shown in
    JSON's own escapes even in a plan that join_lines has to escape."""
    if isinstance(value, str):
        if value == SENSITIVE_TEXT:
            return value
        if value.isprintable() and '"' not in value and "\\" not in value:
            return f'"{value}"'
    elif isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    elif isinstance(value, int):
        return str(value)
    return escape_json(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


def step_line(index: int, actor: str, component: str, description: str) -> str:
    """One step, as plan and apply both print it: number, actor/component in a column, what it does."""
    who = f"{actor}/{component}"
    return f"      {index:>4}. {who:<40} {description}"


def _change_line(change: dict[str, Any], action: str, width: int) -> str:
    pad = change["path"].ljust(width)
    tail = f"  # forces replacement: {change.get('replacement_reason')}" if change.get("forces_replacement") else ""
    before, after = change.get("before"), change.get("after")
    if change.get("after_unknown"):
        return f"      + {pad} = (known after apply)"
    if action == "create" or before is None:
        return f"      + {pad} = {value_text(after)}{tail}"
    if after is None:
        return f"      - {pad} = {value_text(before)}{tail}"
    if change.get("sensitive"):
        return f"      ~ {pad} = {SENSITIVE_CHANGED}{tail}"
    return f"      ~ {pad} = {value_text(before)} -> {value_text(after)}{tail}"


def _resource_block(change: dict[str, Any], lines: list[str]) -> None:
    action = change["action"]
    reasons = [REASON_TEXT[r] for r in change["reasons"] if r in REASON_TEXT]
    lines.append(f"  # {change['address']} {HEADLINE[action]}" + (f" ({'; '.join(reasons)})" if reasons else ""))
    lines.append(f"  {SYMBOL[action]} {change['address']}")
    drift = change.get("drift")
    if drift:
        lines.append(f"      # {drift_words(drift)}")
    if action in ("delete", "forget"):
        return
    changes = change["changes"]
    width = min(MAX_ALIGN, max((len(c["path"]) for c in changes), default=0))
    if action == "create":  # the bulk of a large plan: one tight loop, no per-line branching on before/after
        lines.extend(f"      + {c['path'].ljust(width)} = (known after apply)" if "after_unknown" in c else
                     f"      + {c['path'].ljust(width)} = {value_text(c['after'])}" for c in changes)
    else:
        lines.extend(_change_line(c, action, width) for c in changes)
    if change.get("unchanged_attributes"):
        lines.append(f"        # ({change['unchanged_attributes']} unchanged attributes hidden)")


def drift_words(drift: dict[str, Any]) -> str:
    """A resource whose current value came from `planner run`: what the command changed, which the plan puts back."""
    where = f"({drift['verb']}, at serial {drift['serial']})"
    changed = ", ".join(f"{c['path']} {SENSITIVE_CHANGED}" if c.get("sensitive") else
                        f"{c['path']} {value_text(c.get('before'))} -> {value_text(c.get('after'))}"
                        for c in drift["changes"])
    if drift.get("created_by") and not changed:
        return f"created outside of planner ({drift['created_by']})"
    return f"changed outside of planner: {changed or 'its fields'} {where}"


def steps_by_address(wire: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A plan's steps grouped by resource, each resource's in execution order (markdown and the HTML page)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for step in wire["steps"]:
        out.setdefault(step["address"], []).append(step)
    return out


def summary_line(summary: dict[str, int]) -> str:
    """terraform's last line of a plan (the markdown comment's first)."""
    forget = f", {summary['forget']} to forget" if summary.get("forget") else ""
    return (f"Plan: {summary['create']} to add, {summary['update']} to change, {summary['replace']} to replace, "
            f"{summary['delete']} to destroy{forget}.")


def command_lines(commands: list[str], indent: str = "      ") -> list[str]:
    """`plan --show-commands`: each command as a shell comment (`# $ kubectl scale ...`); a here-document's lines
    follow under it, a note (`# ...`) is shown as it is."""
    out: list[str] = []
    for command in commands:
        if command.startswith("#"):
            out.append(f"{indent}{command}")
            continue
        first, *rest = command.split("\n")
        out.append(f"{indent}# $ {first}")
        out.extend(f"{indent}#   {line}" for line in rest)
    return out


def explain_line(step: dict[str, Any]) -> str:
    """`plan --explain`: why the step's component acts, and where the step's fact comes from."""
    why, documented = DUTIES.get(step["component"], ("", ""))
    source = step.get("source") or documented
    return f"{'':12}why: {why}" + (f" (source: {source})" if source else "")


CHUNK_LINES = 8192
"""text_chunks hands out the plan's text this many lines at a time (give or take a resource block): a 10,000-resource
plan from empty is ~700,000 lines and 34 MB, which as one list, one joined string and its UTF-8 for the escape
check cost ~125 MB at the peak of the run, where chunks cost ~1 MB."""


def render_text(wire: dict[str, Any], commands: bool = False, explain: bool = False) -> str:
    return "".join(text_chunks(wire, commands, explain))


def text_chunks(wire: dict[str, Any], commands: bool = False, explain: bool = False) -> Iterator[str]:
    """The human plan in pieces that end on a line's end, each escaped as join_lines escapes a whole output:
    escaping is per line, so the pieces joined are byte for byte render_text's one string."""
    lines: list[str] = []
    for d in wire["diagnostics"]:
        if d.get("banner"):
            lines += [f"Warning: {d['message']}", ""]
    summary = wire["summary"]
    if not any(summary.values()):
        lines.append(NO_CHANGES)
        lines.extend(_warnings(wire))
        yield join_lines(lines)
        return
    lines.append("planner will perform the following actions, in execution order. Each step names the actor and "
                 "component that performs it.")
    lines.append("")
    by_address = {c["address"]: c for c in wire["resource_changes"]}
    shown: set[str] = set()
    for (address, _phase), steps in groupby(wire["steps"], key=lambda s: (s["address"], s["phase"])):
        change = by_address[address]
        if address in shown:
            lines.append(f"  # {address}: created again (second half of the replacement)")
        else:
            shown.add(address)
            _resource_block(change, lines)
            if commands:
                lines.extend(command_lines(change.get("imperative", [])))
            if change["action"] == "replace":
                lines.append("      steps (delete now, create again further down):")
        for step in steps:
            lines.append(step_line(step["index"], step["actor"], step["component"], step["description"]))
            if explain:
                lines.append(explain_line(step))
        lines.append("")
        if len(lines) >= CHUNK_LINES:
            yield join_lines(lines)
            lines = []
    for change in wire["resource_changes"]:  # no steps: nothing in GKE acts
        if change["action"] == "forget":
            _resource_block(change, lines)
            if commands:
                lines.extend(command_lines(change.get("imperative", [])))
            lines.append("")
    lines.append(summary_line(summary))
    lines.extend(_warnings(wire))
    yield join_lines(lines)


def _warnings(wire: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for d in wire["diagnostics"]:
        if d.get("banner"):
            continue
        where = d.get("address") or d.get("file") or ""
        label = {"warning": "Warning", "info": "Note"}.get(d["severity"])
        if label:
            out += ["", f"{label}: {where + ': ' if where else ''}{d['message']}"]
    return out
