"""The file state in a hostile or damaged environment: links planted by another user, private modes, a full disk,
crashed writers' temporary files, read-only folders, damaged journals and hand-edited state.

Tests needing a user without root's powers run planner as `nobody` in a fresh folder under /tmp (pytest's tmp_path
is private to root); they are skipped when the tests do not run as root, or `nobody` cannot run this Python."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, Result, many_apps, write

REPO = Path(__file__).resolve().parents[1]
STATE = "planner.state.json"


# ---------------------------------------------------------------- running as another user


def _nobody_python() -> list[str] | None:
    """A command line running this planner as `nobody`, or None when that is impossible here."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], str(REPO)}
    env = ["env", f"PYTHONPATH={os.pathsep.join(sorted(paths))}", "PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp"]
    for python in (sys.executable, shutil.which(version), f"/usr/bin/{version}"):
        if not python:
            continue
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *env, python]
        probe = subprocess.run([*command, "-c", "import planner.cli, pydantic"], capture_output=True, cwd="/tmp")
        if probe.returncode == 0:
            return command
    return None


NOBODY = _nobody_python()
needs_nobody = pytest.mark.skipif(NOBODY is None, reason="needs root, setpriv and a Python that user nobody can run")


def as_nobody(cwd: Path, *args: str) -> Result:
    assert NOBODY is not None
    done = subprocess.run([*NOBODY, "-m", "planner", *args], cwd=cwd, capture_output=True, timeout=120)
    result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    return result


def as_nobody_shell(cwd: Path, command: str) -> None:
    subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", command], cwd=cwd,
                   check=True)


@pytest.fixture
def shared_dir():
    """A fresh folder under /tmp that other users can reach (mode set by each test)."""
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="planner-hardening-"))
    os.chmod(folder, 0o755)
    shutil.copytree(EXAMPLES / "hello-app", folder / "hello-app")
    for path in folder.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _run_root(cwd: Path, *args: str) -> Result:
    done = subprocess.run([sys.executable, "-m", "planner", *args], cwd=cwd, capture_output=True, timeout=120)
    result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    return result


# ---------------------------------------------------------------- 1. links


