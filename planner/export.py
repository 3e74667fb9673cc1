"""`planner export`: the state as the multi-document YAML that reproduces it, so what `planner run` commands built
becomes an input (`planner plan` of the export shows no changes).

Each resource is its last-applied manifest (never status or what the servers allocated: clusterIP, nodePort, uid,
resourceVersion, creationTimestamp live in the state's `status`), without the fields its kind's defaults would fill
in again (a default is dropped only when defaulting the rest gives it back, so the export means the same manifest).
Secret values (Secret data, secret-looking env literals, annotated fields) are known only by their digests: they
are exported as a placeholder, with a warning.
Order: the cluster, its node pools, then by rank, namespace, kind and name.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import yaml

from planner import kinds
from planner.kinds.defaulting import apply_defaults, copy_json
from planner.model import SECRET_DIGEST
from planner.order import rank_of
from planner.state import State, StoredResource

PLACEHOLDER = "REPLACE-ME"
"""What a secret value is exported as (base64-encoded under a Secret's `data`)."""
_INDEX = re.compile(r"\[\d+\]")


def export(state: State) -> tuple[str, list[str]]:
    """The YAML documents, and the warnings for stderr."""
    warnings: list[str] = []
    documents = []
    for resource in sorted(state.resources.values(), key=_order):
        manifest = _without_defaults(resource.family, resource.manifest)
        masked = _placeholders(resource, manifest)
        manifest, digests = _digests_out(manifest)
        masked += digests
        if masked:
            warnings.append(f"Warning: {resource.address}: {masked} secret value(s) exported as the placeholder "
                            f"{PLACEHOLDER!r}: the state keeps only their digests. Put the real values in before "
                            "you apply the export.")
        documents.append(manifest)
    text = yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False, allow_unicode=True) if (
        documents) else ""
    return text, warnings


def _order(resource: StoredResource) -> tuple[int, int, str, str, str]:
    spec = kinds.spec_of(resource.family)
    group = 0 if spec.is_cluster else 1 if spec.node_pool is not None else 2
    return group, rank_of(resource.family, resource.kind).rank, resource.namespace or "", resource.kind, resource.name


def _placeholders(resource: StoredResource, manifest: dict[str, Any]) -> int:
    count = 0
    for name in kinds.spec_of(resource.family).sensitive_fields:
        values = manifest.get(name)
        if not isinstance(values, dict):
            continue
        value = base64.b64encode(PLACEHOLDER.encode()).decode() if name == "data" else PLACEHOLDER
        manifest[name] = dict.fromkeys(values, value)
        count += len(values)
    return count


def _leaves(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict) and node:
        return [leaf for key, value in node.items() for leaf in [(*path, key), *_leaves(value, (*path, key))]]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*path, i))]
    return []


def _pattern(path: tuple[str | int, ...]) -> str:
    return ".".join("[*]" if isinstance(p, int) else p for p in path).replace(".[*]", "[*]")


def _digests_out(node: Any) -> tuple[Any, int]:
    """Every other value the state knows only by its keyed digest (a secret-looking env literal, a field the
    `planner.dev/sensitive` annotation names) becomes the placeholder too: the digest is not the value, and an
    export applied as it is would deploy it as one."""
    if isinstance(node, str):
        return (PLACEHOLDER, 1) if node.startswith(SECRET_DIGEST) else (node, 0)
    if isinstance(node, dict):
        pairs = {k: _digests_out(v) for k, v in node.items()}
        return {k: v for k, (v, _) in pairs.items()}, sum(n for _, n in pairs.values())
    if isinstance(node, list):
        items = [_digests_out(v) for v in node]
        return [v for v, _ in items], sum(n for _, n in items)
    return node, 0


def _without(manifest: dict[str, Any], paths: list[tuple[str | int, ...]]) -> dict[str, Any]:
    """A copy of the manifest without these paths (each a dict key; one under an earlier one is skipped)."""
    out: dict[str, Any] = copy_json(manifest)
    for path in paths:
        parent: Any = out
        for part in path[:-1]:
            if not isinstance(parent, dict | list):
                break
            try:
                parent = parent[part]  # type: ignore[index]
            except (KeyError, IndexError):
                parent = None
                break
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return out


def _without_defaults(family: str, stored: dict[str, Any]) -> dict[str, Any]:
    """The manifest minus each field that defaulting the rest restores. Only the paths the kind's defaults table
    names are candidates; all of them are tried at once first (they usually all go: one trial per resource), and
    one by one, deepest first (so a parent left empty goes too), only when that changes the manifest."""
    patterns = {pattern for pattern, _value in kinds.spec_of(family).defaults}
    candidates = sorted((p for p in _leaves(stored) if _pattern(p) in patterns and not isinstance(p[-1], int)),
                        key=len, reverse=True)
    if not candidates:
        return dict(copy_json(stored))
    full = apply_defaults(family, copy_json(stored))
    trial = _without(stored, candidates)
    if apply_defaults(family, copy_json(trial)) == full:
        return trial
    current: dict[str, Any] = copy_json(stored)
    for path in candidates:
        trial = _without(current, [path])
        if trial != current and apply_defaults(family, copy_json(trial)) == full:
            current = trial
    return current
