"""Renderers: pure functions from what a command computed to the text it prints. They never compute.

Each command picks its renderer from a dict keyed by its `-o/--output` choices: RENDERERS (plan, show PLANFILE),
GET_RENDERERS (get), render.validate.VALIDATE_RENDERERS, render.show.STATE_RENDERERS (show).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from planner.render.escape import yaml_text
from planner.render.get import render_get
from planner.render.html import render_plan_html
from planner.render.json import render_json
from planner.render.text import render_text

if TYPE_CHECKING:  # the kinds registry is imported only by commands that need it: start-up time
    from planner.kinds.base import GetView

RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": render_text, "json": render_json,
                                                          "yaml": yaml_text, "html": render_plan_html}
"""The plan (its wire form), for plan and show PLANFILE."""



GetRenderer = Callable[["GetView", list[dict[str, Any]]], str]


def _get_renderer(output: str) -> GetRenderer:
    def render(view: GetView, rows: list[dict[str, Any]]) -> str:
        return render_get(view, rows, output)

    return render


GET_RENDERERS: dict[str, GetRenderer] = {output: _get_renderer(output)
                                         for output in ("text", "wide", "json", "yaml", "name")}
"""`get -o`: format -> renderer of (view, rows)."""
