"""The JSON plan (`-o json`): the versioned contract described by schemas/plan.schema.json."""

from __future__ import annotations

import json
from typing import Any


def render_json(wire: dict[str, Any]) -> str:
    # Compact: the C encoder only runs without indent, and consumers pipe this to jq or parse it.
    return json.dumps(wire, separators=(",", ":"), ensure_ascii=False) + "\n"
