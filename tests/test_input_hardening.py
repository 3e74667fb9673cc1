"""Input is never skipped silently: every file or directory planner cannot read is an error naming it.

A part of the input left out would be planned for destruction, so an unreadable directory, a broken link or a FIFO
is refused, at once and by name; symbolic links are followed (with loop detection); special roots are refused fast.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, write

from planner import limits
from planner.load import load


def refused(result) -> list[str]:
    assert result.code == 1, result.out + result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return result.err.splitlines()


def split_tree(root: Path) -> Path:
    """`env/` holds the cluster; its Deployment and Service live in `shared/apps`, linked as `env/apps`."""
    (root / "env").mkdir(parents=True)
    (root / "shared" / "apps").mkdir(parents=True)
    shutil.copy(EXAMPLES / "hello-app" / "cluster.yaml", root / "env" / "cluster.yaml")
    shutil.copy(EXAMPLES / "hello-app" / "hello-web.yaml", root / "shared" / "apps" / "hello-web.yaml")
    return root / "env"


# ---------------------------------------------------------------- symbolic links


def test_a_symlinked_directory_is_followed(cli, tmp_path):
    env = split_tree(tmp_path)
    (env / "apps").symlink_to("../shared/apps")
    result = cli("validate", "env")
    assert result.code == 0, result.err
    assert "Valid: 3 resource(s) in 2 file(s)" in result.out  # was 1: the linked folder was ignored


def test_a_symlinked_file_is_followed(cli, tmp_path):
    env = split_tree(tmp_path)
    (env / "web.yaml").symlink_to("../shared/apps/hello-web.yaml")
    result = cli("validate", "env")
    assert result.code == 0, result.err
    assert "Valid: 3 resource(s) in 2 file(s)" in result.out


def test_a_symlink_loop_is_an_error_not_an_endless_walk(proc, tmp_path):
    env = split_tree(tmp_path)
    (env / "apps").symlink_to("../shared/apps")
    (tmp_path / "shared" / "apps" / "back").symlink_to("../../env")
    (env / "self").symlink_to(".")
    lines = refused(proc("validate", "env", timeout=30))
    assert "env/self: symbolic link loop: leads back to a directory it is inside" in lines[1]
    assert lines[0].startswith("env/apps/back: symbolic link loop: leads back to a directory it is inside")


def test_a_self_referencing_symlink_is_named(cli, tmp_path):
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (tmp_path / "app" / "knot.yaml").symlink_to("knot.yaml")
    assert refused(cli("validate", "app")) == [
        "app/knot.yaml: symbolic link loop (too many levels of symbolic links)", "1 error in 1 file"]


def test_a_dangling_symlink_is_an_error_naming_it(cli, tmp_path):
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (tmp_path / "app" / "gone.yaml").symlink_to("moved-away.yaml")
    (tmp_path / "app" / "old-apps").symlink_to("../apps-before-the-rename")
    lines = refused(cli("validate", "app"))
    assert lines == ["app/gone.yaml: broken symbolic link: its target moved-away.yaml does not exist",
                     "app/old-apps: broken symbolic link: its target ../apps-before-the-rename does not exist",
                     "2 errors in 2 files"]
    assert refused(cli("validate", "app/gone.yaml"))[0] == (
        "app/gone.yaml: broken symbolic link: its target moved-away.yaml does not exist")


def test_a_symlink_into_a_system_directory_is_refused(cli, tmp_path):
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (tmp_path / "app" / "kernel").symlink_to("/proc")
    assert refused(cli("validate", "app"))[0] == (
        "app/kernel: refusing to read the system directory /proc: give the folder that holds your manifests")


# ---------------------------------------------------------------- special files and roots


def test_a_fifo_is_refused_without_blocking(proc, tmp_path):
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    os.mkfifo(tmp_path / "app" / "pipe.yaml")
    message = ("cannot read: a named pipe (FIFO), not a regular file; to read a pipe, send it to planner's stdin "
               "with -")
    assert refused(proc("validate", "app", timeout=30))[0] == f"app/pipe.yaml: {message}"
    assert refused(proc("validate", "app/pipe.yaml", timeout=30))[0] == f"app/pipe.yaml: {message}"


def test_a_socket_in_a_directory_is_refused(cli, tmp_path):
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    short = Path(tempfile.mkdtemp())  # AF_UNIX paths are limited to ~100 bytes; tmp_path may be longer
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(short / "s.yaml"))
            (tmp_path / "app" / "agent.yaml").symlink_to(short / "s.yaml")
            assert refused(cli("validate", "app"))[0] == "app/agent.yaml: cannot read: a socket, not a regular file"
    finally:
        shutil.rmtree(short)


def test_a_device_given_as_a_path_is_refused(cli):
    assert refused(cli("validate", "/dev/null"))[0] == "/dev/null: cannot read: a character device, not a regular file"


@pytest.mark.parametrize(("root", "expected"), [
    ("/", "/: refusing to read the whole filesystem: give the folder that holds your manifests"),
    ("/proc", "/proc: refusing to read the system directory /proc: give the folder that holds your manifests"),
    ("/sys/kernel", "/sys/kernel: refusing to read the system directory /sys: give the folder that holds your"),
])
def test_special_roots_are_refused_fast(proc, root, expected):
    if not Path(root).is_dir():
        pytest.skip(f"{root} does not exist here")
    assert refused(proc("validate", root, timeout=20))[0].startswith(expected)


def test_a_walk_is_bounded(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_DIRECTORY_ENTRIES", 5)
    for i in range(8):
        write(tmp_path / "many" / f"c{i}.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n")
    assert refused(cli("validate", "many"))[0] == (
        "many: more than 5 entries in this directory tree: not a folder of manifests?")


def test_directories_still_give_their_yaml_files_sorted_and_skip_hidden_ones(cli, tmp_path):
    for name in ("b/z.yml", "a.yaml", "b/a.yaml", ".git/x.yaml", "b/.hidden.yaml"):
        write(tmp_path / "in" / name, f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name[:1]}-\n")
    (tmp_path / "in" / "notes.txt").write_text("not yaml")
    lines = refused(cli("validate", "in"))  # the names end with "-": one error per file read, in order
    assert [line.split(":")[0] for line in lines[:-1]] == ["in/a.yaml", "in/b/a.yaml", "in/b/z.yml"]


# ---------------------------------------------------------------- permissions (as an unprivileged user)


def _as_nobody() -> list[str]:
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to user nobody (as root, permissions do not apply)")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    command = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    check = subprocess.run([*command, sys.executable, "-c", "import planner.cli"], capture_output=True, cwd="/")
    if check.returncode != 0:
        pytest.skip(f"user nobody cannot import planner here: {check.stderr.decode()[-200:]}")
    return command


def _unreadable_tree() -> Path:
    root = Path(tempfile.mkdtemp(prefix="planner-perm-"))
    root.chmod(0o755)
    shutil.copy(EXAMPLES / "hello-app" / "cluster.yaml", root / "cluster.yaml")
    (root / "apps").mkdir()
    shutil.copy(EXAMPLES / "hello-app" / "hello-web.yaml", root / "apps" / "hello-web.yaml")
    return root


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_an_unreadable_subdirectory_is_an_error_not_a_destroy(command):
    run_as = _as_nobody()
    root = _unreadable_tree()
    try:
        (root / "apps").chmod(0)
        done = subprocess.run([*run_as, sys.executable, "-m", "planner", command, "."], cwd=root,
                              capture_output=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
        err = done.stderr.decode()
        assert done.returncode == 1, done.stdout.decode() + err
        assert err.splitlines()[0] == "apps: cannot read directory: Permission denied"
        assert "destroy" not in done.stdout.decode()
    finally:
        (root / "apps").chmod(0o755)
        shutil.rmtree(root)


def test_an_unreadable_file_and_an_unsearchable_directory_are_named():
    run_as = _as_nobody()
    root = _unreadable_tree()
    try:
        (root / "cluster.yaml").chmod(0)
        (root / "apps").chmod(0o644)  # listable, but its entries cannot be looked at
        done = subprocess.run([*run_as, sys.executable, "-m", "planner", "validate", "."], cwd=root,
                              capture_output=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
        lines = done.stderr.decode().splitlines()
        assert done.returncode == 1
        assert lines[:2] == ["apps/hello-web.yaml: cannot read: Permission denied",
                             "cluster.yaml: cannot read: Permission denied"], lines
    finally:
        (root / "apps").chmod(0o755)
        shutil.rmtree(root)


# ---------------------------------------------------------------- stdin


def test_stdin_from_dev_null_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "planner", "validate", "-"], stdin=subprocess.DEVNULL, cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[0] == "<stdin>: file contains no YAML documents"


def test_closed_stdin_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "planner", "validate", "-"], cwd=tmp_path, capture_output=True,
                          timeout=60, preexec_fn=lambda: os.close(0))
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "internal error" not in err and err.startswith("<stdin>: cannot read stdin"), err


def test_load_words_a_missing_or_closed_stdin():
    assert [d.message for d in load(["-"], None).errors] == ["cannot read stdin: it is closed or was not given"]
    closed = io.BytesIO(b"a: b\n")
    closed.close()
    assert [d.message for d in load(["-"], closed).errors] == ["cannot read: it is closed"]
