"""Order rules, kapp-style: each kind gets a rank, each rank a reason. Creates and updates run by ascending rank,
deletions by descending rank (the reverse of creation). Ties break by namespace, then name."""

from __future__ import annotations

from typing import NamedTuple


class Rank(NamedTuple):
    rank: int
    why: str


BY_FAMILY: dict[str, Rank] = {
    "cluster": Rank(0, "everything else runs on the cluster's control plane"),
    "nodepool": Rank(1, "Pods need nodes to be scheduled on"),
    "namespace": Rank(2, "a namespace must exist before anything is stored in it (kapp, Helm)"),
    "service": Rank(5, "Services before the Deployments they select: Pods started after their Service get its "
                       "environment variables (Kubernetes configuration best practices; Helm's install order). "
                       "The GKE tutorial runs `kubectl expose` last only because expose reads the Deployment"),
    "deployment": Rank(6, "workloads start once their configuration, identities and Services exist"),
}

BY_KIND: dict[str, Rank] = {
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

DEFAULT_RANK = Rank(4, "other namespaced objects: with the configuration, before workloads")


def rank_of(family: str, kind: str) -> Rank:
    return BY_FAMILY.get(family) or BY_KIND.get(kind) or DEFAULT_RANK
