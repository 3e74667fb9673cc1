"""Fuzzing saved plans: a valid saved plan, mutated (keys dropped, types and values changed, bytes truncated or
flipped), is shown and applied through the CLI. Each command either succeeds as with the original plan or exits 1
with a message; never a traceback or an internal error, and a refused plan never changes the state.

Structural mutations are sealed again (the body digest recomputed) half of the time, so that what lies behind the
digest (the checks of every field, the recomputed plan) is fuzzed too, not only the digest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, _run_in_process, edit, json_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STATE_FILES = ("planner.state.json", "planner.state.json.backup")


class Base:
    """One folder: a state at serial 1, a saved plan against it (scale to 4 replicas), what `show` prints for it
    and the state its apply writes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        shutil.copytree(EXAMPLES / "hello-app", folder / "hello-app")
        assert self.run("apply", "hello-app", "--auto-approve").code == 0
        edit(folder / "hello-app" / "hello-web.yaml", "replicas: 3", "replicas: 4")
        assert self.run("plan", "hello-app", "--out", "base.plan").code == 0
        self.raw = (folder / "base.plan").read_bytes()
        self.payload = json.loads(self.raw)
        self.paths = list(json_paths(self.payload))
        self.states = self.stored()
        self.shown = {fmt: self.run("show", "base.plan", "-o", fmt).out for fmt in ("text", "json")}
        assert self.run("apply", "base.plan").code == 0
        self.applied = self.state()
        self.restore()

    def state(self) -> object:
        """The state file's contents, without the times the simulation stamps (creationTimestamp)."""
        return _timeless(json.loads((self.folder / "planner.state.json").read_bytes()))

    def run(self, *args: str):
        return _run_in_process(list(args), self.folder)

    def stored(self) -> dict[str, bytes | None]:
        return {name: (self.folder / name).read_bytes() if (self.folder / name).exists() else None
                for name in STATE_FILES}

    def restore(self) -> None:
        for name, raw in self.states.items():
            if raw is None:
                (self.folder / name).unlink(missing_ok=True)
            else:
                (self.folder / name).write_bytes(raw)
        (self.folder / "planner.state.json.journal").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return Base(tmp_path_factory.mktemp("fuzz-saved-plans"))


def _timeless(node: object) -> object:
    if isinstance(node, dict):
        return {k: _timeless(v) for k, v in node.items() if not k.endswith(("Timestamp", "Time"))}
    if isinstance(node, list):
        return [_timeless(v) for v in node]
    return node


def seal(payload: object) -> object:
    if isinstance(payload, dict):
        body = {k: v for k, v in payload.items() if k != "digest"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        payload = {**payload, "digest": "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()}
    return payload


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=8),
    st.sampled_from([134, "1.34", "1.99", "", "0", -1, "planner-saved-plan", "sha256:" + "0" * 64, "create",
                     "no-op", "delete", "Deployment/default/hello-web", "default", "v1", "apps/v1"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _changed(value: object) -> object:
    """A nearby value of the same type: the mutations a hand edit makes."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 + 1
    if isinstance(value, str):
        return value + "x" if len(value) % 2 else value[:-1]
    if isinstance(value, list):
        return value[:-1] if value else [None]
    if isinstance(value, dict):
        return {**value, "extra": 1}
    return 0


@st.composite
def mutated(draw: st.DrawFn, base: Base) -> tuple[bytes, bool]:
    """A damaged copy of the saved plan, and whether its digest was recomputed."""
    how = draw(st.sampled_from(["drop", "replace", "change", "truncate", "flip"]))
    if how == "truncate":
        return base.raw[:draw(st.integers(0, len(base.raw) - 1))], False
    if how == "flip":
        raw = bytearray(base.raw)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(raw) - 1))
            raw[at] ^= draw(st.integers(1, 255))
        return bytes(raw), False
    payload = copy.deepcopy(base.payload)
    path = draw(st.sampled_from(base.paths))
    if not path:
        payload = draw(values)
    else:
        parent = payload
        for token in path[:-1]:
            parent = parent[token]
        if how == "drop":
            del parent[path[-1]]
        elif how == "replace":
            parent[path[-1]] = draw(values)
        else:
            parent[path[-1]] = _changed(parent[path[-1]])
    resealed = draw(st.booleans())
    if resealed:
        payload = seal(payload)
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n", resealed


def check(result) -> None:
    assert result.code in (0, 1), (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    if result.code == 1:
        assert result.err.strip(), "refused without a message"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_saved_plan_is_shown_and_applied_as_it_was_or_refused(base, data):
    raw, resealed = data.draw(mutated(base))
    base.restore()
    (base.folder / "m.plan").write_bytes(raw)
    for fmt in ("text", "json"):
        shown = base.run("show", "m.plan", "-o", fmt)
        check(shown)
        if shown.code == 0 and not resealed:  # without the digest recomputed, only a harmless change shows
            assert shown.out == base.shown[fmt]
    applied = base.run("apply", "m.plan", "--auto-approve")
    check(applied)
    if applied.code == 0:
        assert base.state() == base.applied, "an accepted plan applied something else than the original"
    else:
        assert base.stored() == base.states
