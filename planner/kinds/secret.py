"""Secret (v1): stored by kube-apiserver like any object, but its values never appear in any output.

Plans, JSON and the state keep only a digest of each value, enough to see that it changed (Kubernetes'
"Secrets" concept page: https://kubernetes.io/docs/concepts/configuration/secret/).
"""

from __future__ import annotations

from planner.kinds import apirules, generic
from planner.kinds.base import KindSpec, Manifest, Problem


def _check(data: Manifest) -> list[Problem]:
    """kube-apiserver's rules (apirules.RULES): object metadata, and `data` values that must decode as base64."""
    return [*apirules.object_meta(data.get("metadata")), *apirules.base64_fields(data, ("data",))]


SPEC = KindSpec(
    family="secret",
    kinds=(("v1", "Secret"),),
    rank=generic.RANKS_BY_KIND["Secret"],
    steps=generic.STEPS,
    handlers=generic.HANDLERS,
    sensitive_fields=("data", "stringData"),
    check=_check,
    messages=generic.MESSAGES,
)
