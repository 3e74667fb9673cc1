"""Renderers: pure functions from the JSON plan (wire form) to text, picked by `-o/--output`. They never compute."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.render.json import render_json
from planner.render.text import render_text

RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": render_text, "json": render_json}
