"""What the plan teaches about nodes, and what apply simulates: how a node gets its Pod range, when
cluster-autoscaler adds nodes, what a pool resize does, and that a recreated pool or cluster is a new object.
Each test goes through the CLI with the lifecycle examples (examples/lifecycle)."""

from __future__ import annotations

import ipaddress
import json
import shutil
from pathlib import Path

from conftest import EXAMPLES, edit

from planner.simulate import objects

LIFECYCLE = EXAMPLES / "lifecycle"
POOL = "ContainerNodePool/pool"


def _step_dir(name: str) -> Path:
    return next(p for p in LIFECYCLE.iterdir() if p.name.startswith(f"{name}-"))


def _use(tmp_path: Path, step: str) -> Path:
    """Put lifecycle step `step` (its number) in tmp_path/shop, as one repository's folder."""
    target = tmp_path / "shop"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(_step_dir(step), target)
    return target


def _apply_until(cli, tmp_path: Path, last: int) -> str:
    out = ""
    for step in range(1, last + 1):
        _use(tmp_path, str(step))
        applied = cli("apply", "shop", "--auto-approve")
        assert applied.code == 0, applied.err
        out = applied.out
    return out


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())["resources"]


def _steps(plan: dict, address: str) -> list[tuple[str, str, str]]:
    return [(s["actor"], s["component"], s["description"]) for s in plan["steps"] if s["address"] == address]


def _index(steps: list[tuple[str, str, str]], component: str, word: str = "") -> int:
    return next(i for i, (_, c, d) in enumerate(steps) if c == component and word in d)


# ---------------------------------------------------------------- 1. Pod CIDRs come from the VM's alias IP range


def test_a_nodes_pod_range_is_the_vms_alias_range_written_by_the_node_ipam_controller(cli, tmp_path):
    _use(tmp_path, "1")
    plan = cli("plan", "shop", "-o", "json").json()
    steps = _steps(plan, POOL)
    vms = _index(steps, "compute-engine", "VM(s)")
    assert "alias IP range" in steps[vms][2]  # Compute Engine attaches it when it creates the VM
    register = _index(steps, "kubelet", "registers")
    initialise = _index(steps, "node-controller")
    ipam = _index(steps, "node-ipam-controller")
    ready = _index(steps, "kubelet", "Ready")
    assert steps[ipam][0] == "controller" and "spec.podCIDR" in steps[ipam][2]
    assert "NetworkUnavailable" in steps[ipam][2]
    assert "taint" in steps[initialise][2] and "CIDR" not in steps[initialise][2]  # a separate loop
    assert vms < register < initialise < ipam < ready  # no node is Ready before its podCIDR is set
    # Apply: every node's podCIDR is a distinct /24 inside the cluster's Pod range.
    assert cli("apply", "shop", "--auto-approve").code == 0
    state = _state(tmp_path)
    pod_range = state["ContainerCluster/shop"]["status"]["status"]["clusterIpv4Cidr"]
    cidrs = [objects.node_pod_cidr(n) for n in state[POOL]["status"]["pool"]["nodes"]]
    assert len(set(cidrs)) == len(cidrs) == 3
    assert all(ipaddress.ip_network(c).subnet_of(ipaddress.ip_network(pod_range)) for c in cidrs)


# ---------------------------------------------------------------- 2. cluster-autoscaler adds only nodes that help


def test_the_autoscaler_adds_no_node_a_pending_pod_would_not_fit(cli, tmp_path):
    _apply_until(cli, tmp_path, 5)
    _use(tmp_path, "6")  # api requests 3 CPU; an empty e2-standard-2 has 1730m for Pods
    plan = cli("plan", "shop")
    applied = cli("apply", "shop", "--auto-approve")
    assert applied.code == 0
    nodes = _state(tmp_path)[POOL]["status"]["pool"]["nodes"]
    assert len(nodes) == 6  # nodeCount 2 x 3 zones: nothing added (before: 3 useless nodes, kept)
    assert "NotTriggerScaleUp" in applied.out and "it wouldn't fit if a new node is added" in applied.out
    assert "cluster-autoscaler added" not in applied.out
    # Finding 9: the plan's preview and apply name the same scheduler verdict.
    assert "0/6 nodes are available: 6 Insufficient cpu" in plan.out
    assert "0/6 nodes are available: 6 Insufficient cpu" in applied.out and "0/9" not in plan.out + applied.out


