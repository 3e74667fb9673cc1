"""The plan as a pull-request comment (`-o markdown`): what a reviewer needs in ten seconds, the rest folded away.

Always visible: the summary line; a CAUTION banner naming every resource destroyed or replaced, the field that forces
it and why; the affected addresses grouped by action; the warnings. Below, folded: the sequence diagram
(render/mermaid.py) and one `<details>` per resource with its field diff, its imperative equivalent (the kubectl/gcloud
commands, in a `sh` block) and its ordered steps.

GitHub refuses a comment over 65,536 characters; Atlantis splits the plan over several comments and tfcmt keeps the
first and last 20,000 characters, cutting wherever that falls (shared/reference/anchors.md). Here the comment is
built whole at the richest level that fits `max_size` (LEVELS: everything; without the diagram; diffs without
steps; the addresses alone) and, if even the addresses do not fit, with the lists shortened item by item. Every cut
is between whole blocks, so no `<details>` or fence is left open, and a last line says what was left out.

Reads the plan's wire form; user-controlled text goes through render/markup.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from planner.render.escape import escape
from planner.render.markup import code, fence_for, html_text, md
from planner.render.mermaid import MAX_MESSAGES, diagram_lines
from planner.render.text import (
    HEADLINE,
    NO_CHANGES,
    REASON_TEXT,
    SENSITIVE_CHANGED,
    SYMBOL,
    drift_words,
    steps_by_address,
    summary_line,
    value_text,
)

DEFAULT_MAX_SIZE = 65_000
"""Characters: under GitHub's 65,536-character limit on a comment, with room for a workflow's own header."""

LEVELS = ("everything", "no diagram", "diffs without steps", "addresses only")
LEFT_OUT = {
    "no diagram": "the sequence diagram (`-o mermaid` prints it)",
    "diffs without steps": "the sequence diagram and each resource's steps",
    "addresses only": "the sequence diagram and each resource's field diff and steps",
}
WHOLE_PLAN = "`planner plan` (or `planner show PLANFILE` for a saved plan) prints the whole plan."
_SLACK = 8
_DROPPED_DETAILS = ("no diagram", "diffs without steps", "addresses only")


@dataclass
class Section:
    """A titled list of the head; its items are what a comment too long for even the addresses gives up."""

    title: list[str]
    items: list[str] = field(default_factory=list)
    prefix: str = ""
    priority: int = 2
    """Which lists keep their items first when the comment must be cut: the banner (0), the warnings (1)."""

    def lines(self, items: list[str], left: int) -> list[str]:
        more = [f"{self.prefix}- *… and {left} more*"] if left else []
        return [*self.title, *(self.prefix + item for item in items), *more, ""]


def render_markdown(wire: dict[str, Any], max_size: int = DEFAULT_MAX_SIZE) -> str:
    """The comment, at most `max_size` characters unless its summary, banner and warnings alone are longer.

    Each level's body is generated block by block and given up as soon as it overflows, so a 10,000-resource plan
    costs its head and a budget's worth of blocks per level, not four whole renders."""
    sections = _head(wire)
    head = [line for section in sections for line in section.lines(section.items, 0)]
    if not any(wire["summary"].values()):
        return _within(head, iter(()), max_size, "") or _shortened(sections, max_size)
    blocks = _resource_order(wire)
    steps = steps_by_address(wire)
    for level in LEVELS:
        note = f"*Left out to stay under {max_size:,} characters: {LEFT_OUT[level]}. {WHOLE_PLAN}*" \
            if level in _DROPPED_DETAILS else ""
        text = _within(head, _body(level, wire, blocks, steps), max_size, note)
        if text is not None:
            return text
    return _shortened(sections, max_size)


def _body(level: str, wire: dict[str, Any], blocks: list[dict[str, Any]],
          steps: dict[str, list[dict[str, Any]]]) -> Iterator[str]:
    if level == "everything" and wire["steps"]:
        yield from _diagram(wire)
    if level != "addresses only":
        with_steps = steps if level in ("everything", "no diagram") else {}
        for change in blocks:
            yield from _details(change, with_steps)


def _within(head: list[str], body: Iterator[str], max_size: int, note: str) -> str | None:
    """The comment from these parts, or None as soon as it is sure to be longer than `max_size` (the count is of
    joined lines, a little over the text's length, whose trailing blank lines are cut: hence the slack)."""
    room = max_size - sum(len(line) + 1 for line in head) - len(note) - 1 + _SLACK
    lines = list(head)
    for line in body:
        room -= len(line) + 1
        if room < 0:
            return None
        lines.append(line)
    if note:
        lines.append(note)
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text if len(text) <= max_size else None


def _shortened(head: list[Section], max_size: int) -> str:
    """The head with its lists cut, item by item, to what fits: the banner's first, then the warnings, then the
    addresses by action. Titles, the summary and the banner's own words are never cut."""
    total = sum(len(section.items) for section in head)
    note = f"*Left out to stay under {max_size:,} characters: every resource's details and {{n}} of {total} list " \
           f"item(s). {WHOLE_PLAN}*"
    fixed = sum(len(line) + 1 for section in head for line in section.lines([], 10**9)) + len(note) + 16
    room = max_size - fixed
    kept: dict[int, list[str]] = {}
    for index in sorted(range(len(head)), key=lambda i: head[i].priority):
        section = head[index]
        kept[index] = []
        for item in section.items:
            size = len(section.prefix) + len(item) + 1
            if size > room:
                break
            kept[index].append(item)
            room -= size
    lines = [line for index, section in enumerate(head)
             for line in section.lines(kept[index], len(section.items) - len(kept[index]))]
    cut = total - sum(map(len, kept.values()))
    lines.append(note.replace("{n}", str(cut)))
    return "\n".join(lines).rstrip("\n") + "\n"


