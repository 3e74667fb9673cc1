"""Output on a terminal (a real pseudo-terminal): colour as terraform's, lines fitted to the terminal's width with a
hanging indent; none of it when piped, with NO_COLOR or --no-color, and piped bytes never depend on COLUMNS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _on_a_terminal(args: list[str], cwd: Path, columns: int = 80, env: dict[str, str] | None = None) -> str:
    """planner's stdout when it is a terminal `columns` wide."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {**os.environ, "COLUMNS": str(columns), **(env or {})}
    environment.pop("NO_COLOR", None) if "NO_COLOR" not in (env or {}) else None
    process = subprocess.Popen([sys.executable, "-m", "planner", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=slave, stderr=subprocess.PIPE, env=environment)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes when the process exits (EIO on Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_plan_on_a_terminal_is_coloured_and_fits_its_width(tmp_path, hello):
    out = _on_a_terminal(["plan", str(hello)], tmp_path, columns=80)
    assert "\x1b[32m+\x1b[0m ContainerCluster/hello-cluster" in out  # green +, as terraform's
    plain = ANSI.sub("", out)
    assert max(len(line) for line in plain.splitlines()) <= 80
    steps = [line for line in plain.splitlines() if re.match(r"\s+\d+\. \S+/\S+", line)]
    assert steps and all(len(line) <= 80 for line in steps)
    # the hanging indent: a wrapped step's next line starts under its text, not at column 0
    lines = plain.splitlines()
    following = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line in steps and lines[i + 1].startswith(" ")]
    assert following


def test_no_colour_with_no_color_or_the_flag(tmp_path, hello):
    assert "\x1b[" not in _on_a_terminal(["plan", str(hello)], tmp_path, env={"NO_COLOR": "1"})
    assert "\x1b[" not in _on_a_terminal(["--no-color", "plan", str(hello)], tmp_path)


def test_piped_output_is_the_same_bytes_whatever_the_terminal_width(proc, hello):
    narrow = subprocess.run([sys.executable, "-m", "planner", "plan", str(hello)], capture_output=True,
                            env={**os.environ, "COLUMNS": "60"}, cwd=hello.parent)
    wide = subprocess.run([sys.executable, "-m", "planner", "plan", str(hello)], capture_output=True,
                          env={**os.environ, "COLUMNS": "200"}, cwd=hello.parent)
    assert narrow.stdout == wide.stdout and b"\x1b[" not in narrow.stdout
    assert max(len(line) for line in narrow.stdout.decode().splitlines()) > 80  # laid out only for terminals


def test_json_on_a_terminal_is_neither_wrapped_nor_coloured(tmp_path, hello):
    import json

    out = _on_a_terminal(["plan", str(hello), "-o", "json"], tmp_path, columns=80)
    assert "\x1b[" not in out and json.loads(out)["summary"]["create"] == 3
