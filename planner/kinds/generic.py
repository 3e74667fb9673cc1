"""Every other built-in kind: kube-apiserver validates and stores it; planner models no controller behind it.

Its rank depends on the kind (kapp's and Helm's install order: definitions, then configuration, then workloads,
then what points at workloads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import apirules, imperative, kubectl_any
from planner.kinds import sources as src
from planner.kinds.base import GetView, KindSpec, Manifest, OpResult, Problem, Rank, Ref, S
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine
    from planner.state import State

STEPS = {
    "create": (S("cluster-master", "kube-apiserver", "validates and stores {kind} {name}", source=src.K8S_OBJECTS),),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes {kind} {name}", source=src.K8S_OBJECTS),
        S("controller", "garbage-collector", "deletes objects it owns, if any", source=src.K8S_GARBAGE_COLLECTION),
    ),
    "store": (S("cluster-master", "kube-apiserver", "stores the change ({changed})", source=src.K8S_OBJECTS),),
}

_VERB = {"create": "created", "update": "updated", "delete": "deleted"}


def stored(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    """kube-apiserver stores (or deletes) the object; nothing else happens."""
    return OpResult(op.change.address, op.phase, {"event": "stored", "kind": op.change.kind, "name": op.change.name,
                                                  "verb": _VERB[op.phase]})


HANDLERS = {"create": stored, "update": stored, "delete": stored}
MESSAGES = {"stored": "{kind} {name} {verb}"}

RANKS_BY_KIND: dict[str, Rank] = {
    **{k: Rank(3, "cluster-wide definitions and policies before the objects that use them") for k in (
        "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PriorityClass",
        "IngressClass", "RuntimeClass", "PersistentVolume", "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")},
    **{k: Rank(4, "configuration, identities and storage before the Pods that mount or use them") for k in (
        "ServiceAccount", "Secret", "ConfigMap", "Role", "RoleBinding", "PersistentVolumeClaim", "LimitRange",
        "ResourceQuota", "NetworkPolicy")},
    **{k: Rank(6, "workloads start once their configuration, identities and Services exist") for k in (
        "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController")},
    **{k: Rank(7, "objects that point at workloads or Services come after them") for k in (
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "EndpointSlice", "Endpoints")},
}

BYTES_FIELDS = {"ConfigMap": ("binaryData",)}
"""Fields of []byte values (base64 in YAML and JSON), per kind: k8s.io/api/core/v1 types.go ConfigMap.BinaryData."""


def check(data: Manifest) -> list[Problem]:
    """kube-apiserver's rules every object meets (apirules.RULES): its metadata; bytes fields that are base64."""
    kind = data.get("kind")
    fields = BYTES_FIELDS.get(kind, ()) if isinstance(kind, str) else ()
    return [*apirules.object_meta(data.get("metadata")), *apirules.base64_fields(data, fields)]


def _configmap_rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get configmaps`: how many keys each holds (data and binaryData)."""
    return [{"namespace": r.namespace, "name": r.name,
             "data": len(r.manifest.get("data") or {}) + len(r.manifest.get("binaryData") or {}),
             "created": objects.created(r.status)}
            for r in state.of_family(SPEC.family) if r.kind == "ConfigMap" and r.api_version == "v1"]


def _references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    """A bare Pod's spec is a Pod spec: what it mounts and names."""
    from planner.kinds.references import pod_references

    return pod_references(manifest.get("spec"), namespace) if manifest.get("kind") == "Pod" else []


SPEC = KindSpec(
    imperative=imperative.kubernetes(),
    family="generic",
    run_commands=kubectl_any.COMMANDS,
    references=_references,
    views=(GetView("configmaps", _configmap_rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("DATA", "data"),
                                                   ("AGE", "age")), aliases=("configmap", "cm"),
                   resource="configmap"),),
    rank=Rank(4, "other namespaced objects: with the configuration, before workloads"),
    steps=STEPS,
    handlers=HANDLERS,
    ranks_by_kind=RANKS_BY_KIND,
    check=check,
    messages=MESSAGES,
)
