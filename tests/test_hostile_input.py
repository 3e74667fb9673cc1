"""Hostile and broken YAML: refused fast with a located message, exit 1, no traceback, no state written.

These run as real processes with a timeout, so a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import pytest
from conftest import write

from planner import limits

LAUGHS = "a: &a [" + ", ".join(['"lol"'] * 10) + "]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8))


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  " + LAUGHS.replace("\n", "\n  "),
     "bomb.yaml:1:1: document 1 expands to more than 1,000,000 values through aliases (alias bomb?)"),
    ("deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "deep.yaml:1:1003: invalid YAML: exceeded maximum"),
    ("deepmap.yaml", "a:\n" + "".join("  " * i + "  b:\n" for i in range(1, 1200)) + "  " * 1200 + "  c: 1\n",
     "deepmap.yaml:1000:2002: invalid YAML: exceeded maximum nesting depth"),
    ("empties.yaml", "---\n---\n# only comments\n---\n", "empties.yaml: file contains no YAML documents (only empty"),
    ("tags.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: !!python/name:os.system\n",
     "tags.yaml:3:11: invalid YAML: tag tag:yaml.org,2002:python/name:os.system is not allowed"),
    ("custom.yaml", "apiVersion: v1\nkind: !Secret ConfigMap\nmetadata:\n  name: x\n",
     "custom.yaml:2:7: invalid YAML: tag !Secret is not allowed"),
    ("keys.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  ? [a, b]\n  : c\n",
     "keys.yaml:5:5: invalid YAML: found unhashable key"),
    ("nokind.yaml", "apiVersion: v1\nmetadata:\n  name: x\n", 'nokind.yaml:1:1: kind: missing required field "kind"'),
    ("scalar.yaml", "just a string\n", "scalar.yaml:1:1: document 1 is a plain value, not a Kubernetes object"),
    ("crlf.yaml", "a: b\r\n\tc: d\r\n", "crlf.yaml:2:1: invalid YAML"),
])
def test_hostile_yaml_is_refused_with_a_located_error(proc, tmp_path, name, content, expected):
    write(tmp_path / name, content)
    result = proc("plan", name, timeout=30)
    assert result.code == 1, result.out
    assert result.err.startswith(expected), result.err
    assert not (tmp_path / "planner.state.json").exists()


def test_utf16_with_bom_is_read(proc, tmp_path):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    (tmp_path / "u16.yaml").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = proc("validate", "u16.yaml")
    assert result.code == 0, result.err


def test_file_and_document_limits(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024)
    write(tmp_path / "big.yaml", "data: " + "x" * 2000 + "\n")
    result = cli("validate", "big.yaml")
    assert result.code == 1 and result.err.startswith("big.yaml: file is larger than")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 64 * 2**20)
    monkeypatch.setattr(limits, "MAX_DOCUMENTS", 3)
    write(tmp_path / "many.yaml", "---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"
                                               for i in range(5)))
    result = cli("validate", "many.yaml")
    assert result.code == 1 and "more than 3 documents" in result.err
