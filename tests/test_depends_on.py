"""`depends_on` in the JSON plan: what each change waits for and why, only between changes of the same plan, and
always consistent with the execution order (a property over random plans: creates, updates, replacements, deletions)."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil

import pytest
from conftest import EXAMPLES, edit, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import api, kinds
from planner.kinds.base import Rank
from planner.plan import Plan
from planner.state import MemoryBackend

UPSERT, REMOVAL = ("create", "update"), ("delete", "forget")


def edges(plan: dict) -> dict[str, dict[str, dict]]:
    return {c["address"]: {d["address"]: d for d in c["depends_on"]} for c in plan["resource_changes"]}


def test_a_new_app_waits_for_what_its_pods_mount_its_service_and_its_namespace(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    plan = cli("plan", "bank", "-o", "json").json()
    found = edges(plan)
    frontend = found["Deployment/bank/frontend"]
    assert set(frontend) == {"ConfigMap/bank/environment-config", "ConfigMap/bank/service-api-config",
                             "Namespace/bank", "Service/bank/frontend"}
    assert frontend["ConfigMap/bank/environment-config"]["reason"].startswith(
        "kubelet cannot start a container whose ConfigMap is missing")
    assert frontend["Service/bank/frontend"]["reason"].startswith("Pods started after their Service get its "
                                                                  "environment variables")
    assert all(d["phase"] == "create" for d in frontend.values())
    ledger = found["StatefulSet/bank/ledger-db"]
    assert "its serviceName" in ledger["Service/bank/ledger-db"]["reason"]
    assert "Secret/bank/jwt-key" in ledger
    # The cluster is named once, by what nothing else in the plan already puts after it.
    assert set(found["Namespace/bank"]) == {"ContainerCluster/bank-cluster"}
    assert not any("ContainerCluster/bank-cluster" in deps for address, deps in found.items()
                   if address.startswith(("Deployment/", "ConfigMap/")))
    assert found["ContainerCluster/bank-cluster"] == {}


def test_only_changes_of_this_plan_are_edges_and_updates_wait_for_updates(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    assert cli("apply", "bank", "--auto-approve").code == 0
    services = tmp_path / "bank" / "services.yaml"
    services.write_text(services.read_text().replace("replicas: 1", "replicas: 2", 1))  # the first Deployment only
    plan = cli("plan", "bank", "-o", "json").json()
    changed = [c for c in plan["resource_changes"] if c["action"] != "no-op"]
    assert len(changed) == 1 and changed[0]["depends_on"] == []  # its ConfigMaps and Service do not change
    config = (tmp_path / "bank" / "config.yaml").read_text()
    assert "LOCAL_ROUTING_NUM" in config
    edit(tmp_path / "bank" / "config.yaml", 'LOCAL_ROUTING_NUM: "883745000"', 'LOCAL_ROUTING_NUM: "883745001"')
    plan = cli("plan", "bank", "-o", "json").json()
    for change in plan["resource_changes"]:
        for dependency in change["depends_on"]:
            assert dependency["address"] == "ConfigMap/bank/environment-config"
            assert dependency["phase"] == "update"
    assert any(c["depends_on"] for c in plan["resource_changes"])
    _check_order(plan)


POOL_APP = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: deps
  annotations:
    cnrm.cloud.google.com/remove-default-node-pool: "true"
spec:
  location: europe-west1
  initialNodeCount: 1
---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: pool
spec:
  clusterRef:
    name: deps
  location: europe-west1
  nodeCount: {nodes}
  nodeConfig:
    machineType: e2-standard-2
"""


def _app(i: int, configs: list[int], optional: bool, service: bool, hpa: bool, replicas: int) -> str:
    flag = ", optional: true" if optional else ""
    env = "".join(f"""
            - name: C{c}
              valueFrom:
                configMapKeyRef: {{name: config-{c}, key: k{flag}}}""" for c in configs)
    text = f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: shop}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: {{requests: {{cpu: 50m, memory: 32Mi}}}}
          env:
            - name: X
              value: "1"{env}
"""
    if service:
        text += f"""
---
apiVersion: v1
kind: Service
metadata: {{name: app{i}, namespace: shop}}
spec:
  selector: {{app: app{i}}}
  ports: [{{port: 80, targetPort: 80}}]
"""
    if hpa:
        text += f"""
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app{i}, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}
  minReplicas: 1
  maxReplicas: 4
