"""Where the JSON Schemas live: the upstream Kubernetes ones (from the kubernetes-validate package) and our own.

Loaded lazily and compiled once per kind per process: building a validator per document is what makes
kubernetes-validate slow (~30 documents/s).
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from planner.errors import PlannerError

DEFAULT_KUBERNETES_VERSION = "1.34"
"""A minor version GKE's regular channel runs at the time of writing; `--kubernetes-version` picks another."""

_REF_PREFIX = "/api/_definitions.json#"
_META_DEFS = "io.k8s.apimachinery."


def schemas_dir() -> Path:
    """Our `schemas/`: inside the installed package, or at the top of a source checkout (editable installs)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise PlannerError.single("planner's schemas/ folder is missing from this installation")  # pragma: no cover


@cache
def own_schema(name: str) -> dict[str, Any]:
    with open(schemas_dir() / name, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)  # our own files: each is a JSON object
    return schema


def _kubernetes_schema_root() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")  # locate its data without importing it (start-up time)
    if spec is None or not spec.submodule_search_locations:
        raise PlannerError.single("the kubernetes-validate package is not installed (pip install kubernetes-validate)")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


@cache
def available_versions() -> tuple[str, ...]:
    found = []
    for p in _kubernetes_schema_root().iterdir():
        m = re.fullmatch(r"v(\d+\.\d+)\.\d+-local-strict", p.name)
        if m:
            found.append(m.group(1))
    return tuple(sorted(found, key=_version_key))


def resolve_version(requested: str) -> str:
    """Latest bundled minor version not newer than the requested one (compared as numbers, not strings)."""
    wanted = requested.lstrip("v")
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", wanted):
        raise PlannerError.single(f'--kubernetes-version "{requested}" is not a version like 1.34')
    minor = ".".join(wanted.split(".")[:2])
    versions = available_versions()
    usable = [v for v in versions if _version_key(v) <= _version_key(minor)]
    if not usable or _version_key(minor) > _version_key(versions[-1]):
        raise PlannerError.single(
            f"Kubernetes {minor} is not supported: schemas are bundled for {versions[0]} to {versions[-1]}"
        )
    return usable[-1]


def definitions_file(version: str) -> Path:
    """The upstream definitions of one bundled minor version."""
    return _kubernetes_schema_root() / f"v{version}.0-local-strict" / "_definitions.json"


@cache
def kubernetes_definitions(version: str) -> dict[str, Any]:
    """The strict upstream definitions, with references rewritten to point inside one document."""
    text = definitions_file(version).read_text(encoding="utf-8")
    definitions: dict[str, Any] = json.loads(text.replace(_REF_PREFIX, "#"))["$defs"]
    return definitions


@cache
def kubernetes_kinds(version: str) -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> definition name, for every top-level built-in kind of that version."""
    kinds: dict[tuple[str, str], str] = {}
    for name, definition in kubernetes_definitions(version).items():
        if name.startswith(_META_DEFS) or name.endswith("List"):
            continue
        for gvk in definition.get("x-kubernetes-group-version-kind") or ():
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            kinds[(api_version, gvk["kind"])] = name
    return kinds


@cache
def kubernetes_schema(version: str, definition: str) -> dict[str, Any]:
    """One kind's schema with only the definitions it reaches: compiling it takes a fraction of the time that
    compiling all of a version's ~730 definitions for every kind took (10-25 ms a kind, most of a small
    `validate`'s own work)."""
    definitions = kubernetes_definitions(version)
    reached: dict[str, Any] = {}
    pending = [definition]
    while pending:
        name = pending.pop()
        if name in reached or name not in definitions:
            continue
        reached[name] = definitions[name]
        stack: list[Any] = [definitions[name]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/$defs/"):
                    pending.append(ref[len("#/$defs/"):])
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))
    return {"$ref": f"#/$defs/{definition}", "$defs": reached}
