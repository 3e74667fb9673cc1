"""examples/github-actions/plan-comment.yml: valid against GitHub's workflow schema (check-jsonschema's vendored
copy, no network), least privilege, pinned actions, and its Plan step's exit-code handling run for real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, REPO

WORKFLOW = EXAMPLES / "github-actions" / "plan-comment.yml"


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema's CLI with its built-in schema: vendored in the package, so it runs offline."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_the_workflow_is_valid_for_github_and_a_broken_one_is_not(tmp_path):
    pytest.importorskip("check_jsonschema")
    done = _check(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs-onn:"))
    assert _check(broken).returncode == 1  # the check can fail


def test_the_workflow_asks_for_little_and_pins_what_it_runs():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    steps = workflow["jobs"]["plan"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    plan = next(s["run"] for s in steps if s.get("id") == "plan")
    assert "-o markdown --detailed-exitcode" in plan
    script = next(s["with"]["script"] for s in steps if "github-script" in s.get("uses", ""))
    assert "<!-- planner-plan: ${dir} -->" in script and "updateComment" in script and "createComment" in script
    assert "${{" not in script  # no expression pasted into code: inputs arrive through the environment


def test_the_plan_step_reports_an_exit_code_the_gate_understands(tmp_path):
    """The Plan step's shell, as the runner runs it: 2 only with a comment body, anything else unusable is 1."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    plan = next(s["run"] for s in workflow["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    output = tmp_path / "github_output"
    env = {**os.environ, "PLANNER_DIR": str(EXAMPLES / "hello-app"), "PLANNER_STATE": str(tmp_path / "s.json"),
           "GITHUB_OUTPUT": str(output), "PYTHONPATH": str(REPO),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-e", "-c", plan], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    code = output.read_text().splitlines()[-1]
    body = (tmp_path / "plan.md").read_text()
    assert code == "exitcode=2" and "hello-web" in body, (code, body[:500])
