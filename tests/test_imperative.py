"""Imperative equivalents end to end: the JSON plan's `imperative` list, `plan --show-commands`, the markdown's sh
block, and (where kubectl is installed) our `kubectl create ...` equivalents run with `--dry-run=client -o yaml`
against the desired objects."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, edit, write

KUBECTL = shutil.which("kubectl")
TUTORIAL = {
    "ContainerCluster/hello-cluster": ["gcloud container clusters create hello-cluster --zone=us-central1-b "
                                       "--num-nodes=3"],
    "Deployment/default/hello-web": [
        "kubectl create deployment hello-web --image=us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0 "
        "--replicas=3 --port=8080",
        "kubectl set resources deployment hello-web --requests=cpu=100m,memory=64Mi"],
    "Service/default/hello-web": ["kubectl expose deployment hello-web --type=LoadBalancer --port 80 --target-port "
                                  "8080"],
}


def _commands(cli, *args: str) -> dict[str, list[str]]:
    result = cli("plan", *args, "-o", "json")
    assert result.code == 0, result.err
    return {c["address"]: c["imperative"] for c in result.json()["resource_changes"]}


def test_the_tutorial_yaml_plans_as_the_tutorials_commands(cli, hello: Path) -> None:
    assert _commands(cli, str(hello)) == TUTORIAL


def test_show_commands_prints_them_under_each_resource_and_no_ops_have_none(cli, hello: Path) -> None:
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    edit(hello / "hello-web.yaml", "hello-app:1.0", "hello-app:2.0")
    text = cli("plan", str(hello), "--show-commands").out
    assert "      # $ kubectl scale deployment/hello-web --replicas=5\n" in text
    assert "      # $ kubectl set image deployment/hello-web " \
           "hello-app=us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0\n" in text
    assert "# $" not in cli("plan", str(hello)).out  # only when asked
    assert _commands(cli, str(hello))["Service/default/hello-web"] == []  # a no-op: nothing to type
    markdown = cli("plan", str(hello), "-o", "markdown").out
    assert "```sh\nkubectl scale deployment/hello-web --replicas=5\nkubectl set image" in markdown


def test_delete_and_forget(cli, hello: Path) -> None:
    pool = write(hello / "pool.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerNodePool\n"
                 "metadata:\n  name: extra\n  annotations:\n    cnrm.cloud.google.com/deletion-policy: abandon\n"
                 "spec:\n  clusterRef:\n    name: hello-cluster\n  location: us-central1-b\n  nodeCount: 1\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    text = (hello / "hello-web.yaml").read_text()
    (hello / "hello-web.yaml").write_text(text[:text.index("---")])
    pool.unlink()
    commands = _commands(cli, str(hello))
    assert commands["Service/default/hello-web"] == ["kubectl delete service hello-web"]
    (forgotten,) = commands["ContainerNodePool/extra"]
    assert forgotten.startswith("# no command: cnrm.cloud.google.com/deletion-policy abandon only removes "
                                "ContainerNodePool/extra from planner's state")
    shown = cli("plan", str(hello), "--show-commands").out
    assert "  . ContainerNodePool/extra\n      # no command: " in shown
    assert "      # $ kubectl delete service hello-web\n" in shown


def test_a_secret_value_is_never_in_a_command(cli, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    out = cli("plan", str(tmp_path / "bank"), "-o", "json").out + cli("plan", str(tmp_path / "bank"),
                                                                      "--show-commands").out
    for document in yaml.safe_load_all((tmp_path / "bank" / "config.yaml").read_text()):
        for value in ((document or {}).get("stringData") or {}).values():
            assert str(value) not in out
    assert "hmac-sha256:" not in out
    assert "kubectl create secret generic jwt-key -n bank --from-file=" in out


def test_explain_adds_why_each_component_acts(cli, hello: Path) -> None:
    text = cli("plan", str(hello), "--explain").out
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "cluster-master/kube-scheduler" in line)
    assert lines[at + 1].startswith("            why: a Pod without a node waits for the scheduler")
    assert "(source: https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/)" in lines[at + 1]
    steps = [s for s in cli("plan", str(hello), "-o", "json").json()["steps"]]
    assert all(s["source"] for s in steps)  # every step of the tutorial says where its fact comes from


# ---------------------------------------------------------------- kubectl itself


def _dry_run(command: str, stdin: str = "") -> dict:
    args = shlex.split(command)
    assert args[0] == "kubectl"
    done = subprocess.run([KUBECTL, *args[1:], "--dry-run=client", "-o", "yaml"], input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def _local(command: str, obj: dict) -> dict:
    """`kubectl set ...` on an object made by the previous command: `-f - --local` needs no cluster."""
    args = shlex.split(command)
    kind, name = args[3], args[4]
    assert (kind, name) == (obj["kind"].lower(), obj["metadata"]["name"])
    done = subprocess.run([KUBECTL, *args[1:3], "-f", "-", "--local", *args[5:], "-o", "yaml"],
                          input=json.dumps(obj), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_our_kubectl_create_deployment_makes_the_desired_deployment(cli, hello: Path) -> None:
    create, resources = _commands(cli, str(hello))["Deployment/default/hello-web"]
    made = _local(resources, _dry_run(create))
    desired = next(yaml.safe_load_all((hello / "hello-web.yaml").read_text()))
    for path in (("metadata", "name"), ("metadata", "labels"), ("spec", "replicas"), ("spec", "selector")):
        assert _at(made, path) == _at(desired, path), path
    assert made["spec"]["template"]["metadata"]["labels"] == desired["spec"]["template"]["metadata"]["labels"]
    (container,) = made["spec"]["template"]["spec"]["containers"]
    (wanted,) = desired["spec"]["template"]["spec"]["containers"]
    assert {k: container[k] for k in ("name", "image", "ports", "resources")} == wanted


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_our_kubectl_create_service_makes_the_desired_service(cli, tmp_path: Path) -> None:
    """A Service with no Deployment of its name is made with `kubectl create service` (expose needs a cluster to read
    the Deployment from, so the tutorial's expose is checked against its documentation instead)."""
    service = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  labels: {app: api}\nspec:\n  type: NodePort\n"
               "  selector: {app: api}\n  ports:\n    - {name: 80-8080, port: 80, targetPort: 8080}\n")
    shutil.copy(EXAMPLES / "hello-app" / "cluster.yaml", tmp_path / "cluster.yaml")
    write(tmp_path / "api.yaml", service)
    (command,) = _commands(cli, str(tmp_path))["Service/default/api"]
    assert command == "kubectl create service nodeport api --tcp=80:8080"
    made, desired = _dry_run(command), yaml.safe_load(service)
    assert made["metadata"]["labels"] == desired["metadata"]["labels"]
    assert {k: made["spec"][k] for k in ("type", "selector")} == {k: desired["spec"][k] for k in ("type", "selector")}
    assert made["spec"]["ports"] == [{**desired["spec"]["ports"][0], "protocol": "TCP"}]


def _at(node: dict, path: tuple[str, ...]) -> object:
    for key in path:
        node = node[key]
    return node


def test_show_planfile_prints_commands_and_explanations_as_plan_does(cli, hello):
    """terraform show PLANFILE renders a saved plan as plan did: so do --show-commands and --explain."""
    args = ("--show-commands", "--explain")
    planned = cli("plan", str(hello), "--out", "p.plan", *args)
    shown = cli("show", "p.plan", *args)
    assert shown.code == 0, shown.err
    assert "# $ gcloud container clusters create hello-cluster" in shown.out and "why: " in shown.out
    assert shown.out in planned.out  # plan adds only the saved-plan note after it
    assert "# $ " not in cli("show", "p.plan").out
