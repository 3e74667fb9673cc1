"""`spec.resourceID` is the name GKE gets (Config Connector's CRDs: "When unset, the value of `metadata.name` is used
as the default"): GKE's name limits apply to it, node and instance-group names carry it, and metadata.name is then
any Kubernetes object name."""

from __future__ import annotations

from conftest import write

LONG = "shop-platform-team-production-cluster-for-europe"  # 48 characters: too long for GKE, fine for Kubernetes

CLUSTER = f"""apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: {LONG}
spec:
  resourceID: shop
  location: europe-west1-b
  initialNodeCount: 1
---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: {LONG}-batch
spec:
  resourceID: batch
  location: europe-west1-b
  nodeCount: 1
  clusterRef:
    name: {LONG}
"""


def test_nodes_carry_the_gke_names_and_replan_is_empty(cli, tmp_path):
    write(tmp_path / "cluster.yaml", CLUSTER)
    plan = cli("plan", "cluster.yaml").out
    assert "managed instance group gke-shop-default-pool-<8hex>-grp" in plan
    assert "managed instance group gke-shop-batch-<8hex>-grp" in plan
    assert "cloud.google.com/gke-nodepool=batch" in plan
    assert cli("apply", "cluster.yaml", "--auto-approve").code == 0
    names = [line.split()[0] for line in cli("get", "nodes").out.splitlines()[1:]]
    assert len(names) == 2
    assert sorted(n.rsplit("-", 2)[0] for n in names) == ["gke-shop-batch", "gke-shop-default-pool"]
    assert cli("plan", "cluster.yaml", "--detailed-exitcode").code == 0


def test_the_gke_name_limits_apply_to_resource_id(cli, tmp_path):
    write(tmp_path / "cluster.yaml", CLUSTER.replace("resourceID: shop", f"resourceID: {LONG}")
          .replace("resourceID: batch", "resourceID: Batch"))
    result = cli("validate", "cluster.yaml")
    assert result.code == 1
    assert "cluster.yaml:6:15: spec.resourceID: too long: 48 characters, at most 40 allowed" in result.err
    assert 'cluster.yaml:15:15: spec.resourceID: invalid value string "Batch"' in result.err


def test_without_resource_id_metadata_name_is_the_gke_name(cli, tmp_path):
    write(tmp_path / "cluster.yaml", CLUSTER.replace("  resourceID: shop\n", ""))
    result = cli("validate", "cluster.yaml")
    assert result.code == 1
    assert "cluster.yaml:4:9: metadata.name: too long: 48 characters, at most 40 allowed" in result.err
    assert "cluster.yaml:13" not in result.err  # the pool has its own resourceID


def test_metadata_name_stays_a_kubernetes_name(cli, tmp_path):
    write(tmp_path / "cluster.yaml", CLUSTER.replace(f"name: {LONG}-batch", "name: Batch_Pool"))
    result = cli("validate", "cluster.yaml")
    assert result.code == 1
    assert 'cluster.yaml:13:9: metadata.name: invalid value string "Batch_Pool": must be a DNS-1123 subdomain' \
        in result.err
