"""Generate our JSON Schemas from Config Connector's CRDs, never by hand.

`python -m planner.crd CRD_DIR [OUT_DIR]` reads each CustomResourceDefinition's served storage version and writes
`<kind>.crd.schema.json` (draft 2020-12) for it:
- closed (`additionalProperties: false`) wherever the CRD lists `properties`, since the API server prunes or refuses
  unknown fields of a structural schema; open only where the CRD says `x-kubernetes-preserve-unknown-fields`;
- `type`, `enum`, `required`, `oneOf`/`anyOf`/`allOf`/`not`, `items`, `pattern`, `format` and bounds kept;
  `x-kubernetes-int-or-string` becomes integer-or-string, `nullable` adds null;
- every field whose description begins with "Immutable." listed in `x-planner-immutable` (dotted paths, `[*]` for list
  items): Config Connector's admission webhook refuses changes to them;
- descriptions are not copied; `metadata` is the object metadata kube-apiserver accepts (`OBJECT_META`).

Structural schemas: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
#specifying-a-structural-schema. The CRDs' origin is in ../shared/upstream/config-connector/README.md.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

KEPT = ("type", "enum", "required", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties",
        "maxProperties", "multipleOf", "default")
"""Keywords copied as they are (JSON Schema and OpenAPI v3 agree on them)."""

COMBINERS = ("oneOf", "anyOf", "allOf")

INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
"""OpenAPI integer formats and the values they hold; JSON Schema's "integer" alone accepts 1e30."""

OBJECT_META: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "namespace": {"type": "string"},
        "generateName": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": {
            "type": "object", "required": ["apiVersion", "kind", "name", "uid"],
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"},
                           "uid": {"type": "string"}, "controller": {"type": "boolean"},
                           "blockOwnerDeletion": {"type": "boolean"}}}},
        "uid": {"type": "string"},
        "resourceVersion": {"type": "string"},
        "generation": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "creationTimestamp": {"type": ["string", "null"]},
        "deletionTimestamp": {"type": ["string", "null"]},
        "deletionGracePeriodSeconds": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "managedFields": {"type": "array"},
        "selfLink": {"type": "string"},
    },
}
"""The object metadata kube-apiserver accepts (Kubernetes API reference, ObjectMeta). Server-set fields are accepted
so that `kubectl get -o yaml` output can be planned; planner ignores them."""


def convert(node: Mapping[str, Any], path: str, immutable: list[str]) -> dict[str, Any]:
    """One openAPIV3Schema node as JSON Schema; records Immutable fields under `path`."""
    description = str(node.get("description") or "")
    if description.startswith("Immutable.") and path:
        immutable.append(path)
    out: dict[str, Any] = {k: node[k] for k in KEPT if k in node}
    bounds = INTEGER_BOUNDS.get(str(node.get("format"))) if node.get("type") == "integer" else None
    if bounds is not None:  # what the API server's decoder can hold: 1e30 is no int64
        out.setdefault("minimum", bounds[0])
        out.setdefault("maximum", bounds[1])
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    for combiner in COMBINERS:
        if combiner in node:
            out[combiner] = [convert(branch, path, []) for branch in node[combiner]]
    if "not" in node:
        out["not"] = convert(node["not"], path, [])
    if "properties" in node:
        out["properties"] = {key: convert(child, f"{path}.{key}" if path else key, immutable)
                             for key, child in node["properties"].items()}
    if "items" in node:
        out["items"] = convert(node["items"], f"{path}[*]", immutable)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        out["additionalProperties"] = convert(extra, f"{path}[*]", immutable)
    elif extra is not None:
        out["additionalProperties"] = bool(extra)
    elif "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def crd_schema(crd: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a CRD's storage version, with its Immutable fields."""
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    root = version["schema"]["openAPIV3Schema"]
    immutable: list[str] = []
    schema = convert(root, "", immutable)
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"const": f"{group}/{version['name']}"}
    properties["kind"] = {"const": kind}
    properties["metadata"] = OBJECT_META
    schema["required"] = sorted({"apiVersion", "kind", "metadata", *schema.get("required", [])})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://planner.dev/schemas/{kind.lower()}.crd.schema.json",
            "title": f"{kind} ({group}/{version['name']}), generated by planner.crd from its CRD",
            "x-planner-immutable": sorted(immutable), **schema}


def generate(crd_dir: Path) -> dict[str, dict[str, Any]]:
    """File name -> schema, for every CRD in the folder."""
    out = {}
    for path in sorted(crd_dir.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
            continue
        schema = crd_schema(crd)
        out[f"{crd['spec']['names']['kind'].lower()}.crd.schema.json"] = schema
    return out


def dump(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: python -m planner.crd CRD_DIR [OUT_DIR]\n")
        return 1
    out_dir = Path(argv[1]) if len(argv) > 1 else Path("schemas")
    for name, schema in generate(Path(argv[0])).items():
        (out_dir / name).write_text(dump(schema), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
