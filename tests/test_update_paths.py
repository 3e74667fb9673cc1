"""Updates as GKE applies them: what GKE's API changes in place (some by recreating the nodes with the pool's
upgrade strategy), what it cannot change (a replacement that names the field and why), and which in-place updates
Config Connector's webhook would refuse because its CRD marks the field Immutable."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, write

CLUSTER = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: shop
  annotations:
    cnrm.cloud.google.com/remove-default-node-pool: "true"
spec:
  location: us-central1-b
  initialNodeCount: 1
  privateClusterConfig:
    enablePrivateNodes: true
    enablePrivateEndpoint: false
    masterIpv4CidrBlock: 172.16.0.0/28
---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: pool
spec:
  clusterRef:
    name: shop
  location: us-central1-b
  nodeCount: 3
  maxPodsPerNode: 110
  upgradeSettings:
    maxSurge: 1
    maxUnavailable: 0
  nodeConfig:
    machineType: e2-standard-2
    imageType: COS_CONTAINERD
    tags: [web]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {cpu: 200m, memory: 128Mi}
"""
POOL = "ContainerNodePool/pool"


def _applied(cli, tmp_path: Path) -> Path:
    path = write(tmp_path / "app" / "all.yaml", CLUSTER)
    assert cli("apply", "app", "--auto-approve").code == 0
    return path


def _change(plan: dict, address: str) -> dict:
    return next(c for c in plan["resource_changes"] if c["address"] == address)


def _warnings(plan: dict, address: str) -> list[str]:
    return [d["message"] for d in plan["diagnostics"] if d.get("address") == address and d["severity"] == "warning"]


def _first_step(plan: dict) -> str:
    return next(s["description"] for s in plan["steps"] if s["address"] == POOL)


def _nodes(cli) -> dict[str, str]:
    """node name -> machine type, from `planner get nodes -o json`."""
    return {n["name"]: n["machineType"] for n in cli("get", "nodes", "-o", "json").json()["items"]}


def test_a_new_machine_type_recreates_every_node_in_batches_with_new_names(cli, tmp_path):
    path = _applied(cli, tmp_path)
    before = _nodes(cli)
    edit(path, "machineType: e2-standard-2", "machineType: e2-standard-4")
    edit(path, "maxSurge: 1\n    maxUnavailable: 0", "maxSurge: 2\n    maxUnavailable: 1")
    plan = cli("plan", "app", "-o", "json").json()
    change = _change(plan, POOL)
    assert change["action"] == "update"
    first = _first_step(plan)
    assert "3 at a time in 1 batch(es) (maxSurge 2, maxUnavailable 1)" in first
    assert any("marks spec.nodeConfig.machineType Immutable" in w and "new ContainerNodePool" in w
               for w in _warnings(plan, POOL))
    assert cli("apply", "app", "--auto-approve").code == 0
    after = _nodes(cli)
    assert len(after) == 3 and set(after.values()) == {"e2-standard-4"} and not set(after) & set(before)
    pods = cli("get", "pods", "-o", "json").json()["items"]
    assert len(pods) == 4 and all(p["node"] in after for p in pods)
    assert cli("plan", "app", "--detailed-exitcode").code == 0


def test_a_new_image_type_recreates_the_nodes_without_a_config_connector_warning(cli, tmp_path):
    """imageType is not marked Immutable in the CRD (the old table said it was): Config Connector passes it on."""
    path = _applied(cli, tmp_path)
    edit(path, "imageType: COS_CONTAINERD", "imageType: UBUNTU_CONTAINERD")
    plan = cli("plan", "app", "-o", "json").json()
    assert _change(plan, POOL)["action"] == "update" and "recreated with a surge upgrade" in _first_step(plan)
    assert not any("Config Connector marks" in w for w in _warnings(plan, POOL))


def test_network_tags_change_in_place_without_touching_the_nodes(cli, tmp_path):
    path = _applied(cli, tmp_path)
    before = _nodes(cli)
    edit(path, "tags: [web]", "tags: [web, internal]")
    plan = cli("plan", "app", "-o", "json").json()
    assert _change(plan, POOL)["action"] == "update" and not _warnings(plan, POOL)
    assert "updates the mutable node settings of pool in place" in _first_step(plan)
    assert cli("apply", "app", "--auto-approve").code == 0
    assert _nodes(cli) == before


