"""No secret leaves in clear, anywhere: known secrets (Secret data and stringData, secret-named env literals, values
the planner.dev/sensitive annotation names) go through every command in every output format the CLI offers, and
are looked for in every output, every file planner wrote, and every journal line.

The formats are read from the CLI itself (each command's `-o` choices), and every command must be exercised, so a
format or command added later is covered, or this test fails until it is."""

from __future__ import annotations

import base64
import enum
import typing

import pytest
from conftest import write

from planner.cli import app
from planner.render.show import STATE_RENDERERS
from planner.state import journal

SECRETS = {
    "data": "data-secret-1a2b",
    "string": "stringdata-secret-3c4d",
    "env": "env-password-5e6f",
    "marked_env": "marked-env-7a8b",
    "marked_cm": "marked-configmap-9c0d",
}
CHANGED = {k: v + "-v2" for k, v in SECRETS.items()}
ERROR_SECRETS = ("987654321", "err-secret-a1", "err-secret-b2", "55667788")


def inputs(values: dict[str, str]) -> str:
    return f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: {base64.b64encode(values["data"].encode()).decode()}
stringData:
  token: {values["string"]}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
  annotations:
    planner.dev/sensitive: /data/smtp.password
data:
  smtp.password: {values["marked_cm"]}
  log-level: debug
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    planner.dev/sensitive: DATABASE_URL
spec:
  replicas: 1
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: DB_PASSWORD
              value: {values["env"]}
            - name: DATABASE_URL
              value: postgres://app:{values["marked_env"]}@db:5432/app
"""


BAD = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: not*base64*err-secret-a1
stringData:
  other: 987654321
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
  annotations:
    planner.dev/sensitive: /data/tok
data:
  tok: 55667788
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: DB_PASSWORD
              value: 987654321
            - name: API_TOKEN
              value: {a: err-secret-b2}
"""


def _formats() -> dict[str, list[str]]:
    """Each command's `-o` choices, read from the Enum its `output` parameter is typed with ([] without -o)."""
    out: dict[str, list[str]] = {}
    for command in app.registered_commands:
        callback = command.callback
        assert callback is not None
        name = command.name or callback.__name__.replace("_", "-")
        kind = typing.get_type_hints(callback).get("output")
        out[name] = [member.value for member in kind] if isinstance(kind, enum.EnumMeta) else []
    return out


def _needles(values: tuple[str, ...]) -> list[bytes]:
    """Each secret as it could leak: itself, and base64 (Secret data's form)."""
    return [form for v in values for form in (v.encode(), base64.b64encode(v.encode()))]


@pytest.fixture
def journal_lines(monkeypatch) -> list[bytes]:
    """Every line apply's journal wrote (it is removed once folded into the state, so it is caught as written)."""
    lines: list[bytes] = []
    entry, header = journal.entry, journal.header

    def spy_entry(*args, **kwargs):
        line = entry(*args, **kwargs)
        lines.append(line)
        return line

    def spy_header(*args, **kwargs):
        head = header(*args, **kwargs)
        lines.append(repr(head).encode())
        return head

    monkeypatch.setattr(journal, "entry", spy_entry)
    monkeypatch.setattr(journal, "header", spy_header)
    return lines


def write_inputs(folder, values: dict[str, str]) -> None:
    """The Secret in a file of its own, the rest in another: a file with Secret data is never cached, the other one
    (keyed digests of env literals and annotated values) is, and its entry is grepped like every file written."""
    secret, rest = inputs(values).split("---\n", 1)
    write(folder / "secrets.yaml", secret)
    write(folder / "marked.yaml", rest)


