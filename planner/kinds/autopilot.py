"""Autopilot clusters (ContainerCluster `spec.enableAutopilot: true`, what `gcloud container clusters create-auto`
makes): what the GKE API refuses in them, the steps that differ from a Standard cluster's, and the two things GKE
does for every Pod: GKE Warden, Autopilot's admission webhook, defaults and raises its requests
(planner.knowledge.autopilot has the table), and node auto-provisioning creates nodes sized for Pods left Pending.

Part of the ContainerCluster family's home (planner.kinds.cluster calls it); Deployments splice its steps in.

Sources: Autopilot overview and the feature comparison
(https://cloud.google.com/kubernetes-engine/docs/resources/autopilot-standard-feature-comparison: location
"Pre-configured: Regional"; "GKE manages the nodes, including node configuration, autoscaling, and security
constraints"; "Autopilot automatically scales the quantity and size of nodes based on Pods in the cluster"), regional
clusters (https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters: "GKE Autopilot clusters are
always regional"), and `gcloud container clusters create-auto`
(https://cloud.google.com/sdk/gcloud/reference/container/clusters/create-auto), which has no --num-nodes,
--machine-type, --disk-size or --node-pool flags.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.errors import Diagnostic
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, Manifest, Problem, S
from planner.knowledge import autopilot as ap
from planner.knowledge import capacity, naming
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.controllers import World
    from planner.simulate.engine import Engine
    from planner.state import StoredResource

FEATURES_DOC = "https://cloud.google.com/kubernetes-engine/docs/resources/autopilot-standard-feature-comparison"
REGIONAL_DOC = "https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters"
CREATE_AUTO_DOC = "https://cloud.google.com/sdk/gcloud/reference/container/clusters/create-auto"
TF_CLUSTER = ("hashicorp/terraform-provider-google resource_container_cluster.go (ConflictsWith enable_autopilot; "
              "Config Connector's ContainerCluster is generated from it)")
POOL_RECORD = "autopilot"
"""The name the cluster's live object files its auto-provisioned nodes under (each Node carries its own nap- pool in
its cloud.google.com/gke-nodepool label)."""


def enabled(manifest: Mapping[str, Any] | None) -> bool:
    return bool(((manifest or {}).get("spec") or {}).get("enableAutopilot") is True)


def unless_autopilot(value: Any) -> Callable[[dict[str, Any]], Any]:
    """A ContainerCluster default GKE fills in for Standard clusters only (the function gets the cluster's spec)."""
    return lambda spec: None if spec.get("enableAutopilot") is True else value


# ---------------------------------------------------------------- validation

NOT_ALLOWED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("initialNodeCount",), "an Autopilot cluster has no default node pool of N nodes: GKE creates nodes for your "
                            f"Pods as they need them (create-auto has no --num-nodes: {CREATE_AUTO_DOC})"),
    (("nodeConfig",), "GKE chooses and manages Autopilot nodes' machine type and disks (\"GKE manages the nodes, "
                      f"including node configuration\": {FEATURES_DOC}; create-auto has no --machine-type)"),
    (("defaultMaxPodsPerNode",), "Autopilot's Pods per node are preconfigured (32) and cannot be changed "
                                 "(https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr)"),
    (("enableShieldedNodes",), f"GKE sets it for Autopilot clusters itself ({TF_CLUSTER})"),
    (("addonsConfig", "networkPolicyConfig"), f"GKE sets it for Autopilot clusters itself ({TF_CLUSTER})"),
)
"""ContainerCluster fields the GKE API refuses beside enableAutopilot, and why."""


def check(spec: Mapping[str, Any]) -> list[Problem]:
    """An Autopilot cluster is regional and VPC-native, and leaves nodes to GKE."""
    if spec.get("enableAutopilot") is not True:
        return []
    problems: list[Problem] = []
    location = spec.get("location")
    if isinstance(location, str):
        region, zone = naming.split_location(location)
        if zone is not None:
            problems.append(Problem(("spec", "location"), f'"{location}" is a zone, but Autopilot clusters are '
                                    f'always regional: use its region "{region}" ({REGIONAL_DOC})'))
    if spec.get("networkingMode") == "ROUTES":
        problems.append(Problem(("spec", "networkingMode"), "Autopilot clusters are VPC-native (alias IP ranges): "
                                "ROUTES is not available for them (https://cloud.google.com/kubernetes-engine/docs/"
                                "concepts/alias-ips); drop networkingMode or set VPC_NATIVE"))
    for path, why in NOT_ALLOWED:
        node: Any = spec
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            problems.append(Problem(("spec", *path), f"is not allowed in an Autopilot cluster: {why}", at_key=True))
    return problems


