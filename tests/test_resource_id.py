"""`spec.resourceID` is the name GKE gets (Config Connector's CRDs: "When unset, the value of `metadata.name` is used
as the default"): GKE's name limits apply to it, node and instance-group names carry it, and metadata.name is then
any Kubernetes object name. A node pool's `clusterRef.external` names the cluster by that GKE name, in the CRD's two
formats."""

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


EXTERNAL = "    external: projects/shop-prod/locations/europe-west1-b/clusters/shop\n"


def test_an_external_cluster_ref_names_the_cluster_by_its_gke_name(cli, tmp_path):
    write(tmp_path / "cluster.yaml", CLUSTER.replace(f"    name: {LONG}\n", EXTERNAL))
    plan = cli("plan", "cluster.yaml").out
    assert "managed instance group gke-shop-batch-<8hex>-grp" in plan
    assert cli("apply", "cluster.yaml", "--auto-approve").code == 0
    assert cli("plan", "cluster.yaml", "--detailed-exitcode").code == 0


def test_external_cluster_refs_are_checked(cli, tmp_path):
    billing = EXTERNAL.replace("clusters/shop", "clusters/billing")
    write(tmp_path / "other.yaml", CLUSTER.replace(f"    name: {LONG}\n", billing))
    result = cli("plan", "other.yaml")
    assert result.code == 1
    assert 'other.yaml:19:15: spec.clusterRef.external: clusterRef.external names GKE cluster "billing", not the ' \
        'declared cluster "shop"' in result.err
    write(tmp_path / "short.yaml", CLUSTER.replace(f"    name: {LONG}\n", "    external: shop\n"))
    result = cli("validate", "short.yaml")
    assert result.code == 1
    assert 'short.yaml:19:15: spec.clusterRef.external: "shop" is not a GKE cluster: valid formats are ' \
        "projects/{projectID}/locations/{location}/clusters/{clusterID}" in result.err
    write(tmp_path / "both.yaml", CLUSTER.replace(f"    name: {LONG}\n", f"    name: {LONG}\n" + EXTERNAL))
    result = cli("validate", "both.yaml")
    assert result.code == 1
    assert "both.yaml:18:3: spec.clusterRef: must set exactly one of name or external" in result.err