def test_no_secret_in_any_output_or_file_of_any_command(cli, hello, tmp_path, journal_lines, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))  # inside tmp_path: grepped below
    formats = _formats()
    exercised: set[str] = set()
    outputs: list[tuple[tuple[str, ...], str]] = []

    def run(*args: str, codes: tuple[int, ...] = (0,)) -> None:
        result = cli(*args)
        assert result.code in codes, (args, result.code, result.err)
        exercised.add(args[0])
        outputs.append((args, result.out + result.err))

    def every_format(command: str, *args: str, codes: tuple[int, ...] = (0,)) -> None:
        for output in formats[command]:
            run(command, *args, "-o", output, codes=codes)

    def show_state() -> None:
        """show without a plan file: the state's formats (markdown and mermaid need a plan, and say so)."""
        assert set(STATE_RENDERERS) < set(formats["show"])
        for output in STATE_RENDERERS:
            run("show", "-o", output)

    write_inputs(hello, SECRETS)
    every_format("validate", str(hello))
    every_format("plan", str(hello))
    run("plan", str(hello), "--show-commands", "--explain")  # the Secrets' commands: files named, values never
    every_format("explain", "Secret")
    run("plan", str(hello), "--out", "first.plan")
    every_format("show", "first.plan")
    run("apply", "first.plan")
    show_state()
    for view in ("pods", "deployments", "replicasets", "secrets", "configmaps", "services", "endpoints", "nodes"):
        every_format("get", view, "-A")
    every_format("force-unlock")

    write_inputs(hello, CHANGED)  # every secret changes: shown as changed, never as values
    every_format("plan", str(hello), "--detailed-exitcode", codes=(2,))
    changed = cli("plan", str(hello)).out
    assert changed.count("(sensitive value changed)") == len(CHANGED), changed
    run("plan", str(hello), "--show-commands")  # changed values: made again from files, piped to apply
    run("plan", str(hello), "--out", "second.plan")
    every_format("show", "second.plan")
    every_format("apply", str(hello), "--auto-approve")  # text, then JSON lines (a no-op by then)
    every_format("plan", "--destroy")
    for output in formats["destroy"]:  # destroy in each format: apply again in between
        run("apply", str(hello), "--auto-approve")
        run("destroy", "--auto-approve", "-o", output)
    run("apply", str(hello), "--auto-approve")
    show_state()
    for output in formats["run"]:  # planner run on the Secret, the ConfigMap and the Deployment that hold them
        for kind, name in (("secret", "db"), ("configmap", "conf"), ("deployment", "api")):
            run("run", "-o", output, "--", "kubectl", "label", kind, name, f"by-{output}=yes")
    every_format("plan", str(hello), "--detailed-exitcode", codes=(2,))  # the drift: its values masked too
    every_format("export")

    bad = write(tmp_path / "bad" / "bad.yaml", BAD)
    every_format("validate", str(bad), codes=(1,))
    every_format("plan", str(bad), codes=(1,))
    assert "got (hidden)" in outputs[-1][1]  # the error is there, its value is not

    missing = set(formats) - exercised - {"version"}
    assert not missing, f"commands this test does not run yet: {missing}"
    assert (tmp_path / "planner.state.json.backup").exists() and journal_lines  # the files looked at do exist
    secrets = tuple(SECRETS.values()) + tuple(CHANGED.values())
    for args, text in outputs:
        for needle in _needles(secrets + ERROR_SECRETS):
            assert needle.decode() not in text, (args, needle)
    inputs_dirs = (hello, tmp_path / "bad")
    written = [p for p in tmp_path.rglob("*") if p.is_file() and not any(p.is_relative_to(d) for d in inputs_dirs)]
    assert {"first.plan", "second.plan", "planner.state.json", "planner.state.json.key"} <= {p.name for p in written}
    entries = [p for p in written if p.suffix == ".entry"]
    assert len(entries) >= 3, entries  # the cache's entries are among them (the marked file's, with its digests)
    for path in written:
        content = path.read_bytes()
        for needle in _needles(secrets):
            assert needle not in content, (path, needle)
    for line in journal_lines:
        for needle in _needles(secrets):
            assert needle not in line, needle
