"""Checks of the markup planner writes, shared by the markdown, mermaid and golden tests.

`check_markdown` parses a comment with markdown-it-py (CommonMark) and fails on an unbalanced `<details>`, a fence
that runs to the end of the comment, or any HTML but the tags the renderer writes itself (a name or value that
became HTML). `parse_mermaid` runs Mermaid's own parser (tests/js/parse.mjs, `mermaid.parse` under jsdom) on
diagrams; it skips the test where node or npm is missing or the install fails. The npm packages are installed
once per package-lock.json into a cache directory (PLANNER_TEST_CACHE, default ~/.cache/planner-tests), never
into the repository, so a fresh machine runs the same way: `npm ci` from the committed lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

JS = Path(__file__).resolve().parent / "js"
ALLOWED_HTML = re.compile(r"</?(details|summary|code)>")
_TAG = re.compile(r"<[^>]*>")


def check_markdown(text: str) -> list:
    """The comment's tokens, after asserting that its markup balances and holds no HTML the renderer did not write."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines = text.split("\n")
    depth = 0
    for token in _flat(tokens):
        if token.type in ("html_block", "html_inline"):
            for tag in _TAG.findall(token.content):
                assert ALLOWED_HTML.fullmatch(tag), f"unexpected HTML {tag!r} in {token.content!r}"
                if tag == "<details>":
                    depth += 1
                elif tag == "</details>":
                    depth -= 1
                    assert depth >= 0, "</details> without <details>"
        if token.type == "fence":
            end = token.map[1]
            assert end <= len(lines) and lines[end - 1].strip() == token.markup, \
                f"fence opened on line {token.map[0] + 1} is not closed"
    assert depth == 0, f"{depth} <details> left open"
    assert text.count("<summary>") == text.count("</summary>") == text.count("<details>")
    return tokens


def _flat(tokens: list) -> list:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flat(token.children or []))
    return out


def _installed() -> Path:
    lock = (JS / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("PLANNER_TEST_CACHE", Path.home() / ".cache" / "planner-tests"))
    target = cache / f"mermaid-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (target / "node_modules" / "mermaid").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(JS / name, target / name)
        try:
            done = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=target,
                                  capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"npm ci failed: {exc}")
        if done.returncode != 0:
            pytest.skip(f"npm ci failed: {done.stderr[-500:]}")
    shutil.copy(JS / "parse.mjs", target / "parse.mjs")
    return target


def parse_mermaid(diagrams: dict[str, str], work: Path) -> dict[str, dict]:
    """Mermaid's verdict on each diagram (name -> {"ok", "type"|"error"}); skips without node and npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run Mermaid's parser")
    target = _installed()
    files = []
    for index, (name, text) in enumerate(diagrams.items()):
        path = work / f"diagram-{index}.mmd"
        path.write_text(text)
        files.append((name, path))
    done = subprocess.run(["node", str(target / "parse.mjs"), *(str(p) for _, p in files)], capture_output=True,
                          text=True, timeout=300)
    verdicts = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(verdicts) == len(files), done.stderr
    return {name: verdict for (name, _), verdict in zip(files, verdicts, strict=True)}


def mermaid_blocks(tokens: list) -> list[str]:
    """The ```mermaid blocks of a parsed comment."""
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == "mermaid"]
