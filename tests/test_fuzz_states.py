"""Fuzzing states: a valid state (the hello app applied), mutated anywhere (keys dropped, types and values changed,
items duplicated, bytes truncated or flipped), is read by every command that reads a state. Each either works or
exits 1 with a message naming the state file; never a traceback or an internal error, and a refused state is never
overwritten."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, _run_in_process, json_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COMMANDS = (("show",), ("show", "-o", "json"), ("get", "pods", "-o", "wide"), ("get", "services"),
            ("get", "nodes"), ("get", "endpoints"), ("plan", "hello-app"), ("apply", "hello-app", "--auto-approve"),
            ("destroy", "--auto-approve"))

ODD_VALUES = (None, True, 0, -1, 2**63, 1.5, "", "x", "10.0.0.0/33", "999.1.1.1", [], {}, [None], {"": None})


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


class Base:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        shutil.copytree(EXAMPLES / "hello-app", folder / "hello-app")
        assert _run_in_process(["apply", "hello-app", "--auto-approve"], folder).code == 0
        self.raw = (folder / "planner.state.json").read_bytes()
        self.data = json.loads(self.raw)
        self.paths = [p for p in json_paths(self.data) if p]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return Base(tmp_path_factory.mktemp("state-fuzz"))


mutations = st.one_of(
    st.tuples(st.just("drop"), st.integers(min_value=0)),
    st.tuples(st.just("set"), st.integers(min_value=0), st.sampled_from(ODD_VALUES)),
    st.tuples(st.just("truncate"), st.integers(min_value=0)),
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
)


def _mutated(base: Base, mutation: tuple[Any, ...]) -> bytes:
    kind = mutation[0]
    if kind == "truncate":
        return base.raw[: mutation[1] % len(base.raw)]
    if kind == "flip":
        position = mutation[1] % len(base.raw)
        raw = bytearray(base.raw)
        raw[position] ^= mutation[2]
        return bytes(raw)
    data = copy.deepcopy(base.data)
    path = base.paths[mutation[1] % len(base.paths)]
    parent = _parent(data, path)
    if kind == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = mutation[2]
    return json.dumps(data).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(mutation=mutations, command=st.sampled_from(COMMANDS))
def test_a_damaged_state_is_a_clear_error_never_a_crash(base: Base, mutation: tuple[Any, ...],
                                                        command: tuple[str, ...]) -> None:
    state = base.folder / "planner.state.json"
    for leftover in base.folder.glob("planner.state.json.*"):
        leftover.unlink()
    damaged = _mutated(base, mutation)
    state.write_bytes(damaged)
    result = _run_in_process(list(command), base.folder)
    assert "Traceback" not in result.err and "internal error" not in result.err, (mutation, command, result.err)
    assert result.code in (0, 1, 2), (mutation, command, result.code, result.err)
    if result.code == 1:
        assert result.err.strip(), (mutation, command)
        if command[0] in ("apply", "destroy") and "state" in result.err:
            assert state.read_bytes() == damaged  # a refused state is never overwritten
