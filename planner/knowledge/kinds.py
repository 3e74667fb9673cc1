"""Kinds planner knows: the five modelled in depth, and how every other built-in kind is treated."""

from __future__ import annotations

CNRM_API_VERSION = "container.cnrm.cloud.google.com/v1beta1"

MODELLED: dict[tuple[str, str], str] = {
    (CNRM_API_VERSION, "ContainerCluster"): "cluster",
    (CNRM_API_VERSION, "ContainerNodePool"): "nodepool",
    ("apps/v1", "Deployment"): "deployment",
    ("v1", "Service"): "service",
    ("v1", "Namespace"): "namespace",
}
"""(apiVersion, kind) -> model family. Everything else built in is `generic`: kube-apiserver stores it."""

GKE_KINDS = frozenset({"ContainerCluster", "ContainerNodePool"})
"""Kinds that live outside the cluster (Config Connector): their metadata.namespace is a project, not a namespace."""

CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ClusterTrustBundle",
    "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass", "FlowSchema", "IngressClass", "IPAddress",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace",
    "PersistentVolume", "PriorityClass", "PriorityLevelConfiguration", "ResourceSlice", "RuntimeClass",
    "ServiceCIDR", "StorageClass", "StorageVersion", "StorageVersionMigration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
})
"""Built-in kinds without a namespace (address `<Kind>/<name>`). Every other built-in kind is namespaced."""

NOT_DECLARABLE: dict[str, str] = {
    "Node": "Nodes are registered by each VM's kubelet; declare a ContainerNodePool with nodeCount instead",
    "Binding": "Bindings are written by kube-scheduler, not declared",
    "ComponentStatus": "ComponentStatus is read-only",
    "Event": "Events are written by components as things happen, not declared",
    "Eviction": "Evictions are requests, not objects to keep",
    "Scale": "Scale is a subresource; set spec.replicas on the workload instead",
    "TokenRequest": "TokenRequest is a request, not an object to keep",
    "TokenReview": "TokenReview is a request, not an object to keep",
    "SelfSubjectReview": "SelfSubjectReview is a request, not an object to keep",
    "SubjectAccessReview": "SubjectAccessReview is a request, not an object to keep",
    "LocalSubjectAccessReview": "LocalSubjectAccessReview is a request, not an object to keep",
    "SelfSubjectAccessReview": "SelfSubjectAccessReview is a request, not an object to keep",
    "SelfSubjectRulesReview": "SelfSubjectRulesReview is a request, not an object to keep",
}
"""Kinds with an upstream schema that make no sense in a desired state, and what to do instead."""

BUILTIN_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
"""Namespaces every GKE cluster has from creation (gke-lifecycle.md, "Cluster create")."""

SECRET_KINDS = frozenset({"Secret"})
SECRET_FIELDS = ("data", "stringData")
"""Fields whose values never appear in any output: plans, JSON, state diffs shown to people."""


def family(api_version: str, kind: str) -> str:
    return MODELLED.get((api_version, kind), "generic")


def is_namespaced(kind: str) -> bool:
    return kind not in CLUSTER_SCOPED and kind not in GKE_KINDS
