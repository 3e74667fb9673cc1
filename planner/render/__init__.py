"""Renderers: pure functions from what a command computed to the text it prints. They never compute.

Each command picks its renderer from a dict keyed by its `-o/--output` choices: RENDERERS (plan, show PLANFILE;
plan_renderer passes the markdown comment its size budget), GET_RENDERERS (get),
render.validate.VALIDATE_RENDERERS, render.show.STATE_RENDERERS (show).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from planner.render.escape import yaml_text
from planner.render.get import render_get
from planner.render.json import render_json
from planner.render.markdown import DEFAULT_MAX_SIZE, render_markdown
from planner.render.mermaid import render_mermaid
from planner.render.text import render_text, text_chunks

if TYPE_CHECKING:  # the kinds registry is imported only by commands that need it: start-up time
    from planner.kinds.base import GetView

def render_plan_html(wire: dict[str, Any]) -> str:
    """Imported when asked for: the page's layout code is the largest renderer, and every command imports these."""
    from planner.render.html import render_plan_html as render

    return render(wire)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": render_text, "json": render_json,
                                                          "yaml": yaml_text, "html": render_plan_html,
                                                          "markdown": render_markdown, "mermaid": render_mermaid}
"""The plan (its wire form), for plan and show PLANFILE."""


def plan_renderer(output: str, max_size: int = DEFAULT_MAX_SIZE, commands: bool = False,
                  explain: bool = False) -> Callable[[dict[str, Any]], str]:
    """The renderer of `-o output`, the markdown comment held to `max_size` characters (`--max-size`); text shows
    each change's commands (`--show-commands`) and why each step's component acts (`--explain`) when asked."""
    if output == "text" and (commands or explain):
        return partial(render_text, commands=commands, explain=explain)
    return partial(render_markdown, max_size=max_size) if output == "markdown" else RENDERERS[output]


def plan_chunks(output: str, max_size: int = DEFAULT_MAX_SIZE, commands: bool = False,
                explain: bool = False) -> Callable[[dict[str, Any]], Iterable[str]]:
    """plan_renderer's output in pieces to write one after the other: text comes in chunks (text_chunks), so a
    large plan's text is never held whole; the other formats are one piece."""
    if output == "text":
        return partial(text_chunks, commands=commands, explain=explain)
    render = plan_renderer(output, max_size, commands, explain)
    return lambda wire: (render(wire),)


GetRenderer = Callable[["GetView", list[dict[str, Any]]], str]


def _get_renderer(output: str) -> GetRenderer:
    def render(view: GetView, rows: list[dict[str, Any]]) -> str:
        return render_get(view, rows, output)

    return render


GET_RENDERERS: dict[str, GetRenderer] = {output: _get_renderer(output)
                                         for output in ("text", "wide", "json", "yaml", "name")}
"""`get -o`: format -> renderer of (view, rows)."""
