"""Limits instead of hangs: a workload larger than any cluster is planned (Pending, counted), not enumerated, and a
Service of thousands of ports gives a few short warnings."""

from __future__ import annotations

import json
import time

from conftest import edit


def test_two_billion_replicas_plan_and_apply_in_moments_and_stay_pending(cli, hello, tmp_path):
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 2147483647")
    started = time.monotonic()
    plan = cli("plan", str(hello))
    assert plan.code == 0, plan.err
    assert "of 2147483647 Pods will stay Pending" in plan.out
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert time.monotonic() - started < 30  # generous: it takes well under a second; it used to never finish
    deployment = json.loads(cli("get", "deployments", "-o", "json").out)["items"][0]
    running = int(deployment["ready"].split("/")[0])
    assert deployment["ready"] == f"{running}/2147483647" and deployment["upToDate"] == 2147483647
    state = json.loads((tmp_path / "planner.state.json").read_text())
    status = state["resources"]["Deployment/default/hello-web"]["status"]
    assert len(status["pods"]) < 1000 and status["status"]["replicas"] == 2147483647
    # Scaling back down removes the counted Pending Pods first, and the plan after it is empty.
    edit(hello / "hello-web.yaml", "replicas: 2147483647", "replicas: 3")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert json.loads(cli("get", "deployments", "-o", "json").out)["items"][0]["ready"] == "3/3"
    assert "No changes." in cli("plan", str(hello)).out


def test_a_huge_rollout_shows_its_first_waves_and_says_more_follow(cli, hello):
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 2147483647")
    text = (hello / "hello-web.yaml").read_text()
    (hello / "hello-web.yaml").write_text(text.replace("  template:", "  strategy:\n    rollingUpdate: {maxSurge: 1, "
                                                                     "maxUnavailable: 0}\n  template:", 1))
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "hello-app:1.0", "hello-app:2.0")  # one Pod at a time: 2^32 syncs
    plan = cli("plan", str(hello), "-o", "json")
    assert plan.code == 0, plan.err
    waves = next(s["description"] for s in plan.json()["steps"] if "scales in waves" in s["description"])
    assert waves.endswith("... (more waves follow)") and len(waves) < 50_000
    assert cli("apply", str(hello), "--auto-approve").code == 0


def test_thousands_of_ports_give_one_short_warning(cli, hello):
    ports = "".join(f"    - name: p{i}\n      port: {10000 + i}\n      targetPort: {20000 + i}\n" for i in range(500))
    text = (hello / "hello-web.yaml").read_text()
    head, _, _ = text.rpartition("\n  ports:\n")  # the Service's ports, the last in the file
    (hello / "hello-web.yaml").write_text(head + "\n  ports:\n" + ports)
    plan = cli("plan", str(hello), "-o", "json")
    assert plan.code == 0, plan.err
    warnings = [d["message"] for d in plan.json()["diagnostics"] if "targetPort" in d["message"]]
    assert len(warnings) == 1 and "and 495 more" in warnings[0] and len(warnings[0]) < 300


def test_values_that_used_to_be_internal_errors_are_clear(cli, hello):
    text = (hello / "hello-web.yaml").read_text()
    head, _, tail = text.rpartition("\n  ports:\n")
    (hello / "hello-web.yaml").write_text(head + "\n  clusterIP: zzz\n  ports:\n" + tail)
    result = cli("plan", str(hello))
    assert result.code == 1 and "internal error" not in result.err
    assert ('hello-web.yaml:39:14: spec.clusterIP: invalid value "zzz": must be a valid IP address or "None"'
            in result.err)
    edit(hello / "hello-web.yaml", "clusterIP: zzz", "clusterIP: 34.118.224.50")
    edit(hello / "hello-web.yaml", "cpu: 100m", "cpu: 1e309")
    result = cli("plan", str(hello))
    assert result.code == 0 and "Insufficient cpu" in result.out


def test_a_hand_edited_state_with_a_second_cluster_is_refused_not_emptied(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    path = tmp_path / "planner.state.json"
    state = json.loads(path.read_text())
    second = dict(state["resources"]["ContainerCluster/hello-cluster"], address="ContainerCluster/other", name="other")
    state["resources"]["ContainerCluster/other"] = second
    path.write_text(json.dumps(state))
    before = path.read_bytes()
    for command in (("plan", str(hello)), ("destroy", "--auto-approve")):
        result = cli(*command)
        assert result.code == 1 and "one state holds one cluster" in result.err, result.err
    assert path.read_bytes() == before