def test_the_autoscaler_still_adds_nodes_that_fit_pending_pods(cli, tmp_path):
    _apply_until(cli, tmp_path, 5)
    shop = _use(tmp_path, "5")
    edit(shop / "web.yaml", "replicas: 6", "replicas: 60")  # 200m each: more than six nodes hold, each fits one
    applied = cli("apply", "shop", "--auto-approve")
    assert applied.code == 0
    assert "cluster-autoscaler added 3 node(s) to pool" in applied.out and "NotTriggerScaleUp" not in applied.out
    assert len(_state(tmp_path)[POOL]["status"]["pool"]["nodes"]) == 9


# ---------------------------------------------------------------- 3. a pool resize, step by step


def test_growing_a_pool_sets_pod_ranges_before_ready_and_adds_nodes_to_load_balancers(cli, tmp_path):
    _apply_until(cli, tmp_path, 4)
    _use(tmp_path, "5")  # nodeCount 1 -> 2; web is a backend-service load balancer
    steps = _steps(cli("plan", "shop", "-o", "json").json(), POOL)
    components = [c for _, c, _ in steps]
    ipam, ready = _index(steps, "node-ipam-controller"), _index(steps, "kubelet", "Ready")
    assert ipam < ready and "spec.podCIDR" in steps[ipam][2]
    assert "taint" in steps[_index(steps, "node-controller")][2]
    assert ready < components.index("kube-proxy") < components.index("l4-netlb-controller")
    assert "service-controller" not in components  # no target-pool load balancer here
    assert "alias IP range" in steps[_index(steps, "compute-engine", "grows")][2]
    # A target-pool load balancer: service-controller syncs its target pool (cloud-provider-gcp UpdateLoadBalancer).
    edit(tmp_path / "shop" / "web.yaml", 'cloud.google.com/l4-rbs: "enabled"', 'example.com/flavour: "legacy"')
    components = [c for _, c, _ in _steps(cli("plan", "shop", "-o", "json").json(), POOL)]
    assert "service-controller" in components


# ---------------------------------------------------------------- 9. plan and apply tell the same numbers


def test_replacing_the_only_pool_counts_drained_and_pending_pods_truthfully(cli, tmp_path):
    _apply_until(cli, tmp_path, 6)
    _use(tmp_path, "7")  # the only pool is replaced (spot VMs: GKE cannot switch a pool to them), deleted first,
    # so no node is left for the drained Pods
    edit(tmp_path / "shop" / "cluster.yaml", "machineType: e2-standard-4", "machineType: e2-standard-4\n    spot: true")
    applied = cli("apply", "shop", "--auto-approve").out
    assert "recreated elsewhere" not in applied
    assert "8 Pod(s) drained; their controllers recreated them: 0 running on other nodes, 8 Pending" in applied
    assert "9 Pod(s) Pending in the cluster now: 0/0 nodes are available" in applied  # 8 + api's 1 from step 6
    assert "GKE drains its 6 node(s)" in applied


# ---------------------------------------------------------------- 4. a new object gets a new identity


def _identity(tmp_path: Path) -> tuple[str, set[str], str, str]:
    state = _state(tmp_path)
    pool = state[POOL]["status"]["pool"]
    observed = state["ContainerCluster/shop"]["status"]["status"]
    return pool["instanceGroups"][0], {objects.node_name(n) for n in pool["nodes"]}, observed["endpoint"], \
        observed["clusterIpv4Cidr"]


