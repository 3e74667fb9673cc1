"""The README walkthrough, end to end through the CLI: plan, apply, plan again, edit, saved plans."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import edit

from planner.kinds import service
from planner.kinds.deployment import current_replica_set


def test_plan_lists_every_step_in_execution_order_with_its_actor(cli, hello):
    result = cli("plan", str(hello), "-o", "json")
    assert result.code == 0
    plan = result.json()
    assert plan["summary"] == {"create": 3, "update": 0, "replace": 0, "delete": 0, "forget": 0}
    order = [c["address"] for c in plan["resource_changes"]]
    assert order == ["ContainerCluster/hello-cluster", "Service/default/hello-web", "Deployment/default/hello-web"]
    steps = plan["steps"]
    assert [s["index"] for s in steps] == list(range(1, len(steps) + 1))
    chain = [(s["address"].split("/")[0], s["actor"], s["component"]) for s in steps]
    # The cluster: GKE API first, then Compute Engine builds VMs, then each kubelet registers its node.
    cluster = [c[1:] for c in chain if c[0] == "ContainerCluster"]
    assert cluster[0] == ("gke", "container-api")
    assert cluster.index(("gke", "compute-engine")) < cluster.index(("node", "kubelet"))
    assert ("controller", "node-controller") in cluster
    # The Deployment: stored, ReplicaSet, Pods, scheduled, kubelet pulls: the master never pulls images.
    deployment = [c[1:] for c in chain if c[0] == "Deployment"]
    assert deployment[:5] == [("cluster-master", "kube-apiserver"), ("controller", "deployment-controller"),
                              ("controller", "replicaset-controller"), ("cluster-master", "kube-scheduler"),
                              ("node", "kubelet")]
    # The LoadBalancer Service: ClusterIP and nodePort from the apiserver, LB from Compute Engine, IP written last;
    # then kube-proxy programs that IP on every node.
    service = [s for s in steps if s["address"].startswith("Service/")]
    assert service[0]["component"] == "kube-apiserver" and "ClusterIP" in service[0]["description"]
    assert any("forwarding rule" in s["description"] and "billable" in s["description"] for s in service)
    assert service[-2]["component"] == "service-controller" and "ingress[0].ip" in service[-2]["description"]
    assert service[-1]["component"] == "kube-proxy" and "load balancer's IP" in service[-1]["description"]
    unknown = {c["path"] for rc in plan["resource_changes"] for c in rc["changes"] if c.get("after_unknown")}
    assert {"spec.clusterIP", "spec.ports[port=80].nodePort", "status.loadBalancer.ingress[0].ip"} <= unknown


def test_text_plan_is_terraform_like_and_prefixes_steps_with_actors(cli, hello):
    result = cli("plan", str(hello))
    assert result.code == 0
    assert "  + ContainerCluster/hello-cluster" in result.out
    assert "gke/container-api" in result.out and "node/kubelet" in result.out
    assert "spec.clusterIP" in result.out and "(known after apply)" in result.out
    assert "\nPlan: 3 to add, 0 to change, 0 to replace, 0 to destroy.\n" in result.out
    assert ("Note: Service/default/hello-web is created before Deployment/default/hello-web, which it selects"
            in result.out)


def test_apply_then_plan_again_has_nothing_to_do(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--detailed-exitcode").code == 2
    applied = cli("apply", str(hello), "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete! Resources: 3 added, 0 changed, 0 replaced, 0 destroyed." in applied.out
    assert "EXTERNAL-IP 203.0.113." in applied.out
    again = cli("plan", str(hello), "--detailed-exitcode")
    assert again.code == 0, again.out
    assert "No changes. Your infrastructure matches the configuration." in again.out
    state = json.loads((tmp_path / "planner.state.json").read_text())
    assert state["serial"] == 1 and state["lineage"]
    deployment = state["resources"]["Deployment/default/hello-web"]["status"]
    assert len(deployment["pods"]) == 3 and all(p["status"]["phase"] == "Running" for p in deployment["pods"])
    live = state["resources"]["Service/default/hello-web"]["status"]
    assert service.cluster_ip(live).startswith("34.118.") and 30000 <= service.live_ports(live)[0]["nodePort"] <= 32767


def test_changing_replicas_updates_only_the_deployment(cli, hello):
    cli("apply", str(hello), "--auto-approve")
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    result = cli("plan", str(hello), "-o", "json", "--detailed-exitcode")
    assert result.code == 2
    plan = result.json()
    changed = [c for c in plan["resource_changes"] if c["action"] != "no-op"]
    assert [(c["address"], c["action"]) for c in changed] == [("Deployment/default/hello-web", "update")]
    assert changed[0]["changes"] == [{"path": "spec.replicas", "before": 3, "after": 5}]
    assert {s["address"] for s in plan["steps"]} == {"Deployment/default/hello-web"}
    assert "a scale, not a rollout" in plan["steps"][0]["description"]


def test_changing_the_image_is_a_rollout_of_only_that_container(cli, hello):
    cli("apply", str(hello), "--auto-approve")
    edit(hello / "hello-web.yaml", "hello-app:1.0", "hello-app:2.0")
    plan = cli("plan", str(hello), "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["action"] == "update")
    assert [c["path"] for c in change["changes"]] == ["spec.template.spec.containers[name=hello-app].image"]
    state = json.loads((hello.parent / "planner.state.json").read_text())
    old_rs = current_replica_set(state["resources"]["Deployment/default/hello-web"]["status"])
    waves = next(s["description"] for s in plan["steps"] if "scales in waves" in s["description"])
    new_rs = waves.split(": ", 1)[1].split(" ")[0]
    assert new_rs.startswith("hello-web-") and new_rs != old_rs
    # 3 replicas, 25%/25%: surge 1, unavailable 0, so one Pod at a time.
    assert waves.endswith(f"{new_rs} 0->1, {old_rs} 3->2; {new_rs} 1->2, {old_rs} 2->1; {new_rs} 2->3, {old_rs} 1->0")
    applied = cli("apply", str(hello), "--auto-approve")
    assert f"rolled out revision 2: ReplicaSet {new_rs} (new) with 3 Pod(s); waves: new 0->1, old 3->2;" in applied.out
    # Back to 1.0: the first ReplicaSet is reused, as kubectl rollout undo would.
    (hello / "hello-web.yaml").write_text((hello / "hello-web.yaml").read_text().replace("hello-app:2.0",
                                                                                          "hello-app:1.0"))
    assert f"ReplicaSet {old_rs} (reused)" in cli("apply", str(hello), "--auto-approve").out


def test_a_saved_plan_applies_once_and_is_stale_after_another_apply(cli, hello, tmp_path):
    saved = cli("plan", str(hello), "--out", "tutorial.plan")
    assert saved.code == 0 and (tmp_path / "tutorial.plan").exists()
    shown = cli("show", "tutorial.plan")
    assert "Plan: 3 to add" in shown.out
    assert cli("apply", "tutorial.plan").code == 0  # no prompt: the plan was reviewed when it was saved
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    cli("plan", str(hello), "--out", "second.plan")
    cli("apply", str(hello), "--auto-approve")
    stale = cli("apply", "second.plan")
    assert stale.code == 1
    assert "Saved plan second.plan is stale" in stale.err


def test_a_saved_plan_from_another_state_lineage_is_refused(cli, hello, tmp_path):
    cli("apply", str(hello), "--auto-approve", "--state", "a.json")
    cli("apply", str(hello), "--auto-approve", "--state", "b.json")
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 2")
    cli("plan", str(hello), "--state", "a.json", "--out", "a.plan")
    result = cli("apply", "a.plan", "--state", "b.json")
    assert result.code == 1 and "different state lineage" in result.err


def test_unchanged_inputs_give_byte_identical_plans(cli, hello):
    first = cli("plan", str(hello)).out
    assert first == cli("plan", str(hello)).out
    cli("apply", str(hello), "--auto-approve")
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 6")
    json_first = cli("plan", str(hello), "-o", "json").out
    assert json_first == cli("plan", str(hello), "-o", "json").out


def test_apply_without_approval_refuses_when_stdin_is_not_a_terminal(proc, hello, tmp_path):
    result = proc("apply", str(hello))
    assert result.code == 1
    assert "--auto-approve" in result.err
    assert not (tmp_path / "planner.state.json").exists()


def test_stdin_input_is_read_like_a_file(proc, hello):
    text = b"\n---\n".join(p.read_bytes() for p in sorted(hello.glob("*.yaml")))
    result = proc("plan", "-", "-o", "json", stdin=text)
    assert result.code == 0, result.err
    assert result.json()["summary"]["create"] == 3


def test_destroy_deletes_in_reverse_order_load_balancer_first(cli, hello):
    cli("apply", str(hello), "--auto-approve")
    result = cli("destroy", "--auto-approve")
    assert result.code == 0, result.err
    order = [line.split(":")[0] for line in result.out.splitlines() if line.endswith("Destroying...")]
    assert order == ["Deployment/default/hello-web", "Service/default/hello-web", "ContainerCluster/hello-cluster"]
    assert "Destroy complete! Resources: 3 destroyed." in result.out and "added" not in result.out
    state = json.loads((Path(hello).parent / "planner.state.json").read_text())
    assert state["resources"] == {} and state["serial"] == 2


def test_removing_a_document_plans_its_deletion(cli, hello):
    cli("apply", str(hello), "--auto-approve")
    text = (hello / "hello-web.yaml").read_text()
    (hello / "hello-web.yaml").write_text(text.split("---")[0])
    plan = cli("plan", str(hello), "-o", "json").json()
    deleted = [c for c in plan["resource_changes"] if c["action"] == "delete"]
    assert [c["address"] for c in deleted] == ["Service/default/hello-web"]
    assert deleted[0]["reasons"] == ["delete_because_no_resource_config"]
    lb_teardown = [s for s in plan["steps"] if s["component"] == "service-controller"]
    assert lb_teardown and "forwarding rule" in lb_teardown[0]["description"]


def test_a_different_input_root_is_called_out_before_deletions(cli, hello, tmp_path):
    cli("apply", str(hello), "--auto-approve")
    result = cli("plan", str(hello / "cluster.yaml"))
    assert result.out.startswith("Warning: MASS DELETION") and "the input is not the one the last apply used (last " \
        "apply: hello-app; this plan: hello-app/cluster.yaml)" in result.out
    plan = cli("plan", str(hello / "cluster.yaml"), "-o", "json").json()
    assert any(d.get("banner") and "not the one the last apply used" in d["message"] for d in plan["diagnostics"])
    assert "will be destroyed" in result.out
