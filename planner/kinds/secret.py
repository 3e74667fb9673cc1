"""Secret (v1): stored by kube-apiserver like any object, but its values never appear in any output.

Plans, JSON and the state keep only a digest of each value, enough to see that it changed (Kubernetes'
"Secrets" concept page: https://kubernetes.io/docs/concepts/configuration/secret/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import apirules, generic, kubectl
from planner.kinds.base import GetView, KindSpec, Manifest, Problem
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.state import State


def _check(data: Manifest) -> list[Problem]:
    """kube-apiserver's rules (apirules.RULES): object metadata, and `data` values that must decode as base64."""
    return [*apirules.object_meta(data.get("metadata")), *apirules.base64_fields(data, ("data",))]


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get secrets`: TYPE and how many keys (DATA), never a value."""
    return [{"namespace": r.namespace, "name": r.name, "type": r.manifest.get("type") or "Opaque",
             "data": len(r.manifest.get("data") or {}) + len(r.manifest.get("stringData") or {}),
             "created": objects.created(r.status)}
            for r in state.of_family(SPEC.family)]


SPEC = KindSpec(
    imperative=kubectl.secret,
    family="secret",
    kinds=(("v1", "Secret"),),
    rank=generic.RANKS_BY_KIND["Secret"],
    steps=generic.STEPS,
    handlers=generic.HANDLERS,
    sensitive_fields=("data", "stringData"),
    views=(GetView("secrets", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("TYPE", "type"),
                                      ("DATA", "data"), ("AGE", "age")), aliases=("secret",), resource="secret"),),
    check=_check,
    messages=generic.MESSAGES,
)
