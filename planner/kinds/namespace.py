"""Namespace (v1): the namespaces every cluster starts with, and the namespace lifecycle
(https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import apirules, generic
from planner.kinds import imperative as imp
from planner.kinds import sources as src
from planner.kinds.base import GetView, KindSpec, Rank, S, Schema
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import ResourceChange
    from planner.state import State

BUILTIN = ("default", "kube-node-lease", "kube-public", "kube-system")
"""The namespaces every cluster starts with (initial-namespaces, above)."""


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get namespaces`: the built-in ones while a cluster runs, and the declared ones."""
    cluster = state.cluster
    started = (objects.created(cluster.status) if cluster is not None else None)
    rows = {name: {"name": name, "status": "Active", "created": started} for name in BUILTIN} if cluster else {}
    for resource in state.of_family(SPEC.family):
        rows[resource.name] = {"name": resource.name, "status": "Active",
                               "created": objects.created(resource.status)}
    return [rows[name] for name in sorted(rows)]


# ---------------------------------------------------------------- imperative equivalents
# `kubectl create namespace NAME` (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/), then
# `kubectl label namespace NAME k=v` for its labels; anything more is `kubectl apply -f -`.


def _namespace(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    metadata = manifest.get("metadata") or {}
    if set(manifest) - {"apiVersion", "kind", "metadata"} or set(metadata) - {"name", "labels"}:
        return imp.apply_manifest(manifest)
    labels = metadata.get("labels") or {}
    return [imp.cmd("kubectl", "create", "namespace", change.name), *(
        [imp.cmd("kubectl", "label", "namespace", change.name, *[f"{k}={v}" for k, v in labels.items()])]
        if labels else [])]


imperative = imp.kubernetes(_namespace)


SPEC = KindSpec(
    imperative=imperative,
    family="namespace",
    kinds=(("v1", "Namespace"),),
    rank=Rank(2, "a namespace must exist before anything is stored in it (kapp, Helm)"),
    steps={
        "create": (S("cluster-master", "kube-apiserver", "validates and stores Namespace {name}",
          source=src.K8S_NAMESPACES),),
        "delete": (
            S("cluster-master", "kube-apiserver", "marks Namespace {name} Terminating", source=src.K8S_NAMESPACES),
            S("controller", "namespace-controller", "deletes every object left in {name}, then removes the "
                                                    "namespace", source=src.K8S_NAMESPACES),
        ),
        "store": generic.STEPS["store"],
    },
    handlers=generic.HANDLERS,
    schema=Schema(constraints="Namespace"),
    check=lambda data: apirules.object_meta(data.get("metadata")),
    namespaced=False,
    builtin_names=BUILTIN,
    views=(GetView("namespaces", _rows, (("NAME", "name"), ("STATUS", "status"), ("AGE", "age")),
                   aliases=("namespace", "ns"), resource="namespace"),),
    messages=generic.MESSAGES,
)
