"""Every lifecycle change of examples/lifecycle/, planned and applied in order against one state: the actions, the
ordered actor/component chain, and what the simulated GKE holds afterwards."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from planner.kinds import deployment, service
from planner.simulate import objects

STEPS = sorted((EXAMPLES / "lifecycle").iterdir(), key=lambda p: int(p.name.split("-")[0]))


def _chain(plan: dict, address: str) -> list[tuple[str, str, str]]:
    return [(s["phase"], s["actor"], s["component"]) for s in plan["steps"] if s["address"] == address]


def _actions(plan: dict) -> dict[str, str]:
    return {c["address"]: c["action"] for c in plan["resource_changes"] if c["action"] != "no-op"}


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())["resources"]


def _pods(state: dict, address: str) -> list[dict]:
    return state[address]["status"]["pods"]


def _nodes(state: dict) -> list[dict]:
    return state["ContainerNodePool/pool"]["status"]["pool"]["nodes"]


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """Plans and applies every step once; yields {step name: (plan, apply output, state after)}."""
    from conftest import _run_in_process

    work = tmp_path_factory.mktemp("lifecycle")
    results = {}
    for step in STEPS:
        shutil.rmtree(work / "shop", ignore_errors=True)
        shutil.copytree(step, work / "shop")  # one input folder, as a team's repository would have
        plan = _run_in_process(["plan", "shop", "-o", "json"], work)
        assert plan.code == 0, plan.err
        applied = _run_in_process(["apply", "shop", "--auto-approve"], work)
        assert applied.code == 0, applied.err
        again = _run_in_process(["plan", "shop", "--detailed-exitcode"], work)
        assert again.code == 0, f"{step.name}: apply then plan is not empty:\n{again.out}"
        results[step.name] = (plan.json(), applied.out + again.out, _state(work))
    return results


def test_create_builds_the_regional_cluster_and_drops_the_default_pool(walk):
    plan, _out, state = walk["1-create"]
    assert set(_actions(plan).values()) == {"create"} and len(_actions(plan)) == 7
    chain = _chain(plan, "ContainerCluster/shop")
    assert chain[0] == ("create", "gke", "container-api")
    assert chain[-1] == ("create", "gke", "container-api")  # the remove-default-node-pool annotation
    assert "status" not in state["ContainerCluster/shop"] or "pool" not in state["ContainerCluster/shop"]["status"]
    nodes = _nodes(state)
    assert sorted(objects.node_zone(n) for n in nodes) == ["us-central1-a", "us-central1-b", "us-central1-c"]
    assert all(objects.node_name(n).startswith("gke-shop-pool-")
               and objects.node_internal_ip(n).startswith("10.128.0.") for n in nodes)
    web = state["Service/shop/web"]["status"]
    assert service.load_balancer(web)["flavour"] == "backend-service"
    assert service.external_ip(web).startswith("203.0.113.")
    web_steps = [s["description"] for s in plan["steps"] if s["address"] == "Service/shop/web"]
    assert any("regional backend service" in d for d in web_steps)
    assert not any("target pool" in d for d in web_steps)
    assert len(_pods(state, "Deployment/shop/web")) == 3


def test_scale_is_not_a_rollout(walk):
    plan, _out, state = walk["2-scale"]
    assert _actions(plan) == {"Deployment/shop/web": "update"}
    assert _chain(plan, "Deployment/shop/web")[:4] == [
        ("update", "cluster-master", "kube-apiserver"), ("update", "controller", "deployment-controller"),
        ("update", "controller", "replicaset-controller"), ("update", "cluster-master", "kube-scheduler")]
    pods = _pods(state, "Deployment/shop/web")
    assert len(pods) == 6 and len({objects.pod_owner(p) for p in pods}) == 1
    assert deployment.revision(state["Deployment/shop/web"]["status"]) == 1


def test_a_new_image_rolls_out_one_pod_at_a_time(walk):
    plan, _out, state = walk["3-rollout"]
    waves = next(s["description"] for s in plan["steps"] if "scales in waves" in s["description"])
    assert "(surge 1, unavailable 0)" in waves and waves.count("->") == 12  # 6 up-steps and 6 down-steps
    status = state["Deployment/shop/web"]["status"]
    assert deployment.revision(status) == 2
    assert {objects.pod_owner(p) for p in status["pods"]} == {deployment.current_replica_set(status)}
    history = {r["metadata"]["name"]: r["spec"]["replicas"] for r in status["replicaSets"]}
    assert sorted(history.values()) == [0, 6]


def test_service_type_change_allocates_a_node_port(walk):
    plan, _out, state = walk["4-service-type"]
    assert _actions(plan) == {"Service/shop/api": "update"}
    descriptions = [s["description"] for s in plan["steps"]]
    assert any("allocates nodePort" in d for d in descriptions)
    port = service.live_ports(state["Service/shop/api"]["status"])[0]
    assert 30000 <= port["nodePort"] <= 32767


def test_pool_resize_adds_one_vm_per_zone(walk):
    plan, _out, state = walk["5-pool-resize"]
    assert _actions(plan) == {"ContainerNodePool/pool": "update"}
    assert _chain(plan, "ContainerNodePool/pool")[1] == ("update", "gke", "compute-engine")
    assert len(_nodes(state)) == 6


def test_requests_too_big_for_any_node_warn_in_the_plan_and_stall_the_rollout(walk):
    plan, out, state = walk["6-pending"]
    warnings = [d["message"] for d in plan["diagnostics"] if d["severity"] == "warning"
                and d.get("address") == "Deployment/shop/api"]
    assert any("will stay Pending" in w and "Insufficient cpu" in w for w in warnings), warnings
    assert any("rollout will stall" in w for w in warnings)
    status = state["Deployment/shop/api"]["status"]
    assert deployment.stall(status)["reason"] == "ProgressDeadlineExceeded"
    # cluster-autoscaler adds no node that could not hold the Pod (3 CPU > an e2-standard-2's room): NotTriggerScaleUp
    assert "NotTriggerScaleUp" in out and "cluster-autoscaler added" not in out and len(_nodes(state)) == 6
    # Pending is status, not drift: the plan after apply has nothing to do (exit 0) but says so again.
    assert "No changes." in out and "Pods are Pending" in out and "the rollout is stalled" in out
    assert sum(1 for p in status["pods"] if objects.pod_node(p) is None) >= 1
    old = [p for p in status["pods"] if objects.pod_owner(p) != deployment.current_replica_set(status)]
    assert len(old) == 2 and all(objects.pod_node(p) for p in old)  # maxUnavailable keeps the old Pods serving


def test_machine_type_recreates_the_nodes_in_place_and_the_stalled_rollout_finishes(walk):
    plan, out, state = walk["7-machine-type"]
    before = {objects.node_name(n) for n in walk["6-pending"][2]["ContainerNodePool/pool"]["status"]["pool"]["nodes"]}
    change = next(c for c in plan["resource_changes"] if c["address"] == "ContainerNodePool/pool")
    # GKE's UpdateNodePoolRequest changes the machine type with a surge upgrade: an update, not a replacement...
    assert change["action"] == "update"
    assert [c for _, _, c in _chain(plan, "ContainerNodePool/pool")][:4] == [
        "container-api", "compute-engine", "kubelet", "container-api"]
    # ...that Config Connector's webhook refuses, because its CRD marks the field Immutable: the plan says so.
    assert any("Config Connector marks spec.nodeConfig.machineType Immutable" in d["message"]
               and d.get("address") == "ContainerNodePool/pool" for d in plan["diagnostics"])
    assert "stalled rollout resumed" in out
    assert re.search(r"6 new node\(s\) created, 6 old node\(s\) drained and deleted: (\S+, ){4}\S+ and 1 more", out)
    status = state["Deployment/shop/api"]["status"]
    assert deployment.stall(status) is None and all(objects.pod_node(p) for p in status["pods"])
    assert len(status["pods"]) == 2
    assert {objects.node_machine_type(n) for n in _nodes(state)} == {"e2-standard-4"}
    after = {objects.node_name(n) for n in _nodes(state)}
    assert len(after) == len(before) and not after & before  # every node recreated, under a new name


def test_a_selector_change_replaces_the_deployment(walk):
    plan, _out, _state = walk["8-selector"]
    change = next(c for c in plan["resource_changes"] if c["address"] == "Deployment/shop/web")
    assert change["action"] == "replace" and change["replace_paths"] == ["spec.selector.matchLabels.tier"]
    phases = [p for p, _, _ in _chain(plan, "Deployment/shop/web")]
    assert phases.index("create") > phases.index("delete")


def test_deleting_a_load_balancer_service_tears_the_load_balancer_down_first(walk):
    plan, _out, state = walk["9-delete-service"]
    assert _actions(plan) == {"Service/shop/web": "delete"}
    assert [c for _, _, c in _chain(plan, "Service/shop/web")][:4] == [  # a backend-service LB (l4-rbs)
        "kube-apiserver", "l4-netlb-controller", "service-controller", "kube-apiserver"]
    assert "Service/shop/web" not in state


def test_moving_the_cluster_replaces_everything_in_it(walk):
    plan, _out, state = walk["10-cluster-move"]
    assert set(_actions(plan).values()) == {"replace"} and len(_actions(plan)) == 6
    assert any(d.get("banner") and "THE CLUSTER IS REPLACED" in d["message"] for d in plan["diagnostics"])
    deletes = [s["address"] for s in plan["steps"] if s["phase"] == "delete"]
    assert deletes[-1] == "ContainerCluster/shop"  # everything inside goes before the cluster
    assert all(objects.node_zone(n).startswith("us-east1-") and objects.node_internal_ip(n).startswith("10.142.0.")
               for n in _nodes(state))


def test_get_shows_the_world_as_kubectl_would(cli, tmp_path):
    shutil.copytree(STEPS[0], tmp_path / "shop")
    cli("apply", "shop", "--auto-approve")
    services = cli("get", "-A", "services").out.splitlines()
    assert services[0].split() == ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    web = next(line.split() for line in services if " web " in line)
    assert web[2] == "LoadBalancer" and web[4].startswith("203.0.113.") and web[5].startswith("80:")
    pods = cli("get", "-A", "pods", "-o", "wide").out
    assert pods.count("Running") == 5 and "gke-shop-pool-" in pods
    nodes = json.loads(cli("get", "-A", "nodes", "-o", "json").out)["items"]
    assert len(nodes) == 3
    endpoints = cli("get", "-A", "endpoints").out
    assert ":80," in endpoints and ":http" not in endpoints  # named targetPort resolved to the container's 80
    assert cli("get", "-A", "widgets").code == 1


def test_shrinking_a_pool_drains_nodes_and_reschedules_their_pods(cli, tmp_path):
    shutil.copytree(STEPS[4], tmp_path / "shop")  # 5-pool-resize: two nodes per zone
    assert cli("apply", "shop", "--auto-approve").code == 0
    before = _state(tmp_path)
    cluster = tmp_path / "shop" / "cluster.yaml"
    cluster.write_text(cluster.read_text().replace("nodeCount: 2", "nodeCount: 1"))
    plan = cli("plan", "shop", "-o", "json").json()
    chain = [c for _, _, c in _chain(plan, "ContainerNodePool/pool")]
    assert chain[:3] == ["container-api", "container-api", "compute-engine"]  # resize, drain, shrink the groups
    assert "l4-netlb-controller" in chain  # web's backend-service load balancer: its backends follow the nodes
    applied = cli("apply", "shop", "--auto-approve")
    assert applied.code == 0
    after = _state(tmp_path)
    remaining = {objects.node_name(n) for n in _nodes(after)}
    assert len(remaining) == 3 and remaining < {objects.node_name(n) for n in _nodes(before)}
    for address in ("Deployment/shop/web", "Deployment/shop/api"):
        pods = _pods(after, address)
        assert len(pods) == len(_pods(before, address)) and all(objects.pod_node(p) in remaining for p in pods)
