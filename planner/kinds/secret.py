"""Secret (v1): stored by kube-apiserver like any object, but its values never appear in any output.

Plans, JSON and the state keep only a digest of each value, enough to see that it changed (Kubernetes'
"Secrets" concept page: https://kubernetes.io/docs/concepts/configuration/secret/).
"""

from __future__ import annotations

from planner.kinds import generic
from planner.kinds.base import KindSpec

SPEC = KindSpec(
    family="secret",
    kinds=(("v1", "Secret"),),
    rank=generic.RANKS_BY_KIND["Secret"],
    steps=generic.STEPS,
    handlers=generic.HANDLERS,
    sensitive_fields=("data", "stringData"),
    messages=generic.MESSAGES,
)
