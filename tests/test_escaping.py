"""Terminal escape injection: no string from the input, a saved plan or the state reaches the terminal raw.

An image `evil\\e[2J\\e]0;pwned\\a` would clear the screen and retitle the window, a `\\n` in it would forge an output
line, U+202E would reverse what follows. Every text output shows them as visible escapes; JSON output keeps them as
JSON escapes and the same values.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import EXAMPLES, edit, write

from planner.render.escape import UNSAFE, escape, escape_json, is_clean, join_lines

HOSTILE_IMAGE = "evil\x1b[2J\x1b]0;pwned\x07\nFORGED LINE\u202e\x9b\u2028:1"
HOSTILE_YAML = r'"evil\e[2J\e]0;pwned\a\nFORGED LINE\u202e\x9b\L:1"'  # the same string in YAML's escapes
RAW = {chr(c) for c in UNSAFE} - {"\n"}


def assert_terminal_safe(result) -> None:
    """No control character but the renderer's newlines, and no line forged by the input's newline."""
    for stream in (result.out, result.err):
        assert not RAW & set(stream), sorted(RAW & set(stream))
        assert not any(line.startswith("FORGED") for line in stream.splitlines())
        assert not {0x1B, 0x07, 0x9B} & set(stream.encode("utf-8", "surrogatepass"))


@pytest.fixture
def hostile(tmp_path):
    """hello-app with a container image full of terminal escapes and a newline."""
    target = tmp_path / "app"
    shutil.copytree(EXAMPLES / "hello-app", target)
    edit(target / "hello-web.yaml", "image: us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0",
         f"image: {HOSTILE_YAML}")
    return target


def test_a_hostile_image_is_escaped_in_the_plan(proc, hostile):
    result = proc("plan", "app")  # a real process: the bytes that reach the terminal
    assert result.code == 0, result.err
    assert_terminal_safe(result)
    # the value in JSON's escapes, the step description in escape.py's
    assert ('.image = "evil\\u001b[2J\\u001b]0;pwned\\u0007\\nFORGED LINE\\u202e\\u009b\\u2028:1"' in result.out)
    assert "pulls evil\\x1b[2J\\x1b]0;pwned\\x07\\nFORGED LINE\\u202e\\x9b\\u2028:1" in result.out


def test_a_hostile_image_is_escaped_in_apply_and_in_show_of_the_saved_plan(cli, hostile):
    planned = cli("plan", "app", "--out", "app.tfplan")
    shown = cli("show", "app.tfplan")
    applied = cli("apply", "app.tfplan")
    for result in (planned, shown, applied):
        assert result.code == 0, result.err
        assert_terminal_safe(result)
    assert " pulls evil\\x1b[2J\\x1b]0;pwned\\x07\\nFORGED LINE" in applied.out
    assert shown.out == planned.out.split("\nSaved the plan to:")[0]
    for command in (("show",), ("get", "pods", "-o", "wide"), ("get", "deployments", "-o", "wide")):
        assert_terminal_safe(cli(*command))


def test_json_output_keeps_the_value_and_escapes_every_control_character(cli, hostile):
    result = cli("plan", "app", "-o", "json")
    assert_terminal_safe(result)
    assert "\\u009b" in result.out and "\\u202e" in result.out and "\\u2028" in result.out
    images = [c["after"] for r in result.json()["resource_changes"] for c in r.get("changes", [])
              if c["path"].endswith(".image")]
    assert images == [HOSTILE_IMAGE]


def test_a_control_character_in_a_yaml_key_is_escaped_in_the_error(cli, tmp_path):
    write(tmp_path / "bad.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'
                                 '  "sneaky\\e[2J\\e]0;pwned\\a\\nFORGED": 1\n')
    result = cli("validate", "bad.yaml")
    assert result.code == 1
    assert_terminal_safe(result)
    assert result.err.splitlines() == [
        "bad.yaml:5:3: metadata.sneaky\\x1b[2J\\x1b]0;pwned\\x07\\nFORGED: unknown field", "1 error in 1 file"]


def test_a_kind_with_controls_is_escaped_in_the_error(cli, tmp_path):
    write(tmp_path / "bad.yaml", 'apiVersion: "v1\\e[31m"\nkind: "Config\\u202eMap\\nFORGED"\nmetadata:\n  name: x\n')
    result = cli("plan", "bad.yaml")
    assert result.code == 1
    assert_terminal_safe(result)
    assert "Config\\u202eMap\\nFORGED" in result.err


def test_a_tampered_saved_plan_is_shown_escaped(cli, tmp_path):
    shutil.copytree(EXAMPLES / "hello-app", tmp_path / "app")
    assert cli("plan", "app", "--out", "app.tfplan").code == 0
    saved = json.loads((tmp_path / "app.tfplan").read_text())
    old, new = "ContainerCluster/hello-cluster", "ContainerCluster/\x1b[2J\x1b]0;pwned\x07\nFORGED"
    text = json.dumps(saved["plan"]).replace(old, json.dumps(new)[1:-1])  # only the plan section
    saved["plan"] = json.loads(text)
    saved["plan"]["diagnostics"].append({"severity": "warning", "message": "be\x9bware\nFORGED"})
    (tmp_path / "app.tfplan").write_text(json.dumps(saved))
    result = cli("show", "app.tfplan")
    assert_terminal_safe(result)
    if result.code == 0:  # refusing the tampered plan would do as well
        assert "  + ContainerCluster/\\x1b[2J\\x1b]0;pwned\\x07\\nFORGED\n" in result.out
        assert "Warning: be\\x9bware\\nFORGED" in result.out
    assert_terminal_safe(cli("show", "app.tfplan", "-o", "json"))


def test_a_tampered_state_is_shown_escaped_by_show_and_get(cli, tmp_path):
    shutil.copytree(EXAMPLES / "hello-app", tmp_path / "app")
    assert cli("apply", "app", "--auto-approve").code == 0
    state = json.loads((tmp_path / "planner.state.json").read_text())
    pod = state["resources"]["Deployment/default/hello-web"]["status"]["pods"][0]
    pod["metadata"]["name"] = "pod\x1b[2J\nFORGED\u202e"
    (tmp_path / "planner.state.json").write_text(json.dumps(state))
    shown, pods = cli("show"), cli("get", "pods", "-o", "wide")
    for result in (shown, pods, cli("get", "pods", "-o", "json"), cli("show", "-o", "json")):
        assert_terminal_safe(result)
    if shown.code == 0:
        assert "    pod pod\\x1b[2J\\nFORGED\\u202e  Running" in shown.out
    if pods.code == 0:  # the columns line up on the escaped name
        header, *rows = pods.out.splitlines()
        row = next(r for r in rows if "FORGED" in r)
        assert row.index("1/1") == header.index("READY")


def test_printable_unicode_is_left_alone(cli, tmp_path):
    shutil.copytree(EXAMPLES / "hello-app", tmp_path / "app")
    write(tmp_path / "app" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n"
                                        "data:\n  text: \"héllo 日本 👋\"\n")
    result = cli("plan", "app")
    assert result.code == 0, result.err
    assert '+ data.text = "héllo 日本 👋"' in result.out.replace("  ", "")  # alignment padding aside


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


@pytest.mark.parametrize("chunk_lines", [1, 7, 100_000])
def test_a_plan_written_in_chunks_is_the_whole_plan_escaped(cli, hostile, monkeypatch, chunk_lines):
    """plan writes its text in pieces (render.text.text_chunks): each is escaped on its own, and together they are
    the text of one piece, whichever piece holds the hostile line."""
    import planner.render.text as text_renderer

    whole = cli("plan", "app")
    monkeypatch.setattr(text_renderer, "CHUNK_LINES", chunk_lines)
    chunked = cli("plan", "app")
    assert chunked.code == whole.code == 0, chunked.err
    assert_terminal_safe(chunked)
    assert chunked.out == whole.out
    assert "pulls evil\\x1b[2J\\x1b]0;pwned\\x07\\nFORGED LINE" in chunked.out
    pieces = list(text_renderer.text_chunks(json.loads(cli("plan", "app", "-o", "json").out)))
    assert len(pieces) > 1 if chunk_lines < 100 else len(pieces) == 1
    assert all(piece.endswith("\n") for piece in pieces)
