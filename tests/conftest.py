"""Shared fixtures: run the real CLI in-process (fast) or as a subprocess (for exit codes of a real process),
and check every JSON plan against schemas/plan.schema.json."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
PLAN_SCHEMA = json.loads((REPO / "schemas" / "plan.schema.json").read_text())


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """planner's cache (planner.cache) in a folder of this session, never the real ~/.cache: on, as users get it,
    so every test that plans twice also checks that a warm cache gives what a cold one gave."""
    saved = {name: os.environ.pop(name, None) for name in ("PLANNER_CACHE_DIR", "PLANNER_NO_CACHE",
                                                           "PLANNER_CACHE_MAX_MB", "XDG_CACHE_HOME")}
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        data = json.loads(self.out)
        if "format_version" in data:
            jsonschema.validate(data, PLAN_SCHEMA)
        return data


def _run_in_process(args: list[str], cwd: Path, stdin: bytes = b"") -> Result:
    from planner.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = (sys.argv, sys.stdout, sys.stderr, sys.stdin, os.getcwd())
    fake_in = io.TextIOWrapper(io.BytesIO(stdin))
    sys.argv, sys.stdout, sys.stderr, sys.stdin = ["planner", *args], out, err, fake_in
    os.chdir(cwd)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.argv, sys.stdout, sys.stderr, sys.stdin = old[:4]
        os.chdir(old[4])
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(tmp_path: Path):
    """`cli("plan", "app/")` runs planner in tmp_path and returns (code, out, err)."""

    def run(*args: str, stdin: bytes = b"") -> Result:
        result = _run_in_process(list(args), tmp_path, stdin)
        assert "Traceback" not in result.err, result.err
        return result

    return run


@pytest.fixture
def proc(tmp_path: Path):
    """The CLI as a real process (`python -m planner`), for exit codes, stdin pipes and signals."""

    def run(*args: str, stdin: bytes = b"", timeout: float = 60) -> Result:
        done = subprocess.run([sys.executable, "-m", "planner", *args], cwd=tmp_path, input=stdin,
                              capture_output=True, timeout=timeout)
        result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
        assert "Traceback" not in result.err, result.err
        return result

    return run


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    """A private copy of examples/hello-app that a test may edit."""
    target = tmp_path / "hello-app"
    shutil.copytree(EXAMPLES / "hello-app", target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


CLUSTER_YAML = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: many
spec:
  location: us-central1-a
  initialNodeCount: {nodes}
  nodeConfig:
    machineType: e2-standard-8
  ipAllocationPolicy:
    servicesIpv4CidrBlock: 10.64.0.0/16
"""

APP_YAML = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: app{i}}}
  template:
    metadata:
      labels: {{app: app{i}}}
    spec:
      containers:
        - name: main
          image: example/app:{version}
          resources:
            requests: {{cpu: {cpu}m, memory: {memory}Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: app{i}
spec:
  type: {type}
  selector: {{app: app{i}}}
  ports:
    - port: 80
      targetPort: 8080
"""


def app_yaml(i: int, replicas: int = 1, version: str = "1", cpu: int = 10, memory: int = 16,
             type: str = "ClusterIP") -> str:
    """One Deployment `app<i>` and the Service selecting it."""
    return APP_YAML.format(i=i, replicas=replicas, version=version, cpu=cpu, memory=memory, type=type)


def many_apps(count: int, replicas: int = 1, version: str = "1", nodes: int = 20) -> str:
    """A cluster with `count` Deployments and `count` Services: input for crash, concurrency and scale tests."""
    return CLUSTER_YAML.format(nodes=nodes) + "".join(app_yaml(i, replicas, version) for i in range(count))


def json_paths(node: object, prefix: tuple = ()):
    """Every path in a JSON value, the root first: what the fuzzers pick places to damage from."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from json_paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from json_paths(child, (*prefix, i))
