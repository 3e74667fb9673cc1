"""A version-1 state (written by planner before live objects took kubectl's shape) is read, planned against and
upgraded on the next write, with nothing lost: tests/fixtures/state-v1 was made by applying examples/lifecycle
steps 1 to 6 plus a Secret with the version-1 planner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EXAMPLES

FIXTURE = Path(__file__).parent / "fixtures" / "state-v1"


def _setup(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "lifecycle" / "6-pending", tmp_path / "app")
    shutil.copy(FIXTURE / "secret.yaml", tmp_path / "app" / "secret.yaml")
    shutil.copy(FIXTURE / "state.json", tmp_path / "planner.state.json")


def test_a_version_1_state_plans_as_no_changes_and_keeps_its_warnings(cli, tmp_path):
    _setup(tmp_path)
    result = cli("plan", "app", "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    assert "No changes." in result.out
    assert "Pods are Pending" in result.out and "the rollout is stalled" in result.out
    pods = json.loads(cli("get", "-A", "pods", "-o", "json").out)["items"]
    assert any(p["status"] == "Pending" and "Insufficient cpu" in p["reason"] for p in pods)
    services = json.loads(cli("get", "-A", "services", "-o", "json").out)["items"]
    assert any(s["externalIP"].startswith("203.0.113.") for s in services)
    nodes = json.loads(cli("get", "-A", "nodes", "-o", "json").out)["items"]
    assert len(nodes) == 9 and all(n["podCIDR"] and n["internalIP"] for n in nodes)  # the autoscaler grew it


def test_the_next_apply_writes_version_2_and_keeps_version_1_as_the_backup(cli, tmp_path):
    _setup(tmp_path)
    web = tmp_path / "app" / "web.yaml"
    web.write_text(web.read_text().replace("replicas: 6", "replicas: 5"))
    assert cli("apply", "app", "--auto-approve").code == 0
    state = json.loads((tmp_path / "planner.state.json").read_text())
    backup = json.loads((tmp_path / "planner.state.json.backup").read_text())
    assert (state["version"], backup["version"]) == (2, 1)
    assert state["lineage"] == backup["lineage"] and state["serial"] == backup["serial"] + 1
    assert state["resources"]["Secret/shop/db"]["family"] == "secret"
    service = state["resources"]["Service/shop/web"]["status"]
    assert service["status"]["loadBalancer"]["ingress"][0]["ip"] == backup["resources"]["Service/shop/web"][
        "status"]["loadBalancer"]["ip"]
    pod = state["resources"]["Deployment/shop/web"]["status"]["pods"][0]
    assert pod["spec"]["nodeName"] and pod["status"]["podIP"]
