"""`planner get` tables in kubectl's (and gcloud's) layout: upper-case headers, columns padded by three spaces."""

from __future__ import annotations

import json
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

from planner import clock
from planner.render.escape import escape, escape_json, is_clean, yaml_text

if TYPE_CHECKING:  # the kinds registry is imported only by commands that need it: start-up time
    from planner.kinds.base import GetView


def age(created: str | None, now: datetime | None = None) -> str:
    """kubectl's AGE: 45s, 12m, 3h, 2d."""
    if not created:
        return "<unknown>"
    try:
        seconds = int(((now or clock.now()) - datetime.fromisoformat(created)).total_seconds())
    except (TypeError, ValueError):  # a hand-edited timestamp: kubectl shows <unknown> too
        return "<unknown>"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit != "m" else 1):
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def _endpoints(addresses: list[str]) -> str:
    if not addresses:
        return "<none>"
    shown = ",".join(addresses[:3])
    return shown + (f" + {len(addresses) - 3} more..." if len(addresses) > 3 else "")


def render_get(view: GetView, rows: list[dict[str, Any]], output: str) -> str:
    if output == "json":
        return escape_json(json.dumps({"kind": view.name, "items": rows}, separators=(",", ":"))) + "\n"
    if output == "yaml":
        return yaml_text({"kind": view.name, "items": rows})
    if output == "name":
        prefix = view.resource
        return "".join(escape(f"{prefix}/{r['name']}" if prefix else str(r["name"])) + "\n" for r in rows)
    columns = list(view.columns) + (list(view.wide) if output == "wide" else [])
    if not rows:
        return "No resources found.\n"
    table = [[title for title, _ in columns]]
    for row in rows:
        cells = []
        for _, key in columns:
            value = age(row.get("created")) if key == "age" else row.get(key, "")
            cells.append(_endpoints(value) if key == "endpoints" and isinstance(value, list) else str(value))
        table.append(cells)
    if not is_clean("".join(chain.from_iterable(table))):  # a hand-edited state: escaped before the widths are taken
        table = [[escape(cell) for cell in row] for row in table]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    return "\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table) + "\n"
