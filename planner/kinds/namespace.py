"""Namespace (v1): the namespaces every cluster starts with, and the namespace lifecycle
(https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces)."""

from __future__ import annotations

from planner.kinds import apirules, generic
from planner.kinds import sources as src
from planner.kinds.base import KindSpec, Rank, S, Schema

SPEC = KindSpec(
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
    builtin_names=("default", "kube-node-lease", "kube-public", "kube-system"),
    messages=generic.MESSAGES,
)
