"""The JSON plan is a versioned contract: its shape (the schema generated from planner/wire.py) cannot change without
a new FORMAT_VERSION, and plans saved by every earlier 1.x format still load and apply."""

from __future__ import annotations

import copy
import hashlib
import json

from conftest import REPO, edit
from test_saved_plans import read_plan, refused, write_plan

from planner.plan import FORMAT_VERSION, READABLE_VERSIONS
from planner.wire import plan_schema

FINGERPRINTS = REPO / "tests" / "fixtures" / "plan-format-fingerprints.json"


def fingerprint(schema: dict) -> str:
    """sha256 of the schema in canonical JSON, with the actor and component enums set aside: they list the
    component catalogue (planner/knowledge/components.py), which grows with what planner teaches, not the shape."""
    schema = copy.deepcopy(schema)
    for key in ("actor", "component"):
        schema["$defs"]["StepWire"]["properties"][key] = {"enum": ["<the component catalogue>"]}
    return "sha256:" + hashlib.sha256(json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_the_plan_shape_changes_only_with_a_new_format_version():
    recorded = json.loads(FINGERPRINTS.read_text())
    now = fingerprint(plan_schema())
    assert recorded.get(FORMAT_VERSION) == now, (
        f"the JSON plan's shape changed (its schema fingerprint is {now}) but FORMAT_VERSION is still "
        f"{FORMAT_VERSION}: bump planner.plan.FORMAT_VERSION, add it to READABLE_VERSIONS, regenerate "
        f"schemas/plan.schema.json (python -m planner.wire) and record the fingerprint in {FINGERPRINTS.name}")
    assert sorted(recorded) == sorted(READABLE_VERSIONS)
    assert len(set(recorded.values())) == len(recorded), "two format versions with the same shape"


def test_the_fingerprint_sees_a_new_field_but_not_a_new_component():
    schema = plan_schema()
    grown = copy.deepcopy(schema)
    grown["$defs"]["StepWire"]["properties"]["component"]["enum"].append("a-new-controller")
    assert fingerprint(grown) == fingerprint(schema)
    grown["$defs"]["ResourceChangeWire"]["properties"]["new_field"] = {"type": "string"}
    assert fingerprint(grown) != fingerprint(schema)


def _as_older(payload: dict, version: str) -> dict:
    """A saved plan as planner 1.0-1.2 wrote it: no imperative commands or step sources (1.1: no depends_on, targets
    or excluded either; 1.0: no forget count)."""
    plan = copy.deepcopy(payload["plan"])
    plan["format_version"] = version
    for change in plan["resource_changes"]:
        change.pop("imperative")
    for step in plan["steps"]:
        step.pop("source")
    if version == "1.2":
        return {**payload, "format_version": version, "plan": plan}
    plan.pop("targets")
    plan.pop("excluded")
    for change in plan["resource_changes"]:
        change.pop("depends_on")
    if version == "1.0":
        plan["summary"].pop("forget")
    return {**payload, "format_version": version, "plan": plan}


def test_plans_saved_by_earlier_formats_still_show_and_apply(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    assert payload["format_version"] == FORMAT_VERSION == "1.3"
    for version in ("1.0", "1.1", "1.2"):
        write_plan(tmp_path / f"{version}.plan", _as_older(payload, version))
        shown = cli("show", f"{version}.plan", "-o", "json")
        assert shown.code == 0, shown.err
        assert shown.json()["format_version"] == version
    applied = cli("apply", "1.2.plan")
    assert applied.code == 0, applied.err
    # Stale and other-lineage refusals hold for old formats as for new ones.
    refused(cli("apply", "1.0.plan"), "Saved plan 1.0.plan is stale")
    refused(cli("apply", "1.1.plan"), "Saved plan 1.1.plan is stale")


def test_an_old_format_plan_whose_shown_plan_was_edited_is_still_refused(cli, hello, tmp_path):
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 2")
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    older = _as_older(read_plan(tmp_path / "p.plan"), "1.1")
    older["plan"]["resource_changes"][0]["unchanged_attributes"] += 1
    write_plan(tmp_path / "old.plan", older)
    refused(cli("apply", "old.plan"), "does not match what it would apply")


def test_the_published_plan_schema_is_the_generated_one():
    """schemas/plan.schema.json is what consumers read: it must be planner.wire's schema, not an older copy."""
    published = json.loads((REPO / "schemas" / "plan.schema.json").read_text())
    assert published == plan_schema(), "run: python -m planner.wire > schemas/plan.schema.json"
