"""Autopilot clusters (examples/autopilot-hello-app): accepted and validated, no node pools, GKE Warden's request
rules (one test per rule of planner.knowledge.autopilot), node auto-provisioning for Pending Pods, and the plan's
steps naming who does what. End to end through the CLI, except where a rule needs a shape the CLI cannot reach."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, edit, write

from planner.knowledge import autopilot as ap
from planner.simulate import objects

CLUSTER = "ContainerCluster/hello-cluster"
DEPLOYMENT = "Deployment/default/hello-web"
NAP_NODE = re.compile(r"^gk3-hello-cluster-nap-[a-z0-9]{8}-[0-9a-f]{8}-[a-z0-9]{4}$")

POOL = """apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: extra
spec:
  location: us-central1
  nodeCount: 1
  clusterRef:
    name: hello-cluster
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    target = tmp_path / "app"
    shutil.copytree(EXAMPLES / "autopilot-hello-app", target)
    return target


def _requests(app: Path, requests: str) -> None:
    """Give hello-app these requests (YAML lines under `requests:`)."""
    edit(app / "hello-web.yaml", "            - containerPort: 8080\n",
         "            - containerPort: 8080\n          resources:\n            requests:\n" +
         "".join(f"              {line}\n" for line in requests.split(";")))


def _steps(plan: dict, address: str) -> list[tuple[str, str, str]]:
    return [(s["actor"], s["component"], s["description"]) for s in plan["steps"] if s["address"] == address]


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())["resources"]


def _admission(plan: dict) -> str:
    return next(d for a, c, d in _steps(plan, DEPLOYMENT) if "GKE Warden" in d)


# ---------------------------------------------------------------- accepted and validated


