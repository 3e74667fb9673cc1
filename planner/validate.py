"""Stage 2: check every document against the upstream Kubernetes schemas, our own schemas and cross-field rules.

The normal path is a compiled validator (jsonschema-rs, ~0.03 s for 10,000 documents). Only documents that fail
are re-checked with the pure-Python `jsonschema`, whose errors carry the schema context we need to word messages
("unknown field (did you mean ...)"), and only their files get YAML positions.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner import cache, kinds, schemas, sensitive
from planner.errors import Diagnostic, PlannerError
from planner.kinds.base import Path, Problem
from planner.knowledge.secrets import secret_env_name
from planner.load import Document, locate

if TYPE_CHECKING:
    from planner.model import DesiredState
    from planner.state import State


@dataclass(frozen=True, slots=True)
class ValidDocument:
    document: Document
    family: str


@dataclass
class ValidationResult:
    documents: list[ValidDocument]
    warnings: list[Diagnostic]
    kubernetes_version: str
    skipped: int = 0
    """Documents of unknown kinds skipped with --skip-unknown: a plan that then destroys says why."""


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for token in path:
        if isinstance(token, int):
            out += f"[{token}]"
        else:
            out += ("." if out else "") + token
    return out


class _Compiled:
    """One kind's validators: compiled (fast yes/no) and pure-Python (worded errors), built on first use."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs  # imported on first use, as jsonschema below: `planner --help` starts faster

        self.schema = schema
        self.fast = jsonschema_rs.validator_for(schema)
        self._slow: Any = None

    def slow(self) -> Any:
        if self._slow is None:
            import jsonschema

            self._slow = jsonschema.Draft202012Validator(self.schema)
        return self._slow


_COMPILED: dict[tuple[str, str, str], list[_Compiled]] = {}
"""Compiled validators per (Kubernetes version, apiVersion, kind), shared by every Validator in the process."""


