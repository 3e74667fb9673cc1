"""Secret (v1): stored by kube-apiserver like any object, but its values never appear in any output.

Plans, JSON and the state keep only a digest of each value, enough to see that it changed (Kubernetes'
"Secrets" concept page: https://kubernetes.io/docs/concepts/configuration/secret/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import apirules, generic
from planner.kinds import imperative as imp
from planner.kinds.base import GetView, KindSpec, Manifest, Problem
from planner.simulate import objects

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.plan import FieldChange, ResourceChange
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


# ---------------------------------------------------------------- imperative equivalents
# `kubectl create secret generic NAME --from-file=KEY=PATH` (Opaque only; kubectl_create_secret_generic, v1.34): the
# values stay out of the command, in files the note names. Any other Secret is `kubectl apply -f -` of its masked
# manifest, with a note saying so.

SECRET_FIELDS = ("data", "stringData")
SECRET_NOTE = ("# the values stay out of the command: write each key's value to the file named after it first "
               "(planner never prints a Secret value)")


def _secret_files(manifest: dict[str, Any]) -> list[str]:
    keys = sorted({*(manifest.get("data") or {}), *(manifest.get("stringData") or {})})
    return [f"--from-file={key}=./{key}" for key in keys]


def _secret(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    metadata = manifest.get("metadata") or {}
    if set(manifest) - {"apiVersion", "kind", "metadata", "type", *SECRET_FIELDS} or set(metadata) - {
            "name", "namespace"} or manifest.get("type", "Opaque") != "Opaque":
        return imp.apply_manifest(manifest, SECRET_FIELDS)
    return [SECRET_NOTE, imp.cmd("kubectl", "create", change.kind.lower(), "generic", change.name, *imp.ns(change),
                                 *_secret_files(manifest))]


def _secret_values(change: ResourceChange, changes: Sequence[FieldChange]) -> list[str]:
    """Changed values: the secret made again from files, piped to apply (kubectl's documented way to update one)."""
    manifest = imp.written(change)
    if manifest.get("type", "Opaque") != "Opaque":
        return imp.apply_manifest(manifest, SECRET_FIELDS)
    made = imp.cmd("kubectl", "create", change.kind.lower(), "generic", change.name, *imp.ns(change),
                   *_secret_files(manifest), "--dry-run=client", "-o", "yaml")
    return [SECRET_NOTE, f"{made} | kubectl apply -f -"]


imperative = imp.kubernetes(_secret, [("data", _secret_values), ("stringData", _secret_values)], SECRET_FIELDS)


SPEC = KindSpec(
    imperative=imperative,
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
