"""The state's data: the pydantic models, the format version and the chain of upgrades from older versions.

Every backend parses stored state through `parse_state`, so the checks (empty, truncated, foreign, newer) and the
upgrades are the same whatever holds the bytes.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, ValidationError, model_serializer

from planner import cache, clock
from planner.errors import PlannerError

STATE_VERSION = 2
"""The version this planner writes. Bump it together with an entry in UPGRADES from the previous version.
Version 2: live objects shaped as kubectl shows them (Service spec.clusterIP, Pod spec.nodeName, ...), and Secrets
a family of their own."""


def _upgrade_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: each resource's family is decided again by the registry (Secrets were "generic"), and each
    kind converts its own live object (`KindSpec.upgrades[1]`)."""
    from planner import kinds  # the registry's kinds import this module

    resources: dict[str, Any] = {}
    if not isinstance(data.get("resources"), dict):
        return data  # damaged: validation says where
    for address, record in data["resources"].items():
        if not (isinstance(record, dict) and isinstance(record.get("api_version"), str)
                and isinstance(record.get("kind"), str) and isinstance(record.get("status", {}), dict)):
            resources[address] = record
            continue
        spec = kinds.REGISTRY.for_kind(record["api_version"], record["kind"])
        step = spec.upgrades.get(1)
        status = record.get("status") or {}
        resources[address] = {**record, "family": spec.family, "status": step(status) if step else status}
    return {**data, "resources": resources}


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_1}
"""`UPGRADES[n]` turns the raw JSON of a version-n state into version n+1 (the chain then sets `version` itself).
Applied in order on read, before validation, to a state older than STATE_VERSION; the state is stored in the new
version at the next write (its `.backup` keeps the old one)."""


class Origin(BaseModel):
    """Where a resource's last change came from when it was not planner apply: `planner run` of a kubectl or
    gcloud command, at the state serial it wrote. The next plan shows it as drift; the next apply of the resource
    clears it."""

    model_config = ConfigDict(extra="forbid")

    command: str
    verb: str = ""
    """The command's tool and words (`kubectl scale`), as the plan names it."""
    serial: int
    created: bool = False
    """A command created the resource (an input without it plans its deletion)."""
    created_by: str = ""
    """That command's tool and words, and the serial it wrote (`kubectl create deployment, at serial 2`)."""
    changes: list[dict[str, Any]] = Field(default_factory=list)
    """The fields it changed: {path, before, after}, as the plan's field changes (secret values masked)."""


