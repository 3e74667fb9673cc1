"""```console blocks in the project's documents (README.md, docs/tutorial.md): each starts with `$ COMMAND` and shows
what planner prints; a line `...` stands for any number of lines. Shared by the tests that keep them current."""

from __future__ import annotations

import re
from pathlib import Path


def console_blocks(path: Path) -> list[tuple[str, list[str]]]:
    """(command, expected lines) of each ```console block, in document order."""
    out = []
    for body in re.findall(r"```console\n(.*?)```", path.read_text(), flags=re.S):
        lines = body.rstrip("\n").split("\n")
        assert lines[0].startswith("$ "), lines[0]
        out.append((lines[0][2:], lines[1:]))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """`expected` in order at the start of `actual` (a block may end before the output does), each line as it is,
    a `...` line skipping any number of lines."""
    def go(i: int, j: int) -> bool:
        if i == len(expected):
            return True
        if expected[i].strip() == "...":
            return any(go(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and expected[i].rstrip() == actual[j].rstrip() and go(i + 1, j + 1)
    return go(0, 0)
