"""`-o html`: the cluster (`planner show`) and the plan (`planner plan`) as pages a person looks at.

layout.py and sequence.py place boxes (pure geometry), svg.py draws them, page.py is the page around them. The
renderers read what the commands computed (the cluster picture of planner.picture, the plan's wire form with the
pictures before and after from planner.api.plan_pictures) and compute nothing of their own.
"""

from __future__ import annotations

from typing import Any

from planner.render.html.layout import cluster_drawing
from planner.render.html.page import LIST_CAP, capped, inventory, page
from planner.render.html.sequence import sequence_drawing
from planner.render.html.svg import svg, text
from planner.render.text import HEADLINE, NO_CHANGES, SYMBOL, steps_by_address, summary_line, value_text

MAX_RESOURCES = 200
"""Resources whose diff and steps the plan page shows; the rest are counted (`planner plan` lists them all)."""


def _counts(picture: dict[str, Any]) -> str:
    counts = picture["counts"]
    return f"{counts['nodes']} node(s), {counts['pods']} Pod(s), {counts['services']} Service(s)"


def render_show_html(picture: dict[str, Any]) -> str:
    """`planner show -o html`: the cluster as it is."""
    cluster = picture["head"]
    name = cluster["name"] if cluster else "(no cluster)"
    return page(f"cluster {name}", [
        f"<h1>Cluster {text(name)}</h1>",
        f'<p class="muted">{text(_counts(picture))} in the state. Hover a box for all it says.</p>',
        svg(cluster_drawing(picture), f"cluster {name}"), *inventory(picture)])


def _diff(change: dict[str, Any]) -> str:
    if change["action"] in ("delete", "forget"):
        return '<p class="muted">(every attribute goes)</p>' if change["action"] == "delete" else ""
    rows = []
    for c in change["changes"][: LIST_CAP * 2]:
        before = "" if change["action"] == "create" or c.get("before") is None else value_text(c.get("before"))
        after = "(known after apply)" if c.get("after_unknown") else value_text(c.get("after"))
        rows.append(f"<tr><td>{text(c['path'])}</td><td>{text(before)}</td><td>{text(after)}</td></tr>")
    hidden = change.get("unchanged_attributes")
    note = f'<p class="muted">({hidden} unchanged attributes hidden)</p>' if hidden else ""
    return "<table><tr><th>attribute</th><th>before</th><th>after</th></tr>" + "".join(rows) + "</table>" + note


def _resources(wire: dict[str, Any]) -> list[str]:
    """Each resource's diff beside its steps, in execution order of first appearance."""
    steps = steps_by_address(wire)
    out = []
    changes = [c for c in wire["resource_changes"] if c["action"] in SYMBOL]  # no-ops: nothing to show
    for change in changes[:MAX_RESOURCES]:
        action = change["action"]
        rows = [f"<tr><td>{s['index']}.</td><td>{text(s['actor'])}/{text(s['component'])}</td>"
                f"<td>{text(s['description'])}</td></tr>" for s in steps.get(change["address"], [])[:LIST_CAP * 2]]
        out.append(f'<section class="resource" id="res-{text(change["address"])}"><h3 class="{text(action)}">'
                   f"{text(SYMBOL[action])} {text(change['address'])} {text(HEADLINE[action])}</h3>"
                   f"<div>{_diff(change)}</div><div>{capped(rows, len(steps.get(change['address'], [])), 'steps')}"
                   "</div></section>")
    if len(changes) > MAX_RESOURCES:
        out.append(f'<p class="muted">… {len(changes) - MAX_RESOURCES} more resources: `planner plan` lists them '
                   "all</p>")
    return out


def _pictures(wire: dict[str, Any]) -> list[str]:
    pictures = wire.get("pictures")
    if not pictures or not any(wire["summary"].values()):
        return []
    out = ["<h2>The cluster before and after</h2>", f'<h3>Before ({text(_counts(pictures["before"]))})</h3>',
           svg(cluster_drawing(pictures["before"], "before-"), "the cluster before the plan")]
    after = pictures.get("after")
    if after is None:
        out.append(f'<p class="delete">No picture after: apply would fail ({text(pictures.get("problem"))})</p>')
    else:
        out += [f'<h3>After, as the simulated apply predicts ({text(_counts(after))})</h3>',
                svg(cluster_drawing(after, "after-"), "the cluster after the plan")]
    return out


def render_plan_html(wire: dict[str, Any]) -> str:
    """`planner plan -o html` (and `show PLANFILE -o html`): the sequence of steps, each resource's diff beside its
    steps, and (from a fresh plan) the cluster before and after."""
    summary = wire["summary"]
    words = summary_line(summary) if any(summary.values()) else NO_CHANGES
    notes = [f'<p class="{"delete" if d["severity"] == "error" else "update"}">{text(d["severity"])}: '
             f'{text(d.get("address") or "")} {text(d["message"])}</p>' for d in wire["diagnostics"][:LIST_CAP]]
    legend = " ".join(f'<span class="{a}">■ {a}</span>' for a in ("create", "update", "replace", "delete"))
    body = [f"<h1>{text(words)}</h1>", *notes]
    if wire["steps"]:
        body += ["<h2>Who does what, in execution order</h2>",
                 f'<p class="muted">One lane per component; arrows numbered in execution order, coloured by the '
                 f"resource's action: {legend}</p>", svg(sequence_drawing(wire), "the plan's steps")]
    body += ["<h2>Changes</h2>", *_resources(wire), *_pictures(wire)]
    return page(words, body)