def check_members(address: str, cluster: Manifest, lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """Node pools declared for an Autopilot cluster (GKE creates and manages its nodes itself), and workloads whose
    Pods GKE Warden would reject (requests above the compute class's maximum)."""
    if not enabled(cluster):
        return []
    names = {("name", str((cluster.get("metadata") or {}).get("name", ""))), ("external", naming.gke_name(cluster))}
    out = []
    for member, (family, manifest) in sorted(lookup.items()):
        spec = kinds.spec_of(family)
        if spec.pod_spec is not None:
            why = ap.over_maximum(ap.admit(spec.pod_spec(manifest) or {}).pod_spec)
            if why:
                out.append(Diagnostic("error", f"GKE Warden rejects it in Autopilot cluster {address}: {why} "
                                               f"({ap.RESOURCE_REQUESTS_DOC})", address=member,
                                      path="spec.template.spec.containers"))
            continue
        if spec.node_pool is None or spec.is_cluster or naming.cluster_ref(manifest) not in names:
            continue
        out.append(Diagnostic("error", f"{member} is a node pool of {address}, an Autopilot cluster: GKE creates and "
                                       "manages an Autopilot cluster's nodes itself (node auto-provisioning sizes them "
                                       f"for your Pods), so it takes no node pools ({FEATURES_DOC}); remove this "
                                       "ContainerNodePool, or make the cluster a Standard one",
                              address=member, path="spec.clusterRef"))
    return out


# ---------------------------------------------------------------- plan

CLUSTER_CREATE = S("gke", "container-api", "validates ContainerCluster {name} as an Autopilot cluster and applies GKE "
                                           "defaults: regional ({location}), {mode}, release channel {channel}; no "
                                           "node pool and no node yet", "autopilot", source=FEATURES_DOC)
CLUSTER_AUTOPILOT = (
    S("cluster-master", "kube-apiserver", "sends every new Pod (and Pod template) to GKE Warden, Autopilot's admission "
                                          "webhook, which defaults and raises resource requests to Autopilot's "
                                          "minimums and CPU:memory ratio", "autopilot",
      source=ap.RESOURCE_REQUESTS_DOC),
    S("gke", "cluster-autoscaler", "runs node auto-provisioning, always on in Autopilot: when Pods are Pending it "
                                   "creates nodes sized for them in nap- node pools (gk3-<cluster>-nap-...), and "
                                   "removes nodes left idle", "autopilot", source=ap.COMPUTE_CLASSES_DOC),
)

DEPLOYMENT_ADMISSION = (
    S("cluster-master", "kube-apiserver", "calls GKE Warden, Autopilot's mutating admission webhook, before it "
                                          "validates and stores the object: Warden changes the Pod template's "
                                          "resources ({adjustment}) and records the values before and after in "
                                          "annotation autopilot.gke.io/resource-adjustment",
      "admitted", source=ap.RESOURCE_REQUESTS_DOC),
)
DEPLOYMENT_NODES = (
    S("cluster-master", "kube-scheduler", "finds no node: the Autopilot cluster has none yet, so the Pods stay Pending "
                                          "(FailedScheduling: 0/0 nodes are available)", "nap_first",
      source=src.K8S_SCHEDULER),
    S("gke", "cluster-autoscaler", "node auto-provisioning sees the Pending Pods ({requests}) and creates node pool "
                                   "{nap_pool}: {nap_nodes} {nap_machine} node(s), each holding {nap_per_node} of "
                                   "them (TriggeredScaleUp)", "nap_first", source=ap.COMPUTE_CLASSES_DOC),
    S("gke", "compute-engine", "creates the VM(s) {nap_vms} with internal IPs from {subnet}; each VM's interface gets "
                               "an alias IP range from the Pod range", "nap_first", source=src.GKE_ALIAS_IPS),
    S("node", "kubelet", "each new VM's kubelet registers its Node (label cloud.google.com/gke-nodepool={nap_pool})",
      "nap_first", source=src.K8S_NODE_REGISTRATION),
    S("controller", "node-controller", "initialises the new Nodes from their VMs and removes the uninitialized taint",
      "nap_first", source=src.K8S_NODE_CONTROLLER),
    S("controller", "node-ipam-controller", "writes each VM's alias IP range to its Node's spec.podCIDR and clears "
                                            "NetworkUnavailable; the kubelets report the Nodes Ready", "nap_first",
      source=src.GCP_CLOUD_CIDR_ALLOCATOR),
    S("gke", "cluster-autoscaler", "if no Autopilot node has room for some of the Pods ({requests}), they stay "
                                   "Pending until node auto-provisioning adds {nap_machine} node(s) ({nap_per_node} "
                                   "such Pods each) and their kubelets register them Ready", "nap_maybe",
      source=ap.COMPUTE_CLASSES_DOC),
)
DEPLOYMENT_SCALE_UP = (
    S("gke", "cluster-autoscaler", "if no Autopilot node has room for some of the new Pods, they stay Pending until "
                                   "node auto-provisioning adds {nap_machine} node(s) ({nap_per_node} such Pods each)",
      "scale_up_autopilot", source=ap.COMPUTE_CLASSES_DOC),
)
DEPLOYMENT_SCALE_DOWN = (
    S("gke", "cluster-autoscaler", "removes the Autopilot nodes the Pods leave idle (modelled as at once; the "
                                   "autoscaler waits until a node has been unneeded for a while)",
      "scale_down_autopilot", source=src.GKE_AUTOSCALER),
)


def pod_context(manifest: Manifest, pod_spec: Mapping[str, Any], pods: int, delta: int, facts: Facts) -> Context:
    """What a workload's steps say about Autopilot: nothing outside it (every key is still there, for the templates),
    the admission's changes and the nodes node auto-provisioning would add inside it."""
    cluster = facts.cluster
    out: Context = {"autopilot": False, "admitted": False, "adjustment": "", "nap_first": False, "nap_maybe": False,
                    "scale_up_autopilot": False, "scale_down_autopilot": False, "nap_pool": "", "nap_nodes": 0,
                    "nap_machine": "", "nap_per_node": 0, "nap_vms": "", "subnet": ""}
    if not enabled(cluster) or cluster is None:
        return out
    admitted = ap.admit(pod_spec, ap.bursting(facts.kubernetes_version))
    cpu, memory = capacity.pod_requests(admitted.pod_spec)
    choice = ap.choose_machine(cpu, memory)
    live = (facts.cluster_status.get("pool") or {}).get("nodes") or []
    name = naming.gke_name(cluster)
    pool = f"{ap.NAP_POOL_PREFIX}<{ap.NAP_TOKEN_LENGTH} chars>"
    from planner.kinds import nodes  # nodes imports the registry; this module is imported while it is built

    location = str((cluster.get("spec") or {}).get("location", ""))
    out.update(autopilot=True, admitted=bool(admitted.changes), adjustment="; ".join(admitted.changes),
               requests=f"{cpu}m CPU, {memory}Mi memory per Pod, as admitted",
               nap_first=pods > 0 and not live and choice is not None, nap_maybe=pods > 0 and bool(live),
               scale_up_autopilot=delta > 0, scale_down_autopilot=delta < 0, nap_pool=pool,
               subnet=nodes.context(location, None, 0, choice.machine if choice else "e2-standard-2", facts)["subnet"])
    if choice is not None:
        count = min(ap.MAX_NODES, math.ceil(pods / choice.per_node)) if pods else 0
        out.update(nap_machine=choice.machine, nap_per_node=choice.per_node, nap_nodes=count,
                   nap_vms=f"{ap.node_prefix(name, pool, '<8hex>')}-<4 chars>")
    return out


# ---------------------------------------------------------------- apply: admission and node auto-provisioning


def install(engine: Engine, cluster: StoredResource) -> None:
    """The running Autopilot cluster's admission and node provisioner, for the simulated world to call."""
    with_bursting = ap.bursting(engine.kubernetes_version)
    engine.world.admission = lambda pod_spec: ap.admit(pod_spec, with_bursting).pod_spec
    engine.world.provisioner = Provisioner(engine, cluster.address)


def restore(engine: Engine, resource: StoredResource) -> None:
    install(engine, resource)
    for node in (resource.status.get("pool") or {}).get("nodes") or []:
        engine.world.restore_node(node, ap.MAX_PODS_PER_NODE)


class Provisioner:
    """Node auto-provisioning as Autopilot runs it (MODELLED where ap says so): for each workload with Pending Pods,
    the smallest machine of ap.MACHINES that fits one of them, in a nap- pool of that machine (a new one the first
    time), enough nodes for all its Pending Pods spread over the cluster's zones; idle nodes go again."""

    def __init__(self, engine: Engine, cluster: str) -> None:
        self.engine = engine
        self.cluster = cluster

    def _record(self) -> dict[str, Any]:
        owned = self.engine.own(self.cluster)
        found: dict[str, Any] = owned.status.setdefault("pool", {"name": POOL_RECORD, "instanceGroups": [],
                                                                 "nodes": []})
        return found

    def room(self) -> int:
        """Pods the nodes it may still add could hold."""
        have = len((self.engine.state.resources[self.cluster].status.get("pool") or {}).get("nodes") or [])
        return max(0, ap.MAX_NODES - have) * capacity.free_for_workloads(ap.MACHINES[-1], ap.MAX_PODS_PER_NODE).pods

    def provision(self, world: World) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        before = world.pending_pods()
        for address, (cpu, memory, count) in world.pending_requests().items():
            choice = ap.choose_machine(cpu, memory)
            if choice is None:
                events.append({"event": "autopilot-no-machine", "owner": address, "count": count,
                               "requests": f"{cpu}m CPU, {memory}Mi"})
                continue
            record = self._record()
            room = ap.MAX_NODES - len(record["nodes"])
            need = min(room, math.ceil(count / choice.per_node))
            if need <= 0:
                continue
            pool, prefix = self._pool(record, choice.machine)
            mine = [n for n in record["nodes"] if objects.node_pool(n) == pool]
            made = self._spread(world, prefix, pool, choice.machine, mine, need)
            record["nodes"] = record["nodes"] + made
            self.engine.touched.add(self.cluster)
            events.append({"event": "autopilot-provisioned", "owner": address, "pool": pool, "added": len(made),
                           "machine": choice.machine, "names": [objects.node_name(n) for n in made]})
        if any(e["event"] == "autopilot-provisioned" for e in events):
            after = world.reschedule([])
            events.append({"event": "autopilot-bound", "count": max(0, before - after), "pending": after})
        return events

    def _pool(self, record: dict[str, Any], machine: str) -> tuple[str, str]:
        """The nap- pool of this machine type (a new one, with its instance group, the first time)."""
        for node in record["nodes"]:
            if objects.node_machine_type(node) == machine:
                return objects.node_pool(node), objects.node_name(node)[: -naming.NODE_SUFFIX_LENGTH - 1]
        seed, name = self.engine.seed, naming.gke_name(self.engine.state.resources[self.cluster].manifest)
        incarnation = self.engine.state.serial
        token = seed.token("abcdefghijklmnopqrstuvwxyz0123456789", ap.NAP_TOKEN_LENGTH, "nap", name, machine,
                           incarnation)
        pool = f"{ap.NAP_POOL_PREFIX}{token}"
        prefix = ap.node_prefix(name, pool, seed.hex8("instance-group", name, pool, incarnation))
        record["instanceGroups"] = [*record["instanceGroups"], f"{prefix}-grp"]
        return pool, prefix

    def _spread(self, world: World, prefix: str, pool: str, machine: str, mine: list[dict[str, Any]],
                need: int) -> list[dict[str, Any]]:
        """`need` new VMs over the cluster's zones, fewest first (MODELLED: GKE's zone choice is not published)."""
        observed = self.engine.state.resources[self.cluster].status.get("status") or {}
        zones = list(observed.get("locations") or [])
        per_zone = {z: sum(1 for n in mine if objects.node_zone(n) == z) for z in zones}
        target = dict(per_zone)
        for _ in range(need):
            zone = min(zones, key=lambda z: (target[z], zones.index(z)))
            target[zone] += 1
        made: list[dict[str, Any]] = []
        for zone in zones:
            if target[zone] > per_zone[zone]:
                made += world.create_nodes(prefix, pool, [zone], target[zone], machine, ap.MAX_PODS_PER_NODE,
                                           existing=mine + made)
        return made

    def scale_down(self, world: World) -> list[dict[str, Any]]:
        """Nodes no Pod runs on go (cluster-autoscaler's scale-down; GKE waits until a node has been unneeded for a
        while, modelled as at once)."""
        record = (self.engine.state.resources[self.cluster].status.get("pool") or {}).get("nodes") or []
        idle = [objects.node_name(n) for n in record if world.idle(objects.node_name(n))]
        if not idle:
            return []
        gone = set(idle)
        world.delete_nodes(idle)
        owned = self._record()
        owned["nodes"] = [n for n in owned["nodes"] if objects.node_name(n) not in gone]
        pools = {objects.node_name(n)[: -naming.NODE_SUFFIX_LENGTH - 1] for n in owned["nodes"]}
        owned["instanceGroups"] = [g for g in owned["instanceGroups"] if g.removesuffix("-grp") in pools]
        self.engine.touched.add(self.cluster)
        return [{"event": "autopilot-scaled-down", "count": len(idle), "names": sorted(idle)}]


MESSAGES = {
    "autopilot-provisioned": "node auto-provisioning created {added} {machine} node(s) in {pool} for the Pending Pods "
                             "of {owner}: {names}",
    "autopilot-no-machine": "node auto-provisioning: no general-purpose node fits a Pod of {owner} ({requests}); "
                            "{count} Pod(s) stay Pending",
    "autopilot-bound": "kube-scheduler bound {count} Pending Pod(s) to the new nodes once they were Ready; "
                       "{pending} still Pending",
    "autopilot-scaled-down": "cluster-autoscaler removed {count} idle Autopilot node(s): {names}",
}
