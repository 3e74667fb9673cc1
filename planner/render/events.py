"""Apply's events in words: each handler returns data (`{"event": code, ...}`), each kind registers the English
for its codes (`KindSpec.messages`), and this module fills them in. A list value is joined with commas, followed by
" ..." when the handler cut it short (`<key>_more`). The text is escaped (render/escape.py): values are names,
images and messages from the input."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from planner.render.escape import escape

WORLD_MESSAGES = {
    "resumed": "{address}: stalled rollout resumed and {summary}",
    "forgotten": "{kind} {name} left the state; it keeps running, no longer managed by planner",
}
"""Events of the cluster-wide controllers (planner.simulate.controllers)."""


@cache
def _messages(generation: int) -> dict[str, str]:
    from planner import kinds

    out = dict(WORLD_MESSAGES)
    for spec in kinds.specs():
        out.update(spec.messages)
    return out


def event_text(event: Mapping[str, Any]) -> str:
    values: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, list):  # a long list: the first five, and how many more (when the handler knows)
            more = event.get(f"{key}_more")
            tail = (f" and {more} more" if isinstance(more, int) and not isinstance(more, bool) and more > 0
                    else " ..." if more else f" and {len(value) - 5} more" if len(value) > 5 else "")
            value = ", ".join(str(v) for v in value[:5]) + tail
        values[key] = value
    from planner import kinds  # imported when apply prints, not when the CLI starts

    return escape(_messages(kinds.REGISTRY.generation)[event["event"]].format_map(values))