"""
    return text


def test_deletions_run_the_other_way_and_a_destroy_lists_the_pools_before_the_cluster(cli, tmp_path):
    write(tmp_path / "app" / "all.yaml", POOL_APP.format(nodes=1) + "---\napiVersion: v1\nkind: Namespace\n"
          "metadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-0, namespace: shop}\n"
          "data: {k: v}\n" + _app(0, [0], False, True, True, 1))
    plan = cli("plan", "app", "-o", "json").json()
    found = edges(plan)
    assert found["ContainerNodePool/pool"]["ContainerCluster/deps"]["reason"] == \
        "node pools are created inside a cluster: its clusterRef"
    assert set(found["HorizontalPodAutoscaler/shop/app0"]) == {"Deployment/shop/app0", "Namespace/shop"}
    assert cli("apply", "app", "--auto-approve").code == 0
    destroy = cli("plan", "--destroy", "-o", "json").json()
    found = edges(destroy)
    pool_first = found["ContainerCluster/deps"]["ContainerNodePool/pool"]
    assert pool_first["phase"] == "delete" and pool_first["reason"] == \
        "goes after what needs it: node pools are created inside a cluster: its clusterRef"
    assert set(found["ConfigMap/shop/config-0"]) == {"Deployment/shop/app0"}
    assert set(found["Deployment/shop/app0"]) == {"HorizontalPodAutoscaler/shop/app0"}
    _check_order(destroy)


def test_an_optional_reference_is_no_dependency(cli, tmp_path):
    write(tmp_path / "app" / "all.yaml", POOL_APP.format(nodes=1) + "---\napiVersion: v1\nkind: Namespace\n"
          "metadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-0, namespace: shop}\n"
          "data: {k: v}\n" + _app(0, [0], True, False, False, 1))
    assert set(edges(cli("plan", "app", "-o", "json").json())["Deployment/shop/app0"]) == {"Namespace/shop"}


def test_a_subnetwork_waits_for_its_network_and_the_cluster_for_both(cli, tmp_path):
    shutil.copytree(EXAMPLES / "vpc-native", tmp_path / "vpc")
    found = edges(cli("plan", "vpc", "-o", "json").json())
    subnetworks = [a for a in found if a.startswith("ComputeSubnetwork/")]
    networks = [a for a in found if a.startswith("ComputeNetwork/")]
    assert subnetworks and networks
    assert set(found[subnetworks[0]]) == {networks[0]}
    cluster = next(a for a in found if a.startswith("ContainerCluster/"))
    assert set(found[cluster]) == {networks[0], subnetworks[0]}


# ---------------------------------------------------------------- the property


def _check_order(plan: dict) -> None:
    """Every edge's target operation comes earlier in `steps`' operations than the operation that waits for it."""
    operations: list[tuple[str, str]] = []
    for step in plan["steps"]:
        key = (step["address"], step["phase"])
        if not operations or operations[-1] != key:
            operations.append(key)
    _check_edges([(a, p) for a, p in operations], {c["address"]: c for c in plan["resource_changes"]})


def _check_edges(operations: list[tuple[str, str]], changes: dict[str, dict]) -> None:
    first = {}
    for i, key in enumerate(operations):
        first.setdefault(key, i)
    for address, change in changes.items():
        for dependency in change.get("depends_on", ()):
            assert changes[dependency["address"]]["action"] != "no-op", (address, dependency)
            phases = UPSERT if dependency["phase"] in UPSERT else REMOVAL
            mine = first[(address, dependency["phase"])]
            theirs = [first[(dependency["address"], p)] for p in phases if (dependency["address"], p) in first]
            assert theirs and theirs[0] < mine, (address, dependency, operations)


def _plan_operations(plan: Plan) -> list[tuple[str, str]]:
    return [(op.change.address, op.phase) for op in plan.operations]


app_strategy = st.fixed_dictionaries({
    "configs": st.lists(st.integers(0, 2), max_size=2, unique=True), "optional": st.booleans(),
    "service": st.booleans(), "hpa": st.booleans(), "replicas": st.integers(1, 2)})
world_strategy = st.fixed_dictionaries({
    "nodes": st.integers(1, 2), "pool_pods": st.sampled_from([32, 64]),
    "configs": st.dictionaries(st.integers(0, 2), st.sampled_from(["a", "b"]), max_size=3),
    "apps": st.dictionaries(st.integers(0, 3), app_strategy, max_size=3)})


def _world(world: dict) -> bytes:
    text = POOL_APP.format(nodes=world["nodes"]) + f"  maxPodsPerNode: {world['pool_pods']}\n"
    text += "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    for c, value in sorted(world["configs"].items()):
        text += f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: config-{c}, namespace: shop}}\n" \
                f"data: {{k: {value}}}\n"
    for i, app in sorted(world["apps"].items()):
        configs = [c for c in app["configs"] if c in world["configs"]]
        text += _app(i, configs, app["optional"], app["service"], app["hpa"], app["replicas"])
    return text.encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(world_strategy, min_size=1, max_size=3), st.data())
def test_every_dependency_comes_earlier_in_the_operations_of_every_plan(worlds, data):
    backend = MemoryBackend()
    for world in worlds:
        desired = api.load_desired(["-"], io.BytesIO(_world(world)))
        state = backend.read().state
        plan = api.make_plan(desired, state)
        wire = json.loads(json.dumps(plan.to_wire()))
        _check_edges(_plan_operations(plan), {c["address"]: c for c in wire["resource_changes"]})
        changed = sorted(c.address for c in plan.changes if c.action.value != "no-op")
        if changed:  # a targeted plan keeps what its targets need, and stays in order
            targets = tuple(data.draw(st.lists(st.sampled_from(changed), min_size=1, max_size=2, unique=True)))
            narrowed = api.make_plan(desired, state, targets=targets)
            kept = {c.address: c for c in narrowed.changes if c.action.value != "no-op"}
            assert set(targets) <= set(kept)
            assert all(d.address in kept for c in kept.values() for d in c.depends_on)
            _check_edges(_plan_operations(narrowed), {a: c.to_wire() for a, c in kept.items()})
        api.apply_plan(plan, state, backend)
    state = backend.read().state
    destroy = api.destroy_plan(state)
    _check_edges(_plan_operations(destroy), {c.address: c.to_wire() for c in destroy.changes})


@pytest.fixture
def service_ranked_last():
    """The Service family re-registered with a rank after the workloads: its edges now disagree with the ranks."""
    spec = kinds.spec_of("service")
    kinds.REGISTRY.unregister("service")
    kinds.REGISTRY.register(dataclasses.replace(spec, rank=Rank(8, "a test's rank, after the workloads")))
    yield
    kinds.REGISTRY.unregister("service")
    kinds.REGISTRY.register(spec)


def test_an_edge_the_ranks_would_break_refines_the_order(cli, hello, service_ranked_last):
    plan = cli("plan", str(hello), "-o", "json").json()
    order = [c["address"] for c in plan["resource_changes"]]
    assert order.index("Service/default/hello-web") < order.index("Deployment/default/hello-web")
    _check_order(plan)
