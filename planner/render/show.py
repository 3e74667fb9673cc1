"""`planner show` without a plan file: the state as text (render/state.py) or as its JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from planner.render.escape import escape_json, yaml_text
from planner.render.state import render_state


def render_show_html(picture: dict[str, Any]) -> str:
    """Imported when asked for: the page's layout code is the largest renderer, and every command imports these."""
    from planner.render.html import render_show_html as render

    return render(picture)


def render_state_json(state: dict[str, Any]) -> str:
    return escape_json(json.dumps(state, separators=(",", ":"))) + "\n"  # ASCII: only a DEL to escape


STATE_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": render_state, "json": render_state_json,
                                                                "yaml": yaml_text, "html": render_show_html}
"""`show -o` (no plan file): format -> renderer of the state's JSON form (html: of its picture,
api.cluster_picture). A plan file renders with RENDERERS."""