@needs_nobody
@pytest.mark.parametrize("name", [f"{STATE}.lock", f"{STATE}.journal", f"{STATE}.backup", f"{STATE}.key"])
def test_a_link_planted_by_another_user_is_refused_and_its_target_untouched(shared_dir, name):
    # A sticky folder of root's, where nobody may add files (like /tmp): root's apply must not write through them.
    os.chmod(shared_dir, 0o1777)
    victim = shared_dir / "victim.txt"
    victim.write_text("precious\n")
    if name.endswith((".backup", ".key")):  # these are only written once a state exists
        assert _run_root(shared_dir, "apply", "hello-app", "--auto-approve").code == 0
        os.unlink(shared_dir / name) if (shared_dir / name).exists() else None
        (shared_dir / "hello-app" / "hello-web.yaml").write_text(
            (shared_dir / "hello-app" / "hello-web.yaml").read_text().replace("replicas: 3", "replicas: 2"))
        (shared_dir / "hello-app" / "secret.yaml").write_text(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n")
    as_nobody_shell(shared_dir, f"ln -s {victim} {name}")
    before = (shared_dir / STATE).read_bytes() if (shared_dir / STATE).exists() else None
    result = _run_root(shared_dir, "apply", "hello-app", "--auto-approve")
    assert victim.read_text() == "precious\n"
    if name.endswith(".backup"):  # renamed over, never opened: the link itself is replaced
        assert result.code == 0 and not (shared_dir / name).is_symlink()
        assert (shared_dir / name).read_bytes() == before
        return
    assert result.code == 1
    assert f"{name} is a symbolic link" in result.err and "rm " in result.err, result.err
    assert (shared_dir / name).is_symlink()
    now = (shared_dir / STATE).read_bytes() if (shared_dir / STATE).exists() else None
    assert now == before


def test_temporary_files_have_random_names_and_are_never_opened_through_a_link(tmp_path, monkeypatch):
    from planner.state import fs

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    target = tmp_path / STATE
    # The old fixed name `.<name>.<pid>.tmp`, planted as a link, is simply not used.
    (tmp_path / f".{STATE}.{os.getpid()}.tmp").symlink_to(victim)
    fs.atomic_write(target, b"{}", 0o600)
    first, second = fs.temporary_name(target), fs.temporary_name(target)
    assert first != second and first.name.startswith(f".{STATE}.{os.getpid()}.")
    # Even a guessed name is created with O_EXCL | O_NOFOLLOW.
    monkeypatch.setattr(fs, "temporary_name", lambda path: tmp_path / "guessed.tmp")
    (tmp_path / "guessed.tmp").symlink_to(victim)
    from planner.errors import PlannerError

    with pytest.raises(PlannerError, match="File exists"):
        fs.atomic_write(target, b"{}", 0o600)
    assert victim.read_text() == "precious\n" and target.read_bytes() == b"{}"


def test_a_state_path_that_is_a_link_updates_and_locks_the_real_file(cli, hello, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link.json").symlink_to(real / STATE)
    assert cli("apply", str(hello), "--auto-approve", "--state", "link.json").code == 0
    (hello / "hello-web.yaml").write_text((hello / "hello-web.yaml").read_text().replace("replicas: 3", "replicas: 1"))
    assert cli("apply", str(hello), "--auto-approve", "--state", "link.json").code == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads((real / STATE).read_text())["serial"] == 2
    assert json.loads((real / f"{STATE}.backup").read_text())["serial"] == 1
    assert (real / f"{STATE}.lock").exists() and not (tmp_path / "link.json.lock").exists()
    # Both names now lock the one lock file.
    from planner.state import FileBackend

    with FileBackend(real / STATE).lock("apply"):
        held = cli("apply", str(hello), "--auto-approve", "--state", "link.json")
    assert held.code == 1 and "Error acquiring the state lock" in held.err
    assert cli("plan", str(hello), "--state", "link.json", "--detailed-exitcode").code == 0


@pytest.mark.parametrize("mode", [0o777, 0o1777])
def test_a_folder_other_users_can_write_is_refused_unless_sticky_and_ours(cli, hello, tmp_path, mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, mode)
    result = cli("apply", str(hello), "--auto-approve", "--state", f"shared/{STATE}")
    if mode == 0o1777:  # sticky and ours: nobody else can touch our files there
        assert result.code == 0, result.err
        return
    assert result.code == 1
    assert "refusing to keep the state in shared" in result.err and "writable by other users" in result.err
    assert "chmod o-w" in result.err
    assert os.listdir(shared) == []


@needs_nobody
def test_a_sticky_folder_of_another_user_is_refused(shared_dir):
    os.chmod(shared_dir, 0o1777)  # root's sticky folder, like /tmp, seen by nobody
    result = as_nobody(shared_dir, "apply", "hello-app", "--auto-approve", "--state", f"{shared_dir}/{STATE}")
    assert result.code == 1 and "writable by other users" in result.err


# ---------------------------------------------------------------- 2. modes


def test_the_state_mode_is_kept_for_state_backup_and_journal_and_new_ones_are_private(cli, hello, tmp_path):
    state = tmp_path / STATE
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    for mode in (0o600, 0o640):
        os.chmod(state, mode)
        web = hello / "hello-web.yaml"
        web.write_text(web.read_text().replace("replicas: 3", "replicas: 2") if "replicas: 3" in web.read_text()
                       else web.read_text().replace("replicas: 2", "replicas: 3"))
        assert cli("apply", str(hello), "--auto-approve").code == 0
        assert stat.S_IMODE(state.stat().st_mode) == mode
        assert stat.S_IMODE((tmp_path / f"{STATE}.backup").stat().st_mode) == mode


def test_a_journal_gets_the_state_mode(tmp_path):
    from planner.state import FileBackend, State

    backend = FileBackend(tmp_path / STATE)
    backend.write(State(), 0)
    os.chmod(tmp_path / STATE, 0o640)
    journal = backend.journal(backend.read().state)
    journal.close()
    assert stat.S_IMODE((tmp_path / f"{STATE}.journal").stat().st_mode) == 0o640


# ---------------------------------------------------------------- 3. temporary files, disk full


def _fail_writes_after(monkeypatch, budget: int) -> None:
    real_write = os.write
    left = [budget]

    def write(fd: int, data) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        chunk = bytes(data)[:max(1, min(len(data), left[0]))]
        left[0] -= len(chunk)
        return real_write(fd, chunk)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("budget", [0, 300, 20_000, 60_000])
def test_a_full_disk_is_a_clear_error_leaves_no_temporary_file_and_the_state_unchanged(cli, tmp_path, monkeypatch,
                                                                                      budget):
    write(tmp_path / "many.yaml", many_apps(30))
    assert cli("apply", "many.yaml", "--auto-approve").code == 0
    before = (tmp_path / STATE).read_bytes()
    assert len(before) > 60_000
    write(tmp_path / "many.yaml", many_apps(30, replicas=2))
    with monkeypatch.context() as patch:
        _fail_writes_after(patch, budget)
        result = cli("apply", "many.yaml", "--auto-approve")
    assert result.code == 1
    assert "no space left on device writing" in result.err and "free space" in result.err, result.err
    assert "internal error" not in result.err
    assert (tmp_path / STATE).read_bytes() == before
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    # Once space is back, the next apply finishes the job (recovering what the journal kept).
    assert cli("apply", "many.yaml", "--auto-approve").code == 0
    assert cli("plan", "many.yaml", "--detailed-exitcode").code == 0


def test_temporary_files_of_a_crashed_writer_are_removed_at_the_next_start(cli, hello, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [f".{STATE}.{dead.pid}.tmp", f".{STATE}.{dead.pid}.0a1b2c.tmp", f".{STATE}.backup.{dead.pid}.99aa.tmp"]
    live = f".{STATE}.{os.getpid()}.abcdef.tmp"  # a writer still running: not ours to remove
    other = f".other.json.{dead.pid}.tmp"  # another state's
    for name in [*stale, live, other]:
        (tmp_path / name).write_text("partial")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    left = {p for p in os.listdir(tmp_path) if p.endswith(".tmp")}
    assert left == {live, other}


# ---------------------------------------------------------------- 4. damaged environment


def test_a_lock_path_that_is_a_directory_is_a_clear_error(cli, hello, tmp_path):
    (tmp_path / f"{STATE}.lock").mkdir()
    result = cli("apply", str(hello), "--auto-approve")
    assert result.code == 1
    assert f"{STATE}.lock is a directory" in result.err and "mv " in result.err, result.err


@needs_nobody
def test_a_read_only_state_folder_is_a_clear_error(shared_dir):
    os.chmod(shared_dir, 0o755)  # root's: nobody cannot write it
    result = as_nobody(shared_dir, "apply", "hello-app", "--auto-approve")
    assert result.code == 1
    assert "permission denied" in result.err and "is not writable by you" in result.err, result.err
    assert str(shared_dir) in result.err or f"{STATE}.lock" in result.err
    assert as_nobody(shared_dir, "plan", "hello-app").code == 0  # reading needs no write access


@needs_nobody
def test_an_unwritable_lock_file_and_an_unreadable_state_are_clear_errors(shared_dir):
    assert _run_root(shared_dir, "apply", "hello-app", "--auto-approve").code == 0
    os.chown(shared_dir, 65534, 65534)  # nobody's folder, holding root's files
    os.chmod(shared_dir / f"{STATE}.lock", 0o644)
    os.chmod(shared_dir / STATE, 0o600)
    locked = as_nobody(shared_dir, "apply", "hello-app", "--auto-approve")
    assert locked.code == 1
    assert f"permission denied opening {STATE}.lock" in locked.err and "ls -l" in locked.err, locked.err
    os.chmod(shared_dir / f"{STATE}.lock", 0o666)
    for command in (["plan", "hello-app"], ["show"], ["apply", "hello-app", "--auto-approve"]):
        unreadable = as_nobody(shared_dir, *command)
        assert unreadable.code == 1
        assert f"permission denied reading {STATE}" in unreadable.err and "not readable by you" in unreadable.err


# ---------------------------------------------------------------- 5. journal


def _journal(tmp_path: Path) -> Path:
    return tmp_path / f"{STATE}.journal"


def _killed_apply_journal(cli, tmp_path: Path, monkeypatch, count: int = 300) -> list[bytes]:
    """The journal of a first apply of `count` apps that was killed before it wrote the state (made by an apply
    whose journal is kept and whose state is then removed)."""
    from planner.state import FileBackend

    write(tmp_path / "many.yaml", many_apps(count))
    with monkeypatch.context() as patch:
        patch.setattr(FileBackend, "_retire_journal", lambda self, serial, state: None)
        assert cli("apply", "many.yaml", "--auto-approve").code == 0
    (tmp_path / STATE).unlink()
    return _journal(tmp_path).read_bytes().split(b"\n")


def test_a_complete_journal_is_recovered_in_full(cli, tmp_path, monkeypatch):
    lines = _killed_apply_journal(cli, tmp_path, monkeypatch)
    assert len(lines) > 300
    plan = cli("plan", "many.yaml", "--detailed-exitcode")
    assert plan.code == 0 and f"{len(lines) - 2} operation(s) it completed were recovered" in plan.err


@pytest.mark.parametrize("bad", [b"garbage", b'["valid json", "wrong shape"]', b'{"upsert": 3}',
                                 b'{"upsert": [{"address": 1}]}', b'{"delete": "x"}'])
def test_a_damaged_line_in_the_middle_of_a_journal_stops_replay_with_a_clear_error(cli, tmp_path, monkeypatch, bad):
    lines = _killed_apply_journal(cli, tmp_path, monkeypatch)
    lines[5] = bad
    _journal(tmp_path).write_bytes(b"\n".join(lines))
    for command in (["plan", "many.yaml"], ["show"], ["apply", "many.yaml", "--auto-approve"]):
        result = cli(*command)
        assert result.code == 1, (command, result.err)
        assert f"journal {STATE}.journal is damaged at line 6" in result.err, result.err
        assert "mv " in result.err and "internal error" not in result.err
    assert _journal(tmp_path).read_bytes() == b"\n".join(lines)


def test_a_torn_last_line_is_ignored_and_the_rest_recovered(cli, tmp_path, monkeypatch):
    lines = _killed_apply_journal(cli, tmp_path, monkeypatch)
    torn = b"\n".join(lines[:-2]) + b"\n" + lines[-2][:40]
    _journal(tmp_path).write_bytes(torn)
    plan = cli("plan", "many.yaml")
    assert plan.code == 0 and f"{len(lines) - 3} operation(s) it completed were recovered" in plan.err


@pytest.mark.parametrize("header", [b'{"journal": 1, "base_serial": "one"}', b"[1, 2]", b"not json"])
def test_a_journal_header_of_the_wrong_shape_is_a_clear_error(cli, hello, tmp_path, header):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    _journal(tmp_path).write_bytes(header + b'\n{"upsert": [], "delete": []}\n')
    result = cli("show")
    assert result.code == 1 and f"{STATE}.journal" in result.err and "internal error" not in result.err, result.err


def test_a_journal_of_another_state_is_moved_aside_with_a_warning_never_deleted(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    lineage = json.loads((tmp_path / STATE).read_text())["lineage"]
    orphan = json.dumps({"journal": 1, "lineage": "another-state", "base_serial": 7, "pid": 1}).encode() + b"\n"
    for head in (orphan, orphan.replace(b"another-state", lineage.encode()).replace(b'"base_serial":7',
                                                                                      b'"base_serial":5')):
        _journal(tmp_path).write_bytes(head)
        plan = cli("plan", str(hello))
        assert plan.code == 0 and "belongs to another state" in plan.err and "next apply moves it aside" in plan.err
        assert _journal(tmp_path).exists()
        (hello / "hello-web.yaml").write_text(
            (hello / "hello-web.yaml").read_text().replace("replicas: 3", "replicas: 2")
            if "replicas: 3" in (hello / "hello-web.yaml").read_text()
            else (hello / "hello-web.yaml").read_text().replace("replicas: 2", "replicas: 3"))
        applied = cli("apply", str(hello), "--auto-approve")
        assert applied.code == 0, applied.err
        assert "belongs to another state" in applied.err and "It was moved to" in applied.err
        moved = [p for p in tmp_path.iterdir() if p.name.startswith(f"{STATE}.journal.orphaned-")]
        assert moved and any(p.read_bytes() == head for p in moved)
        assert not _journal(tmp_path).exists()
        for path in moved:
            path.unlink()


def test_a_journal_already_folded_into_the_state_is_removed_silently(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    lineage = json.loads((tmp_path / STATE).read_text())["lineage"]
    # What a crash between the state's write and the journal's removal leaves: the journal of serial 0 -> 1.
    _journal(tmp_path).write_bytes(json.dumps({"journal": 1, "lineage": lineage, "base_serial": 0}).encode() + b"\n")
    plan = cli("plan", str(hello), "--detailed-exitcode")
    assert plan.code == 0 and plan.err == ""


# ---------------------------------------------------------------- 6. duplicate keys


@pytest.mark.parametrize("old, new", [('"serial":1,', '"serial":1,"serial":7,'),
                                      ('"replicas":3', '"replicas":3,"replicas":30')])
def test_a_hand_edited_state_with_a_key_given_twice_is_refused(cli, hello, tmp_path, old, new):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    state = tmp_path / STATE
    text = state.read_text()
    assert old in text
    state.write_text(text.replace(old, new, 1))
    edited = state.read_bytes()
    key = old.split('"')[1]
    for command in (["plan", str(hello)], ["show"], ["apply", str(hello), "--auto-approve"]):
        result = cli(*command)
        assert result.code == 1, (command, result.out)
        assert f"state file {STATE} has the key '{key}' twice" in result.err, result.err
    assert state.read_bytes() == edited


# ---------------------------------------------------------------- 7. force-unlock


@pytest.mark.parametrize("details", [b"", b"{damaged", b"elsewhere"])
def test_force_unlock_treats_a_holder_it_cannot_identify_as_live(cli, tmp_path, details):
    import fcntl

    from planner.state import LockInfo

    if details == b"elsewhere":
        details = LockInfo(pid=1234, host="another-host.example", user="ci", operation="apply",
                           since="2026-01-01T00:00:00+00:00").model_dump_json().encode()
    lock = tmp_path / f"{STATE}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held; details as given (b"": the moment before the holder writes them)
        os.write(fd, details)
        refused = cli("force-unlock")
        assert refused.code == 1, refused.out
        assert "cannot tell whether it is still running" in refused.err and "--force" in refused.err
        assert lock.exists()
        broken = cli("force-unlock", "--force")
        assert broken.code == 0 and "Lock on planner.state.json broken" in broken.out
        assert not lock.exists()
    finally:
        os.close(fd)


# ---------------------------------------------------------------- 8. the confirmation prompt


def _apply_on_a_terminal(tmp_path: Path, hello: Path):
    """`planner apply` with a terminal as its standard input; returns (process, the terminal's writing end) once
    it asks for confirmation."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "planner", "apply", str(hello)], cwd=tmp_path, stdin=slave,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    seen = b""
    while b"Enter a value:" not in seen:
        chunk = os.read(process.stdout.fileno(), 65536)
        assert chunk, process.stderr.read()
        seen += chunk
    return process, master


@pytest.mark.parametrize("answer, code", [(b"yes\n", 0), (b" yes \n", 1), (b"yes \n", 1), (b"Yes\n", 1)])
def test_only_exactly_yes_approves(tmp_path, hello, answer, code):
    process, master = _apply_on_a_terminal(tmp_path, hello)
    try:
        os.write(master, answer)
        _, err = process.communicate(timeout=60)
    finally:
        os.close(master)
    assert process.returncode == code, err
    assert (tmp_path / STATE).exists() == (code == 0)
    if code:
        assert b"Apply cancelled." in err


def test_ctrl_c_at_the_prompt_exits_130(tmp_path, hello):
    import signal

    process, master = _apply_on_a_terminal(tmp_path, hello)
    try:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        os.close(master)
    assert process.returncode == 130, err
    assert b"Apply cancelled" in err and b"Traceback" not in err
    assert not (tmp_path / STATE).exists()


# ---------------------------------------------------------------- 9. SIGTERM


def test_sigterm_during_apply_finishes_the_operation_in_flight_saves_and_exits_143(cli, tmp_path):
    import signal

    write(tmp_path / "many.yaml", many_apps(800))
    process = subprocess.Popen([sys.executable, "-m", "planner", "apply", "many.yaml", "--auto-approve"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while b"Deployment/default/app100: Creation complete" not in (line := process.stdout.readline()):
        assert line, process.stderr.read()
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert b"Interrupted: the operation in flight finished and the state was saved" in err and b"Not done:" in err
    state = json.loads((tmp_path / STATE).read_text())
    assert state["serial"] == 1 and 0 < len(state["resources"]) < 1601
    assert not (tmp_path / f"{STATE}.journal").exists()
    assert cli("apply", "many.yaml", "--auto-approve").code == 0
    assert cli("plan", "many.yaml", "--detailed-exitcode").code == 0


# ---------------------------------------------------------------- 10. secret digests


SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {value}\n"


def test_secret_digests_are_keyed_with_a_private_key_outside_the_state(cli, hello, tmp_path):
    import hashlib
    import hmac

    (hello / "secret.yaml").write_text(SECRET.format(value="password"))
    unsalted = hashlib.sha256(b"password").hexdigest()[:16]  # 5e884898da280471: in every rainbow table
    plan = cli("plan", str(hello), "-o", "json", "--out", "saved.plan")
    assert plan.code == 0, plan.err
    key_file = tmp_path / f"{STATE}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = bytes.fromhex(key_file.read_text().strip())
    expected = "hmac-sha256:" + hmac.new(key, b"password", hashlib.sha256).hexdigest()
    assert cli("apply", str(hello), "--auto-approve").code == 0
    shown = cli("show", "-o", "json")
    assert unsalted not in plan.out
    for text in ((tmp_path / "saved.plan").read_text(), shown.out, (tmp_path / STATE).read_text()):
        assert unsalted not in text
        assert expected in text
    assert key.hex() not in (tmp_path / STATE).read_text()
    # Another state has another key: the same value gets another digest.
    other = cli("plan", str(hello), "-o", "json", "--state", "other/planner.state.json")
    assert other.code == 0
    other_key = bytes.fromhex((tmp_path / "other" / f"{STATE}.key").read_text().strip())
    assert other_key != key
    # A changed value still plans as a (sensitive) update, an unchanged one as nothing.
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0
    (hello / "secret.yaml").write_text(SECRET.format(value="swordfish"))
    changed = cli("plan", str(hello), "-o", "json").json()
    secret = next(c for c in changed["resource_changes"] if c["kind"] == "Secret")
    assert secret["action"] == "update" and secret["changes"][0]["sensitive"] is True


def test_the_memory_backend_and_validate_need_no_key_file(cli, hello, tmp_path):
    (hello / "secret.yaml").write_text(SECRET.format(value="password"))
    assert cli("apply", str(hello), "--auto-approve", "--state", "memory:").code == 0
    assert cli("validate", str(hello)).code == 0
    assert not list(tmp_path.glob("*.key"))


def test_a_state_with_old_unkeyed_digests_plans_unchanged_and_is_upgraded_at_the_next_write(cli, hello, tmp_path):
    import hashlib

    from planner.model import digest_of

    (hello / "secret.yaml").write_text(SECRET.format(value="password"))
    assert cli("apply", str(hello), "--auto-approve").code == 0
    state_file = tmp_path / STATE
    state = json.loads(state_file.read_text())
    secret = state["resources"]["Secret/default/db"]
    secret["manifest"]["stringData"]["password"] = "sha256:" + hashlib.sha256(b"password").hexdigest()[:16]
    secret["digest"] = digest_of(secret["manifest"])
    state_file.write_text(json.dumps(state))
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0  # the same value: no change
    web = hello / "hello-web.yaml"
    web.write_text(web.read_text().replace("replicas: 3", "replicas: 2"))
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert "hmac-sha256:" in state_file.read_text() and '"sha256:' not in state_file.read_text()
    # A legacy digest whose value changed plans as changed.
    (hello / "secret.yaml").write_text(SECRET.format(value="swordfish"))
    assert cli("plan", str(hello), "--detailed-exitcode").code == 2
