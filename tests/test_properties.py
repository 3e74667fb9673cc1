"""Invariants over random sequences of desired states: after every apply the next plan is empty, and the state is
what the last desired state implies (nothing orphaned, nothing allocated twice)."""

from __future__ import annotations

import io

from conftest import app_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import api, diff
from planner.kinds import deployment, service
from planner.plan import Action
from planner.simulate import objects
from planner.state import MemoryBackend

CLUSTER = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: prop
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
    name: prop
  location: europe-west1
  nodeCount: {nodes}
  nodeConfig:
    machineType: e2-standard-2
"""

app_strategy = st.fixed_dictionaries({
    "replicas": st.integers(0, 6), "version": st.sampled_from(["1", "2", "3"]),
    "cpu": st.sampled_from([0, 100, 250, 900]), "type": st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]),
})
desired_strategy = st.fixed_dictionaries({
    "nodes": st.integers(0, 3),
    "apps": st.dictionaries(st.integers(0, 4), app_strategy, max_size=4),
})


def _yaml(desired: dict) -> bytes:
    text = CLUSTER.format(nodes=desired["nodes"])
    for i, app in sorted(desired["apps"].items()):
        text += app_yaml(i, app["replicas"], app["version"], app["cpu"], 128, app["type"])
    return text.encode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(desired_strategy, min_size=1, max_size=4))
def test_apply_then_plan_is_empty_and_state_is_consistent(sequence):
    backend = MemoryBackend()
    for desired in sequence:
        wanted = api.load_desired(["-"], io.BytesIO(_yaml(desired)))
        state = backend.read().state
        api.apply_plan(api.make_plan(wanted, state), state, backend)
        after = backend.read().state
        assert not api.make_plan(api.load_desired(["-"], io.BytesIO(_yaml(desired))), after).has_changes
        _check_projection(after, desired)
    state = backend.read().state
    api.apply_plan(api.destroy_plan(state), state, backend)
    assert backend.read().state.resources == {}


def _check_projection(state, desired: dict) -> None:
    resources = state.resources
    expected = {f"Deployment/default/app{i}" for i in desired["apps"]} | {
        f"Service/default/app{i}" for i in desired["apps"]} | {"ContainerCluster/prop", "ContainerNodePool/pool"}
    assert set(resources) == expected
    nodes = {objects.node_name(n): n for n in resources["ContainerNodePool/pool"].status["pool"]["nodes"]}
    assert len(nodes) == desired["nodes"] * 3  # regional: three zones
    assert len({objects.node_internal_ip(n) for n in nodes.values()}) == len(nodes)
    assert len({objects.node_pod_cidr(n) for n in nodes.values()}) == len(nodes)
    pod_ips, cluster_ips, node_ports, external_ips = [], [], [], []
    for i, app in desired["apps"].items():
        status = resources[f"Deployment/default/app{i}"].status
        pods = status["pods"]
        counted = (status.get("unscheduled") or {}).get("count", 0)  # more than the cluster could ever run
        assert not counted or any(not objects.pod_node(p) for p in pods)
        stalled = deployment.stall(status) is not None
        if stalled:  # Pods that fit nowhere: the rollout waits, surge included
            assert app["replicas"] <= len(pods) + counted <= app["replicas"] + max(1, -(-app["replicas"] // 4))
            assert any(not objects.pod_node(p) for p in pods)
        else:
            assert len(pods) + counted == app["replicas"]
        replica_sets = {r["metadata"]["name"] for r in status["replicaSets"]}
        for pod in pods:
            assert objects.pod_owner(pod) in replica_sets
            assert objects.pod_owner(pod) == deployment.current_replica_set(status) or stalled
            assert (objects.pod_node(pod) in nodes) == (pod["status"]["phase"] == "Running")
            if objects.pod_ip(pod):
                pod_ips.append(objects.pod_ip(pod))
        live = resources[f"Service/default/app{i}"].status
        ports = service.live_ports(live)
        cluster_ips.append(service.cluster_ip(live))
        node_ports += [p["nodePort"] for p in ports if "nodePort" in p]
        assert ("nodePort" in ports[0]) == (app["type"] != "ClusterIP")
        assert (service.external_ip(live) is not None) == (app["type"] == "LoadBalancer")
        if service.external_ip(live):
            external_ips.append(service.external_ip(live))
    for values in (pod_ips, cluster_ips, node_ports, external_ips):
        assert len(values) == len(set(values)), values
    used: dict[str, int] = {}
    for resource in resources.values():
        for pod in resource.status.get("pods", []):
            node = objects.pod_node(pod)
            if node:
                used[node] = used.get(node, 0) + 1
    assert all(count <= 110 for count in used.values())


def test_replace_actions_are_reported_for_selector_changes():
    backend = MemoryBackend()
    desired = {"nodes": 1, "apps": {1: {"replicas": 1, "version": "1", "cpu": 100, "type": "ClusterIP"}}}
    state = backend.read().state
    api.apply_plan(api.make_plan(api.load_desired(["-"], io.BytesIO(_yaml(desired))), state), state, backend)
    text = _yaml(desired).decode().replace("matchLabels: {app: app1}", "matchLabels: {app: app1, tier: web}")
    text = text.replace("labels: {app: app1}", "labels: {app: app1, tier: web}")
    plan = api.make_plan(api.load_desired(["-"], io.BytesIO(text.encode())), backend.read().state)
    change = next(c for c in plan.changes if c.address == "Deployment/default/app1")
    assert change.action is Action.REPLACE
    assert change.replace_paths == ("spec.selector.matchLabels.tier",)
    phases = [op.phase for op in plan.operations if op.change.address == "Deployment/default/app1"]
    assert phases == ["delete", "create"]


# ---------------------------------------------------------------- field changes without deepdiff

_KEYS = st.sampled_from(["a", "b", "name", "image", "x-y", "b.c", "[w=1]", "[p", "ports", "env", "containers"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5]),
                     st.sampled_from(["", "web", "1", "true", "a:b"]))


def _manifests(depth: int = 3) -> st.SearchStrategy[dict]:
    """Nested mappings with lists of named items (merge keys: containers, env), lists of scalars and odd keys."""
    leaf = _SCALARS | st.lists(_SCALARS, max_size=3)
    if depth == 0:
        return st.dictionaries(_KEYS, leaf, max_size=4)
    inner = _manifests(depth - 1)
    named = st.lists(st.builds(lambda n, rest: {**rest, "name": n}, st.sampled_from(["web", "db", "x"]), inner),
                     max_size=3, unique_by=lambda d: d["name"])
    return st.dictionaries(_KEYS, leaf | inner | named | st.lists(inner, max_size=2), max_size=4)


@st.composite
def _edited(draw: st.DrawFn) -> tuple[dict, dict]:
    """A manifest and a copy with some leaves given other scalar values, or other values of any shape."""
    import copy

    before = draw(_manifests())
    after = copy.deepcopy(before)
    for _ in range(draw(st.integers(0, 3))):
        node = after
        while isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            child = node[key]
            if isinstance(child, list) and child and isinstance(child[0], dict):
                child = draw(st.sampled_from(child))
            if not isinstance(child, dict) or not child or draw(st.booleans()):
                node[key] = draw(_SCALARS | st.lists(_SCALARS, max_size=2) | _manifests(0))
                break
            node = child
    return before, after


@settings(max_examples=400, deadline=None)
@given(_edited())
def test_field_changes_without_deepdiff_are_the_ones_deepdiff_finds(pair):
    """diff._scalar_changes answers only when nothing but scalar values changed; then it must be what deepdiff
    reports over the keyed view, path for path and value for value (types included: 1 and 1.0, 1 and true)."""
    before, after = pair
    quick = diff._scalar_changes(before, after)
    deep = sorted(diff._deep_changes(before, after), key=lambda c: c[0])
    if quick is not None:
        assert sorted(quick, key=lambda c: c[0]) == deep
    assert [c.path for c in diff._field_changes(before, after, ())] == [path for path, _, _ in deep]
