"""`planner explain KIND|COMPONENT`: the lifecycle and the duties come from the step tables the planner plans with."""

from __future__ import annotations

from planner import kinds


def test_a_kinds_lifecycle_is_its_step_tables(cli) -> None:
    data = cli("explain", "deployment", "-o", "json").json()
    spec = kinds.spec_of("deployment")
    assert data["name"] == "Deployment" and data["rank"]["rank"] == spec.rank.rank
    phases = {p["phase"]: p for p in data["phases"]}
    assert list(phases) == ["create", "update: rollout", "update: scale", "update: store", "delete"]
    assert phases["update: scale"]["fields"] == ["spec.replicas"]
    for key, templates in spec.steps.items():  # every step of the table, in order, with its source
        shown = phases[key if key in ("create", "delete") else f"update: {key}"]["steps"]
        assert [(s["component"], s["source"]) for s in shown] == [(t.component, t.source) for t in templates]
    assert {"path": "spec.selector", "why": spec.replace_paths[0][1]} in data["replaced_when"]
    text = cli("explain", "Deployment").out
    assert "On update: scale (a change to spec.replicas):" in text
    assert "controller/deployment-controller         resizes ReplicaSet <old_rs> to <replicas>" in text
    assert "       source: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/" in text


def test_a_components_duties_across_kinds(cli) -> None:
    text = cli("explain", "kube-scheduler").out
    assert text.startswith("cluster-master/kube-scheduler: a Pod without a node waits for the scheduler")
    assert "\nDeployment:\n" in text and "\nStatefulSet:\n" in text and "\nDaemonSet:\n" in text
    assert "on scale: binds the new Pods to nodes with room (<requests>) [only when: scale_up]" in text
    data = cli("explain", "node/kubelet", "-o", "json").json()
    expected = sum(1 for spec in kinds.specs() for templates in spec.steps.values() for t in templates
                   if t.component == "kubelet")
    assert sum(len(group["steps"]) for group in data["by_kind"]) == expected


def test_an_unknown_name_lists_the_valid_ones(cli) -> None:
    result = cli("explain", "pod")
    assert result.code == 1
    assert 'unknown kind or component "pod": kinds are ComputeNetwork, ' in result.err
    assert "Deployment" in result.err and "components are attachdetach-controller" in result.err
    assert cli("explain", "pod", "-o", "json").code == 1
