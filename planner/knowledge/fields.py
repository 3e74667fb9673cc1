"""Field-level knowledge shared by every kind: how list items are matched when two manifests are compared.

What is particular to one kind (which changes force replacement, what only apply can know) lives in its module
under planner/kinds."""

from __future__ import annotations

MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "ports": ("containerPort", "port"),
    "conditions": ("type",),
}
"""List field name -> candidate merge keys (Kubernetes' strategic-merge keys: containers and env by `name`, container
ports by `containerPort`, Service ports by `port`). The first key every item has, with unique values, is used; a list
without one is compared by position."""
