"""Every example output in the README is what planner prints, so it cannot drift. Each ```console block is run in
the scenario the README describes around it, with the clock and the new state's lineage fixed through
PLANNER_NOW and PLANNER_LINEAGE (planner/clock.py); a line `...` in a block stands for any number of lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, edit
from console import console_blocks, matches

LINEAGE = "00000000-0000-4000-8000-000000000001"
"""The lineage the README's examples were made with (`PLANNER_LINEAGE=...`)."""
T0 = "2026-01-01T00:00:00+00:00"


def _run(cli_env, command: str, cwd: Path, now: str = T0) -> list[str]:
    args = command.split(";")[0].split()[1:]  # `planner plan ...; echo "exit $?"`: the exit code is printed too
    result = cli_env(args, cwd, now)
    lines = (result.out + result.err).rstrip("\n").split("\n")
    if "echo" in command:
        lines.append(f"exit {result.code}")
    return lines


@pytest.fixture
def cli_env(monkeypatch):
    from conftest import _run_in_process

    def run(args: list[str], cwd: Path, now: str):
        monkeypatch.setenv("PLANNER_LINEAGE", LINEAGE)
        monkeypatch.setenv("PLANNER_NOW", now)
        return _run_in_process(args, cwd)

    return run


def _scenario(command: str, work: Path, cli_env) -> list[str]:
    """The state the README's text puts the reader in before `command`, then its output."""
    shutil.copytree(EXAMPLES, work / "examples")
    if command.startswith("planner apply examples/hello-app"):
        return _run(cli_env, command, work)
    if command.startswith("planner plan examples/hello-app --detailed-exitcode"):
        cli_env(["apply", "examples/hello-app", "--auto-approve"], work, T0)
        edit(work / "examples" / "hello-app" / "hello-web.yaml", "replicas: 3", "replicas: 5")
        return _run(cli_env, command, work)
    if command.startswith("planner plan examples/hello-app"):
        return _run(cli_env, command, work)
    if command == "planner get pvc -A -o wide":
        cli_env(["apply", "examples/stateful-app", "--auto-approve"], work, T0)
        return _run(cli_env, command, work, now="2026-01-01T00:01:00+00:00")
    if command == "planner get services -A":  # the walkthrough, up to its step 4 (the api Service is a NodePort)
        for step in ("1-create", "2-scale", "3-rollout", "4-service-type"):
            shutil.rmtree(work / "shop", ignore_errors=True)
            shutil.copytree(work / "examples" / "lifecycle" / step, work / "shop")
            assert cli_env(["apply", "shop", "--auto-approve"], work, T0).code == 0
        return _run(cli_env, command, work, now="2026-01-01T00:03:00+00:00")
    raise AssertionError(f"no scenario for the README's `{command}`: add one here")


BLOCKS = console_blocks(REPO / "README.md")


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_the_readme_shows_what_planner_prints(tmp_path, cli_env, command, expected):
    actual = _scenario(command, tmp_path, cli_env)
    assert matches(expected, actual), "\n".join(["README:", *expected, "", "planner:", *actual])
