"""Kubernetes label selectors, evaluated the way kube-apiserver and the controllers do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A LabelSelector (`matchLabels` and `matchExpressions`) against one label set. Empty selects nothing here."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def equality_selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """A Service's plain map selector: every pair must be present."""
    return all(labels.get(k) == v for k, v in selector.items())
