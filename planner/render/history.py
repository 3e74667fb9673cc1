"""`planner state history`, `rollback` and `migrate`: what they found or did, as text or JSON. They never compute."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from planner.render.escape import escape


def render_history_text(where: str, versions: list[dict[str, Any]]) -> str:
    if not versions:
        return f"No versions in {escape(where)}.\n"
    rows = [("SERIAL", "WRITTEN", "BY", "LINEAGE", "PLAN")]
    rows += [(str(v["serial"]), v["at"], escape(v["who"]), escape(v["lineage"] or "-"), escape(v["plan_digest"]))
             for v in versions]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4]
             for row in rows]
    return f"History of {escape(where)}:\n" + "\n".join(line.rstrip() for line in lines) + "\n"


def render_history_json(where: str, versions: list[dict[str, Any]]) -> str:
    return json.dumps({"state": where, "versions": versions}, separators=(",", ":")) + "\n"


HISTORY_RENDERERS: dict[str, Callable[[str, list[dict[str, Any]]], str]] = {"text": render_history_text,
                                                                             "json": render_history_json}


def render_rollback(where: str, serial: int, new_serial: int) -> str:
    return (f"Rolled back {escape(where)}: serial {new_serial} is a copy of serial {serial} (history keeps every "
            "version in between).\n")


def render_migrated(source: str, target: str, serial: int, lineage: str | None) -> str:
    return (f"Migrated the state from {escape(source)} to {escape(target)}: serial {serial}, lineage {lineage} "
            "(saved plans made against the source apply to the destination).\n")
