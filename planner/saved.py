"""Saved plans: `planner plan --out FILE` writes one, `planner show FILE` displays it, `planner apply FILE` runs it.

What a saved plan guarantees (terraform's rules, made checkable):

- it applies only to the state it was made from: the same lineage, the same serial and the same contents (a digest
  of the state's resources, roots and Kubernetes version, taken over the parsed state in canonical JSON, so it does
  not depend on how the file is formatted). A state restored from its backup and applied again has the old serial
  but other contents, and is caught by the digest;
- it is what was reviewed: the file carries a digest of its own body, every field is checked on load, the desired
  resources are validated again against the schemas, and apply recomputes the plan from them and the state and
  refuses unless it is exactly the `plan` section `planner show FILE` displays;
- it is whole: written to a temporary file in the same folder, fsynced and renamed over, so a full disk or a crash
  leaves the previous file (or none), never a truncated one; a truncated or garbled file is refused by name.

The body digest detects damage and hand edits, not a forger who recomputes it: the recomputation at apply is what
makes sure the operations applied are the ones shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import kinds, schemas
from planner.errors import Diagnostic, PlannerError
from planner.load import Document, SourceFile
from planner.model import SECRET_DIGEST, DesiredState, Resource, address_of, build, canonical_json, digest_of
from planner.plan import FORMAT_VERSION, SAVED_PLAN_MARKER, Plan, Reason
from planner.state import fs
from planner.validate import Validator, ValidDocument

if TYPE_CHECKING:
    from planner.state import State

DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
DESIRED_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "address": ((str,), "a string"), "family": ((str,), "a string"), "api_version": ((str,), "a string"),
    "kind": ((str,), "a string"), "name": ((str,), "a string"), "namespace": ((str, type(None)), "a string or null"),
    "manifest": ((dict,), "a mapping"), "digest": ((str,), "a string"),
}
"""Each field of a desired entry: its types, and how a message names them."""
_MARKER_HEAD = f'{{"format":"{SAVED_PLAN_MARKER}"'.encode()


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def state_digest(state: State) -> str:
    """A digest of what the state holds (resources, roots, Kubernetes version): lineage and serial are checked on
    their own. Taken over the parsed state in canonical JSON, so it is the same however the file is formatted."""
    content = state.model_dump(mode="json", include={"resources", "roots", "kubernetes_version"})
    return _sha256(canonical_json(content))


def body_digest(payload: dict[str, Any]) -> str:
    """The digest of a saved plan's body: canonical JSON of everything but the `digest` field itself."""
    return _sha256(canonical_json({k: v for k, v in payload.items() if k != "digest"}))


# ---------------------------------------------------------------- writing


