"""State guarantees: atomic writes with a backup, serial and lineage, one apply at a time, damaged files refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from planner.state import FileBackend


def test_each_apply_bumps_serial_keeps_lineage_and_a_backup(cli, hello, tmp_path):
    cli("apply", str(hello), "--auto-approve")
    first = json.loads((tmp_path / "planner.state.json").read_text())
    (hello / "hello-web.yaml").write_text((hello / "hello-web.yaml").read_text().replace("replicas: 3", "replicas: 1"))
    cli("apply", str(hello), "--auto-approve")
    second = json.loads((tmp_path / "planner.state.json").read_text())
    backup = json.loads((tmp_path / "planner.state.json.backup").read_text())
    assert (first["serial"], second["serial"]) == (1, 2)
    assert first["lineage"] == second["lineage"]
    assert backup == first
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_a_held_lock_refuses_a_second_apply_naming_the_holder(proc, hello, tmp_path):
    backend = FileBackend(tmp_path / "planner.state.json")
    with backend.lock("apply"):
        result = proc("apply", str(hello), "--auto-approve")
    assert result.code == 1
    assert "Error acquiring the state lock" in result.err
    assert f"pid {os.getpid()}" in result.err and "operation 'apply'" in result.err
    assert not (tmp_path / "planner.state.json").exists()


def _hold_lock(tmp_path, seconds: float) -> subprocess.Popen:
    """Another process that takes the state lock and keeps it for `seconds` (returns once it holds it)."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from planner.state import FileBackend
        with FileBackend({str(tmp_path / 'planner.state.json')!r}).lock("apply"):
            print("locked", flush=True)
            time.sleep({seconds})
    """)], stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"locked"
    return holder


def test_the_lock_is_released_when_its_holder_dies(proc, hello, tmp_path):
    holder = _hold_lock(tmp_path, 60)
    assert proc("apply", str(hello), "--auto-approve").code == 1
    holder.kill()
    holder.wait()
    assert proc("apply", str(hello), "--auto-approve").code == 0


def test_lock_timeout_waits_for_the_holder(proc, hello, tmp_path):
    holder = _hold_lock(tmp_path, 1.5)
    result = proc("apply", str(hello), "--auto-approve", "--lock-timeout", "30")
    holder.wait()
    assert result.code == 0, result.err


def test_damaged_state_files_are_refused_and_never_overwritten(cli, hello, tmp_path):
    state = tmp_path / "planner.state.json"
    cases = {
        b"": "is empty",
        b'{"version": 1, "serial": 3, "lin': "is not valid JSON",
        b'{"version": 99, "serial": 1}': "has version 99, newer than this planner understands",
        b'{"hello": 1}': "is not a planner state file",
        b'{"version": 1, "serial": "x"}': "is damaged: serial",
    }
    for content, message in cases.items():
        state.write_bytes(content)
        result = cli("apply", str(hello), "--auto-approve")
        assert result.code == 1 and message in result.err, (content, result.err)
        assert state.read_bytes() == content


def test_a_missing_state_next_to_its_backup_is_refused(cli, hello, tmp_path):
    cli("apply", str(hello), "--auto-approve")
    cli("apply", str(hello), "--auto-approve")
    (tmp_path / "hello-app" / "hello-web.yaml").write_text(
        (tmp_path / "hello-app" / "hello-web.yaml").read_text().replace("replicas: 3", "replicas: 2"))
    cli("apply", str(hello), "--auto-approve")
    (tmp_path / "planner.state.json").unlink()
    result = cli("plan", str(hello))
    assert result.code == 1
    assert "planner.state.json.backup exists" in result.err and "cp " in result.err


def test_secret_values_never_reach_plans_or_state(cli, hello, tmp_path):
    (hello / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
                                       "  password: hunter2-very-secret\n")
    plan = cli("plan", str(hello), "-o", "json")
    text_plan = cli("plan", str(hello))
    cli("apply", str(hello), "--auto-approve")
    state = (tmp_path / "planner.state.json").read_text()
    for output in (plan.out, text_plan.out, state):
        assert "hunter2" not in output
    assert "(sensitive value)" in text_plan.out
    (hello / "secret.yaml").write_text((hello / "secret.yaml").read_text().replace("hunter2", "swordfish"))
    changed = cli("plan", str(hello), "-o", "json").json()
    secret = next(c for c in changed["resource_changes"] if c["kind"] == "Secret")
    assert secret["action"] == "update"
    assert secret["changes"] == [{"path": "stringData.password", "before": "(sensitive value)",
                                  "after": "(sensitive value)", "sensitive": True}]
    assert "~ stringData.password = (sensitive value changed)" in cli("plan", str(hello)).out


def test_the_published_state_schema_is_generated_from_the_state_model_and_the_kinds():
    from conftest import REPO

    from planner.state.schema import state_schema

    published = json.loads((REPO / "schemas" / "state.schema.json").read_text())
    assert published == state_schema(), "run: python -m planner.state.schema > schemas/state.schema.json"


def test_every_saved_state_matches_the_published_schema(cli, hello, tmp_path):
    import jsonschema
    from conftest import REPO

    cli("apply", str(hello), "--auto-approve")
    schema = json.loads((REPO / "schemas" / "state.schema.json").read_text())
    jsonschema.validate(json.loads((tmp_path / "planner.state.json").read_text()), schema)


def test_the_published_plan_schema_is_generated_from_the_wire_types():
    from conftest import REPO

    from planner.wire import plan_schema

    published = json.loads((REPO / "schemas" / "plan.schema.json").read_text())
    assert published == plan_schema(), "run: python -m planner.wire > schemas/plan.schema.json"
