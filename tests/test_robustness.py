"""No apply ever loses or corrupts state: crashes (SIGKILL), Ctrl-C, concurrent applies, stale locks."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import many_apps, write

from planner.kinds import service
from planner.simulate import objects


def _start_apply(cwd: Path, path: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "planner", "apply", path, "--auto-approve", *extra], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read_until(process: subprocess.Popen, marker: bytes) -> None:
    """Wait for apply's progress output to reach `marker` (planner flushes each line)."""
    while True:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        if marker in line:
            return


def _check_state_consistent(state: dict) -> None:
    """Nothing allocated twice, every Pod owned by its Deployment's ReplicaSets and on a live node."""
    resources = state["resources"]
    nodes = {objects.node_name(n) for r in resources.values()
             for n in (r["status"].get("pool") or {}).get("nodes", [])}
    pod_ips, cluster_ips = [], []
    for resource in resources.values():
        status = resource["status"]
        for pod in status.get("pods", []):
            assert objects.pod_owner(pod) in {rs["metadata"]["name"] for rs in status["replicaSets"]}
            assert objects.pod_node(pod) is None or objects.pod_node(pod) in nodes
            if objects.pod_ip(pod):
                pod_ips.append(objects.pod_ip(pod))
        if service.cluster_ip(status):
            cluster_ips.append(service.cluster_ip(status))
    assert len(pod_ips) == len(set(pod_ips))
    assert len(cluster_ips) == len(set(cluster_ips))


def _converges(cli, path: str, tmp_path: Path) -> None:
    shown = cli("show", "-o", "json")
    assert shown.code == 0, shown.err
    result = cli("apply", path, "--auto-approve")
    assert result.code == 0, result.err
    assert cli("plan", path, "--detailed-exitcode").code == 0
    state = json.loads((tmp_path / "planner.state.json").read_text())
    _check_state_consistent(state)
    assert not (tmp_path / "planner.state.json.journal").exists()


def _kill_trials(cli, tmp_path: Path, trials: int, count: int) -> None:
    write(tmp_path / "many.yaml", many_apps(count))
    rng = random.Random(20261125)
    for trial in range(trials):
        for name in ("planner.state.json", "planner.state.json.backup", "planner.state.json.journal"):
            (tmp_path / name).unlink(missing_ok=True)
        if trial % 2:  # half the trials kill an apply that changes an existing state
            write(tmp_path / "many.yaml", many_apps(count, replicas=1))
            assert cli("apply", "many.yaml", "--auto-approve").code == 0
            write(tmp_path / "many.yaml", many_apps(count, replicas=2, version="2"))
        else:
            write(tmp_path / "many.yaml", many_apps(count))
        process = _start_apply(tmp_path, "many.yaml")
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        _converges(cli, "many.yaml", tmp_path)


def test_sigkill_during_apply_leaves_a_state_that_converges(cli, tmp_path):
    _kill_trials(cli, tmp_path, trials=3, count=300)


@pytest.mark.slow
def test_sigkill_at_random_moments_fifty_trials(cli, tmp_path):
    _kill_trials(cli, tmp_path, trials=50, count=1500)


def test_journal_of_a_killed_apply_is_replayed_and_kept(cli, tmp_path):
    write(tmp_path / "many.yaml", many_apps(800))
    process = _start_apply(tmp_path, "many.yaml")
    journal = tmp_path / "planner.state.json.journal"
    _read_until(process, b"Deployment/default/app300: Creation complete")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert journal.exists() and not (tmp_path / "planner.state.json").exists()
    plan = cli("plan", "many.yaml", "-o", "json")
    assert plan.code == 0
    assert "operation(s) it completed were recovered" in plan.err
    summary = plan.json()["summary"]
    assert 0 < summary["create"] < 1601  # what completed before the kill is not planned again
    _converges(cli, "many.yaml", tmp_path)


def test_ctrl_c_finishes_the_step_in_flight_saves_and_exits_130(cli, tmp_path):
    write(tmp_path / "many.yaml", many_apps(800))
    process = _start_apply(tmp_path, "many.yaml")
    _read_until(process, b"Deployment/default/app100: Creation complete")  # some work done, much left
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Interrupted: the operation in flight finished and the state was saved" in err
    assert b"Not done:" in err
    state = json.loads((tmp_path / "planner.state.json").read_text())
    assert state["serial"] == 1 and 0 < len(state["resources"]) < 1601
    _check_state_consistent(state)
    _converges(cli, "many.yaml", tmp_path)


def test_twenty_concurrent_applies_one_winner_at_a_time(tmp_path, cli):
    for i in range(20):
        write(tmp_path / f"d{i}" / "all.yaml", many_apps(3, replicas=i % 5 + 1, version=str(i)))
    processes = [_start_apply(tmp_path, f"d{i}") for i in range(20)]
    results = [(i, p.wait(timeout=120), p.stdout.read().decode(), p.stderr.read().decode())
               for i, p in enumerate(processes)]
    winners, losers = [r for r in results if r[1] == 0], [r for r in results if r[1] != 0]
    assert winners, [r[3] for r in results]
    for _, code, _, err in losers:
        assert code == 1 and "Error acquiring the state lock" in err and "held by pid" in err, err
        assert "Traceback" not in err
    serials = sorted(int(out.rsplit("State serial ", 1)[1].split(".")[0]) for _, _, out, _ in winners)
    assert serials == list(range(1, len(winners) + 1))
    last = max(winners, key=lambda r: int(r[2].rsplit("State serial ", 1)[1].split(".")[0]))[0]
    assert cli("plan", f"d{last}", "--detailed-exitcode").code == 0
    _check_state_consistent(json.loads((tmp_path / "planner.state.json").read_text()))


def test_force_unlock_refuses_a_live_holder_and_breaks_a_stale_lock(cli, tmp_path):
    from planner.state import FileBackend

    backend = FileBackend(tmp_path / "planner.state.json")
    assert "is not locked" in cli("force-unlock").out
    with backend.lock("apply"):
        refused = cli("force-unlock")
        assert refused.code == 1 and "still running" in refused.err and f"pid {os.getpid()}" in refused.err
        broken = cli("force-unlock", "--force")
        assert broken.code == 0 and "Lock on planner.state.json broken" in broken.out
        assert backend.holder() is None
