"""Who does what, for every (model family, change): the one table a reader checks against gke-lifecycle.md.

Each entry is an ordered list of steps: actor, component, what it does (a template filled from the change's
context by planner.attribute) and, optionally, `when`: the name of a context flag that must be true. Update entries
are keyed by a change class; CHANGE_CLASSES says which changed field gives which class ("what happens when replicas
change" is `("deployment", "scale")`).
"""

from __future__ import annotations

from typing import NamedTuple


class StepTemplate(NamedTuple):
    actor: str
    component: str
    text: str
    when: str | None = None


S = StepTemplate

COMPONENTS: dict[str, tuple[str, ...]] = {
    "gke": ("container-api", "compute-engine", "cluster-autoscaler"),
    "cluster-master": ("kube-apiserver", "kube-scheduler"),
    "controller": ("deployment-controller", "replicaset-controller", "endpointslice-controller",
                   "namespace-controller", "garbage-collector", "service-controller", "node-controller"),
    "node": ("kubelet", "kube-proxy"),
}
"""Canonical actor -> component names (gke-lifecycle.md, "Components")."""

CHANGE_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "deployment": (("spec.template", "rollout"), ("spec.replicas", "scale"), ("", "store")),
    "service": (("spec.type", "type"), ("spec.ports", "ports"), ("spec.selector", "selector"),
                ("spec.externalTrafficPolicy", "ports"), ("", "store")),
    "nodepool": (("spec.nodeCount", "resize"), ("spec.autoscaling", "autoscaling"),
                 ("spec.management", "management"), ("spec.nodeConfig", "node-config"), ("", "gke-update")),
    "cluster": (("spec.releaseChannel", "release-channel"), ("", "gke-update")),
    "namespace": (("", "store"),),
    "generic": (("", "store"),),
}
"""Per family: (changed path prefix, change class), first match wins; "" matches anything."""

SUBSUMES: dict[str, dict[str, tuple[str, ...]]] = {
    "deployment": {"rollout": ("scale", "store"), "scale": ("store",)},
    "service": {"type": ("ports", "store"), "ports": ("store",), "selector": ("store",)},
    "nodepool": {"resize": ("gke-update",), "autoscaling": ("gke-update",), "node-config": ("gke-update",)},
}
"""A story that already covers another: a rollout to a new replica count is one rollout (its waves use the new
count), not a rollout plus a scale; kube-apiserver stores every changed field in the same write."""

_NODES_UP = (
    S("gke", "compute-engine", "creates instance template and managed instance group {groups} ({per_zone} per zone "
                               "in {zones_text})"),
    S("gke", "compute-engine", "creates {total} VM(s) {vm_pattern} ({machine_type}) with internal IPs from "
                               "{subnet}"),
    S("node", "kubelet", "each VM's kubelet registers its Node (label cloud.google.com/gke-nodepool={pool})"),
    S("controller", "node-controller", "removes the node.cloudprovider.kubernetes.io/uninitialized taint and "
                                       "assigns each Node a /24 Pod CIDR from the Pod range"),
    S("node", "kubelet", "reports {total} Node(s) Ready: {cpu_free} CPU and {memory_free} memory free for Pods on "
                         "each (allocatable {allocatable}, minus a modelled kube-system reservation)"),
    S("node", "kube-proxy", "starts on every new node and programs the existing Service rules"),
)

_LB_TARGET_POOL = (
    S("controller", "service-controller", "event EnsuringLoadBalancer; adds finalizer "
                                          "service.kubernetes.io/load-balancer-cleanup", "loadbalancer"),
    S("gke", "compute-engine", "reserves a regional external IP address (ephemeral); the load balancer is named "
                               "a<Service UID without dashes, 32 chars>", "loadbalancer"),
    S("gke", "compute-engine", "creates firewall rule k8s-fw-<lb> allowing {port_list} to the nodes", "loadbalancer"),
    S("gke", "compute-engine", "creates HTTP health check (port 10256 /healthz) and target pool <lb> holding every "
                               "node", "target_pool"),
    S("gke", "compute-engine", "creates forwarding rule <lb>: external IP:{port_list} -> target pool "
                               "(billable)", "target_pool"),
    S("gke", "compute-engine", "creates health check, regional backend service k8s2-<hash> with the cluster's "
                               "instance groups as backends", "backend_service"),
    S("gke", "compute-engine", "creates forwarding rule k8s2-<hash>: external IP:{port_list} -> backend service "
                               "(billable)", "backend_service"),
    S("controller", "service-controller", "event EnsuredLoadBalancer; writes status.loadBalancer.ingress[0].ip "
                                          "(EXTERNAL-IP shows <pending> until now)", "loadbalancer"),
)