def _fixed_lineage(tmp_path: Path) -> None:
    """An empty state with a fixed lineage: the seeded choices (names, ranges) are the same on every run."""
    (tmp_path / "planner.state.json").write_text(json.dumps(
        {"version": 2, "serial": 0, "lineage": "teach-nodes", "roots": [], "resources": {}}))


def test_a_recreated_pool_gets_a_new_instance_group_and_new_vm_names(cli, tmp_path):
    _fixed_lineage(tmp_path)
    _apply_until(cli, tmp_path, 1)
    group, names, endpoint, pods = _identity(tmp_path)
    shop = tmp_path / "shop"  # spot VMs: the pool is replaced
    edit(shop / "cluster.yaml", "machineType: e2-standard-2", "machineType: e2-standard-2\n    spot: true")
    assert cli("apply", "shop", "--auto-approve").code == 0
    new_group, new_names, new_endpoint, new_pods = _identity(tmp_path)
    assert new_group != group and not names & new_names
    assert (new_endpoint, new_pods) == (endpoint, pods)  # the cluster itself was not replaced
    edit(shop / "cluster.yaml", "nodeCount: 1", "nodeCount: 2")  # a resize keeps the group's name
    assert cli("apply", "shop", "--auto-approve").code == 0
    grown_group, grown_names, _, _ = _identity(tmp_path)
    assert grown_group == new_group and new_names < grown_names
    assert all(n.startswith(new_group.removesuffix("-grp")) for n in grown_names)


def test_a_replaced_cluster_gets_a_new_endpoint_pod_range_and_node_names(cli, tmp_path):
    _fixed_lineage(tmp_path)
    _apply_until(cli, tmp_path, 1)
    group, names, endpoint, pods = _identity(tmp_path)
    edit(tmp_path / "shop" / "cluster.yaml", "  initialNodeCount: 1", "  initialNodeCount: 2")  # replaces the cluster
    plan = cli("plan", "shop", "-o", "json").json()
    assert any("THE CLUSTER IS REPLACED" in d["message"] for d in plan["diagnostics"])
    assert cli("apply", "shop", "--auto-approve").code == 0
    new_group, new_names, new_endpoint, new_pods = _identity(tmp_path)
    assert new_group != group and not names & new_names
    assert new_endpoint != endpoint and new_pods != pods


# ---------------------------------------------------------------- 5. nodeCount alongside autoscaling


def test_node_count_alongside_autoscaling_is_a_warning_at_its_position(cli, tmp_path):
    shop = _use(tmp_path, "1")  # the pool sets nodeCount: 1 and autoscaling 1-3
    checked = cli("validate", "shop")
    assert checked.code == 0
    assert "shop/cluster.yaml:24:14: warning: spec.nodeCount: nodeCount should not be used alongside autoscaling" \
        in checked.out + checked.err
    plan = cli("plan", "shop", "-o", "json")
    assert plan.code == 0
    found = [d for d in plan.json()["diagnostics"] if d.get("path") == "spec.nodeCount"]
    assert [(d["severity"], d["line"], d["column"]) for d in found] == [("warning", 24, 14)]
    edit(shop / "cluster.yaml", "  nodeCount: 1\n", "")  # the autoscaler alone decides the count: no warning
    assert "nodeCount" not in cli("validate", "shop").out + cli("validate", "shop").err


# ---------------------------------------------------------------- 6, 7. Pod IPs and EndpointSlices


def _web(plan: dict) -> list[tuple[str, str, str]]:
    return _steps(plan, "Deployment/shop/web")