def _head(wire: dict[str, Any]) -> list[Section]:
    summary = wire["summary"]
    changing = any(summary.values())
    head = [Section([f"### {summary_line(summary) if changing else NO_CHANGES}"])]
    banner = [f"**{md(d['message'])}**" for d in wire["diagnostics"] if d.get("banner")]
    gone = [_gone(c) for c in wire["resource_changes"] if c["action"] in ("replace", "delete")]
    if banner or gone:
        count = summary["replace"] + summary["delete"]
        title = ["> [!CAUTION]", f"> **{count} resource(s) will be destroyed or replaced.**", ">"]
        head.append(Section(title + [f"> {line}" for line in banner] + ([">"] if banner else []), gone, "> ", 0))
    for action, words in HEADLINE.items():
        addresses = [c["address"] for c in wire["resource_changes"] if c["action"] == action]
        if addresses:
            head.append(Section([f"**{SYMBOL[action]} {len(addresses)} {words}**", ""],
                                [f"- {code(a)}" for a in addresses]))
    warnings = [_warning(d) for d in wire["diagnostics"] if d["severity"] == "warning" and not d.get("banner")]
    if warnings:
        head.append(Section(["**Warnings**", ""], warnings, priority=1))
    return head


def _gone(change: dict[str, Any]) -> str:
    """A banner line: the address, what happens, the fields that force it and why."""
    why = [f"{code(c['path'])} forces replacement" + (f": {md(c['replacement_reason'])}"
                                                      if c.get("replacement_reason") else "")
           for c in change["changes"] if c.get("forces_replacement")]
    forced = {c["path"] for c in change["changes"] if c.get("forces_replacement")}
    why += [f"{code(path)} forces replacement" for path in change["replace_paths"] if path not in forced]
    why += [md(REASON_TEXT[r]) for r in change["reasons"] if r in REASON_TEXT]
    return f"- {code(change['address'])} {HEADLINE[change['action']]}" + (f": {'; '.join(why)}" if why else "")


def _warning(d: dict[str, Any]) -> str:
    where = d.get("address") or ":".join(str(d[k]) for k in ("file", "line", "column") if d.get(k) is not None)
    return f"- {code(where) + ': ' if where else ''}{md(d['message'])}"


def _resource_order(wire: dict[str, Any]) -> list[dict[str, Any]]:
    """The changed resources in execution order (by their first step); those without steps (forget) last."""
    first: dict[str, int] = {}
    for position, step in enumerate(wire["steps"]):
        first.setdefault(step["address"], position)
    changed = [c for c in wire["resource_changes"] if c["action"] != "no-op"]
    return sorted(changed, key=lambda c: first.get(c["address"], len(first)))


def _diagram(wire: dict[str, Any]) -> list[str]:
    lines = diagram_lines(wire, MAX_MESSAGES)
    fence = fence_for(lines)
    shown = min(len(wire["steps"]), MAX_MESSAGES)
    return [f"<details><summary>Sequence diagram ({shown} of {len(wire['steps'])} steps)</summary>", "",
            f"{fence}mermaid", *lines, fence, "", "</details>", ""]


def _details(change: dict[str, Any], steps: dict[str, list[dict[str, Any]]]) -> list[str]:
    action = change["action"]
    lines = [f"<details><summary><code>{html_text(SYMBOL[action] + ' ' + change['address'])}</code> "
             f"{HEADLINE[action]}</summary>", ""]
    if change.get("drift"):  # plan format 1.3: a planner run command made the current value
        lines += [f"- **{md(drift_words(change['drift']))}**", ""]
    diff = _diff(change)
    if diff:
        fence = fence_for(diff)
        lines += [f"{fence}diff", *diff, fence, ""]
    commands = [escape(line) for command in change.get("imperative") or () for line in command.split("\n")]
    if commands:  # plan format 1.3: what a person would have typed; they go (and are cut) with the diff
        fence = fence_for(commands)
        lines += ["Imperative equivalent:", "", f"{fence}sh", *commands, fence, ""]
    own = steps.get(change["address"], [])
    waits = change.get("depends_on") or () if own else ()  # plan format 1.2: why it comes where it does
    if waits:
        lines += [*(f"- after {code(d['address'])} ({d['phase']}): {md(d['reason'])}" for d in waits), ""]
    lines += [f"- **{s['index']}.** {code(s['actor'] + '/' + s['component'])} {md(s['description'])}" for s in own]
    return [*lines, "", "</details>", ""]


def _diff(change: dict[str, Any]) -> list[str]:
    """The field diff, one `+`/`-` line per value (GitHub colours them); a forced replacement says so below."""
    out: list[str] = []
    for c in change["changes"]:
        path = escape(c["path"])
        if c.get("after_unknown"):
            out.append(f"+ {path} = (known after apply)")
        elif c.get("sensitive") and c.get("before") is not None and c.get("after") is not None:
            out.append(f"+ {path} = {SENSITIVE_CHANGED}")  # both sides masked: an arrow would say nothing
        else:
            if c.get("before") is not None and change["action"] != "create":
                out.append(f"- {path} = {escape(value_text(c['before']))}")
            if c.get("after") is not None:
                out.append(f"+ {path} = {escape(value_text(c['after']))}")
        if c.get("forces_replacement"):
            out.append(f"  # forces replacement: {escape(c.get('replacement_reason') or path)}")
    if change.get("unchanged_attributes"):
        out.append(f"  # ({change['unchanged_attributes']} unchanged attributes hidden)")
    return out
