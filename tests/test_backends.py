"""The state backends' contract: open_backend's schemes, conditional writes, the lock, liveness, the upgrade chain;
and the one reader of saved plans."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from planner.errors import PlannerError
from planner.state import FileBackend, MemoryBackend, State, model, open_backend
from planner.state.model import LockInfo


def test_open_backend_plain_paths_file_urls_and_memory(tmp_path):
    assert isinstance(open_backend("planner.state.json"), FileBackend)
    assert open_backend("some/dir/s.json").describe() == "some/dir/s.json"
    assert open_backend(str(tmp_path / "s.json")).describe() == str(tmp_path / "s.json")
    assert open_backend("file:some/s.json").describe() == "some/s.json"
    assert open_backend(f"file://{tmp_path}/s.json").describe() == str(tmp_path / "s.json")
    assert isinstance(open_backend("memory:"), MemoryBackend)
    # A colon in a file name is a file name unless `//` makes it a URL.
    assert open_backend("postgresql:").describe() == "postgresql:"
    assert open_backend("backup:2024.json").describe() == "backup:2024.json"
    from planner.state.postgres import PostgresBackend

    assert isinstance(open_backend("postgresql://u:pw@h/db?workspace=w"), PostgresBackend)  # connects on first use
    assert open_backend("postgres://u:pw@h/db").describe() == "postgres://u:***@h/db (workspace default)"
    for refused, message in (("mysql://u@h/db", "unknown state backend scheme 'mysql'"),
                             ("s3://bucket/key", "supported: file"), ("file:", "needs the state file's path"),
                             ("file://otherhost/x.json", "on this machine"), ("memory:x", "takes nothing"),
                             ("", "no state location")):
        with pytest.raises(PlannerError) as caught:
            open_backend(refused)
        assert message in str(caught.value), refused


def test_an_unknown_scheme_is_refused_by_every_command_and_creates_nothing(cli, hello, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    url = "mysql://user:secret@db.example/planner"
    for args in (("plan", str(hello)), ("apply", str(hello), "--auto-approve"), ("destroy", "--auto-approve"),
                 ("show",), ("get", "pods"), ("force-unlock",)):
        result = cli(*args, "--state", url)
        assert result.code == 1, (args, result.out, result.err)
        assert "unknown state backend scheme 'mysql'" in result.err and "supported: file" in result.err
        assert "secret" not in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_memory_state_is_usable_from_the_command_line(cli, hello):
    result = cli("apply", str(hello), "--auto-approve", "--state", "memory:")
    assert result.code == 0 and "State serial 1." in result.out


@pytest.mark.parametrize("make", [lambda p: FileBackend(p / "s.json"), lambda p: MemoryBackend()],
                         ids=["file", "memory"])
def test_a_write_is_refused_unless_the_stored_serial_is_the_one_read(make, tmp_path):
    backend = make(tmp_path)
    first, second = backend.read().state, backend.read().state
    backend.write(first, 0)
    assert first.serial == 1
    with pytest.raises(PlannerError) as caught:
        backend.write(second, 0)  # read at serial 0, but another write came in between
    assert "changed by another operation since it was read (serial 0 -> 1)" in str(caught.value)
    assert backend.read().state.serial == 1 and second.serial == 0
    if isinstance(backend, FileBackend):
        assert json.loads(backend.path.read_text())["serial"] == 1
        assert not backend.backup_path.exists()
    current = backend.read().state
    backend.write(current, current.serial)
    assert backend.read().state.serial == 2


def test_a_file_write_outside_the_lock_takes_it(tmp_path):
    backend, other = FileBackend(tmp_path / "s.json"), FileBackend(tmp_path / "s.json")
    with other.lock("apply"), pytest.raises(PlannerError, match="Error acquiring the state lock"):
        backend.write(State(), 0)
    assert not backend.path.exists()
    with backend.lock("apply"):
        backend.write(State(), 0)  # the holder writes under its own lock
    assert backend.read().state.serial == 1


@pytest.mark.parametrize("make", [lambda p: FileBackend(p / "s.json"), lambda p: MemoryBackend()],
                         ids=["file", "memory"])
def test_a_held_lock_fails_at_once_naming_its_holder_and_waits_with_a_timeout(make, tmp_path):
    backend = make(tmp_path)
    errors: list[str] = []
    durations: list[float] = []

    def contender(timeout: float) -> None:
        started = time.monotonic()
        try:
            with backend.lock("plan", timeout):
                pass
        except PlannerError as exc:
            errors.append(str(exc))
        durations.append(time.monotonic() - started)

    with backend.lock("apply"):
        holder = backend.holder()
        assert holder is not None and holder.operation == "apply" and holder.pid == os.getpid()
        thread = threading.Thread(target=contender, args=(0.0,))
        thread.start()
        thread.join(timeout=5)
        assert not thread.is_alive(), "lock(timeout=0) waited for the holder"
    assert len(errors) == 1 and "Error acquiring the state lock" in errors[0] and "operation 'apply'" in errors[0]
    assert durations[0] < 2.0
    assert backend.holder() is None

    with backend.lock("apply"):
        thread = threading.Thread(target=contender, args=(30.0,))
        thread.start()
        time.sleep(0.3)
    thread.join(timeout=10)
    assert len(errors) == 1, errors  # the second contender waited and got the lock


def test_holder_alive_is_true_false_or_unknown(tmp_path):
    backend = FileBackend(tmp_path / "s.json")
    me = LockInfo.now("apply")
    assert backend.holder_alive(me) is True
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert backend.holder_alive(me.model_copy(update={"pid": dead.pid})) is False
    assert backend.holder_alive(me.model_copy(update={"host": socket.gethostname() + "-elsewhere"})) is None
    assert backend.holder_alive(LockInfo(pid=0, host="?", user="?", operation="?", since="?")) is None
    assert MemoryBackend().holder_alive(me) is True


V0_STATE = {"version": 0, "serial": 4, "lineage": "l-0", "items": []}
"""A made-up version 0: `resources` was a list called `items`."""


def _v0_to_v1(data: dict) -> dict:
    items = data.pop("items")
    return {**data, "resources": {r["address"]: r for r in items}}


def test_an_older_state_is_upgraded_on_read_and_stored_upgraded_at_the_next_write(tmp_path, monkeypatch):
    monkeypatch.setattr(model, "STATE_VERSION", 1)  # the mechanism, with a made-up version 0 before version 1
    monkeypatch.setitem(model.UPGRADES, 0, _v0_to_v1)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(V0_STATE))
    backend = FileBackend(path)
    state = backend.read().state
    assert (state.version, state.serial, state.lineage, state.resources) == (1, 4, "l-0", {})
    assert json.loads(path.read_text())["version"] == 0  # reading never writes
    backend.write(state, 4)
    assert json.loads(path.read_text())["version"] == 1
    assert json.loads(backend.backup_path.read_text()) == V0_STATE


def test_an_older_state_without_its_upgrade_or_with_a_failing_one_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(model, "STATE_VERSION", 1)
    path = tmp_path / "planner.state.json"
    path.write_text(json.dumps(V0_STATE))
    result = cli("show")
    assert result.code == 1
    assert "has version 0, which this planner cannot read: it has no upgrade from version 0 to 1" in result.err

    def broken(data: dict) -> dict:
        return {**data, "resources": data["resources_v0"]}

    monkeypatch.setitem(model.UPGRADES, 0, broken)
    result = cli("show")
    assert result.code == 1
    assert "could not be upgraded from version 0 to 1: KeyError: 'resources_v0'" in result.err
    assert json.loads(path.read_text()) == V0_STATE

    monkeypatch.setitem(model.UPGRADES, 0, _v0_to_v1)
    result = cli("show", "-o", "json")
    assert result.code == 0 and result.json()["version"] == 1


def test_show_refuses_a_saved_plan_of_another_format_version(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    assert cli("show", "p.plan").code == 0
    saved = json.loads((tmp_path / "p.plan").read_text())
    saved["format_version"] = "2.0"
    (tmp_path / "p.plan").write_text(json.dumps(saved, separators=(",", ":")))
    for output in ("text", "json"):
        result = cli("show", "p.plan", "-o", output)
        assert result.code == 1 and (result.out == "" if output == "text" else json.loads(result.out)["valid"] is False)
        assert "p.plan has plan format 2.0; this planner reads 1.0 to 1.3" in result.err
    result = cli("apply", "p.plan")
    assert result.code == 1 and "has plan format 2.0" in result.err


def test_each_command_has_a_renderer_for_each_of_its_output_choices():
    from planner import cli_io as cli
    from planner.render import GET_RENDERERS, RENDERERS
    from planner.render.show import STATE_RENDERERS
    from planner.render.validate import VALIDATE_RENDERERS

    assert set(RENDERERS) == {f.value for f in cli.DocFormat}  # plan, show PLANFILE
    # show without a plan file: a state has no steps to comment on or draw, and show says so (test_markdown.py)
    assert set(STATE_RENDERERS) == set(RENDERERS) - {"markdown", "mermaid"}
    assert set(VALIDATE_RENDERERS) == {f.value for f in cli.PlanFormat}
    assert set(GET_RENDERERS) == {f.value for f in cli.GetFormat}
