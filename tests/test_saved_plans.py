"""Saved plans are what was reviewed and nothing else: bound to the state's contents, sealed by a digest, every field
checked on load, the plan recomputed at apply, written atomically (the Hardening issue's findings 1-4)."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit


def read_plan(path: Path) -> dict:
    return json.loads(path.read_text())


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_plan(path: Path, payload: dict, reseal: bool = True) -> None:
    """Write a (modified) saved plan; `reseal` recomputes its body digest as planner does (sha256 of the canonical
    JSON of everything but `digest`), so that what is tested is the check behind the digest."""
    if reseal:
        body = {k: v for k, v in payload.items() if k != "digest"}
        payload = {**payload, "digest": "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()}
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")


def refused(result, *messages: str) -> None:
    assert result.code == 1, (result.out, result.err)
    assert "internal error" not in result.err
    for message in messages:
        assert message in result.err, result.err


# ---------------------------------------------------------------- finding 1: bound to the state's contents


def test_a_saved_plan_is_stale_after_the_state_was_restored_from_its_backup_and_applied_again(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0  # serial 1
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    assert cli("apply", str(hello), "--auto-approve").code == 0  # serial 2, backup serial 1
    edit(hello / "hello-web.yaml", "replicas: 4", "replicas: 5")
    assert cli("plan", str(hello), "--out", "p.plan").code == 0  # made against serial 2 (4 replicas)
    shutil.copy(tmp_path / "planner.state.json.backup", tmp_path / "planner.state.json")  # back to serial 1
    edit(hello / "hello-web.yaml", "replicas: 5", "replicas: 2")
    assert cli("apply", str(hello), "--auto-approve").code == 0  # serial 2 again, but 2 replicas
    before = (tmp_path / "planner.state.json").read_bytes()
    result = cli("apply", "p.plan")
    refused(result, "Saved plan p.plan is stale", "serial (2) is the same")
    assert (tmp_path / "planner.state.json").read_bytes() == before


def test_a_saved_plan_still_applies_to_the_same_state_formatted_differently(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    state = tmp_path / "planner.state.json"
    state.write_text(json.dumps(json.loads(state.read_text()), indent=4))  # same contents, other bytes
    result = cli("apply", "p.plan")
    assert result.code == 0, result.err
    assert "1 changed" in result.out


def test_a_saved_plan_edited_by_hand_is_refused_as_modified(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    payload["desired"][-1]["manifest"]["spec"]["replicas"] = 30
    write_plan(tmp_path / "p.plan", payload, reseal=False)
    for args in (("show", "p.plan"), ("apply", "p.plan")):
        refused(cli(*args), "p.plan has been modified since it was written", "run plan again")
    assert not (tmp_path / "planner.state.json").exists()


def test_a_saved_plan_without_a_digest_is_refused(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    del payload["digest"]
    write_plan(tmp_path / "p.plan", payload, reseal=False)
    refused(cli("apply", "p.plan"), "p.plan carries no digest")


# ---------------------------------------------------------------- finding 2: apply runs what show displays


def test_emptying_the_shown_changes_does_not_apply_changes_that_were_never_shown(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    payload["plan"]["resource_changes"] = []
    payload["plan"]["steps"] = []
    payload["plan"]["summary"] = {"create": 0, "update": 0, "replace": 0, "delete": 0}
    write_plan(tmp_path / "p.plan", payload)
    for args in (("show", "p.plan"), ("apply", "p.plan", "--auto-approve")):
        result = cli(*args)
        refused(result, "p.plan is not a valid planner plan: plan.resource_changes: does not list "
                        "ContainerCluster/hello-cluster, a desired resource")
        assert "Creation complete" not in result.out
    assert not (tmp_path / "planner.state.json").exists()


def test_a_shown_plan_that_is_consistent_but_not_the_plan_of_its_resources_is_not_applied(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    for change in payload["plan"]["resource_changes"]:  # every create shown as a no-op: "nothing to do"
        change.update(action="no-op", changes=[], unchanged_attributes=0)
    payload["plan"]["steps"] = []
    payload["plan"]["summary"] = {"create": 0, "update": 0, "replace": 0, "delete": 0}
    write_plan(tmp_path / "p.plan", payload)
    assert "No changes" in cli("show", "p.plan").out
    result = cli("apply", "p.plan", "--auto-approve")
    refused(result, "Saved plan p.plan does not match what it would apply", "Run plan again")
    assert "Creation complete" not in result.out
    assert not (tmp_path / "planner.state.json").exists()


def test_what_show_displays_is_what_apply_runs(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    shown = cli("show", "p.plan", "-o", "json").json()
    result = cli("apply", "p.plan")
    assert result.code == 0, result.err
    assert "Apply complete! Resources: 3 added" in result.out
    assert shown["summary"] == {"create": 3, "update": 0, "replace": 0, "delete": 0, "forget": 0}
    state = json.loads((tmp_path / "planner.state.json").read_text())
    assert sorted(state["resources"]) == sorted(c["address"] for c in shown["resource_changes"])


def _move(entry: dict, namespace: str) -> None:
    """Move a desired resource to another namespace, consistently (entry, address, manifest, digest)."""
    from planner.model import digest_of

    entry["manifest"]["metadata"]["namespace"] = entry["namespace"] = namespace
    entry["address"] = f"{entry['kind']}/{namespace}/{entry['name']}"
    entry["digest"] = digest_of(entry["manifest"])


def _deployment(payload: dict) -> dict:
    return next(d for d in payload["desired"] if d["kind"] == "Deployment")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["manifest"]["spec"].__setitem__("replicas", "three"), "spec.replicas: expected an integer"),
    (lambda d: d["manifest"].__setitem__("kind", "Widget"), 'unknown kind "Widget"'),
    (lambda d: d["manifest"].__setitem__("apiVersion", "apps/v2"), 'unknown apiVersion "apps/v2"'),
    (lambda d: d["manifest"]["metadata"].__setitem__("name", "Not_A_Name"), "metadata.name"),
    (lambda d: d.__setitem__("name", "other"), "desired[1] (Deployment/default/hello-web).name: is not the "
                                               "manifest's metadata.name"),
    (lambda d: d.__setitem__("family", "generic"), ".family: is not"),
    (lambda d: d.__setitem__("digest", "0" * 32), ".digest: does not match the manifest"),
    (lambda d: _move(d, "nowhere"), 'Deployment/nowhere/hello-web: namespace "nowhere" does not exist'),
], ids=["schema", "kind", "apiVersion", "name", "entry-name", "family", "digest", "namespace"])
def test_the_desired_resources_of_a_saved_plan_are_validated_again(cli, hello, tmp_path, change, message):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    change(_deployment(payload))
    write_plan(tmp_path / "p.plan", payload)
    for args in (("show", "p.plan"), ("apply", "p.plan", "--auto-approve")):
        refused(cli(*args), "p.plan is not a valid planner plan: desired", message)
    assert not (tmp_path / "planner.state.json").exists()


def test_a_resealed_desired_change_that_validates_is_refused_by_the_recomputed_plan(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    deployment = _deployment(payload)
    deployment["manifest"]["spec"]["replicas"] = 30
    from planner.model import digest_of

    deployment["digest"] = digest_of(deployment["manifest"])
    write_plan(tmp_path / "p.plan", payload)
    refused(cli("apply", "p.plan"), "does not match what it would apply")
    assert not (tmp_path / "planner.state.json").exists()


# ---------------------------------------------------------------- finding 3: every field checked on load


def test_a_numeric_kubernetes_version_is_refused_and_the_state_stays_usable(cli, hello, tmp_path):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    payload["kubernetes_version"] = 134
    write_plan(tmp_path / "p.plan", payload)
    state = (tmp_path / "planner.state.json").read_bytes()
    refused(cli("apply", "p.plan"), "p.plan is not a valid planner plan: kubernetes_version: expected a version "
                                    "string like 1.34, got number 134")
    assert (tmp_path / "planner.state.json").read_bytes() == state
    assert cli("plan", str(hello)).code == 0 and cli("show").code == 0


DAMAGE = [
    ("kubernetes_version", "9.99", "kubernetes_version: \"9.99\" is not a supported Kubernetes version"),
    ("kubernetes_version", "1.34.1", "is not a supported Kubernetes version"),
    ("roots", "hello-app", "roots: expected a list of strings"),
    ("roots", [1], "roots[0]: expected a string, got number 1"),
    ("state", None, "state: expected a mapping"),
    ("state.serial", "0", "state.serial: expected a whole number"),
    ("state.serial", -1, "state.serial: expected a whole number"),
    ("state.serial", True, "state.serial: expected a whole number"),
    ("state.lineage", 5, "state.lineage: expected a string or null"),
    ("state.digest", 7, "state.digest: expected sha256:"),
    ("desired", {}, "desired: expected a list of resources"),
    ("desired.0", "x", "desired[0]: expected a mapping"),
    ("desired.0.manifest", None, "desired[0].manifest: expected a mapping"),
    ("desired.0.namespace", 3, "desired[0].namespace: expected a string"),
    ("warnings", None, "warnings: expected a list"),
    ("warnings", [{"severity": "error", "message": "x"}], "warnings[0].severity"),
    ("plan", [], "plan: expected a mapping"),
    ("plan.summary", None, "plan.summary"),
    ("plan.roots", ["elsewhere"], "plan.roots: is not the one of the saved plan"),
    ("plan.kubernetes_version", "1.33", "plan.kubernetes_version: is not the one of the saved plan"),
    ("plan.steps.0.address", "Deployment/default/other", "plan.steps[0].address: is not a changed resource"),
    ("plan.steps.1.index", 7, "plan.steps[1].index: expected 2"),
]


def _set(payload: dict, dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    node: object = payload
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]


@pytest.mark.parametrize(("field", "value", "message"), DAMAGE, ids=[f"{f}={v!r}" for f, v, _ in DAMAGE])
def test_every_field_of_a_saved_plan_is_checked_on_load(cli, hello, tmp_path, field, value, message):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    _set(payload, field, value)
    write_plan(tmp_path / "p.plan", payload)
    for args in (("show", "p.plan"), ("apply", "p.plan", "--auto-approve")):
        refused(cli(*args), "p.plan is not a valid planner plan: ", message)
    assert not (tmp_path / "planner.state.json").exists()


def test_a_saved_plan_of_another_kind_of_file_or_format_is_refused(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    payload = read_plan(tmp_path / "p.plan")
    write_plan(tmp_path / "p.plan", {**payload, "format_version": 1})
    refused(cli("show", "p.plan"), "p.plan has plan format 1; this planner reads 1.0 to 1.3")
    (tmp_path / "q.plan").write_text('{"format":"planner-saved-plan","x":1}')
    refused(cli("show", "q.plan"), "q.plan has plan format null")
    (tmp_path / "r.plan").write_text('{"format":"planner-saved-plan-2","x":1}')
    refused(cli("show", "r.plan"), "r.plan is not a saved planner plan (no format marker)")


# ---------------------------------------------------------------- finding 4: whole files only


def _limited(limit: int):
    def setup() -> None:  # a full disk, as far as this process can tell: writes past `limit` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return setup


def test_a_plan_file_whose_write_fails_midway_is_not_left_behind(cli, hello, tmp_path):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "planner", "plan", str(hello), "--out"]
    done = subprocess.run([*command, "new.plan"], cwd=tmp_path, capture_output=True, env=env,
                          preexec_fn=_limited(4096), timeout=60)
    assert done.returncode == 1, done.stderr
    assert b"cannot write plan file new.plan" in done.stderr and b"Traceback" not in done.stderr
    assert not (tmp_path / "new.plan").exists()  # no truncated plan file

    assert cli("plan", str(hello), "--out", "old.plan").code == 0
    good = (tmp_path / "old.plan").read_bytes()
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    done = subprocess.run([*command, "old.plan"], cwd=tmp_path, capture_output=True, env=env,
                          preexec_fn=_limited(4096), timeout=60)
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "old.plan").read_bytes() == good  # the previous plan, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert cli("show", "old.plan").code == 0


def test_a_failed_fsync_keeps_the_previous_plan_and_removes_the_temporary_file(cli, hello, tmp_path, monkeypatch):
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    good = (tmp_path / "p.plan").read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    refused(cli("plan", str(hello), "--out", "p.plan"), "cannot write plan file p.plan: No space left on device")
    monkeypatch.undo()
    assert (tmp_path / "p.plan").read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("keep", [3, 20, 64, 0.5, -2])
def test_a_truncated_plan_file_is_refused_by_name(cli, hello, tmp_path, keep):
    assert cli("apply", str(hello), "--auto-approve").code == 0
    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 4")
    assert cli("plan", str(hello), "--out", "p.plan").code == 0
    raw = (tmp_path / "p.plan").read_bytes()
    (tmp_path / "p.plan").write_bytes(raw[:int(len(raw) * keep) if isinstance(keep, float) else keep])
    state = (tmp_path / "planner.state.json").read_bytes()
    for args in (("show", "p.plan"), ("show", "p.plan", "-o", "json"), ("apply", "p.plan", "--auto-approve")):
        refused(cli(*args), "p.plan is not a complete planner plan (truncated?): run plan again")
    assert (tmp_path / "planner.state.json").read_bytes() == state