class Validator:
    """Validates documents for one Kubernetes version; compiles each kind's schemas once per process."""

    def __init__(self, kubernetes_version: str = schemas.DEFAULT_KUBERNETES_VERSION, skip_unknown: bool = False):
        self.version = schemas.resolve_version(kubernetes_version)
        self.skip_unknown = skip_unknown

    # -- which schema applies -------------------------------------------------------------------------------

    def _known_kinds(self) -> dict[tuple[str, str], str]:
        known = self.__dict__.get("_known")
        if known is None:
            known = dict(schemas.kubernetes_kinds(self.version))
            for api_version, kind in kinds.REGISTRY.modelled():
                known.setdefault((api_version, kind), "")
            self.__dict__["_known"] = known
        return known

    def _validators(self, api_version: str, kind: str) -> list[_Compiled]:
        key = (api_version, kind)
        found = _COMPILED.get((self.version, *key))
        if found is None:
            schema = kinds.REGISTRY.for_kind(api_version, kind).schema
            if schema.inline is not None:
                found = [_Compiled(dict(schema.inline))]
            elif schema.own:
                found = [_Compiled(schemas.own_schema(name)) for name in schema.own]
            else:
                definition = schemas.kubernetes_kinds(self.version)[key]
                constraints = schemas.own_schema("kubernetes-constraints.schema.json")
                found = [
                    _Compiled(schemas.kubernetes_schema(self.version, definition)),
                    _Compiled({"$ref": f"#/$defs/{schema.constraints}", "$defs": constraints["$defs"]}),
                ]
            _COMPILED[(self.version, api_version, kind)] = found
        return found

    def stored_manifest_problem(self, api_version: str, kind: str, manifest: dict[str, Any]) -> str | None:
        """Why a manifest the state recorded no longer validates (a hand-edited state), or None. The compiled
        validators answer; only a damaged record pays for the wording."""
        if (api_version, kind) not in self._known_kinds():
            return f"unknown kind {kind} ({api_version})"
        compiled = self._validators(api_version, kind)
        if all(c.fast.is_valid(manifest) for c in compiled):
            return None
        problems = [p for c in compiled for p in _schema_problems(c, manifest, ())]
        first = problems[0] if problems else Problem((), "does not validate")
        return f"{format_path(first.path) or '(root)'}: {first.message}"

    def _identify(self, data: dict[str, Any]) -> tuple[list[Problem], str | None]:
        """Check apiVersion/kind/metadata.name enough to pick a schema; None means skip (unknown kind)."""
        problems: list[Problem] = []
        api_version, kind = data.get("apiVersion"), data.get("kind")
        for field, value in (("apiVersion", api_version), ("kind", kind)):
            if value is None:
                problems.append(Problem((field,), f'missing required field "{field}"'))
            elif not isinstance(value, str):
                problems.append(Problem((field,), f"expected a string, got {_describe(value)}"))
        metadata = data.get("metadata")
        if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
            problems.append(Problem(("metadata", "name"), 'missing required field "name"') if isinstance(metadata, dict)
                            else Problem(("metadata",), 'missing required field "metadata"'))
        if problems and (not isinstance(api_version, str) or not isinstance(kind, str)):
            return problems, None
        assert isinstance(api_version, str) and isinstance(kind, str)
        if kind in kinds.NOT_DECLARABLE:
            return [*problems, Problem(("kind",), f"{kind} cannot be declared: {kinds.NOT_DECLARABLE[kind]}")], None
        known = self._known_kinds()
        if (api_version, kind) in known:
            return problems, kind
        same_kind = sorted(av for av, k in known if k == kind)
        if same_kind:
            hint = f' (did you mean "{same_kind[-1]}"?)' if len(same_kind) == 1 else f" (known: {', '.join(same_kind)})"
            message = f'unknown apiVersion "{api_version}" for kind {kind}{hint}'
            return [*problems, Problem(("apiVersion",), message)], "unknown"
        group = api_version.rpartition("/")[0]
        if group and all(av.rpartition("/")[0] != group for av, _ in known):  # another project's custom resource
            message = (f'unknown kind "{kind}" of {api_version} (a custom resource: planner models Kubernetes\' '
                       "built-in kinds and Config Connector's)")
            return [*problems, Problem(("kind",), message)], "unknown"
        names = sorted({k for _, k in known if k not in kinds.NOT_DECLARABLE})
        close = difflib.get_close_matches(kind, names, n=1, cutoff=0.6) or [
            n for n in names if n.lower() == kind.lower()]
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return [*problems, Problem(("kind",), f'unknown kind "{kind}"{hint}')], "unknown"

    # -- the stage ------------------------------------------------------------------------------------------

    def validate(self, documents: list[Document]) -> ValidationResult:
        """Every problem of every document at once; raise `PlannerError` if there is any error."""
        errors: list[Diagnostic] = []
        warnings: list[Diagnostic] = []
        valid: list[ValidDocument] = []
        skipped = 0
        for document in documents:
            problems, kind = self._identify(document.data)
            if kind == "unknown":
                if self.skip_unknown:
                    warnings.extend(self._located(document, problems, "warning", suffix="; skipped (--skip-unknown)"))
                    skipped += 1
                    continue
                errors.extend(self._located(document, problems, "error"))
                continue
            if kind is None:
                errors.extend(self._located(document, problems, "error"))
                continue
            api_version = document.data["apiVersion"]
            spec = kinds.REGISTRY.for_kind(api_version, kind)
            compiled = self._validators(api_version, kind)
            if not all(c.fast.is_valid(document.data) for c in compiled):
                for c in compiled:
                    problems.extend(_schema_problems(c, document.data, spec.sensitive_fields))
            if sensitive.annotation_of(document.data) is not None:
                with contextlib.suppress(AttributeError, TypeError):
                    problems.extend(sensitive.check(document.data, spec.pod_spec))
            check = spec.check
            if check is not None:
                # A document too malformed to cross-check is already explained by its schema errors.
                with contextlib.suppress(AttributeError, KeyError, TypeError, ValueError):
                    problems.extend(check(document.data))
            if not problems:  # the common case: nothing to sort out
                valid.append(ValidDocument(document, spec.family))
                continue
            problems = _without_redundant(problems)
            advice = [p for p in problems if p.severity == "warning"]
            problems = [p for p in problems if p.severity != "warning"]
            if advice:
                warnings.extend(self._located(document, advice, "warning"))
            if problems:
                errors.extend(self._located(document, problems, "error"))
            else:
                valid.append(ValidDocument(document, spec.family))
        if errors:
            raise PlannerError(sorted(errors, key=Diagnostic.sort_key) + warnings)
        return ValidationResult(valid, warnings, self.version, skipped)

    @staticmethod
    def _located(document: Document, problems: list[Problem], severity: str, suffix: str = "") -> list[Diagnostic]:
        out: list[Diagnostic] = []
        seen: set[tuple[Path, str]] = set()
        for problem in problems:
            if (problem.path, problem.message) in seen:
                continue
            seen.add((problem.path, problem.message))
            line, column = locate(document, problem.path, key=problem.at_key)
            out.append(Diagnostic(severity, problem.message + suffix, file=document.source.name,  # type: ignore[arg-type]
                                  line=line, column=column, path=format_path(problem.path) or None))
        return out


# ---------------------------------------------------------------- wording schema errors


def _schema_problems(compiled: _Compiled, data: dict[str, Any], fields: tuple[str, ...]) -> list[Problem]:
    """Worded errors; one about a secret value (Secret data, a secret env literal, an annotated value) says
    `(hidden)` where it would show the value."""
    problems: list[Problem] = []

    def hide(path: Path) -> bool:
        return sensitive.hidden(data, path, fields, secret_env_name)

    for error in compiled.slow().iter_errors(data):
        problems.extend(_word(error, hide))
    return problems


