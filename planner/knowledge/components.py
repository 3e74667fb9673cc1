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
                   # kube-controller-manager's loops for the other workloads and volumes (gke-lifecycle.md)
                   "statefulset-controller", "daemonset-controller", "job-controller", "cronjob-controller",
                   "horizontal-pod-autoscaler", "persistentvolume-binder", "attachdetach-controller",
                   # the PD CSI driver's controller side, run by GKE (pd.csi.storage.gke.io)
                   "csi-provisioner", "csi-attacher"),
    "node": ("kubelet", "kube-proxy", "cni", "csi-node"),
}
"""Actor -> its components."""
