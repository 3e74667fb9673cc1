"""The canonical actors and components a plan's steps name. Sources: Kubernetes components
(https://kubernetes.io/docs/concepts/overview/components/) and GKE's cluster architecture
(https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture)."""

from __future__ import annotations

COMPONENTS: dict[str, tuple[str, ...]] = {
    "gke": ("container-api", "compute-engine", "cluster-autoscaler"),
    "cluster-master": ("kube-apiserver", "kube-scheduler"),
    "controller": ("deployment-controller", "replicaset-controller", "endpointslice-controller",
                   "namespace-controller", "garbage-collector", "service-controller", "node-controller",
                   "node-ipam-controller", "l4-netlb-controller",
                   "daemonset-controller", "job-controller", "cronjob-controller", "horizontal-pod-autoscaler"),
    "node": ("kubelet", "kube-proxy", "cni"),
}
"""Actor -> its components."""