def test_pod_ips_come_from_the_cni_plugin_and_endpointslices_list_pods_before_they_are_ready(cli, tmp_path):
    _use(tmp_path, "1")
    plans = [cli("plan", "shop", "-o", "json").json()]  # create
    for step in ("2", "3"):  # scale 3 -> 6, then a new image (a rollout)
        assert cli("apply", "shop", "--auto-approve").code == 0
        _use(tmp_path, step)
        plans.append(cli("plan", "shop", "-o", "json").json())
    for plan in plans:
        steps = _web(plan)
        components = [c for _, c, _ in steps]
        assert ("node", "cni") in {(a, c) for a, c, _ in steps}, components
        assert all(" IP" not in d for _, c, d in steps if c == "kubelet")  # the kubelet hands out no IP
        assert components.index("cni") < components.index("endpointslice-controller")
        slices = [d for _, c, d in steps if c == "endpointslice-controller"]
        assert any("ready: false" in d for d in slices), slices
        assert not any("ready Pod IPs" in d or "swaps" in d for d in slices)


# ---------------------------------------------------------------- 8. node labels in place; routes only in ROUTES mode


def test_node_labels_change_in_place_on_existing_nodes_and_config_connector_refuses_it(cli, tmp_path):
    shop = _use(tmp_path, "1")
    assert cli("apply", "shop", "--auto-approve").code == 0
    edit(shop / "cluster.yaml", "    machineType: e2-standard-2\n",
         "    machineType: e2-standard-2\n    labels:\n      team: shop\n")
    plan = cli("plan", "shop", "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == POOL)
    assert change["action"] == "update"  # GKE updates node labels in place: no new pool, no new nodes
    steps = _steps(plan, POOL)
    assert [c for _, c, _ in steps] == ["container-api"]  # not the kubelet: it labels at registration
    assert "existing Nodes in place" in steps[0][2]
    warning = next(d["message"] for d in plan["diagnostics"]
                   if d.get("address") == POOL and "Immutable" in d["message"])
    assert "spec.nodeConfig.labels" in warning and "admission webhook refuses" in warning
    applied = cli("apply", "shop", "--auto-approve")
    assert applied.code == 0 and "updated in place" in applied.out
    nodes = _state(tmp_path)[POOL]["status"]["pool"]["nodes"]
    assert len(nodes) == 3 and all(n["metadata"]["labels"].get("team") == "shop" for n in nodes)
    assert all(objects.node_pool(n) == "pool" for n in nodes)  # GKE's own labels stay


ROUTES_CLUSTER = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: old
spec:
  location: us-central1-a
  initialNodeCount: 1
  networkingMode: {mode}
"""


def test_only_a_routes_based_cluster_has_per_node_routes(cli, tmp_path):
    for mode, routes in (("VPC_NATIVE", False), ("ROUTES", True)):
        (tmp_path / "c").mkdir(exist_ok=True)
        (tmp_path / "c" / "cluster.yaml").write_text(ROUTES_CLUSTER.format(mode=mode))
        created = _steps(cli("plan", "c", "-o", "json").json(), "ContainerCluster/old")
        assert any("alias IP range" in d for _, _, d in created) is not routes
        assert any(c == "node-ipam-controller" and "route" in d for _, c, d in created) is routes
        assert cli("apply", "c", "--auto-approve").code == 0
        destroyed = cli("destroy", "--auto-approve").out
        assert ("routes" in destroyed) is routes, destroyed


def test_a_routes_based_cluster_takes_its_pod_range_from_cluster_ipv4_cidr(cli, tmp_path):
    cluster = ROUTES_CLUSTER.format(mode="ROUTES") + "  clusterIpv4Cidr: 10.96.0.0/14\n"
    (tmp_path / "cluster.yaml").write_text(cluster)
    assert "reserves Pod range 10.96.0.0/14" in cli("plan", "cluster.yaml").out
    assert cli("apply", "cluster.yaml", "--auto-approve").code == 0
    assert "10.96.0.0/24" in cli("get", "nodes", "-o", "wide").out
    assert cli("plan", "cluster.yaml", "--detailed-exitcode").code == 0
    (tmp_path / "bad.yaml").write_text(cluster.replace("10.96.0.0/14", "999.1.1.1/14"))
    result = cli("validate", "bad.yaml")
    assert result.code == 1 and 'bad.yaml:9:20: spec.clusterIpv4Cidr: invalid CIDR block "999.1.1.1/14"' in result.err
    (tmp_path / "both.yaml").write_text(cluster + "  ipAllocationPolicy:\n    clusterIpv4CidrBlock: /16\n")
    result = cli("validate", "both.yaml")
    assert "both.yaml:9:20: warning: spec.clusterIpv4Cidr: is ignored: it only works for routes-based clusters" \
        in result.err


def test_a_new_pool_joins_only_load_balancers_that_already_exist(cli, tmp_path):
    _use(tmp_path, "1")  # the Services are created after the pool, with every node in their backends
    assert "l4-netlb-controller" not in [c for _, c, _ in _steps(cli("plan", "shop", "-o", "json").json(), POOL)]


def test_the_plan_foresees_that_the_autoscaler_will_add_no_node(cli, tmp_path):
    """The preview runs the autoscaler too: the plan already says NotTriggerScaleUp, before anything happens."""
    import shutil

    from conftest import EXAMPLES

    for step in ("1-create", "2-scale", "3-rollout", "4-service-type", "5-pool-resize"):
        shutil.rmtree(tmp_path / "shop", ignore_errors=True)
        shutil.copytree(EXAMPLES / "lifecycle" / step, tmp_path / "shop")
        assert cli("apply", "shop", "--auto-approve").code == 0
    shutil.rmtree(tmp_path / "shop")
    shutil.copytree(EXAMPLES / "lifecycle" / "6-pending", tmp_path / "shop")
    plan = cli("plan", "shop").out
    assert "will stay Pending" in plan and "cluster-autoscaler adds no node (NotTriggerScaleUp" in plan


def test_a_routes_based_cluster_takes_its_service_range_from_the_end_of_its_pod_range(cli, tmp_path):
    """No ipAllocationPolicy (that is VPC-native's); Services get the last /20 of the container range, as the
    tutorial era's 10.3.240.0/20 of 10.0.0.0/14 (the CRD: "typically put in the last /16 from the container CIDR")."""
    cluster = ROUTES_CLUSTER.format(mode="ROUTES") + "  clusterIpv4Cidr: 10.0.0.0/14\n"
    (tmp_path / "cluster.yaml").write_text(cluster)
    plan = cli("plan", "cluster.yaml")
    assert "ipAllocationPolicy" not in plan.out
    assert "reserves Pod range 10.0.0.0/14 and Service range 10.3.240.0/20" in plan.out
    assert cli("apply", "cluster.yaml", "--auto-approve").code == 0
    assert "Service range 10.3.240.0/20" in cli("show").out
    assert cli("plan", "cluster.yaml", "--detailed-exitcode").code == 0
    (tmp_path / "sized.yaml").write_text(ROUTES_CLUSTER.format(mode="ROUTES").replace("name: old", "name: new"))
    assert "the last /20 of the Pod range (known after apply)" in cli("plan", "sized.yaml", "--state",
                                                                       "other.json").out


def test_a_routes_cluster_stored_with_the_vpc_native_default_policy_is_not_replaced(cli, tmp_path):
    """States written before routes-based clusters lost ipAllocationPolicy keep their cluster: no change planned."""
    (tmp_path / "cluster.yaml").write_text(ROUTES_CLUSTER.format(mode="ROUTES"))
    assert cli("apply", "cluster.yaml", "--auto-approve").code == 0
    path = tmp_path / "planner.state.json"
    state = json.loads(path.read_text())
    stored = state["resources"]["ContainerCluster/old"]
    stored["manifest"]["spec"]["ipAllocationPolicy"] = {"servicesIpv4CidrBlock": "34.118.224.0/20"}
    stored["digest"] = "0" * 32  # as an older planner computed it over that manifest
    path.write_text(json.dumps(state))
    assert cli("plan", "cluster.yaml", "--detailed-exitcode").code == 0
