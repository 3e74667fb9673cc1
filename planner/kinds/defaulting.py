"""Filling in what kube-apiserver (and the GKE API, for Config Connector kinds) sets when a field is left out.

Each kind's spec lists its defaults (`KindSpec.defaults`); desired and last-applied specs are both defaulted with
them, so a default never shows as a change. Patterns use `[*]` for "every item of this list". A value may be a
function of the object being defaulted (`parent`) for the few defaults that depend on a sibling field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Default = Any | Callable[[dict[str, Any]], Any]


def _split(pattern: str) -> list[str]:
    return pattern.replace("[*]", ".[*]").split(".")


class _Node:
    """One level of the rules as a trie, steps in table order: `("set", key, default)` or `("in", key, child)`.
    Applying it visits each part of a manifest once, however many rules reach below it."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, Any]] = []
        self._children: dict[str, _Node] = {}

    def add(self, parts: list[str], value: Default) -> None:
        head, rest = parts[0], parts[1:]
        if not rest:
            self.steps.append(("set", head, value))
            return
        child = self._children.get(head)
        if child is None:
            child = self._children[head] = _Node()
            self.steps.append(("in", head, child))
        child.add(rest, value)

    def apply(self, node: Any) -> None:
        for action, key, payload in self.steps:
            if key == "[*]":
                if isinstance(node, list):
                    for item in node:
                        payload.apply(item)
                continue
            if not isinstance(node, dict):
                return
            if action == "in":
                if key in node:  # only fill below parents that exist; a parent with a default has its own rule
                    payload.apply(node[key])
            elif node.get(key) is None:
                filled = payload(node) if callable(payload) else payload
                if filled is not None:
                    node[key] = copy_json(filled)


def _compile(rules: list[tuple[str, Default]]) -> _Node:
    root = _Node()
    for pattern, value in rules:
        root.add(_split(pattern), value)
    return root


_COMPILED: dict[tuple[str, int], _Node] = {}


def apply_defaults(family: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults in place and return the manifest."""
    from planner import kinds  # the registry imports the kind modules, which import this one

    key = (family, kinds.REGISTRY.generation)
    trie = _COMPILED.get(key)
    if trie is None:
        trie = _COMPILED[key] = _compile(list(kinds.spec_of(family).defaults))
    trie.apply(manifest)
    return manifest


def copy_json(value: Any) -> Any:
    """A copy of a JSON value (dicts and lists copied, scalars shared): several times faster than deepcopy."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def strip_defaults(family: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of a defaulted manifest without the values its defaults would fill in again (and the maps left empty):
    the object as a person would write it, which the API server defaults back to the same object. Imperative
    equivalents show this (`kubectl apply -f -`) and compare commands' results with it."""
    from planner import kinds

    out: dict[str, Any] = copy_json(manifest)
    found: list[tuple[dict[str, Any], str]] = []
    for pattern, value in kinds.spec_of(family).defaults:
        for parent, key in _matches(out, _split(pattern)):
            default = value(parent) if callable(value) else value
            if key in parent and parent[key] == default:
                found.append((parent, key))
    for parent, key in found:
        parent.pop(key, None)
    if (out.get("metadata") or {}).get("namespace") == "default":
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k != "namespace"}
    if all(parent for parent, _ in found):  # no map emptied (the common case): nothing to prune, no second copy
        return out
    pruned: dict[str, Any] = _pruned(out, manifest)
    return pruned


def _matches(node: Any, parts: list[str]) -> list[tuple[dict[str, Any], str]]:
    head, rest = parts[0], parts[1:]
    if head == "[*]":
        return [m for item in node if rest for m in _matches(item, rest)] if isinstance(node, list) else []
    if not isinstance(node, dict):
        return []
    if not rest:
        return [(node, head)]
    return _matches(node[head], rest) if head in node else []


def _pruned(node: Any, original: Any) -> Any:
    """Maps emptied by stripping go too (`strategy: {rollingUpdate: {}}`); maps written empty stay."""
    if isinstance(node, dict):
        kept = {k: _pruned(v, original.get(k) if isinstance(original, dict) else None) for k, v in node.items()}
        return {k: v for k, v in kept.items()
                if not (isinstance(v, dict) and not v and isinstance(original, dict) and original.get(k))}
    if isinstance(node, list):
        return [_pruned(v, original[i] if isinstance(original, list) and i < len(original) else None)
                for i, v in enumerate(node)]
    return node
