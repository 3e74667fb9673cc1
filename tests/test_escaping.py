"""Terminal escape injection: no string from the input, a saved plan or the state reaches the terminal raw.

An image `evil\\e[2J\\e]0;pwned\\a` would clear the screen and retitle the window, a `\\n` in it would forge an output
line, U+202E would reverse what follows. Every text output shows them as visible escapes; JSON output keeps them as
JSON escapes and the same values.
"""

from __future__ import annotations

import json

import pytest

from planner.render.escape import UNSAFE, escape, escape_json, is_clean, join_lines

HOSTILE_IMAGE = "evil\x1b[2J\x1b]0;pwned\x07\nFORGED LINE\u202e\x9b\u2028:1"
HOSTILE_YAML = r'"evil\e[2J\e]0;pwned\a\nFORGED LINE\u202e\x9b\L:1"'  # the same string in YAML's escapes
RAW = {chr(c) for c in UNSAFE} - {"\n"}


def test_escape_shows_every_control_visibly_and_leaves_the_rest():
    assert all(not chr(c).isprintable() for c in UNSAFE)  # escape()'s fast path relies on it
    assert escape("a\x1b[2J\tb\r\n\x7f\x85\x9b\u200e\u202e\u2066\u2028\ud800 é日本\\") == (
        "a\\x1b[2J\\tb\\r\\n\\x7f\\x85\\x9b\u200e\\u202e\\u2066\\u2028\\ud800 é日本\\")
    assert escape("plain text") == "plain text"
    assert escape_json(json.dumps("\x1b\x7f\x9b\u202e é", ensure_ascii=False)) == '"\\u001b\\u007f\\u009b\\u202e é"'
    assert json.loads(escape_json(json.dumps("\x7f\x9b\u2029", ensure_ascii=False))) == "\x7f\x9b\u2029"


@pytest.mark.parametrize("line", ["a\x1bb", "new\nline", "é\u202e", "\x9b", "\x00", "\ud800"])
def test_one_bad_line_makes_join_lines_escape(line):
    assert not is_clean("".join(["ok", line]))
    assert join_lines(["ok é 日本", line, ""]) == f"ok é 日本\n{escape(line)}\n\n"
    assert join_lines(["ok é 日本", "fine", ""]) == "ok é 日本\nfine\n\n"