class StoredResource(BaseModel):
    """One resource as last applied: its defaulted manifest (secret values as digests) and its simulated status."""

    model_config = ConfigDict(extra="forbid")

    address: str
    family: str
    api_version: str
    kind: str
    name: str
    namespace: str | None = None
    digest: str
    manifest: dict[str, Any]
    status: dict[str, Any] = Field(default_factory=dict)
    origin: Origin | None = None
    """Set by `planner run` (absent otherwise: a state without imperative runs is written as before)."""

    @model_serializer(mode="wrap")
    def _without_empty_origin(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("origin", 0) is None:
            del data["origin"]
        return data


class State(BaseModel):
    """The whole state file. One state holds one cluster and everything in it."""

    model_config = ConfigDict(extra="forbid")

    version: int = STATE_VERSION
    serial: int = 0
    lineage: str | None = None
    roots: list[str] = Field(default_factory=list)
    kubernetes_version: str | None = None
    resources: dict[str, StoredResource] = Field(default_factory=dict)

    @property
    def cluster(self) -> StoredResource | None:
        from planner import kinds  # the registry's kinds import this module

        return next((r for r in self.resources.values() if kinds.spec_of(r.family).is_cluster), None)

    def of_family(self, family: str) -> list[StoredResource]:
        """Every stored resource of one kind family, by address (what `planner get` lists)."""
        return sorted((r for r in self.resources.values() if r.family == family), key=lambda r: r.address)

    def ensure_lineage(self) -> str:
        if self.lineage is None:
            self.lineage = clock.new_lineage()
        return self.lineage


class LockInfo(BaseModel):
    """Who holds a state lock, as the holder recorded it."""

    pid: int
    host: str
    user: str
    operation: str
    since: str

    @classmethod
    def now(cls, operation: str) -> LockInfo:
        """This process, taking the lock for `operation` now."""
        return cls(pid=os.getpid(), host=socket.gethostname(), user=_user(), operation=operation,
                   since=datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} (user {self.user}), operation {self.operation!r}, since {self.since}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object_pairs_hook refusing a key given twice (json.loads keeps the last one silently). It runs in
    the C decoder's loop, one Python call per object. Measured (CPU time) on a 10,000-resource state (12 MB):
    json.loads 100 ms -> 160 ms, parse_state 155 -> 215 ms, about 4% of `planner show`; a canonical re-dump to
    skip the check for files planner wrote itself cost more (+160 ms)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def parse_state(raw: bytes, name: str, hint: str = "") -> State:
    """Stored bytes -> State: refuses what is not a whole planner state (a key given twice included: a hand edit
    that JSON parsers resolve silently, each its own way), upgrades an older version.

    `name` says where the bytes came from (a file name), `hint` is appended to the errors about damage (where the
    previous version is)."""
    if not raw.strip():
        raise PlannerError.single(f"state file {name} is empty: refusing to treat it as no state.{hint}")
    head = cache.stored_state(raw)  # these very bytes, parsed and checked by an earlier run (planner.cache)
    named: list[dict[str, Any]] | None = []
    fresh = head is None
    if head is None:
        head, named = _checked_head(raw, name, hint)
    try:
        state = State.model_validate(head)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlannerError.single(f"state file {name} is damaged: {where}: {first['msg']}.{hint}") from None
    if fresh and named is not None:
        cache.store_state(raw, head, named)
    elif not fresh:
        cache.mark_clean(state)
    return state


def _checked_head(raw: bytes, name: str, hint: str) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The state's JSON, with no key twice, at this version, its live objects as their schema says; and every
    object of it with a `name` and a `value` (env vars: planner.cache keeps no state with a secret in clear), None
    if the state was upgraded (not cached)."""
    named: list[dict[str, Any]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = _unique_keys(pairs)
        if "value" in obj and "name" in obj:
            named.append(obj)
        return obj

    try:
        head = json.loads(raw, object_pairs_hook=pairs_hook)
    except _DuplicateKey as exc:
        raise PlannerError.single(
            f"state file {name} has the key {exc.key!r} twice in one object (a hand edit?): refusing to guess which "
            f"one is meant. Remove one of them, or restore the previous version.{hint}") from None
    except ValueError as exc:
        raise PlannerError.single(f"state file {name} is not valid JSON ({exc}); it may be truncated.{hint}") from None
    if not isinstance(head, dict) or not isinstance(head.get("version"), int):
        raise PlannerError.single(f"{name} is not a planner state file (no version).{hint}")
    if head["version"] > STATE_VERSION:
        raise PlannerError.single(f"state file {name} has version {head['version']}, newer than this "
                                  f"planner understands ({STATE_VERSION}): upgrade planner")
    if head["version"] < STATE_VERSION:
        head, named = upgrade(head, name), None  # type: ignore[assignment]
    damage = _live_object_damage(head)
    if damage is not None:
        raise PlannerError.single(f"state file {name} is damaged: {damage}.{hint}")
    checked: dict[str, Any] = head
    return checked, named


_SCHEMA: list[Any] = []


def _live_object_damage(head: dict[str, Any]) -> str | None:
    """Where the stored live objects break `schemas/state.schema.json` (generated from each kind's live TypedDict),
    or None. A compiled validator answers yes or no fast; only a damaged state pays for the wording."""
    if not _SCHEMA:
        import jsonschema_rs  # on first use: start-up time

        from planner.schemas import own_schema

        _SCHEMA.append(jsonschema_rs.validator_for(own_schema("state.schema.json")))
    validator = _SCHEMA[0]
    if validator.is_valid(head):
        from planner import kinds  # the registry's kinds import this module

        for address, record in (head.get("resources") or {}).items():
            family = kinds.REGISTRY.for_kind(record["api_version"], record["kind"]).family
            if record["family"] != family:
                return f"resources.{address}.family: {record['family']!r} is not the family of a {record['kind']}"
        return None
    error = next(iter(validator.iter_errors(head)))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path).lstrip(".")
    return f"{where}: {error.message}" if where else str(error.message)


def oldest_readable() -> int:
    """The oldest version the chain of upgrades leads from to STATE_VERSION."""
    version = STATE_VERSION
    while version - 1 in UPGRADES:
        version -= 1
    return version


def upgrade(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Run the raw JSON of an older state through UPGRADES, one version at a time, up to STATE_VERSION."""
    start = version = data["version"]
    while version < STATE_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise PlannerError.single(
                f"state file {name} has version {start}, which this planner cannot read: it has no upgrade from "
                f"version {version} to {version + 1} (it reads versions {oldest_readable()} to {STATE_VERSION})")
        try:
            upgraded = step(data)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise PlannerError.single(
                f"state file {name} could not be upgraded from version {version} to {version + 1}: "
                f"{type(exc).__name__}: {exc}. The file is unchanged.") from None
        if not isinstance(upgraded, dict):
            raise PlannerError.single(f"state file {name} could not be upgraded from version {version} to "
                                      f"{version + 1}: the upgrade returned {type(upgraded).__name__}, not an object")
        version += 1
        data = {**upgraded, "version": version}
    return data
