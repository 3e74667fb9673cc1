"""Which selectors (Services) select which workloads' Pods, by index: one lookup per label, never a scan of all pairs.

Families take part through their specs: `pod_labels` for workloads, `selector` for families that select Pods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from planner import kinds
from planner.selectors import equality_selector_matches

Objects = Iterable[tuple[str, str, str, str, dict[str, Any]]]
"""(family, address, namespace, name, manifest)."""


class SelectorIndex:
    """Workloads by (namespace, label, value); selectors by (namespace, one of their selector's pairs)."""

    def __init__(self, objects: Objects) -> None:
        self._workloads: dict[tuple[str, str, str], list[tuple[str, Mapping[str, str]]]] = defaultdict(list)
        self._selectors: dict[tuple[str, str, str], list[tuple[str, Mapping[str, str]]]] = defaultdict(list)
        self._families: dict[str, str] = {}
        for family, address, namespace, _name, manifest in objects:
            spec = kinds.spec_of(family)
            if spec.pod_labels is not None:
                labels = spec.pod_labels(manifest)
                for key, value in labels.items():
                    self._workloads[(namespace, key, value)].append((address, labels))
            if spec.selector is not None:
                selector = spec.selector(manifest) or {}
                if selector:
                    self._families[address] = family
                    key, value = min(selector.items())
                    self._selectors[(namespace, key, value)].append((address, selector))

    def selecting(self, namespace: str, labels: Mapping[str, str]) -> list[str]:
        """Addresses of the selectors (Services) whose selector these Pod labels match."""
        found: set[str] = set()
        for key, value in labels.items():
            for name, selector in self._selectors.get((namespace, key, value), ()):
                if equality_selector_matches(selector, labels):
                    found.add(name)
        return sorted(found)

    def family_of(self, selector: str) -> str:
        """The family of a selector `selecting` returned."""
        return self._families[selector]

    def selected(self, namespace: str, selector: Mapping[str, str]) -> list[str]:
        """Addresses of the workloads whose Pod labels the selector matches."""
        if not selector:
            return []
        candidates = min((self._workloads.get((namespace, k, v), []) for k, v in selector.items()), key=len)
        return sorted({address for address, labels in candidates
                       if equality_selector_matches(selector, labels)})


def index_of(objects: Objects) -> SelectorIndex:
    """Only the families that take part are indexed (one dict lookup per object otherwise)."""
    return SelectorIndex(o for o in objects if _takes_part(o[0]))


def _takes_part(family: str) -> bool:
    spec = kinds.spec_of(family)
    return spec.pod_labels is not None or spec.selector is not None
