"""The PostgreSQL backend against a real server (tests/pg_server.py): URL handling, locking, history, rollback,
migrate, and what concurrency, SIGKILL and a vanished database leave behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import edit, many_apps, write
from pg_server import Server, binaries

from planner.errors import PlannerError
from planner.state import open_backend
from planner.state.pg_url import parse

BINARIES = binaries()
needs_server = pytest.mark.skipif(BINARIES is None, reason="no PostgreSQL server binaries (pg_ctl, initdb) on PATH or "
                                                           "in /usr/lib/postgresql/*/bin: apt-get install postgresql")


@pytest.fixture(scope="session")
def server():
    assert BINARIES is not None
    started = Server(BINARIES).start()
    yield started
    started.stop("immediate")
    started.remove()


@pytest.fixture
def url(server):
    """A fresh database per test; the URL of its `default` workspace (`url + "&workspace=x"` for another)."""
    return server.url(server.create_database())


def _start(cwd: Path, *args: str) -> subprocess.Popen:
    """planner in a process whose output goes to files (a pipe nobody reads would stop it when full)."""
    return subprocess.Popen([sys.executable, "-m", "planner", *args], cwd=cwd, stdout=(cwd / "out.log").open("wb"),
                            stderr=(cwd / "err.log").open("wb"))


def _wait_for(process: subprocess.Popen, cwd: Path, marker: bytes) -> None:
    """Wait until the process has printed `marker` (planner flushes each line)."""
    while marker not in (cwd / "out.log").read_bytes():
        assert process.poll() is None, (cwd / "err.log").read_text()
        time.sleep(0.02)


def test_the_url_loses_planners_parameters_and_never_shows_the_password():
    parsed = parse("postgresql://alice:s%40cret@db.example:6543/planner?workspace=prod&sslmode=require&lock_timeout=30")
    assert parsed.workspace == "prod" and parsed.lock_timeout == 30.0
    assert "workspace" not in parsed.conninfo and "lock_timeout" not in parsed.conninfo
    assert "sslmode=require" in parsed.conninfo and "s%40cret" in parsed.conninfo
    assert parsed.shown == "postgresql://alice:***@db.example:6543/planner?workspace=prod&sslmode=require&lock_timeout=30"
    assert parsed.mask("auth failed for s@cret and s%40cret") == "auth failed for *** and ***"
    options = parsed.connect_options()
    assert options["keepalives_idle"] == "10" and "tcp_keepalives_idle=10" in options["options"]
    assert parse("postgres://u@h/db?keepalives_idle=3").connect_options().get("keepalives_idle") is None
    assert parse("postgresql://u@h/db").workspace == "default"
    for bad, message in (("postgresql://u@h/db?workspace=a%20b", "not a valid name"),
                         ("postgresql://u:pw@h/", "names no database"),
                         ("postgresql://u@h/db?lock_timeout=soon", "not a number of seconds")):
        with pytest.raises(PlannerError, match=message) as caught:
            parse(bad)
        assert "pw" not in str(caught.value)


def test_a_file_state_run_never_imports_psycopg(hello, tmp_path):
    code = ("import sys\nfrom planner.cli import main\nsys.argv = ['planner', 'plan', 'hello-app']\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
            "assert 'psycopg' not in sys.modules, 'psycopg was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_an_unreachable_server_is_a_clear_error_without_the_password(cli, hello, tmp_path):
    result = cli("plan", str(hello), "--state", "postgresql://bob:hunter2@127.0.0.1:9/planner")
    assert result.code == 1
    assert "PostgreSQL state postgresql://bob:***@127.0.0.1:9/planner (workspace default): connecting to" in result.err
    assert "hunter2" not in result.err + result.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hello-app"]  # no local file named after the URL


@needs_server
def test_apply_plan_show_and_planner_state_against_postgresql(cli, hello, url, server, monkeypatch):
    secret_url = url.replace("planner@", "planner:hunter2@")  # trust authentication: the password is not needed
    applied = cli("apply", str(hello), "--auto-approve", "--state", secret_url)
    assert applied.code == 0, applied.err
    assert "State serial 1." in applied.out and "hunter2" not in applied.out + applied.err
    monkeypatch.setenv("PLANNER_STATE", url)
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0  # PLANNER_STATE is the default --state
    shown = cli("show", "-o", "json")
    assert shown.code == 0 and json.loads(shown.out)["serial"] == 1
    database = url.split("/")[3].split("?")[0]
    rows = server.sql(database, "SELECT workspace, serial, jsonb_typeof(state) FROM planner_state")
    assert rows == [("default", 1, "object")]
    key = open_backend(url).secret_key()  # made on first need, in its own table, never in the state row
    assert server.sql(database, "SELECT key FROM planner_secret_key") == [(key,)]
    assert open_backend(url).secret_key() == key
    assert server.sql(database, f"SELECT count(*) FROM planner_state WHERE state::text LIKE '%{key.hex()}%'") == [(0,)]
    other = cli("plan", str(hello), "--state", url + "&workspace=staging", "-o", "json")
    assert other.json()["summary"]["create"] > 0  # one database, many workspaces


@needs_server
def test_a_held_lock_fails_fast_naming_the_holder_and_lock_timeout_waits(cli, hello, url):
    holder = open_backend(url.replace("planner@", "planner:hunter2@"))
    with holder.lock("apply"):
        result = cli("apply", str(hello), "--auto-approve", "--state", url.replace("planner@", "planner:hunter2@"))
        assert result.code == 1
        assert "Error acquiring the state lock on postgresql://planner:***@/" in result.err
        assert f"held by pid {os.getpid()} on " in result.err and "operation 'apply'" in result.err
        assert "hunter2" not in result.err
        waited = cli("apply", str(hello), "--auto-approve", "--state", url, "--lock-timeout", "0.5")
        assert waited.code == 1 and "held by pid" in waited.err
        assert cli("force-unlock", "--state", url).code == 1  # the holder's session is alive: --force needed
    assert holder.holder() is None
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0


@needs_server
def test_force_unlock_ends_the_holding_session(cli, url):
    holder = open_backend(url)
    with pytest.raises(PlannerError, match=r"connection|closed|terminat"), holder.lock("apply"):
        result = cli("force-unlock", "--state", url, "--force")
        assert result.code == 0 and "broken (it was held by pid" in result.out
        holder.read()  # its session was ended
    assert open_backend(url).holder() is None


@needs_server
def test_keepalives_reach_the_server_so_a_vanished_clients_session_and_lock_end_within_a_minute(server, url):
    tcp = server.tcp_url(url.split("/")[3].split("?")[0])
    backend = open_backend(tcp + "?workspace=w")
    conn = backend.connection()
    settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in
                ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")}
    assert settings == {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}
    assert 10 + 5 * 3 < 60  # idle, then count probes `interval` apart: the server drops the session in ~25 s
    assert conn.info.get_parameters()["keepalives_idle"] == "10"
    assert conn.info.get_parameters()["tcp_user_timeout"] == "30000"
    with backend.lock("apply"):
        assert open_backend(url + "&workspace=w").holder() is not None  # one lock, whichever way one connects


@needs_server
def test_a_write_checks_the_serial_the_plan_was_made_against(url):
    one, two = open_backend(url), open_backend(url)
    first, second = one.read().state, two.read().state
    one.write(first, 0)
    with pytest.raises(PlannerError, match=r"changed by another operation since it was read \(serial 0 -> 1\)"):
        two.write(second, 0)
    assert two.read().state.serial == 1


@needs_server
def test_history_show_serial_and_rollback_which_adds_a_version(cli, hello, url):
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 5")
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0
    history = cli("state", "history", "--state", url)
    assert history.code == 0, history.err
    lines = history.out.splitlines()
    assert lines[1].split()[:3] == ["SERIAL", "WRITTEN", "BY"] and [line.split()[0] for line in lines[2:]] == ["1", "2"]
    assert all("sha256:" in line for line in lines[2:])
    old = cli("state", "show", "--serial", "1", "--state", url, "-o", "json")
    assert old.code == 0 and json.loads(old.out)["serial"] == 1
    rolled = cli("state", "rollback", "--serial", "1", "--state", url)
    assert rolled.code == 0 and "serial 3 is a copy of serial 1" in rolled.out
    edit(hello / "hello-web.yaml", "replicas: 5", "replicas: 3")
    assert cli("plan", str(hello), "--state", url, "--detailed-exitcode").code == 0  # version 1's contents again
    versions = json.loads(cli("state", "history", "--state", url, "-o", "json").out)["versions"]
    assert [v["serial"] for v in versions] == [1, 2, 3] and versions[2]["plan_digest"] == "rollback to serial 1"
    assert len({v["lineage"] for v in versions}) == 1
    missing = cli("state", "show", "--serial", "9", "--state", url)
    assert missing.code == 1 and "no version with serial 9" in missing.err


def test_a_file_state_has_no_history_and_says_so(cli, hello):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    for args in (("history",), ("show", "--serial", "1"), ("rollback", "--serial", "1")):
        result = cli("state", *args)
        assert result.code == 1 and "keeps no history" in result.err and "postgresql://" in result.err, args


@needs_server
def test_migrate_keeps_lineage_serial_and_secret_key_and_refuses_a_full_workspace(cli, hello, url, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    source = json.loads((tmp_path / "planner.state.json").read_text())
    key = (tmp_path / "planner.state.json.key").read_text() if (tmp_path / "planner.state.json.key").exists() else None
    moved = cli("state", "migrate", "--from", "planner.state.json", "--to", url)
    assert moved.code == 0, moved.err
    assert f"serial 2, lineage {source['lineage']}" in moved.out
    target = open_backend(url)
    state = target.read().state
    assert (state.serial, state.lineage) == (2, source["lineage"])
    if key is not None:
        assert target.secret_key().hex() == key.strip()
    assert cli("plan", str(hello), "--state", url, "--detailed-exitcode").code == 0
    again = cli("state", "migrate", "--from", "planner.state.json", "--to", url)
    assert again.code == 1 and "already holds a state (serial 2" in again.err
    to_file = cli("state", "migrate", "--from", url, "--to", "other.json")
    assert to_file.code == 1 and "writes to a postgresql:// URL" in to_file.err


@needs_server
def test_a_user_without_privileges_gets_a_clear_error(cli, hello, server, url):
    database = url.split("/")[3].split("?")[0]
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0
    server.sql(database, "DROP ROLE IF EXISTS reader")
    server.sql(database, "CREATE ROLE reader LOGIN")
    result = cli("plan", str(hello), "--state", url.replace("planner@", "reader@"))
    assert result.code == 1 and "permission denied" in result.err and "needs SELECT, INSERT" in result.err


@needs_server
def test_ten_concurrent_applies_serialise_into_a_full_history(url, tmp_path):
    """Five wait for the lock (--lock-timeout), five fail fast if it is held: every apply that succeeds is one
    version, in order, and every one that fails names the holder and wrote nothing."""
    processes = []
    for i in range(10):
        folder = tmp_path / f"app{i}"
        write(folder / "many.yaml", many_apps(3, replicas=i + 1))  # each input differs: each apply writes
        wait = ("--lock-timeout", "300") if i % 2 == 0 else ()
        processes.append((folder, _start(folder, "apply", "many.yaml", "--auto-approve", "--state", url, *wait)))
    results = [(p.wait(timeout=600), (folder / "err.log").read_text()) for folder, p in processes]
    assert all(code == 0 for code, _ in results[0::2]), results  # the waiting ones all got their turn
    for code, err in results:
        assert code == 0 or ("Error acquiring the state lock" in err and "held by pid" in err), err
    applied = sum(code == 0 for code, _ in results)
    backend = open_backend(url)
    state = backend.read().state
    history = backend.history()
    assert state.serial == applied and [v["serial"] for v in history] == list(range(1, applied + 1))
    assert len({v["lineage"] for v in history}) == 1 == len({state.lineage})
    assert all(v["plan_digest"].startswith("sha256:") for v in history)
    assert backend.holder() is None and backend.read().recovered == 0


@needs_server
def test_a_journal_of_another_state_is_kept_aside_never_replayed_or_deleted(cli, hello, url, server):
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0
    database = url.split("/")[3].split("?")[0]
    server.sql(database, "INSERT INTO planner_journal (workspace, lineage, base_serial, line) VALUES "
                         "('default', 'another-lineage', 7, '{\"upsert\":[],\"delete\":[\"x\"]}')")
    plan = cli("plan", str(hello), "--state", url, "--detailed-exitcode")
    assert plan.code == 0 and "belongs to another state" in plan.err and "not replayed" in plan.err
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 2")
    assert cli("apply", str(hello), "--auto-approve", "--state", url).code == 0
    assert server.sql(database, "SELECT base_serial, orphaned_at IS NOT NULL FROM planner_journal") == [(7, True)]
    assert "another state" not in cli("plan", str(hello), "--state", url).err


def _blocked_write(server, database: str):
    """Lock planner_state against SELECT ... FOR UPDATE (reads still pass): an apply then journals all its
    operations and waits to write the new version (`_wait_blocked`): a slow apply, stopped at a known point, with
    no hook in planner. Closing the returned connection lets writes through."""
    import psycopg

    conn = psycopg.connect(f"host={server.dir} port={server.port} user=planner dbname={database}")
    conn.execute("LOCK TABLE planner_state IN EXCLUSIVE MODE")
    return conn


def _wait_blocked(server, database: str, process: subprocess.Popen, cwd: Path) -> None:
    query = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'planner' AND wait_event_type = 'Lock'")
    while not server.sql(database, query)[0][0]:
        assert process.poll() is None, (cwd / "err.log").read_text()
        time.sleep(0.02)


@needs_server
def test_sigkill_mid_apply_then_a_new_apply_succeeds_without_force_unlock(cli, url, server, tmp_path):
    write(tmp_path / "many.yaml", many_apps(50))
    database = url.split("/")[3].split("?")[0]
    open_backend(url).secret_key()  # the tables exist
    blocker = _blocked_write(server, database)
    process = _start(tmp_path, "apply", "many.yaml", "--auto-approve", "--state", url)
    _wait_blocked(server, database, process, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    blocker.close()
    backend = open_backend(url)
    assert backend.holder() is None  # the server ended the session, and its lock with it
    read = backend.read()
    assert read.state.serial == 0 and read.recovered == 101  # every completed operation was journalled
    assert cli("plan", "many.yaml", "--state", url, "--detailed-exitcode").code == 0  # none is planned again
    again = cli("apply", "many.yaml", "--auto-approve", "--state", url)
    assert again.code == 0, again.err
    assert "recovered" in again.err
    assert [v["serial"] for v in backend.history()] == [1]  # the recovered journal, folded in as version 1
    assert backend.read().recovered == 0


@needs_server
def test_a_database_that_disappears_mid_apply_is_a_clear_error_and_the_last_version_is_intact(cli, tmp_path):
    own = Server(BINARIES).start()
    try:
        database = own.create_database()
        url = own.url(database)
        write(tmp_path / "many.yaml", many_apps(2))
        assert cli("apply", "many.yaml", "--auto-approve", "--state", url).code == 0
        write(tmp_path / "many.yaml", many_apps(40))
        blocker = _blocked_write(own, database)
        process = _start(tmp_path, "apply", "many.yaml", "--auto-approve", "--state", url)
        _wait_blocked(own, database, process, tmp_path)
        own.stop("immediate")
        assert process.wait(timeout=120) == 1
        blocker.close()
        text = (tmp_path / "err.log").read_text()
        assert "PostgreSQL state" in text and "writing the state to the database failed" in text, text
        assert "the last committed version is intact" in text and "Traceback" not in text
        own.start()
        backend = open_backend(url)
        read = backend.read()
        assert read.state.serial == 1 and len(backend.version(1).resources) == 5  # the committed version, whole
        assert read.recovered == 76 and len(read.state.resources) == 81  # and every operation journalled after it
        assert [v["serial"] for v in backend.history()] == [1]
        assert backend.holder() is None
        assert cli("apply", "many.yaml", "--auto-approve", "--state", url).code == 0
        assert cli("plan", "many.yaml", "--state", url, "--detailed-exitcode").code == 0
    finally:
        own.stop("immediate")
        own.remove()
