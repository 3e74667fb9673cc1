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


K8S_COMPONENTS = "https://kubernetes.io/docs/concepts/overview/components/"
GKE_ARCHITECTURE = "https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture"
DUTIES: dict[str, tuple[str, str]] = {
    "container-api": ("the GKE API (container.googleapis.com) owns clusters and node pools: every create, resize, "
                      "upgrade and delete of them is its operation", GKE_ARCHITECTURE),
    "compute-engine": ("nodes are Compute Engine VMs in managed instance groups, and their networks, firewall rules, "
                       "addresses and load balancers are Compute Engine resources", GKE_ARCHITECTURE),
    "cluster-autoscaler": ("GKE's cluster autoscaler (and Autopilot's node auto-provisioning) adds nodes when Pods "
                           "cannot be scheduled and removes idle ones",
                           "https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler"),
    "kube-apiserver": ("every object change goes through the API server: it validates, defaults and stores it in "
                       "etcd, and the controllers act on what it stored", K8S_COMPONENTS),
    "kube-scheduler": ("a Pod without a node waits for the scheduler to bind it to a node with room for its requests",
                       K8S_COMPONENTS),
    "deployment-controller": ("a Deployment only describes the Pods: its controller makes and resizes the "
                              "ReplicaSets that run them", K8S_COMPONENTS),
    "replicaset-controller": ("a ReplicaSet's controller creates and deletes Pods until their count matches",
                              K8S_COMPONENTS),
    "endpointslice-controller": ("a Service reaches its Pods through EndpointSlices, which this controller keeps in "
                                 "step with the Pods it selects", K8S_COMPONENTS),
    "namespace-controller": ("deleting a namespace only marks it: this controller deletes what is in it, then it",
                             K8S_COMPONENTS),
    "garbage-collector": ("objects owned by a deleted object (ReplicaSets, Pods) are deleted by the garbage collector, "
                          "not by the API call", K8S_COMPONENTS),
    "service-controller": ("a LoadBalancer Service gets its cloud load balancer from the cloud controller manager's "
                           "service controller", K8S_COMPONENTS),
    "node-controller": ("the cloud node controller initialises each Node from its VM and removes Nodes whose VM is "
                        "gone", K8S_COMPONENTS),
    "node-ipam-controller": ("each Node's Pod range comes from the node IPAM controller (on GKE: the VM's alias IP "
                             "range)", GKE_ARCHITECTURE),
    "l4-netlb-controller": ("on GKE, backend-service-based external load balancers are built by this controller of "
                            "ingress-gce", "https://cloud.google.com/kubernetes-engine/docs/concepts/"
                                           "service-load-balancer"),
    "statefulset-controller": ("a StatefulSet's Pods (and their volume claims) are made one by one, in order, by its "
                               "controller", K8S_COMPONENTS),
    "daemonset-controller": ("a DaemonSet's controller puts one Pod on each matching node", K8S_COMPONENTS),
    "job-controller": ("a Job's controller runs Pods until enough complete", K8S_COMPONENTS),
    "cronjob-controller": ("a CronJob's controller creates a Job at each scheduled time", K8S_COMPONENTS),
    "horizontal-pod-autoscaler": ("the HPA controller sets its target's replicas from the metrics, within its bounds",
                                  K8S_COMPONENTS),
    "persistentvolume-binder": ("a volume claim is bound to a volume (made on demand) by this controller",
                                K8S_COMPONENTS),
    "attachdetach-controller": ("disks are attached to the node a Pod runs on by this controller", K8S_COMPONENTS),
    "csi-provisioner": ("GKE's Persistent Disk CSI driver creates the disk a claim asks for",
                        "https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver"),
    "csi-attacher": ("the CSI driver's attacher attaches the disk to the node's VM",
                     "https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver"),
    "kubelet": ("only a node's kubelet starts and stops containers, and it reports its Node and Pods", K8S_COMPONENTS),
    "kube-proxy": ("each node's kube-proxy programs the rules that send a Service's traffic to its Pods",
                   K8S_COMPONENTS),
    "cni": ("a Pod's network (its IP) is set up by the CNI plugin when the container runtime makes its sandbox",
            K8S_COMPONENTS),
    "csi-node": ("the CSI driver's node plugin mounts an attached disk into the Pod", K8S_COMPONENTS),
}
"""Component -> (why it acts, in one clause; where that is documented): the sentence `plan --explain` prints under
each step, beside the step's own source."""
