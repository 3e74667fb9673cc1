"""The canonical actors and components a plan's steps name. Sources: Kubernetes components
(https://kubernetes.io/docs/concepts/overview/components/) and GKE's cluster architecture
(https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

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

ACTOR_OF: dict[str, str] = {component: actor for actor, components in COMPONENTS.items() for component in components}
"""Component -> its actor."""

YOU = "you"
"""Who asks for a change: the person (or CI job) running planner apply, as kubectl or gcloud would."""

_CONTROLLERS = COMPONENTS["controller"]
CALLED_BY: dict[str, tuple[str, ...]] = {
    # You call the GKE API (gcloud, Config Connector); it and the cloud-side controllers call Compute Engine.
    # https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture
    "container-api": (YOU,),
    "compute-engine": ("container-api", "service-controller", "l4-netlb-controller", "csi-provisioner",
                       "csi-attacher", "cluster-autoscaler"),
    # Every Kubernetes component talks only to kube-apiserver, and only kube-apiserver stores: the controllers,
    # the scheduler and the kubelet watch it and write back through it; you write to it with kubectl; GKE's
    # control-plane bring-up (container-api) creates its first objects.
    # https://kubernetes.io/docs/concepts/overview/components/ ("The API server is the front end for the Kubernetes
    # control plane"), https://kubernetes.io/docs/concepts/architecture/controller/ ("controllers ... interact
    # with the cluster API server")
    "kube-apiserver": (YOU, "container-api", "kube-scheduler", "kubelet", "cluster-autoscaler", *_CONTROLLERS),
    "kube-scheduler": ("kube-apiserver",),
    "cluster-autoscaler": ("kube-apiserver",),  # it watches for Pending Pods
    **{controller: ("kube-apiserver",) for controller in _CONTROLLERS},
    # A node VM's boot starts its kubelet, which registers the Node; after that it watches its Pods.
    "kubelet": ("kube-apiserver", "compute-engine"),
    "kube-proxy": ("kube-apiserver", "kubelet"),  # watches Services and EndpointSlices; started on each node
    # The kubelet calls the CNI plugin (through the container runtime) and the CSI node plugin.
    # https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/
    "cni": ("kubelet",),
    "csi-node": ("kubelet",),
}
"""Component -> who can set its step off, in order of preference when none of them acted just before: a sequence
diagram draws each step as a message from its caller. Never from a component that does not talk to it (Compute
Engine never calls kube-apiserver; kube-proxy never calls a controller)."""


def caller(component: str, earlier: list[str]) -> str:
    """Who sets off `component`'s step, given the components that acted before it in the same operation (oldest
    first): the component itself when it also acted last (its next step), else the latest earlier component that
    talks to it, else the first one that does (kube-apiserver for a controller: it watches)."""
    callers = CALLED_BY.get(component, (YOU,))
    if earlier and earlier[-1] == component:
        return component
    for previous in reversed(earlier):
        if previous in callers:
            return previous
    return callers[0]


def callers(steps: Iterable[tuple[Hashable, str]]) -> list[str]:
    """The caller of each step, given (its operation, its component) in execution order: a diagram's senders."""
    out: list[str] = []
    earlier: list[str] = []
    group: Hashable = None
    for operation, component in steps:
        if operation != group:
            group, earlier = operation, []
        out.append(caller(component, earlier))
        earlier.append(component)
    return out
