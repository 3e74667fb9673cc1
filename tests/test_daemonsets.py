"""DaemonSets through the CLI: one Pod on each eligible node, bound by kube-scheduler, following the node pools as
they grow, shrink, are surge-upgraded, replaced or autoscaled; rolling updates; the kind's own validation rules."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import edit, write

from planner.simulate import objects

CLUSTER = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: shop
  annotations:
    cnrm.cloud.google.com/remove-default-node-pool: "true"
spec:
  location: us-central1
  initialNodeCount: 1
---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: pool
spec:
  clusterRef:
    name: shop
  location: us-central1
  nodeCount: 1
  nodeConfig:
    machineType: e2-standard-2
    labels:
      tier: general
"""

DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
        - name: agent
          image: example/agent:1
          ports:
            - containerPort: 9100
          resources:
            requests: {cpu: 100m, memory: 64Mi}
"""


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())["resources"]


def _nodes(state: dict) -> set[str]:
    return {objects.node_name(n) for r in state.values() for n in (r["status"].get("pool") or {}).get("nodes") or []}


def _daemon_nodes(state: dict, address: str = "DaemonSet/default/agent") -> list[str | None]:
    return sorted(objects.pod_node(p) or "" for p in state[address]["status"]["pods"])


def _apply(cli, *paths: str) -> str:
    result = cli("apply", *paths, "--auto-approve")
    assert result.code == 0, result.err
    again = cli("plan", *paths, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    return result.out


def _one_per_node(tmp_path: Path) -> dict:
    state = _state(tmp_path)
    assert _daemon_nodes(state) == sorted(_nodes(state)), "not exactly one running DaemonSet Pod per node"
    return state


def test_one_pod_per_node_through_growth_upgrade_and_replacement(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER)
    write(app / "agent.yaml", DAEMONSET)
    out = _apply(cli, "app")
    assert "one Pod on each of 3 eligible node(s)" in out
    assert len(_one_per_node(tmp_path)["DaemonSet/default/agent"]["status"]["pods"]) == 3

    edit(app / "cluster.yaml", "nodeCount: 1", "nodeCount: 2")  # resize: 3 new VMs
    plan = cli("plan", "app")
    assert "Pod for each eligible node that joins" not in plan.out  # the DaemonSet itself does not change
    _apply(cli, "app")
    assert len(_one_per_node(tmp_path)["DaemonSet/default/agent"]["status"]["pods"]) == 6

    before = _nodes(_state(tmp_path))
    edit(app / "cluster.yaml", "machineType: e2-standard-2", "machineType: e2-standard-4")  # surge upgrade
    _apply(cli, "app")
    state = _one_per_node(tmp_path)
    assert not _nodes(state) & before, "a surge upgrade gives every node a new name"

    edit(app / "cluster.yaml", "nodeCount: 2", "nodeCount: 1")  # shrink
    _apply(cli, "app")
    assert len(_one_per_node(tmp_path)["DaemonSet/default/agent"]["status"]["pods"]) == 3

    edit(app / "cluster.yaml", "  name: pool\n", "  name: pool2\n")  # the pool replaced by another one
    _apply(cli, "app")
    state = _one_per_node(tmp_path)
    assert all("pool2" in node for node in _daemon_nodes(state))
    listed = cli("get", "-A", "daemonsets")
    assert listed.out.splitlines()[1].split()[:7] == ["default", "agent", "3", "3", "3", "3", "3"]


def test_cluster_autoscaler_nodes_get_a_pod_and_pending_daemon_pods_add_no_node(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER.replace("  nodeCount: 1\n", "  nodeCount: 1\n  autoscaling:\n"
                                                "    minNodeCount: 1\n    maxNodeCount: 3\n"))
    write(app / "agent.yaml", DAEMONSET)
    _apply(cli, "app")
    web = DAEMONSET.replace("DaemonSet", "Deployment").replace("agent", "web").replace(
        "spec:\n  selector", "spec:\n  replicas: 9\n  selector").replace("100m", "1000m")
    write(app / "web.yaml", web)
    out = _apply(cli, "app")
    assert "cluster-autoscaler added" in out
    state = _one_per_node(tmp_path)
    assert len(_nodes(state)) > 3

    edit(app / "agent.yaml", "cpu: 100m", "cpu: 1900m")  # no node has room left for the new template
    plan = cli("plan", "app")
    assert "Insufficient cpu" in plan.out and "didn't match Pod's node affinity/selector" in plan.out
    result = cli("apply", "app", "--auto-approve")
    assert "STALLED" in result.out and "cluster-autoscaler added" not in result.out


def test_node_selector_picks_the_nodes(cli, tmp_path):
    app = tmp_path / "app"
    second = CLUSTER.split("---\n")[1].replace("name: pool", "name: gpu").replace("tier: general", "tier: special")
    write(app / "cluster.yaml", CLUSTER + "---\n" + second)
    write(app / "agent.yaml", DAEMONSET.replace("    spec:\n      containers", "    spec:\n      nodeSelector:\n"
                                                "        tier: special\n      containers"))
    plan = cli("plan", "app")
    assert "3 of the 6 node(s) whose labels match its nodeSelector tier=special" in plan.out
    _apply(cli, "app")
    state = _state(tmp_path)
    assert all("-gpu-" in node for node in _daemon_nodes(state)) and len(_daemon_nodes(state)) == 3
    assert "tier=special" in cli("get", "-A", "ds").out


def test_rolling_update_and_on_delete(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER)
    write(app / "agent.yaml", DAEMONSET)
    _apply(cli, "app")
    edit(app / "agent.yaml", "example/agent:1", "example/agent:2")
    plan = cli("plan", "app")
    assert "deletes the old Pod of at most 1 node(s) at a time" in plan.out and "3 node(s) in 3 wave(s)" in plan.out
    out = _apply(cli, "app")
    assert "rolled out revision 2 to 3 node(s) in 3 wave(s)" in out
    _one_per_node(tmp_path)

    edit(app / "agent.yaml", "  selector:", "  updateStrategy:\n    type: OnDelete\n  selector:")
    edit(app / "agent.yaml", "example/agent:2", "example/agent:3")
    plan = cli("plan", "app")
    assert "OnDelete: replaces no running Pod" in plan.out
    _apply(cli, "app")
    row = cli("get", "-A", "daemonsets").out.splitlines()[1].split()
    assert row[2:7] == ["3", "3", "3", "0", "3"]  # UP-TO-DATE 0: every Pod still runs the old template


def test_surge_update_starts_the_new_pod_beside_the_old_one(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER)
    write(app / "agent.yaml", DAEMONSET.replace("  selector:", "  updateStrategy:\n    rollingUpdate:\n"
                                                "      maxUnavailable: 0\n      maxSurge: 2\n  selector:"))
    _apply(cli, "app")
    edit(app / "agent.yaml", "example/agent:1", "example/agent:2")
    plan = cli("plan", "app")
    assert "starts the new Pod beside the old one on at most 2 node(s)" in plan.out and "in 2 wave(s)" in plan.out
    _apply(cli, "app")
    _one_per_node(tmp_path)


def test_services_select_daemonset_pods(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER)
    write(app / "agent.yaml", DAEMONSET + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: agent\nspec:\n"
                              "  selector: {app: agent}\n  ports:\n    - port: 9100\n")
    plan = cli("plan", "app")
    assert "selects no Pods" not in plan.out + plan.err
    _apply(cli, "app")
    row = next(line for line in cli("get", "-A", "endpoints").out.splitlines() if "agent" in line)
    assert row.count(":9100") == 3


def test_delete_frees_the_nodes(cli, tmp_path):
    app = tmp_path / "app"
    write(app / "cluster.yaml", CLUSTER)
    write(app / "agent.yaml", DAEMONSET)
    _apply(cli, "app")
    (app / "agent.yaml").unlink()
    plan = cli("plan", "app")
    assert "garbage-collector" in plan.out and "deletes its 3 Pod(s)" in plan.out
    _apply(cli, "app")
    assert "agent" not in cli("get", "-A", "pods").out


def test_validation_rules_at_file_line_column(cli, tmp_path):
    bad = DAEMONSET.replace("  selector:", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 1\n"
                                           "      maxSurge: 1\n  selector:").replace(
        "      containers:", "      restartPolicy: Never\n      containers:").replace(
        "labels: {app: agent}\n    spec", "labels: {app: other}\n    spec")
    write(tmp_path / "ds.yaml", bad)
    result = cli("validate", "ds.yaml")
    assert result.code == 1
    assert "ds.yaml:9:17: spec.updateStrategy.rollingUpdate.maxSurge: may not be set when maxUnavailable is " \
           "non-zero" in result.err
    assert "spec.template.spec.restartPolicy: Unsupported value: \"Never\"" in result.err
    assert "`selector` does not match template `labels`" in result.err
