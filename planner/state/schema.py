"""The published state schema (`schemas/state.schema.json`), generated from the state model and each kind's live
object (`KindSpec.live`), so the file cannot drift from the code: `python -m planner.state.schema` rewrites it, and
a test checks that the committed file is what this prints."""

from __future__ import annotations

import json
import sys
from typing import Any

SCHEMA_ID = "https://planner.dev/schemas/state.schema.json"


def state_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from planner import kinds
    from planner.state.model import State

    schema = State.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    branches = []
    for spec in sorted(kinds.specs(), key=lambda s: s.family):
        live = TypeAdapter(spec.live).json_schema(ref_template="#/$defs/{model}")
        defs.update(live.pop("$defs", {}))
        name = live.get("title", spec.live.__name__)
        defs[name] = live
        branches.append({"if": {"properties": {"family": {"const": spec.family}}, "required": ["family"]},
                         "then": {"properties": {"status": {"$ref": f"#/$defs/{name}"}}}})
    defs["StoredResource"]["allOf"] = branches
    schema.pop("title", None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, "title": "State",
            **schema}


def main() -> None:
    sys.stdout.write(json.dumps(state_schema(), indent=2) + "\n")


if __name__ == "__main__":
    main()
