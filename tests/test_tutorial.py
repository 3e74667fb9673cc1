"""docs/tutorial.md is run as written: its ```console blocks in order, in one folder holding a copy of examples/,
with the clock one minute further at each command and the lineage fixed, so every pasted output must still be
what planner prints (a line `...` stands for any number of lines). `diff A B` compares two files as diff would."""

from __future__ import annotations

import difflib
import shlex
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import EXAMPLES, REPO, _run_in_process
from console import console_blocks, matches

DOC = REPO / "docs" / "tutorial.md"
LINEAGE = "00000000-0000-4000-8000-000000000001"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _run(command: str, cwd: Path) -> list[str]:
    words = shlex.split(command)
    if words[0] == "diff":
        a, b = (cwd / w for w in words[1:])
        return list(difflib.unified_diff(a.read_text().splitlines(), b.read_text().splitlines(), lineterm=""))
    assert words[0] == "planner", f"the tutorial runs planner and diff only, not {command!r}"
    into = None
    if ">" in words:
        at = words.index(">")
        words, into = words[:at], words[at + 1]
    result = _run_in_process(words[1:], cwd)
    assert result.code == 0, (command, result.err)
    assert "Traceback" not in result.err
    if into is not None:
        (cwd / into).write_text(result.out)
        return result.err.splitlines()
    return (result.out + result.err).rstrip("\n").split("\n")


def test_the_tutorial_shows_what_planner_prints(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.setenv("PLANNER_LINEAGE", LINEAGE)
    blocks = console_blocks(DOC)
    assert len(blocks) >= 10
    for minute, (command, expected) in enumerate(blocks):
        monkeypatch.setenv("PLANNER_NOW", (T0 + timedelta(minutes=minute)).isoformat())
        actual = _run(command, tmp_path)
        assert matches(expected, actual), "\n".join([f"docs/tutorial.md, `{command}`:", *expected, "",
                                                     "planner printed:", *actual])


def test_the_readme_links_the_tutorial():
    assert "(docs/tutorial.md)" in (REPO / "README.md").read_text()