def test_fields_gke_cannot_change_force_a_replacement_that_names_the_reason(cli, tmp_path):
    path = _applied(cli, tmp_path)
    cases = [
        ("maxPodsPerNode: 110", "maxPodsPerNode: 64", "spec.maxPodsPerNode", "when the pool is created"),
        ("imageType: COS_CONTAINERD", "imageType: COS_CONTAINERD\n    spot: true", "spec.nodeConfig.spot",
         "CRD marks spec.nodeConfig.spot Immutable, and the API cannot change it in place"),
        ("tags: [web]", "tags: [web]\n    serviceAccountRef:\n      external: nodes@p.iam.gserviceaccount.com",
         "spec.nodeConfig.serviceAccountRef", "no service account"),
    ]
    for old, new, field, why in cases:
        edit(path, old, new)
        plan = cli("plan", "app", "-o", "json").json()
        change = _change(plan, POOL)
        assert change["action"] == "replace" and change["replace_paths"] == [field], (field, change)
        shown = cli("plan", "app").out
        assert "# forces replacement" in shown and why in shown, (field, shown)
        edit(path, new, old)


def test_a_private_endpoint_switch_is_one_in_place_update_of_the_cluster(cli, tmp_path):
    path = _applied(cli, tmp_path)
    edit(path, "enablePrivateEndpoint: false", "enablePrivateEndpoint: true")
    plan = cli("plan", "app", "-o", "json").json()
    assert _change(plan, "ContainerCluster/shop")["action"] == "update"
    assert {c["action"] for c in plan["resource_changes"] if c["address"] != "ContainerCluster/shop"} == {"no-op"}
    assert not _warnings(plan, "ContainerCluster/shop")
    # ...while the control plane's /28 is fixed when the cluster is created (the CRD marks it Immutable).
    edit(path, "172.16.0.0/28", "172.16.0.16/28")
    plan = cli("plan", "app", "-o", "json").json()
    change = _change(plan, "ContainerCluster/shop")
    assert change["action"] == "replace" and "spec.privateClusterConfig.masterIpv4CidrBlock" in change["replace_paths"]


def test_upgrade_settings_that_could_not_upgrade_a_node_fail_at_their_line(cli, tmp_path):
    path = write(tmp_path / "app" / "all.yaml", CLUSTER.replace("maxSurge: 1", "maxSurge: 0"))
    result = cli("validate", "app")
    assert result.code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "upgradeSettings:" in text)
    assert f"all.yaml:{line}:" in result.err and "cannot both be 0" in result.err
    write(path, CLUSTER.replace("maxSurge: 1", "maxSurge: -1"))
    result = cli("validate", "app")
    assert result.code == 1 and "maxSurge must be 0 or more" in result.err


def test_blue_green_creates_the_whole_new_set_before_draining_the_old(cli, tmp_path):
    path = _applied(cli, tmp_path)
    edit(path, "maxSurge: 1\n    maxUnavailable: 0", "strategy: BLUE_GREEN\n    blueGreenSettings:\n"
                                                      "      standardRolloutPolicy: {batchNodeCount: 1}")
    assert cli("apply", "app", "--auto-approve").code == 0
    edit(path, "machineType: e2-standard-2", "machineType: e2-standard-4")
    plan = cli("plan", "app", "-o", "json").json()
    first = _first_step(plan)
    assert "blue-green upgrade creates a new set of 3 node(s)" in first
    assert cli("apply", "app", "--auto-approve").code == 0
    assert set(_nodes(cli).values()) == {"e2-standard-4"}


KUBECTL_CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  creationTimestamp: null
  name: cj
spec:
  jobTemplate:
    metadata:
      creationTimestamp: null
      name: cj
    spec:
      template:
        metadata:
          creationTimestamp: null
        spec:
          containers:
          - image: busybox
            name: cj
            resources: {}
          restartPolicy: OnFailure
  schedule: '*/5 * * * *'
status: {}
"""


def test_yaml_written_by_kubectl_dry_run_plans_like_the_same_yaml_without_its_empty_fields(cli, hello):
    """`kubectl create ... --dry-run=client -o yaml` writes `creationTimestamp: null` in every ObjectMeta, the
    templates' included: the zero time, stored as nothing. Deleting those lines (leaving `metadata:` null or a
    template without metadata) changes nothing either."""
    write(hello / "cj.yaml", KUBECTL_CRONJOB)
    assert cli("apply", str(hello), "--auto-approve").code == 0
    for cleaned in (KUBECTL_CRONJOB.replace("\n      creationTimestamp: null\n", "\n"),
                    KUBECTL_CRONJOB.replace("\n          creationTimestamp: null\n", "\n"),
                    KUBECTL_CRONJOB.replace("\n        metadata:\n          creationTimestamp: null\n", "\n")):
        write(hello / "cj.yaml", cleaned)
        assert "No changes." in cli("plan", str(hello)).out, cleaned
    write(hello / "cj.yaml", KUBECTL_CRONJOB.replace("        metadata:\n          creationTimestamp: null\n",
                                                      "        metadata:\n          labels: {app: cj}\n"))
    assert '+ spec.jobTemplate.spec.template.metadata = {"labels": {"app": "cj"}}' in cli("plan", str(hello)).out
