"""The JSON plan (`-o json`): the versioned contract described by schemas/plan.schema.json."""

from __future__ import annotations

import json
from typing import Any

from planner.render.escape import escape_json


def render_json(wire: dict[str, Any]) -> str:
    # Compact: the C encoder only runs without indent, and consumers pipe this to jq or parse it.
    # ensure_ascii=False escapes the C0 controls but not DEL, C1 (U+009B is CSI), U+2028/2029 or bidi controls.
    return escape_json(json.dumps(wire, separators=(",", ":"), ensure_ascii=False)) + "\n"
