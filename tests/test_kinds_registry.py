"""One home per kind: the registry refuses duplicates, every stage asks it (no stage compares against a kind or
family name), and a new kind is one module plus its registration."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from planner import kinds
from planner.kinds.base import GetView, KindSpec, Rank, S, Schema

PLANNER = Path(__file__).resolve().parents[1] / "planner"


def _python_files() -> list[Path]:
    return sorted(p for p in PLANNER.rglob("*.py") if "kinds" not in p.relative_to(PLANNER).parts[:1])


def _names() -> set[str]:
    names = {spec.family for spec in kinds.specs()}
    names |= {kind for _, kind in kinds.REGISTRY.modelled()}
    return names


def _compared_constants(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants on either side of ==, !=, in, not in (also inside a tuple, list or set literal)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in [node.left, *node.comparators]:
            values = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
            found += [(node.lineno, v.value) for v in values
                      if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return found


def test_no_stage_compares_against_a_kind_or_family_name():
    names = _names()
    offenders = [f"{path.relative_to(PLANNER)}:{line}: {value!r}" for path in _python_files()
                 for line, value in _compared_constants(ast.parse(path.read_text())) if value in names]
    assert not offenders, offenders


FIELD_NAMES = {"namespace"}
"""Family names that are also field names (`metadata.namespace`): as a family they are still covered by the test
above, but the word itself rightly appears wherever objects are addressed."""


def test_each_family_name_is_written_in_at_most_three_modules():
    for spec in kinds.specs():
        if spec.family in FIELD_NAMES:
            continue
        modules = [p for p in PLANNER.rglob("*.py")
                   if any(isinstance(n, ast.Constant) and n.value == spec.family
                          for n in ast.walk(ast.parse(p.read_text())))]
        assert len(modules) <= 3, (spec.family, modules)


def test_no_module_under_planner_exceeds_450_lines():
    sizes = {str(p.relative_to(PLANNER)): len(p.read_text().splitlines()) for p in PLANNER.rglob("*.py")}
    long = {name: n for name, n in sizes.items() if n > 450}
    assert not long, long


def test_every_registered_family_and_phase_is_complete():
    for spec in kinds.specs():
        assert set(spec.handlers) == {"create", "update", "delete"}, spec.family
        assert {"create", "delete"} <= set(spec.steps), spec.family
        for _, change_class in spec.change_classes:
            assert change_class in spec.steps, (spec.family, change_class)
        for view in spec.views:
            assert view.columns and callable(view.rows), (spec.family, view.name)
        assert all(isinstance(k, int) for k in spec.upgrades), spec.family


def test_the_registry_refuses_a_family_or_kind_registered_twice():
    existing = next(iter(kinds.specs()))
    with pytest.raises(ValueError, match="registered twice"):
        kinds.REGISTRY.register(existing)
    clash = KindSpec(family="clash", rank=Rank(4, "test"), steps={}, handlers={},
                     kinds=(next(iter(kinds.REGISTRY.modelled())),))
    with pytest.raises(ValueError, match="claimed by"):
        kinds.REGISTRY.register(clash)


# ---------------------------------------------------------------- a toy kind, end to end

TOY_API = "toys.example.com/v1"


def _toy_apply(engine: Any, op: Any, status: dict[str, Any]) -> Any:
    from planner.simulate.engine import OpResult

    if op.phase != "delete":
        status["spec"] = {"colour": (op.change.after.get("spec") or {}).get("colour", "plain")}
    return OpResult(op.change.address, op.phase, {"event": "toy-done", "name": op.change.name, "phase": op.phase})


def _toy_rows(state: Any) -> list[dict[str, Any]]:
    return [{"name": r.name, "colour": r.status["spec"]["colour"]} for r in state.resources.values()
            if r.family == "toy"]


TOY = KindSpec(
    family="toy",
    kinds=((TOY_API, "Widget"),),
    rank=Rank(4, "a toy stands with the configuration"),
    steps={
        "create": (S("cluster-master", "kube-apiserver", "stores Widget {name} in {colour}"),),
        "delete": (S("cluster-master", "kube-apiserver", "deletes Widget {name}"),),
        "repaint": (S("controller", "garbage-collector", "repaints Widget {name} {colour}"),),
    },
    handlers={"create": _toy_apply, "update": _toy_apply, "delete": _toy_apply},
    schema=Schema(inline={"type": "object", "required": ["spec"], "properties": {
        "spec": {"type": "object", "additionalProperties": False,
                 "properties": {"colour": {"enum": ["red", "blue"]}}}}}),
    defaults=(("spec.colour", "red"),),
    change_classes=(("spec.colour", "repaint"),),
    context=lambda op, facts: {"colour": ((op.change.after or op.change.before or {}).get("spec") or {}).get(
        "colour")},
    views=(GetView("widgets", _toy_rows, (("NAME", "name"), ("COLOUR", "colour")), aliases=("widget",)),),
    messages={"toy-done": "widget {name}: {phase} done"},
)


@pytest.fixture
def toy():
    kinds.REGISTRY.register(TOY)
    try:
        yield TOY
    finally:
        kinds.REGISTRY.unregister("toy")


CLUSTER = """apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: c
spec:
  location: us-central1-b
  initialNodeCount: 1
"""


def test_a_new_kind_is_one_module_plus_its_registration(toy, cli, tmp_path):
    (tmp_path / "in.yaml").write_text(CLUSTER + f"---\napiVersion: {TOY_API}\nkind: Widget\nmetadata:\n"
                                                "  name: w\nspec: {}\n")
    plan = cli("plan", "in.yaml", "-o", "json")
    assert plan.code == 0, plan.err
    steps = [s["description"] for s in plan.json()["steps"] if s["address"] == "Widget/default/w"]
    assert steps == ["stores Widget w in red"]  # the toy's own default, step and context
    applied = cli("apply", "in.yaml", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "widget w: create done" in applied.out
    rows = json.loads(cli("get", "widgets", "-o", "json").out)["items"]
    assert rows == [{"name": "w", "colour": "red"}]
    (tmp_path / "in.yaml").write_text((tmp_path / "in.yaml").read_text().replace("spec: {}", "spec: {colour: blue}"))
    repaint = cli("plan", "in.yaml", "-o", "json").json()
    assert [s["description"] for s in repaint["steps"]] == ["repaints Widget w blue"]
    (tmp_path / "in.yaml").write_text((tmp_path / "in.yaml").read_text().replace("blue", "green"))
    refused = cli("plan", "in.yaml")
    assert refused.code == 1 and "in.yaml:" in refused.err and "green" in refused.err