_LB_TEARDOWN = (
    S("controller", "service-controller", "deletes forwarding rule, {lb_pieces}, health check, firewall rule and "
                                          "address of the load balancer, then removes the finalizer",
      "loadbalancer"),
)

STEPS: dict[tuple[str, str], tuple[StepTemplate, ...]] = {
    # ---------------------------------------------------------------------------------------------- cluster
    ("cluster", "create"): (
        S("gke", "container-api", "validates ContainerCluster {name} and applies GKE defaults: {machine_type}, "
                                  "{per_zone} node(s) per zone, first pool default-pool, VPC-native, release "
                                  "channel {channel}"),
        S("gke", "container-api", "starts the Google-managed control plane in {location} (kube-apiserver, etcd, "
                                  "kube-scheduler, controllers): not VMs in your project"),
        S("gke", "compute-engine", "creates the cluster's firewall rules; reserves Pod range {pod_range} and "
                                   "Service range {service_range}"),
        S("cluster-master", "kube-apiserver", "starts with namespaces default, kube-system, kube-public and "
                                              "kube-node-lease, and Service default/kubernetes"),
        *(s._replace(when="default_pool") for s in _NODES_UP),
        S("gke", "container-api", "deletes default-pool right after creation (annotation "
                                  "cnrm.cloud.google.com/remove-default-node-pool)", "remove_default_pool"),
    ),
    ("cluster", "delete"): (
        S("gke", "container-api", "deletes the control plane of {name}, with every object stored in it"),
        S("gke", "compute-engine", "deletes all nodes and their Pods, instance groups, templates, firewall rules "
                                   "and routes (load balancers are only attempted: LoadBalancer Services are "
                                   "deleted first)"),
    ),
    ("cluster", "release-channel"): (
        S("gke", "container-api", "moves {name} to release channel {channel}; upgrades follow the channel's "
                                  "schedule"),
    ),
    ("cluster", "gke-update"): (
        S("gke", "container-api", "updates cluster {name} in place ({changed})"),
    ),
    # --------------------------------------------------------------------------------------------- nodepool
    ("nodepool", "create"): (
        S("gke", "container-api", "creates node pool {name} in cluster {cluster}: {total} x {machine_type} "
                                  "({per_zone} per zone in {zones_text})"),
        *_NODES_UP,
        S("cluster-master", "kube-scheduler", "binds Pending Pods (if any) to the new nodes"),
        S("gke", "cluster-autoscaler", "keeps {name} between {min_nodes} and {max_nodes} node(s) per zone, adding "
                                       "nodes when Pods are Pending", "autoscaling"),
    ),
    ("nodepool", "delete"): (
        S("gke", "container-api", "deletes node pool {name}: GKE drains its {total} node(s) (Pods terminated "
                                  "gracefully)"),
        S("gke", "compute-engine", "deletes the VMs, managed instance group(s) and instance template"),
        S("controller", "node-controller", "deletes the Node objects"),
        S("controller", "replicaset-controller", "recreates the drained Pods; kube-scheduler places them on other "
                                                 "nodes or leaves them Pending"),
        S("controller", "service-controller", "removes the nodes from load-balancer target pools / instance groups"),
    ),
    ("nodepool", "resize"): (
        S("gke", "container-api", "resizes node pool {name}: {before_per_zone} -> {per_zone} node(s) per zone "
                                  "({before_total} -> {total})"),
        S("gke", "compute-engine", "grows the managed instance group(s): new VMs {vm_pattern}", "grow"),
        S("node", "kubelet", "new kubelets register their Nodes and report Ready", "grow"),
        S("controller", "node-controller", "assigns each new Node a /24 Pod CIDR", "grow"),
        S("cluster-master", "kube-scheduler", "binds Pending Pods (if any) to the new nodes; running Pods are not "
                                              "moved", "grow"),
        S("gke", "container-api", "drains the nodes being removed (Pods terminated gracefully)", "shrink"),
        S("gke", "compute-engine", "shrinks the managed instance group(s), deleting those VMs", "shrink"),
        S("controller", "replicaset-controller", "recreates the drained Pods; kube-scheduler places them elsewhere",
          "shrink"),
        S("controller", "node-controller", "deletes the removed Node objects", "shrink"),
        S("controller", "service-controller", "updates load-balancer backends to the remaining nodes", "shrink"),
    ),
    ("nodepool", "autoscaling"): (
        S("gke", "container-api", "sets autoscaling of {name} to {min_nodes}-{max_nodes} node(s) per zone"),
        S("gke", "cluster-autoscaler", "adds nodes when Pods are Pending and removes idle ones, within the bounds"),
    ),
    ("nodepool", "management"): (
        S("gke", "container-api", "updates auto-repair / auto-upgrade of node pool {name}"),
    ),
    ("nodepool", "node-config"): (
        S("gke", "container-api", "updates the mutable node settings of {name} in place ({changed})"),
        S("node", "kubelet", "Nodes carry the new labels"),
    ),
    ("nodepool", "gke-update"): (
        S("gke", "container-api", "updates node pool {name} in place ({changed})"),
    ),
    # ------------------------------------------------------------------------------------------- deployment
    ("deployment", "create"): (
        S("cluster-master", "kube-apiserver", "validates, applies defaults (RollingUpdate {max_surge} surge / "
                                              "{max_unavailable} unavailable, revisionHistoryLimit {history}) and "
                                              "stores Deployment {name} with replicas {replicas}"),
        S("controller", "deployment-controller", "hashes the Pod template and creates ReplicaSet {new_rs} "
                                                 "(revision 1)"),
        S("controller", "replicaset-controller", "creates {replicas} Pod(s) {new_rs}-<5 chars> (slow-start "
                                                 "batches 1, 2, 4, ...)", "has_pods"),
        S("cluster-master", "kube-scheduler", "binds each Pod to a node with room for its requests ({requests})",
          "has_pods"),
        S("node", "kubelet", "pulls {images}, gives each Pod an IP from its node's Pod CIDR, starts the "
                             "container(s) and reports Ready", "has_pods"),
        S("controller", "endpointslice-controller", "adds the ready Pod IPs to the EndpointSlices of {services}",
          "selected"),
        S("controller", "deployment-controller", "updates the Deployment's status: {replicas}/{replicas} available"),
    ),
    ("deployment", "delete"): (
        S("cluster-master", "kube-apiserver", "deletes Deployment {name} (background cascade)"),
        S("controller", "garbage-collector", "deletes its ReplicaSet(s), then their {before_replicas} Pod(s)"),
        S("node", "kubelet", "stops the containers (SIGTERM, {grace}s grace period)"),
        S("controller", "endpointslice-controller", "drops the Pod IPs from the EndpointSlices of {services}",
          "selected"),
    ),
    ("deployment", "scale"): (
        S("cluster-master", "kube-apiserver", "stores replicas {before_replicas} -> {replicas} (a scale, not a "
                                              "rollout)"),
        S("controller", "deployment-controller", "resizes ReplicaSet {old_rs} to {replicas}"),
        S("controller", "replicaset-controller", "creates {delta} Pod(s)", "scale_up"),
        S("cluster-master", "kube-scheduler", "binds the new Pods to nodes with room ({requests})", "scale_up"),
        S("node", "kubelet", "starts the new Pods and reports them Ready", "scale_up"),
        S("controller", "replicaset-controller", "deletes {delta} Pod(s): Pending ones first, then those on the "
                                                 "most crowded nodes, then the newest", "scale_down"),
        S("node", "kubelet", "stops the removed Pods (SIGTERM, {grace}s grace period)", "scale_down"),
        S("controller", "endpointslice-controller", "updates the EndpointSlices of {services}", "selected"),
    ),
    ("deployment", "rollout"): (
        S("cluster-master", "kube-apiserver", "stores the new Pod template (generation + 1): {changed}"),
        S("controller", "deployment-controller", "hashes the new template and creates ReplicaSet {new_rs} "
                                                 "(revision {revision}){reused}; {strategy}"),
        S("controller", "deployment-controller", "scales in waves (surge {surge}, unavailable {unavailable}): "
                                                 "{waves}"),
        S("controller", "replicaset-controller", "creates and deletes each wave's Pods; kube-scheduler binds the "
                                                 "new ones ({requests}); kubelets pull {images} and start them"),
        S("controller", "endpointslice-controller", "swaps old Pod IPs for new ones in the EndpointSlices of "
                                                    "{services} as Pods become Ready", "selected"),
        S("controller", "deployment-controller", "keeps ReplicaSet {old_rs} at 0 replicas as history "
                                                 "(revisionHistoryLimit {history}); a rollback reuses it"),
    ),
    ("deployment", "store"): (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched"),
    ),
    # ---------------------------------------------------------------------------------------------- service
    ("service", "create"): (
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({type}); allocates a ClusterIP "
                                              "from the Service range {service_range}", "has_cluster_ip"),
        S("cluster-master", "kube-apiserver", "validates and stores Service {name} ({kind_of_service}): no "
                                              "ClusterIP is allocated", "no_cluster_ip"),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in 30000-32767 for {port_list}",
          "has_node_port"),
        S("controller", "endpointslice-controller", "creates EndpointSlice {name}-<5 chars> with the ready Pods "
                                                    "selected by {selector} on targetPort {target_ports}",
          "has_selector"),
        S("node", "kube-proxy", "programs {rules} rules on every node", "has_cluster_ip"),
        *_LB_TARGET_POOL,
    ),
    ("service", "delete"): (
        S("cluster-master", "kube-apiserver", "sets deletionTimestamp on Service {name}: the load-balancer "
                                              "finalizer holds it", "loadbalancer"),
        *_LB_TEARDOWN,
        S("cluster-master", "kube-apiserver", "frees ClusterIP{node_port_text} and removes Service {name}",
          "has_cluster_ip"),
        S("cluster-master", "kube-apiserver", "removes Service {name}", "no_cluster_ip"),
        S("controller", "garbage-collector", "deletes its EndpointSlices"),
        S("node", "kube-proxy", "removes its rules from every node"),
    ),
    ("service", "type"): (
        S("cluster-master", "kube-apiserver", "stores type {before_type} -> {type}"),
        S("cluster-master", "kube-apiserver", "allocates nodePort(s) in 30000-32767 for {port_list}",
          "gains_node_port"),
        S("cluster-master", "kube-apiserver", "frees the nodePort(s)", "loses_node_port"),
        S("node", "kube-proxy", "reprograms {rules} rules on every node"),
        *(s._replace(when="gains_lb" if s.when == "loadbalancer" else f"gains_lb_{s.when}") for s in _LB_TARGET_POOL),
        *(s._replace(when="loses_lb") for s in _LB_TEARDOWN),
    ),
    ("service", "ports"): (
        S("cluster-master", "kube-apiserver", "stores the new ports ({changed})"),
        S("controller", "endpointslice-controller", "rewrites the EndpointSlices with the new targetPort(s)"),
        S("node", "kube-proxy", "reprograms the Service rules on every node"),
        S("controller", "service-controller", "updates the load balancer's firewall rule and forwarding rule "
                                              "ports", "loadbalancer"),
    ),
    ("service", "selector"): (
        S("cluster-master", "kube-apiserver", "stores the new selector {selector}"),
        S("controller", "endpointslice-controller", "recomputes the EndpointSlices from the Pods now selected"),
        S("node", "kube-proxy", "reprograms the Service's endpoints on every node"),
    ),
    ("service", "store"): (
        S("cluster-master", "kube-apiserver", "stores the change ({changed})"),
    ),
    # -------------------------------------------------------------------------------------------- namespace
    ("namespace", "create"): (
        S("cluster-master", "kube-apiserver", "validates and stores Namespace {name}"),
    ),
    ("namespace", "delete"): (
        S("cluster-master", "kube-apiserver", "marks Namespace {name} Terminating"),
        S("controller", "namespace-controller", "deletes every object left in {name}, then removes the "
                                                "namespace"),
    ),
    ("namespace", "store"): (
        S("cluster-master", "kube-apiserver", "stores the change ({changed})"),
    ),
    # ---------------------------------------------------------------------------------------------- generic
    ("generic", "create"): (
        S("cluster-master", "kube-apiserver", "validates and stores {kind} {name}"),
    ),
    ("generic", "delete"): (
        S("cluster-master", "kube-apiserver", "deletes {kind} {name}"),
        S("controller", "garbage-collector", "deletes objects it owns, if any"),
    ),
    ("generic", "store"): (
        S("cluster-master", "kube-apiserver", "stores the change ({changed})"),
    ),
}
