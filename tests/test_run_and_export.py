"""`planner run -- <command>`, drift and `planner export`, end to end through the CLI: the GKE tutorial's commands
build the same state as examples/hello-app, its export plans as no changes, and a later `kubectl scale` shows as
drift with the plan that puts it back."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import EXAMPLES, edit, write

IMAGE = "us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0"
TUTORIAL = (
    ("gcloud", "container", "clusters", "create", "hello-cluster", "--num-nodes=3", "--zone=us-central1-b"),
    ("kubectl", "create", "deployment", "hello-web", f"--image={IMAGE}", "--replicas=3", "--port=8080"),
    ("kubectl", "set", "resources", "deployment", "hello-web", "--requests=cpu=100m,memory=64Mi"),
    ("kubectl", "expose", "deployment", "hello-web", "--type=LoadBalancer", "--port", "80", "--target-port", "8080"),
)


def _tutorial(cli) -> None:
    for command in TUTORIAL:
        result = cli("run", "--", *command)
        assert result.code == 0, result.err
        assert "Run complete!" in result.out


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())


def test_the_tutorial_commands_export_the_same_yaml_as_applying_hello_app(cli, tmp_path):
    _tutorial(cli)
    exported = cli("export")
    assert exported.code == 0 and exported.err == ""
    other = tmp_path / "declarative"
    other.mkdir()
    assert cli("apply", str(EXAMPLES / "hello-app"), "--auto-approve", "--state", str(other / "s.json")).code == 0
    declared = cli("export", "--state", str(other / "s.json"))
    assert declared.out == exported.out
    documents = list(yaml.safe_load_all(exported.out))
    assert [d["kind"] for d in documents] == ["ContainerCluster", "Service", "Deployment"]
    text = exported.out
    for server_set in ("clusterIP", "nodePort", "uid", "resourceVersion", "creationTimestamp", "status"):
        assert server_set not in text
    write(tmp_path / "desired.yaml", exported.out)
    again = cli("plan", "desired.yaml", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out


def test_run_prints_apply_steps_and_records_where_the_change_came_from(cli, tmp_path):
    _tutorial(cli)
    scaled = cli("run", "--", "kubectl", "scale", "deployment/hello-web", "--replicas=5")
    assert scaled.code == 0, scaled.err
    assert "controller/replicaset-controller" in scaled.out and "State serial 5." in scaled.out
    origin = _state(tmp_path)["resources"]["Deployment/default/hello-web"]["origin"]
    assert origin["command"] == "kubectl scale deployment/hello-web --replicas=5" and origin["serial"] == 5
    assert "origin" not in _state(tmp_path)["resources"]["ContainerCluster/hello-cluster"] or _state(tmp_path)[
        "resources"]["ContainerCluster/hello-cluster"]["origin"]["verb"] == "gcloud container clusters create"


def test_a_scale_after_the_export_shows_as_drift_and_the_plan_puts_it_back(cli, tmp_path):
    _tutorial(cli)
    write(tmp_path / "desired.yaml", cli("export").out)
    assert cli("run", "--", "kubectl scale deployment hello-web --replicas=5").code == 0
    plan = cli("plan", "desired.yaml")
    assert ("# changed outside of planner: spec.replicas 5 -> 3" not in plan.out
            and "# changed outside of planner: spec.replicas 3 -> 5 (kubectl scale, at serial 5)" in plan.out)
    assert "~ spec.replicas = 5 -> 3" in plan.out and "Plan: 0 to add, 1 to change" in plan.out
    change = next(c for c in cli("plan", "desired.yaml", "-o", "json").json()["resource_changes"]
                  if c["address"] == "Deployment/default/hello-web")
    assert change["drift"]["verb"] == "kubectl scale" and change["drift"]["changes"] == [
        {"path": "spec.replicas", "before": 3, "after": 5}]
    markdown = cli("plan", "desired.yaml", "-o", "markdown").out
    assert "- **changed outside of planner: spec.replicas 3 -\\> 5 (kubectl scale, at serial 5)**" in markdown
    assert cli("apply", "desired.yaml", "--auto-approve").code == 0
    assert "origin" not in _state(tmp_path)["resources"]["Deployment/default/hello-web"]
    assert cli("plan", "desired.yaml", "--detailed-exitcode").code == 0


def test_what_a_run_created_is_deleted_by_a_plan_without_it_and_says_so(cli, tmp_path):
    _tutorial(cli)
    cluster = next(yaml.safe_load_all(cli("export").out))
    write(tmp_path / "cluster.yaml", yaml.safe_dump(cluster))
    plan = cli("plan", "cluster.yaml")
    assert "- Deployment/default/hello-web" in plan.out
    assert "# created outside of planner (kubectl create deployment, at serial 2)" in plan.out
    assert "# created outside of planner (kubectl expose, at serial 4)" in plan.out


def test_gcloud_node_pool_commands_resize_and_upgrade_in_place(cli, tmp_path):
    assert cli("run", "--", "gcloud", "container", "clusters", "create", "shop", "--region=us-central1",
               "--num-nodes=1").code == 0
    created = cli("run", "--", "gcloud container node-pools create pool --cluster shop --num-nodes 1")
    assert created.code == 0, created.err
    resized = cli("run", "--", "gcloud container clusters resize shop --node-pool pool --num-nodes 2 --quiet")
    assert resized.code == 0, resized.err
    assert _state(tmp_path)["resources"]["ContainerNodePool/pool"]["manifest"]["spec"]["nodeCount"] == 2
    upgraded = cli("run", "--", "gcloud container node-pools update pool --cluster shop --machine-type e2-standard-2")
    assert upgraded.code == 0, upgraded.err
    assert "surge" in upgraded.out.lower()
    refused = cli("run", "--", "gcloud container clusters resize shop --node-pool default-pool --num-nodes 2")
    assert refused.code == 1 and "default-pool is the ContainerCluster's own first pool" in refused.err


def test_label_annotate_set_image_autoscale_and_delete(cli, tmp_path):
    _tutorial(cli)
    for command in ("kubectl label deployment hello-web tier=web", "kubectl annotate svc/hello-web team=shop",
                    f"kubectl set image deployment/hello-web hello-app={IMAGE[:-3]}2.0",
                    "kubectl autoscale deployment hello-web --min=2 --max=6 --cpu=80%",
                    "kubectl delete service hello-web"):
        result = cli("run", "--", command)
        assert result.code == 0, (command, result.err)
    resources = _state(tmp_path)["resources"]
    deployment = resources["Deployment/default/hello-web"]["manifest"]
    assert deployment["metadata"]["labels"]["tier"] == "web"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":2.0")
    assert resources["HorizontalPodAutoscaler/default/hello-web"]["manifest"]["spec"]["maxReplicas"] == 6
    assert "Service/default/hello-web" not in resources


def test_unsupported_and_malformed_commands_leave_the_state_untouched(cli, tmp_path):
    _tutorial(cli)
    before = (tmp_path / "planner.state.json").read_bytes()
    cases = {
        ("kubectl", "scael", "deployment/hello-web", "--replicas=2"): "Did you mean `kubectl scale`?",
        ("helm", "install", "x"): "'helm' is not a command planner runs",
        ("kubectl", "scale", "deployment/hello-web", "--replica=2"): "unknown flag --replica (did you mean "
                                                                     "--replicas?)",
        ("kubectl", "scale", "deployment/nope", "--replicas=2"): 'Deployment "nope" not found',
        ("kubectl", "scale", "deployment/hello-web", "--replicas=many"): "--replicas must be a whole number",
        ("kubectl", "create", "deployment", "x"): "--image is required",
        ("kubectl", "create", "deployment", "hello-web", "--image=nginx"): "already exists",
        ("kubectl", "create", "deployment", "Bad_Name", "--image=nginx"): "does not validate",
        ("gcloud", "container", "clusters", "create", "other", "--zone=us-central1-b"): "one state holds one cluster",
        ("kubectl", "expose", "deployment", "hello-web", "--name=web", "--type=Public"): "--type must be one of",
        ("kubectl", "rollout", "undo", "deployment/hello-web"): "the state keeps no earlier Pod templates",
        ("kubectl", "create", "deployment", "x", "--image=nginx", "--", "date"): "a command after `--`",
    }
    for argv, words in cases.items():
        result = cli("run", "--", *argv)
        assert result.code == 1, argv
        assert words in result.err, (argv, result.err)
        assert (tmp_path / "planner.state.json").read_bytes() == before


def test_an_exported_secret_has_placeholders_and_plans_as_sensitive_changes_only(cli, hello, tmp_path):
    write(hello / "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
                                 "  password: hunter2\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    exported = cli("export")
    assert "hunter2" not in exported.out and "REPLACE-ME" in exported.out
    assert "Secret/default/db: 1 secret value(s) exported as the placeholder" in exported.err
    write(tmp_path / "desired.yaml", exported.out)
    plan = cli("plan", "desired.yaml")
    assert "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy." in plan.out
    changed = [line for line in plan.out.splitlines() if line.strip().startswith("~ ")]
    assert changed == ["  ~ Secret/default/db", "      ~ stringData.password = (sensitive value changed)"], plan.out


def test_autopilot_cluster_update_autoscaling_and_deletion_with_everything_in_it(cli, tmp_path):
    auto = cli("run", "--state", "auto.json", "--", "gcloud container clusters create-auto hello --region=us-central1")
    assert auto.code == 0, auto.err
    assert _state_at(tmp_path / "auto.json")["resources"]["ContainerCluster/hello"]["manifest"]["spec"][
        "enableAutopilot"] is True
    assert cli("run", "--", "gcloud container clusters create shop --zone=us-central1-b").code == 0
    channel = cli("run", "--", "gcloud container clusters update shop --release-channel=stable")
    assert channel.code == 0, channel.err
    assert cli("run", "--", "gcloud container node-pools create pool --cluster=shop").code == 0
    scaled = cli("run", "--", "gcloud container clusters update shop --node-pool=pool --enable-autoscaling "
                             "--min-nodes=1 --max-nodes=4")
    assert scaled.code == 0, scaled.err
    pool = _state(tmp_path)["resources"]["ContainerNodePool/pool"]
    assert pool["manifest"]["spec"]["autoscaling"] == {"minNodeCount": 1, "maxNodeCount": 4}
    assert pool["origin"]["verb"] == "gcloud container clusters update"
    assert cli("run", "--", "kubectl create deployment web --image=nginx:1.27").code == 0
    gone = cli("run", "--", "gcloud", "container", "clusters", "delete", "shop", "--quiet")
    assert gone.code == 0, gone.err
    assert _state(tmp_path)["resources"] == {}


def test_run_json_lines_follow_the_apply_events_schema_and_a_no_op_says_so(cli, tmp_path):
    import jsonschema
    from conftest import REPO

    _tutorial(cli)
    schema = json.loads((REPO / "schemas" / "apply-events.schema.json").read_text())
    result = cli("run", "-o", "json", "--", "kubectl", "scale", "deployment/hello-web", "--replicas=4")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    registry_free = {k: v for k, v in schema.items() if k != "$id"}
    for line in lines:
        if line["type"] != "plan":
            jsonschema.validate(line, registry_free)
    assert lines[0]["command"] == "run" and lines[-1] == {**lines[-1], "type": "result", "command": "run"}
    again = cli("run", "--", "kubectl", "scale", "deployment/hello-web", "--replicas=4")
    assert again.code == 0 and "No changes" in again.out


def test_a_namespace_that_does_not_exist_is_refused_and_one_that_does_is_used(cli, tmp_path):
    _tutorial(cli)
    refused = cli("run", "--", "kubectl", "create", "deployment", "api", "--image=nginx", "-n", "shop")
    assert refused.code == 1 and 'namespaces "shop" not found' in refused.err
    made = cli("run", "--", "kubectl", "create", "deployment", "api", "--image=nginx", "-n", "kube-system")
    assert made.code == 0, made.err
    assert "Deployment/kube-system/api" in _state(tmp_path)["resources"]


def _state_at(path: Path) -> dict:
    return json.loads(path.read_text())


def test_kubectl_itself_makes_the_deployment_planner_run_makes(cli, tmp_path):
    """kubectl's own object (`--dry-run=client -o yaml`, no server needed) plans as no change against the state
    `planner run` made from the same command (its `creationTimestamp: null` lines aside: planner would plan them)."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    command = ["kubectl", "create", "deployment", "hello-web", f"--image={IMAGE}", "--replicas=3", "--port=8080"]
    made = subprocess.run([*command, "--dry-run=client", "-o", "yaml"], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    write(tmp_path / "app" / "web.yaml", "\n".join(line for line in made.stdout.splitlines()
                                                   if "creationTimestamp: null" not in line) + "\n")
    assert cli("run", "--", *TUTORIAL[0]).code == 0
    assert cli("run", "--", *command).code == 0
    write(tmp_path / "app" / "cluster.yaml", next(iter(cli("export").out.split("---"))))
    plan = cli("plan", "app", "--detailed-exitcode")
    assert plan.code == 0, plan.out


def test_an_exported_secret_env_literal_is_a_placeholder_too_never_its_digest(cli, hello, tmp_path):
    """The state knows a secret-looking env literal only by its keyed digest: exported as the digest, applying the
    export would deploy the digest as the password."""
    edit(hello / "hello-web.yaml", "          ports:\n", "          env:\n            - name: DB_PASSWORD\n"
                                                          "              value: hunter2\n          ports:\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    exported = cli("export")
    assert "hunter2" not in exported.out and "hmac-sha256:" not in exported.out
    assert "value: REPLACE-ME" in exported.out
    assert "Deployment/default/hello-web: 1 secret value(s) exported as the placeholder" in exported.err
    write(tmp_path / "desired.yaml", exported.out)
    changed = [line.strip() for line in cli("plan", "desired.yaml").out.splitlines()
               if line.strip().startswith(("~ ", "+ ", "- "))]
    assert changed == ["~ Deployment/default/hello-web",
                       "~ spec.template.spec.containers[name=hello-app].env[name=DB_PASSWORD].value = "
                       "(sensitive value changed)"]