def save_plan(plan: Plan, desired: DesiredState, path: str, state: State, wire: dict[str, Any] | None = None) -> None:
    """Write the plan, the desired resources it was made from and the state it was made against (lineage, serial,
    contents digest), sealed by a digest of the whole body. Atomic: the file is complete or not there."""
    payload: dict[str, Any] = {
        "format": SAVED_PLAN_MARKER,
        "format_version": FORMAT_VERSION,
        "state": {"lineage": plan.state_lineage, "serial": plan.state_serial, "digest": state_digest(state)},
        "roots": list(desired.roots),
        "kubernetes_version": desired.kubernetes_version,
        "desired": [{"address": r.address, "family": r.family, "api_version": r.api_version, "kind": r.kind,
                     "name": r.name, "namespace": r.namespace, "manifest": r.manifest, "digest": r.digest}
                    for r in desired.resources.values()],
        "warnings": [d.to_json() for d in desired.warnings],
        "skipped": desired.skipped,
        "plan": wire if wire is not None else plan.to_wire(),  # the caller's, when it rendered it already
    }
    payload["digest"] = body_digest(payload)
    _atomic_write(path, (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8", "surrogatepass"))


def _atomic_write(path: str, data: bytes) -> None:
    """The state's own atomic replace (fs.replace_file: a private temporary file that is never a followed link,
    fsync, rename); on any error `path` is left as it was."""
    try:
        fs.replace_file(Path(path), data, fs.NEW_FILE_MODE)
    except OSError as exc:
        raise PlannerError.single(f"cannot write plan file {path}: {exc.strerror or exc}") from None
    with contextlib.suppress(PlannerError):  # the rename is done; a folder that cannot be fsynced is no error
        fs.fsync_dir(Path(path).parent)


# ---------------------------------------------------------------- reading


def is_saved_plan(path: str) -> bool:
    """Recognised by its format marker, not by its name. A file cut short inside the marker is still a saved plan
    (a damaged one, which the reader refuses by name), not YAML input."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    compact = re.sub(rb"\s+", b"", head)
    if compact.startswith(_MARKER_HEAD):
        return True
    if len(compact) >= 3 and _MARKER_HEAD.startswith(compact):  # truncated inside the marker
        return True
    return compact.startswith(b"{") and SAVED_PLAN_MARKER.encode() in compact[:64]


@dataclass(frozen=True)
class SavedPlan:
    path: str
    desired: DesiredState
    state: dict[str, Any]
    """The state the plan was made from: `lineage`, `serial` and `digest` (of its contents)."""
    wire: dict[str, Any]
    """The plan as it was shown (its JSON form): what `planner show PLANFILE` displays and apply must run."""


class _Damaged(Exception):
    """A field of the saved plan is wrong: `where` names it."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def load_saved_plan(path: str) -> SavedPlan:
    """The one reader of saved plans (apply PLANFILE, show PLANFILE). Refuses, naming the file: a missing file,
    another kind of file, a truncated or garbled one, a plan format of another major version, a body that does not
    match its digest, and any field of the wrong type or value; validates the desired resources again."""
    if not os.path.exists(path):
        raise PlannerError.single("no such file", file=path)
    if not is_saved_plan(path):
        raise PlannerError.single(f"{path} is not a saved planner plan")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise PlannerError.single(f"cannot read plan file {path}: {exc.strerror or exc}") from None
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise PlannerError.single(f"{path} is not a complete planner plan (truncated?): run plan again") from None
    if not isinstance(payload, dict) or payload.get("format") != SAVED_PLAN_MARKER:
        raise PlannerError.single(f"{path} is not a saved planner plan (no format marker): run plan again")
    version = payload.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
        shown = version if isinstance(version, str) else json.dumps(version)[:40]
        raise PlannerError.single(f"{path} has plan format {shown}; this planner reads {FORMAT_VERSION}")
    digest = payload.get("digest")
    if not isinstance(digest, str):
        raise PlannerError.single(f"{path} carries no digest of its contents (written by an older planner, or "
                                  "edited): run plan again")
    try:
        intact = digest == body_digest(payload)
    except (ValueError, RecursionError):  # values canonical JSON cannot hold
        intact = False
    if not intact:
        raise PlannerError.single(f"{path} has been modified since it was written (its contents do not match "
                                  "its digest): run plan again")
    try:
        return _parse(path, payload)
    except _Damaged as exc:
        raise PlannerError.single(f"{path} is not a valid planner plan: {exc.where}: {exc.problem}. "
                                  "Run plan again.") from None


def _parse(path: str, payload: dict[str, Any]) -> SavedPlan:
    version = _kubernetes_version(payload.get("kubernetes_version"))
    roots = _strings(payload.get("roots"), "roots")
    state = _state(payload.get("state"))
    warnings = _warnings(payload.get("warnings"))
    resources = _desired(path, payload.get("desired"), version, roots)
    wire = _wire(payload.get("plan"), payload["format_version"], version, roots, state, resources)
    skipped = payload.get("skipped", 0)  # absent from plans saved before the mass-deletion banner
    if not isinstance(skipped, int) or isinstance(skipped, bool) or skipped < 0:
        raise _Damaged("skipped", f"expected a whole number at least 0, got {_describe(skipped)}")
    return SavedPlan(path, DesiredState(resources, roots, version, warnings, skipped), state, wire)


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {json.dumps(value[:60])}"
    return "a list" if isinstance(value, list) else "a mapping"


def _kubernetes_version(value: Any) -> str:
    where = "kubernetes_version"
    if not isinstance(value, str):
        raise _Damaged(where, f"expected a version string like {schemas.DEFAULT_KUBERNETES_VERSION}, "
                              f"got {_describe(value)}")
    try:
        resolved = schemas.resolve_version(value)
    except PlannerError:
        resolved = None
    if resolved != value:
        versions = schemas.available_versions()
        raise _Damaged(where, f"{json.dumps(value[:40])} is not a supported Kubernetes version "
                              f"({versions[0]} to {versions[-1]})")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise _Damaged(where, f"expected a list of strings, got {_describe(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _Damaged(f"{where}[{i}]", f"expected a string, got {_describe(item)}")
    return list(value)


def _state(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Damaged("state", f"expected a mapping with lineage, serial and digest, got {_describe(value)}")
    for key in ("lineage", "serial", "digest"):
        if key not in value:
            raise _Damaged("state", f'missing required field "{key}"')
    lineage, serial, digest = value["lineage"], value["serial"], value["digest"]
    if lineage is not None and (not isinstance(lineage, str) or not lineage):
        raise _Damaged("state.lineage", f"expected a string or null, got {_describe(lineage)}")
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise _Damaged("state.serial", f"expected a whole number at least 0, got {_describe(serial)}")
    if not isinstance(digest, str) or not DIGEST_PATTERN.fullmatch(digest):
        raise _Damaged("state.digest", f"expected sha256:<64 hex digits>, got {_describe(digest)}")
    return {"lineage": lineage, "serial": serial, "digest": digest}


_DIAGNOSTIC_FIELDS: dict[str, tuple[type, ...]] = {"file": (str,), "line": (int,), "column": (int,), "path": (str,),
                                                   "address": (str,)}


def _warnings(value: Any) -> list[Diagnostic]:
    """The input's warnings (validation, cross-checks): part of the plan's diagnostics, so kept for recomputing."""
    if not isinstance(value, list):
        raise _Damaged("warnings", f"expected a list, got {_describe(value)}")
    out: list[Diagnostic] = []
    for i, item in enumerate(value):
        where = f"warnings[{i}]"
        if not isinstance(item, dict):
            raise _Damaged(where, f"expected a mapping, got {_describe(item)}")
        unknown = set(item) - {"severity", "message", "banner", *_DIAGNOSTIC_FIELDS}
        if unknown:
            raise _Damaged(where, f"unknown field {sorted(unknown)[0]!r}")
        if item.get("severity") not in ("warning", "info"):
            raise _Damaged(f"{where}.severity", f'expected "warning" or "info", got {_describe(item.get("severity"))}')
        if not isinstance(item.get("message"), str):
            raise _Damaged(f"{where}.message", f"expected a string, got {_describe(item.get('message'))}")
        for key, types in _DIAGNOSTIC_FIELDS.items():
            got = item.get(key)
            if key in item and (not isinstance(got, types) or isinstance(got, bool)
                                or (isinstance(got, int) and got < 1)):
                raise _Damaged(f"{where}.{key}", f"expected {'a string' if types == (str,) else 'a number >= 1'}, "
                                                 f"got {_describe(got)}")
        if "banner" in item and item["banner"] is not True:
            raise _Damaged(f"{where}.banner", f"expected true, got {_describe(item['banner'])}")
        out.append(Diagnostic(item["severity"], item["message"], item.get("file"), item.get("line"),
                              item.get("column"), item.get("path"), item.get("address"), bool(item.get("banner"))))
    return out


def _digests_blanked(value: Any) -> Any:
    """A copy to validate: the keyed digests that stand for secret values (Secret data, secret env literals,
    annotated fields) become "" so that rules about the values they replaced (Secret data is base64) are not applied
    to the digests; the input's values were checked when the plan was made."""
    if isinstance(value, dict):
        return {k: _digests_blanked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_digests_blanked(v) for v in value]
    return "" if isinstance(value, str) and value.startswith(SECRET_DIGEST) else value


def _desired(path: str, value: Any, version: str, roots: list[str]) -> dict[str, Resource]:
    """The desired resources, checked as the input was: every entry well-formed and consistent with its manifest,
    every manifest valid against its schema, and the whole set as `build` would accept it."""
    if not isinstance(value, list):
        raise _Damaged("desired", f"expected a list of resources, got {_describe(value)}")
    entries: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        where = f"desired[{i}]"
        if not isinstance(item, dict):
            raise _Damaged(where, f"expected a mapping, got {_describe(item)}")
        for key, (types, wanted) in DESIRED_FIELDS.items():
            if key not in item:
                raise _Damaged(where, f'missing required field "{key}"')
            if not isinstance(item[key], types):
                raise _Damaged(f"{where}.{key}", f"expected {wanted}, got {_describe(item[key])}")
        entries.append(item)
    # The schemas, as for the input: kinds known, apiVersion/kind pairs, names, every field. The documents are
    # copies (`shared`), so nothing below writes into the plan's manifests.
    texts = [canonical_json(e["manifest"]) for e in entries]
    documents = [Document(SourceFile(f"{path}: desired[{i}]", "{}"), i, 1,
                          _digests_blanked(json.loads(text)) if SECRET_DIGEST in text else json.loads(text),
                          shared=True) for i, text in enumerate(texts)]
    try:
        result = Validator(version).validate(documents)
    except PlannerError as exc:
        first = exc.errors[0]
        index = next(i for i, d in enumerate(documents) if d.source.name == first.file) if first.file else 0
        raise _Damaged(f"desired[{index}] ({_address_hint(entries[index])})",
                       f"{first.path + ': ' if first.path else ''}{first.message}") from None
    resources: dict[str, Resource] = {}
    for i, (entry, valid) in enumerate(zip(entries, result.documents, strict=True)):
        where = f"desired[{i}] ({_address_hint(entry)})"
        manifest = entry["manifest"]
        metadata = manifest.get("metadata") or {}
        api_version, kind, name, namespace = entry["api_version"], entry["kind"], entry["name"], entry["namespace"]
        expected_namespace = (metadata.get("namespace") if kinds.is_namespaced(api_version, kind) else None)
        checks = (
            ("api_version", api_version == manifest.get("apiVersion"), "is not the manifest's apiVersion"),
            ("kind", kind == manifest.get("kind"), "is not the manifest's kind"),
            ("name", name == metadata.get("name"), "is not the manifest's metadata.name"),
            ("namespace", namespace == expected_namespace and (namespace is not None) == (expected_namespace
                                                                                          is not None),
             "is not the manifest's metadata.namespace"),
            ("family", entry["family"] == valid.family, f"is not {valid.family}, the family of {kind}"),
            ("address", entry["address"] == address_of(kind, name, namespace),
             f"is not {address_of(kind, name, namespace)}"),
            ("digest", entry["digest"] == digest_of(manifest), "does not match the manifest"),
        )
        for key, ok, problem in checks:
            if not ok:
                raise _Damaged(f"{where}.{key}", problem)
        if entry["address"] in resources:
            raise _Damaged(where, f"a second {entry['address']}")
        resources[entry["address"]] = Resource(entry["address"], entry["family"], api_version, kind, name, namespace,
                                               manifest, entry["digest"])
    # The rules across resources (one cluster, namespaces and clusterRefs that exist, nodePorts claimed once).
    try:
        built = build([ValidDocument(d, v.family) for d, v in zip(documents, result.documents, strict=True)],
                      roots, version)
    except PlannerError as exc:
        first = exc.errors[0]
        raise _Damaged("desired", f"{first.address + ': ' if first.address else ''}{first.message}") from None
    if set(built.resources) != set(resources):
        extra = sorted(set(resources) - set(built.resources))
        raise _Damaged("desired", f"{extra[0] if extra else 'a resource'} cannot be declared")
    return resources


def _address_hint(entry: dict[str, Any]) -> str:
    address = entry.get("address")
    return address[:80] if isinstance(address, str) else "?"


@cache
def _plan_schema() -> Any:
    """The published JSON plan schema, compiled once (imported on first use, as in planner.validate)."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(schemas.own_schema("plan.schema.json"))


def _wire(value: Any, format_version: str, version: str, roots: list[str], state: dict[str, Any],
          desired: dict[str, Resource]) -> dict[str, Any]:
    """The plan section: the published JSON plan schema, the same version, roots and state as the file, and
    consistent with itself and the desired resources."""
    if not isinstance(value, dict):
        raise _Damaged("plan", f"expected a mapping, got {_describe(value)}")
    error = next(iter(_plan_schema().iter_errors(value)), None)
    if error is not None:
        where = "plan" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
        raise _Damaged(where, str(error.message)[:200])
    for key, expected in (("format_version", format_version), ("kubernetes_version", version), ("roots", roots),
                          ("state", {"lineage": state["lineage"], "serial": state["serial"]})):
        if value[key] != expected:
            raise _Damaged(f"plan.{key}", "is not the one of the saved plan")
    # What can be checked without the state: the summary counts the changes, every desired resource is listed (a
    # plan lists every resource, no-ops included) and not for deletion, and the steps are numbered in order and
    # belong to changed resources.
    actions = {c["address"]: c["action"] for c in value["resource_changes"]}
    counts = {action: 0 for action in ("create", "update", "replace", "delete", "forget")}
    for action in actions.values():
        if action in counts:
            counts[action] += 1
    if "forget" not in value["summary"] and not counts["forget"]:  # format 1.0 had no forget
        del counts["forget"]
    if value["summary"] != counts:
        raise _Damaged("plan.summary", "does not count the plan's resource_changes")
    for address in desired:
        if actions.get(address, "delete") in ("delete", "forget"):
            raise _Damaged("plan.resource_changes", f"does not list {address[:80]}, a desired resource")
    for position, step in enumerate(value["steps"], start=1):
        if step["index"] != position:
            raise _Damaged(f"plan.steps[{position - 1}].index", f"expected {position}, the step's position")
        if actions.get(step["address"], "no-op") == "no-op":
            raise _Damaged(f"plan.steps[{position - 1}].address", "is not a changed resource of the plan")
    return value


# ---------------------------------------------------------------- applying


def check_not_stale(saved_state: dict[str, Any], state: State, path: str, recovered: int = 0) -> None:
    """terraform's rule: a saved plan applies only to the exact state it was made from: lineage, serial and
    contents."""
    if recovered:
        raise PlannerError.single(f"Saved plan {path} is stale: an interrupted apply's journal was recovered "
                                  f"({recovered} operation(s)) after the plan was made. Run plan again.")
    if saved_state.get("lineage") is not None and saved_state["lineage"] != state.lineage:
        raise PlannerError.single(f"Saved plan {path} was created from a different state lineage: it does not "
                                  "belong to this state. Run plan again.")
    if saved_state.get("serial") != state.serial or (saved_state.get("lineage") is None and state.lineage):
        raise PlannerError.single(f"Saved plan {path} is stale: the state was changed by another operation after "
                                  f"the plan was created (serial {saved_state.get('serial')} -> {state.serial}). "
                                  "Run plan again.")
    if saved_state.get("digest") != state_digest(state):
        raise PlannerError.single(f"Saved plan {path} is stale: the state's contents are not the ones the plan was "
                                  f"made from, although its serial ({state.serial}) is the same (was the state "
                                  "restored from a backup and applied again?). Run plan again.")


def plan_to_apply(saved: SavedPlan, state: State) -> Plan:
    """The plan apply runs: recomputed from the saved desired resources and the state (checked by `check_not_stale`
    to be the one the plan was made from), and refused unless it is exactly the plan the file shows."""
    from planner.api import make_plan

    destroy = any(Reason.DESTROY.value in c.get("reasons", ()) for c in saved.wire["resource_changes"])
    plan = make_plan(saved.desired, state, destroy=destroy)
    if canonical_json(plan.to_wire()) != canonical_json(saved.wire):
        raise PlannerError.single(
            f"Saved plan {saved.path} does not match what it would apply: the plan it shows is not the plan of its "
            "desired resources against this state (it was edited, or written by another planner version). Run plan "
            "again.")
    return plan