def _word(error: Any, hide: Callable[[Path], bool]) -> list[Problem]:
    path: Path = tuple(error.absolute_path)
    schema, instance, validator = error.schema, error.instance, error.validator
    shown = "(hidden)" if hide(path) else None
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        out = []
        for key in sorted(set(instance) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            out.append(Problem((*path, key), f"unknown field{hint}", at_key=True))
        return out
    if validator == "required":
        missing = error.validator_value
        names = [m for m in missing if isinstance(instance, dict) and m not in instance]
        return [Problem((*path, m), f'missing required field "{m}"') for m in names] or [
            Problem(path, error.message)]
    if validator == "type":
        expected = error.validator_value
        expected = [t for t in (expected if isinstance(expected, list) else [expected]) if t != "null"]
        return [Problem(path, f"expected {_or(expected)}, got {shown or _describe(instance)}")]
    if validator in ("anyOf", "oneOf"):
        branches = error.validator_value
        if validator == "oneOf" and all(isinstance(b, dict) and b.get("required") and set(b) <= {"required", "not"}
                                        for b in branches):  # Config Connector's refs: name or external, not both
            choices = " or ".join("/".join(b["required"]) for b in branches)
            return [Problem(path, f"must set exactly one of {choices}")]
        types = [b.get("type") for b in branches if isinstance(b, dict)]
        flat = [t for t in types for t in (t if isinstance(t, list) else [t]) if t and t != "null"]
        description = schema.get("description")
        if description:
            return [Problem(path, f"invalid value {shown or _describe(instance)}: {description}")]
        matching = [e for e in (error.context or []) if e.validator != "type"]
        if matching:
            return _word(matching[0], hide)
        return [Problem(path, f"expected {_or(sorted(set(flat)))}, got {shown or _describe(instance)}")]
    if validator in ("enum", "const"):
        options = error.validator_value if validator == "enum" else [error.validator_value]
        listed = ", ".join(json.dumps(o) for o in options)
        return [Problem(path, f"must be {'one of ' if len(options) > 1 else ''}{listed}, "
                              f"got {shown or _describe(instance)}")]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return [Problem(path, f"{shown or instance} is out of range: must be between {low} and {high}")]
        bound = "at least" if validator.endswith("inimum") else "at most"
        return [Problem(path, f"{shown or instance} is out of range: must be {bound} {error.validator_value}")]
    if validator == "pattern":
        what = schema.get("description") or f"must match {error.validator_value}"
        return [Problem(path, f"invalid value {shown or _describe(instance)}: {what}")]
    if validator == "maxLength":
        return [Problem(path, f"too long: {len(instance)} characters, at most {error.validator_value} allowed")]
    if validator == "minItems":
        return [Problem(path, f"must have at least {error.validator_value} item(s)")]
    if validator == "propertyNames":
        return [Problem((*path, error.instance) if isinstance(error.instance, str) else path,
                        f"invalid key {_describe(error.instance)}", at_key=True)]
    return [Problem(path, error.message if not shown else f"invalid value ({validator})")]


def _without_redundant(problems: list[Problem]) -> list[Problem]:
    """A misspelt field gives "unknown field (did you mean X)" and "missing required field X": keep the first. A value
    out of range of two layers (the type's int32 and GKE's own limit) keeps the last, our tighter layer's."""
    suggested = {(p.path[:-1], p.message.split('"')[1]) for p in problems
                 if p.message.startswith("unknown field (did you mean")}
    ranged = {p.path: p for p in problems if " is out of range: " in p.message}
    return [p for p in problems if not (p.message.startswith("missing required field") and p.path
                                        and (p.path[:-1], p.path[-1]) in suggested)
            and (" is out of range: " not in p.message or ranged[p.path] is p)]


def _or(names: list[str]) -> str:
    words = {"integer": "an integer", "string": "a string", "object": "a mapping", "array": "a list",
             "boolean": "true or false", "number": "a number"}
    items = [words.get(n, n) for n in names]
    return " or ".join(items) if items else "another type"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f"string {json.dumps(text)}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def check_stored_manifests(state: State, desired: DesiredState, state_digest: bytes | None) -> None:
    """Every last-applied manifest in the state still validates as its kind: a hand-edited record is refused here,
    by name, instead of failing somewhere in the simulation. One equal to a desired resource's manifest (validated
    in this run) is not checked twice; the stored digest alone does not prove that, since a hand edit keeps it.
    A state whose bytes passed once is not checked again (planner.cache, by `state_digest`)."""
    if not state.resources or (state_digest is not None and cache.manifests_checked(state_digest)):
        return
    validator = Validator(state.kubernetes_version or schemas.DEFAULT_KUBERNETES_VERSION)
    for address, resource in state.resources.items():
        same = desired.resources.get(address)
        if same is not None and same.digest == resource.digest and same.manifest == resource.manifest:
            continue
        manifest = resource.manifest
        problem = validator.stored_manifest_problem(resource.api_version, resource.kind, manifest) if isinstance(
            manifest, dict) else "not a mapping"
        if problem is not None:
            raise PlannerError.single(f"the state's record of {resource.address} is damaged: its last-applied "
                                      f"manifest does not validate ({problem}). Restore the state's .backup, or "
                                      "remove the record and apply again.")
    if state_digest is not None:
        cache.note_manifests_checked(state_digest)
