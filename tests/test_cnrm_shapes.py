"""Config Connector objects in the shapes real users write them (written from the CRDs and GKE's documentation):
they plan, apply and re-plan to no changes, and the updates Config Connector's own fixtures make (fields GKE's
UpdateCluster / UpdateNodePool change) plan as in-place updates, never as replacements."""

from __future__ import annotations

import pytest
from conftest import edit, write

CLUSTER = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: prod-cluster
  namespace: platform
  annotations:
    cnrm.cloud.google.com/project-id: acme-prod
    cnrm.cloud.google.com/remove-default-node-pool: "true"
  labels:
    team: platform
spec:
  resourceID: acme-prod-gke-us-central1-primary
  location: us-central1
  initialNodeCount: 1
  releaseChannel:
    channel: STABLE
  networkingMode: VPC_NATIVE
  ipAllocationPolicy:
    clusterIpv4CidrBlock: /16
    servicesIpv4CidrBlock: /22
  privateClusterConfig:
    enablePrivateNodes: true
    enablePrivateEndpoint: false
    masterIpv4CidrBlock: 172.16.0.32/28
  workloadIdentityConfig:
    workloadPool: acme-prod.svc.id.goog
  loggingConfig:
    enableComponents: [SYSTEM_COMPONENTS, WORKLOADS]
  monitoringConfig:
    enableComponents: [SYSTEM_COMPONENTS]
  addonsConfig:
    httpLoadBalancing:
      disabled: false
    horizontalPodAutoscaling:
      disabled: false
  nodePoolAutoConfig:
    networkTags:
      tags: [gke-node]
  nodeConfig:
    machineType: e2-standard-4
    linuxNodeConfig:
      sysctls:
        net.core.somaxconn: "4096"
  maintenancePolicy:
    dailyMaintenanceWindow:
      startTime: "03:00"
---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: gpu-pool
  namespace: platform
spec:
  resourceID: gpu
  clusterRef:
    external: projects/acme-prod/locations/us-central1/clusters/acme-prod-gke-us-central1-primary
  location: us-central1
  nodeLocations: [us-central1-a]
  initialNodeCount: 1
  autoscaling:
    minNodeCount: 0
    maxNodeCount: 3
  management:
    autoRepair: true
    autoUpgrade: true
  upgradeSettings:
    maxSurge: 1
    maxUnavailable: 0
  nodeConfig:
    machineType: n1-standard-8
    diskSizeGb: 200
    diskType: pd-ssd
    imageType: COS_CONTAINERD
    guestAccelerator:
      - type: nvidia-tesla-t4
        count: 1
    linuxNodeConfig:
      sysctls:
        net.core.somaxconn: "4096"
    taint:
      - key: nvidia.com/gpu
        value: present
        effect: NO_SCHEDULE
    labels:
      accelerator: t4
    tags: [gpu]
    oauthScopes: [https://www.googleapis.com/auth/cloud-platform]
"""

# (old text, new text): updates of fields GKE changes in place, as Config Connector's fixtures update them.
IN_PLACE = [
    ("channel: STABLE", "channel: REGULAR"),
    ("enableComponents: [SYSTEM_COMPONENTS, WORKLOADS]", "enableComponents: [SYSTEM_COMPONENTS]"),
    ("startTime: \"03:00\"", "startTime: \"04:00\""),
    ("enablePrivateEndpoint: false", "enablePrivateEndpoint: true"),
    ("tags: [gke-node]", "tags: [gke-node, prod]"),
    ("maxNodeCount: 3", "maxNodeCount: 5"),
    ("autoRepair: true", "autoRepair: false"),
    ("value: present", "value: yes-please"),
    ("tags: [gpu]", "tags: [gpu, ml]"),
    ("maxSurge: 1\n    maxUnavailable: 0", "maxSurge: 2\n    maxUnavailable: 1"),
    ("imageType: COS_CONTAINERD", "imageType: UBUNTU_CONTAINERD"),
    ("net.core.somaxconn: \"4096\"\n    taint", "net.core.somaxconn: \"8192\"\n    taint"),
]


@pytest.fixture
def applied(cli, tmp_path):
    path = write(tmp_path / "infra" / "gke.yaml", CLUSTER)
    result = cli("apply", "infra", "--auto-approve")
    assert result.code == 0, result.err
    assert cli("plan", "infra", "--detailed-exitcode").code == 0
    return path


def test_a_production_shaped_cluster_and_gpu_pool_plan_apply_and_converge(cli, applied):
    nodes = cli("get", "nodes", "-o", "json").json()["items"]
    gpu = [n for n in nodes if n["pool"] == "gpu"]
    assert len(gpu) == 1 and gpu[0]["name"].startswith("gke-acme-prod-gke-us-central1-")
    instances = cli("get", "instances", "-o", "json").json()["items"]
    assert all(not i["externalIP"] for i in instances)  # private nodes


@pytest.mark.parametrize(("old", "new"), IN_PLACE, ids=[new.split(":")[0].strip() for _, new in IN_PLACE])
def test_fields_gke_updates_in_place_plan_as_updates(cli, applied, old, new):
    edit(applied, old, new)
    plan = cli("plan", "infra", "-o", "json").json()
    actions = {c["address"]: c["action"] for c in plan["resource_changes"] if c["action"] != "no-op"}
    assert actions and set(actions.values()) == {"update"}, actions
    assert cli("apply", "infra", "--auto-approve").code == 0
    assert cli("plan", "infra", "--detailed-exitcode").code == 0
