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
                    node[key] = _copy(filled)


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


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