def test_the_example_plans_applies_and_plans_again_to_no_changes(cli, app, tmp_path):
    plan = cli("plan", "app", "-o", "json").json()
    cluster = _steps(plan, CLUSTER)
    assert cluster[0][:2] == ("gke", "container-api") and "as an Autopilot cluster" in cluster[0][2]
    assert not any("default-pool" in d or "VM(s)" in d for _, _, d in cluster), cluster  # no node pool of N nodes
    applied = cli("apply", "app", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "node(s) in default-pool" not in applied.out
    again = cli("plan", "app", "--detailed-exitcode")
    assert again.code == 0 and "No changes." in again.out, again.out + again.err


def test_a_node_pool_of_an_autopilot_cluster_fails_where_it_is_written(cli, app):
    write(app / "pool.yaml", POOL)
    result = cli("plan", "app")
    assert result.code == 1
    assert re.search(r"pool\.yaml:8:3: spec\.clusterRef: ContainerNodePool/extra is a node pool of "
                     r"ContainerCluster/hello-cluster, an Autopilot cluster: GKE creates and manages", result.err), \
        result.err
    assert "autopilot-standard-feature-comparison" in result.err


def test_a_zonal_autopilot_cluster_and_node_settings_are_refused_at_file_line_column(cli, app):
    edit(app / "cluster.yaml", "  location: us-central1\n", "  location: us-central1-b\n  initialNodeCount: 3\n"
                                                           "  nodeConfig:\n    machineType: e2-medium\n"
                                                           "  networkingMode: ROUTES\n")
    result = cli("validate", "app")
    assert result.code == 1
    assert 'cluster.yaml:9:13: spec.location: "us-central1-b" is a zone, but Autopilot clusters are always regional' \
           in result.err and "regional-clusters" in result.err
    assert "cluster.yaml:10:3: spec.initialNodeCount: is not allowed in an Autopilot cluster" in result.err
    assert "cluster.yaml:11:3: spec.nodeConfig: is not allowed in an Autopilot cluster" in result.err
    assert "cluster.yaml:13:19: spec.networkingMode: Autopilot clusters are VPC-native" in result.err


# ---------------------------------------------------------------- node auto-provisioning


def test_pending_pods_get_auto_provisioned_nodes_and_the_scheduler_binds_them(cli, app, tmp_path):
    applied = cli("apply", "app", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "3 Pending: Unschedulable: 0/0 nodes are available" in applied.out
    assert "node auto-provisioning created 2 e2-standard-2 node(s) in nap-" in applied.out
    assert "kube-scheduler bound 3 Pending Pod(s) to the new nodes" in applied.out
    state = _state(tmp_path)
    nodes = state[CLUSTER]["status"]["pool"]["nodes"]
    assert len(nodes) == 2 and all(NAP_NODE.match(objects.node_name(n)) for n in nodes)
    assert {objects.node_machine_type(n) for n in nodes} == {"e2-standard-2"}
    pool = objects.node_pool(nodes[0])
    assert re.fullmatch(r"nap-[a-z0-9]{8}", pool) and {objects.node_pool(n) for n in nodes} == {pool}
    assert all(objects.node_name(n).startswith(f"gk3-hello-cluster-{pool}-") for n in nodes)
    pods = state[DEPLOYMENT]["status"]["pods"]
    assert len(pods) == 3 and {objects.pod_node(p) for p in pods} == {objects.node_name(n) for n in nodes}
    # Scale-down: with one replica left the idle nodes go.
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 1")
    scaled = cli("apply", "app", "--auto-approve")
    assert "cluster-autoscaler removed 1 idle Autopilot node(s)" in scaled.out, scaled.out
    assert len(_state(tmp_path)[CLUSTER]["status"]["pool"]["nodes"]) == 1


def test_the_deployments_steps_say_who_does_what_in_order(cli, app):
    plan = cli("plan", "app", "-o", "json").json()
    steps = _steps(plan, DEPLOYMENT)

    def at(component: str, words: str) -> int:
        return next(i for i, (_, c, d) in enumerate(steps) if c == component and words in d)

    order = [at("kube-apiserver", "GKE Warden"), at("replicaset-controller", "creates 3 Pod(s)"),
             at("kube-scheduler", "stay Pending"), at("cluster-autoscaler", "node auto-provisioning"),
             at("compute-engine", "gk3-hello-cluster-nap-"), at("kubelet", "registers its Node"),
             at("node-ipam-controller", "podCIDR"), at("kube-scheduler", "binds each Pod")]
    assert order == sorted(order), steps
    assert steps[order[3]][0] == "gke" and "2 e2-standard-2 node(s), each holding 2" in steps[order[3]][2]


# ---------------------------------------------------------------- GKE Warden's rules, one test each


def test_no_requests_get_the_general_purpose_defaults(cli, app):
    text = _admission(cli("plan", "app", "-o", "json").json())
    for change in ("cpu request (none) -> 500m", "memory request (none) -> 2Gi",
                   "ephemeral-storage request (none) -> 1Gi"):
        assert change in text, text
    assert (ap.GENERAL_PURPOSE.default_cpu, ap.GENERAL_PURPOSE.default_memory) == (500, 2048)


def test_requests_below_the_minimum_are_raised_to_it(cli, app, tmp_path):
    _requests(app, "cpu: 10m;memory: 10Mi")
    plan = cli("plan", "app", "-o", "json").json()
    text = _admission(plan)
    assert "cpu request 10m -> 50m" in text and "memory request 10Mi -> 52Mi" in text, text
    scheduling = next(d for _, c, d in _steps(plan, DEPLOYMENT) if c == "kube-scheduler" and "binds" in d)
    assert "50m CPU, 52Mi memory per Pod" in scheduling  # the scheduler reserves the admitted values
    assert cli("apply", "app", "--auto-approve").code == 0
    assert len(_state(tmp_path)[CLUSTER]["status"]["pool"]["nodes"]) == 1  # three such Pods fit one node


def test_without_bursting_the_minimums_are_higher_and_limits_equal_requests(cli, app):
    _requests(app, "cpu: 10m;memory: 10Mi")
    text = _admission(cli("plan", "app", "-o", "json", "--kubernetes-version", "1.29").json())
    assert "cpu request 10m -> 250m" in text and "memory request 10Mi -> 512Mi" in text, text
    assert "cpu limit (none) -> 250m" in text and "memory limit (none) -> 512Mi" in text, text


def test_with_bursting_unset_limits_stay_unset():
    admitted = ap.admit({"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "2Gi"}}}]})
    assert "limits" not in admitted.pod_spec["containers"][0]["resources"]
    low = ap.admit({"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "2Gi"},
                                                                "limits": {"cpu": "500m"}}}]})
    assert low.pod_spec["containers"][0]["resources"]["limits"]["cpu"] == "1000m"  # never below the request


def test_too_much_memory_for_the_cpu_raises_the_cpu(cli, app):
    _requests(app, "cpu: 200m;memory: 2Gi")
    text = _admission(cli("plan", "app", "-o", "json").json())
    assert "cpu request 200m -> 308m" in text, text  # 2 GiB / 6.5 GiB per vCPU


def test_too_little_memory_for_the_cpu_raises_the_memory(cli, app):
    _requests(app, "cpu: 1;memory: 512Mi")
    text = _admission(cli("plan", "app", "-o", "json").json())
    assert "memory request 512Mi -> 1Gi" in text, text  # at least 1 GiB per vCPU


def test_one_request_alone_gets_the_other_from_the_ratio(cli, app):
    _requests(app, "cpu: 1")
    text = _admission(cli("plan", "app", "-o", "json").json())
    assert "memory request (none) -> 1Gi" in text and "cpu request" not in text, text


def test_requests_above_the_maximum_are_rejected_where_they_are_written(cli, app):
    _requests(app, 'cpu: "40"')
    result = cli("plan", "app")
    assert result.code == 1
    assert re.search(r"hello-web\.yaml:\d+:\d+: spec\.template\.spec\.containers: GKE Warden rejects it in Autopilot "
                     r"cluster ContainerCluster/hello-cluster: the Pod requests 40000m CPU, above Autopilot's "
                     r"general-purpose maximum of 30 CPU", result.err), result.err


def test_standard_clusters_are_not_admitted_by_gke_warden(cli, hello):
    plan = cli("plan", str(hello), "-o", "json").json()
    assert not any("GKE Warden" in s["description"] or "auto-provisioning" in s["description"]
                   for s in plan["steps"])
