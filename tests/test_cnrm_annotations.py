"""Config Connector's generic annotations: deletion-policy abandon (the resource leaves the state and keeps running,
terraform's "forget"), project-id (checked, and a move to another project is a new resource) and state-into-spec
merge (a dropped field keeps its value in GKE)."""

from __future__ import annotations

from pathlib import Path

from conftest import edit

ABANDON = "  annotations:\n    cnrm.cloud.google.com/deletion-policy: abandon\n"


def _annotate(cluster: Path, annotations: str) -> None:
    edit(cluster, "  name: hello-cluster\n", "  name: hello-cluster\n" + annotations)


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_destroying_an_abandoned_cluster_forgets_it_and_deletes_what_runs_in_it(cli, hello):
    _annotate(hello / "cluster.yaml", ABANDON)
    assert cli("apply", str(hello), "--auto-approve").code == 0
    result = cli("destroy", "--auto-approve")
    assert result.code == 0, result.err
    out = result.out
    assert ("# ContainerCluster/hello-cluster will no longer be managed by planner, but will not be destroyed "
            "(cnrm.cloud.google.com/deletion-policy: abandon)") in out
    assert "  . ContainerCluster/hello-cluster" in out
    # The cluster keeps running, so its Deployment and Service are deleted through its API server, one by one.
    assert "# Deployment/default/hello-web will be destroyed\n" in out  # asked for: no "not in the input"
    assert "Service/default/hello-web: Destruction complete" in out
    assert "ContainerCluster/hello-cluster: Forgotten: ContainerCluster hello-cluster left the state" in out
    assert "Plan: 0 to add, 0 to change, 0 to replace, 2 to destroy, 1 to forget." in out
    assert "1 forgotten" in out
    assert "deletes the control plane" not in out  # container-api is never called for it
    assert cli("get", "nodes").out.strip() in ("", "No resources found.")


def test_an_abandoned_node_pool_leaves_the_plan_without_steps(cli, hello):
    pool = hello / "pool.yaml"
    pool.write_text("""\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: extra
  annotations:
    cnrm.cloud.google.com/deletion-policy: abandon
spec:
  clusterRef:
    name: hello-cluster
  location: us-central1-b
  nodeCount: 1
""")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    pool.unlink()
    plan = cli("plan", str(hello), "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "ContainerNodePool/extra")
    assert change["action"] == "forget" and change["reasons"] == ["forget_because_abandoned"]
    assert plan["summary"]["forget"] == 1 and plan["summary"]["delete"] == 0
    assert not [s for s in plan["steps"] if s["address"] == "ContainerNodePool/extra"]
    text = cli("plan", str(hello)).out
    assert "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to forget." in text
    assert cli("plan", str(hello), "--detailed-exitcode").code == 2
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0


def test_annotation_values_config_connector_refuses_fail_at_their_line(cli, hello):
    cluster = hello / "cluster.yaml"
    _annotate(cluster, "  annotations:\n    cnrm.cloud.google.com/deletion-policy: keep\n"
                       "    cnrm.cloud.google.com/project-id: My_Project\n")
    result = cli("validate", str(hello))
    assert result.code == 1
    assert f"cluster.yaml:{_line(cluster, 'deletion-policy')}:" in result.err and '"abandon"' in result.err
    assert f"cluster.yaml:{_line(cluster, 'project-id')}:" in result.err and "project ID" in result.err


def test_a_pool_naming_a_cluster_in_another_project_is_refused(cli, hello):
    cluster = hello / "cluster.yaml"
    _annotate(cluster, "  annotations:\n    cnrm.cloud.google.com/project-id: shop-prod\n")
    pool = hello / "pool.yaml"
    pool.write_text("""\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: extra
spec:
  clusterRef:
    external: projects/shop-dev/locations/us-central1-b/clusters/hello-cluster
  location: us-central1-b
""")
    result = cli("plan", str(hello))
    assert result.code == 1
    assert f"pool.yaml:{_line(pool, 'external:')}:" in result.err
    assert 'names a cluster in project "shop-dev", but the declared cluster is in project "shop-prod"' in result.err
    edit(pool, "shop-dev", "shop-prod")
    assert cli("plan", str(hello)).code == 0


def test_moving_a_cluster_to_another_project_replaces_it(cli, hello):
    cluster = hello / "cluster.yaml"
    _annotate(cluster, "  annotations:\n    cnrm.cloud.google.com/project-id: shop-prod\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(cluster, "project-id: shop-prod", "project-id: shop-prod-2")
    plan = cli("plan", str(hello), "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "ContainerCluster/hello-cluster")
    assert change["action"] == "replace"
    assert change["replace_paths"] == ['metadata.annotations["cnrm.cloud.google.com/project-id"]']


def test_a_field_dropped_under_state_into_spec_merge_is_said_to_keep_its_value(cli, hello):
    cluster = hello / "cluster.yaml"
    _annotate(cluster, "  annotations:\n    cnrm.cloud.google.com/state-into-spec: merge\n")
    edit(cluster, "  releaseChannel:", "  enableShieldedNodes: true\n  releaseChannel:")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(cluster, "  enableShieldedNodes: true\n", "")
    out = cli("plan", str(hello)).out
    assert "spec.enableShieldedNodes is dropped from the input, but with cnrm.cloud.google.com/state-into-spec: " \
           "merge Config Connector keeps the value GKE has" in " ".join(out.split())
    edit(cluster, "state-into-spec: merge", "state-into-spec: absent")
    assert "keeps the value GKE has" not in cli("plan", str(hello)).out
