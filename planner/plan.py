"""The plan model: frozen data decided once by diff, order and attribute; renderers and apply only read it.

`to_wire()` is the versioned JSON contract (`schemas/plan.schema.json`). Reasons explain; they never decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

from planner.errors import Diagnostic

if TYPE_CHECKING:  # the wire types are for mypy and the schema; importing them costs pydantic at start-up
    from planner import wire

FORMAT_VERSION = "1.3"
"""Bumped whenever the JSON plan's shape changes (tests/test_plan_format.py holds each version's schema fingerprint):
1.1 added `forget`, 1.2 `depends_on`, `targets` and `excluded`, 1.3 each change's `imperative` commands and `drift`,
and each step's `source`. The major number changes only when a consumer must."""

READABLE_VERSIONS = ("1.0", "1.1", "1.2", FORMAT_VERSION)
"""Saved plans of these formats still load and apply (their plan is compared in their own format: `wire_as`)."""

SAVED_PLAN_MARKER = "planner-saved-plan"


UNKNOWN = object()
"""Stands for a value only apply can know (terraform's `(known after apply)`)."""


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"
    """Leaves the state, not the cloud: Config Connector's deletion-policy abandon (terraform's `removed` block
    with destroy = false plans the same action)."""
    NOOP = "no-op"


class Reason(str, Enum):
    """Why a resource has its action, in terraform's vocabulary where it has one."""

    CANNOT_UPDATE = "replace_because_cannot_update"
    CLUSTER_REPLACED = "replace_because_cluster_replaced"
    NO_CONFIG = "delete_because_no_resource_config"
    CLUSTER_DELETED = "delete_because_cluster_deleted"
    ABANDONED = "forget_because_abandoned"
    DESTROY = "delete_because_destroy"
    """`planner destroy` (or `plan --destroy`): everything goes, asked for, not because the input changed."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    path: str
    before: Any = None
    after: Any = None
    unknown: bool = False
    """The value is only known after apply (ClusterIP, nodePort, external IP, node names)."""
    forces_replacement: bool = False
    sensitive: bool = False
    replacement_reason: str = ""

    def to_wire(self) -> wire.FieldChangeWire:
        out: wire.FieldChangeWire = {"path": self.path, "before": self.before, "after": self.after}
        if self.unknown:
            out["after_unknown"] = True
        if self.forces_replacement:
            out["forces_replacement"] = True
            out["replacement_reason"] = self.replacement_reason
        if self.sensitive:
            out["sensitive"] = True
        return out


@dataclass(frozen=True, slots=True)
class Dependency:
    """What must happen before one of this change's operations, and why (a `depends_on` edge of the JSON plan)."""

    address: str
    reason: str
    phase: str
    """This change's operation that waits: `create`/`update` wait for the target's create or update; `delete`/
    `forget` wait for the target's delete (deletions run in reverse: a cluster goes after its node pools)."""

    def to_wire(self) -> wire.DependencyWire:
        return {"address": self.address, "reason": self.reason, "phase": cast("wire.Phase", self.phase)}


@dataclass(frozen=True, slots=True)
class Drift:
    """The resource's last change came from `planner run` (a kubectl or gcloud command), not from the input: what
    it changed, so the plan can say what it puts back."""

    command: str
    verb: str
    serial: int
    created_by: str = ""
    """Set when a run created the resource: which command, at which serial."""
    changes: tuple[FieldChange, ...] = ()

    def to_wire(self) -> wire.DriftWire:
        return {"command": self.command, "verb": self.verb, "serial": self.serial, "created_by": self.created_by,
                "changes": [c.to_wire() for c in self.changes]}


@dataclass(frozen=True, slots=True)
class ResourceChange:
    address: str
    family: str
    api_version: str
    kind: str
    name: str
    namespace: str | None
    action: Action
    reasons: tuple[str, ...] = ()
    replace_paths: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()
    """Field-level changes of an update or replacement. A create keeps its values in `created` instead."""
    created: tuple[tuple[str, Any], ...] = ()
    """A create's values, (path, value); the value UNKNOWN marks one only apply can know. Kept as plain pairs:
    a large create has ~25 per resource, and they are only ever rendered."""
    change_classes: tuple[str, ...] = ()
    """For updates: which stories apply (`scale`, `rollout`, `type`, ...), from knowledge.steps.CHANGE_CLASSES."""
    unchanged_count: int = 0
    before: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    after: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    after_digest: str = field(default="", compare=False, repr=False)
    depends_on: tuple[Dependency, ...] = ()
    """Set by the order stage: edges to other changes of this plan only."""
    imperative: tuple[str, ...] = ()
    """Set by the commands stage: the kubectl/gcloud commands a person would have typed for this change."""
    drift: Drift | None = None
    """Set when the state records that a `planner run` command made the resource's current value."""

    def to_wire(self) -> wire.ResourceChangeWire:
        out = self._wire()
        if self.drift is not None:
            out["drift"] = self.drift.to_wire()
        return out

    def _wire(self) -> wire.ResourceChangeWire:
        return {
            "address": self.address,
            "kind": self.kind,
            "api_version": self.api_version,
            "name": self.name,
            "namespace": self.namespace,
            "action": self.action.value,
            "reasons": [cast("wire.Reason", r) for r in self.reasons],
            "replace_paths": list(self.replace_paths),
            "changes": [c.to_wire() for c in self.changes] if not self.created else cast("list[wire.FieldChangeWire]", [
                # dict displays, not the TypedDict's constructor: a plan from empty builds ~300,000 of these
                {"path": path, "before": None, "after": None, "after_unknown": True} if value is UNKNOWN else
                {"path": path, "before": None, "after": value} for path, value in self.created]),
            "unchanged_attributes": self.unchanged_count,
            "depends_on": [d.to_wire() for d in self.depends_on],
            "imperative": list(self.imperative),
        }


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    address: str
    phase: str
    """`create`, `update` or `delete`: tells a replacement's delete steps from its create steps."""
    actor: str
    component: str
    description: str
    source: str = ""
    """Where the fact comes from (the step template's source): `plan --explain` shows it."""

    def to_wire(self) -> wire.StepWire:
        return {"index": self.index, "address": self.address, "phase": cast("wire.Phase", self.phase),
                "actor": self.actor, "component": self.component, "description": self.description,
                "source": self.source}


@dataclass(frozen=True, slots=True)
class Operation:
    """One resource change's turn in execution order: a replacement has two (delete, then create)."""

    phase: str
    change: ResourceChange
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Plan:
    operations: tuple[Operation, ...]
    """Execution order, each with its steps."""
    changes: tuple[ResourceChange, ...]
    """Every resource, no-ops included: changed ones in execution order of their first operation, then no-ops."""
    diagnostics: tuple[Diagnostic, ...]
    state_lineage: str | None
    state_serial: int
    roots: tuple[str, ...]
    previous_roots: tuple[str, ...]
    kubernetes_version: str
    targets: tuple[str, ...] = ()
    """`--target` addresses: the plan holds only them and what they depend on."""
    excluded: tuple[str, ...] = ()
    """`--exclude` addresses: the plan leaves them out, and everything that depends on them."""
    origins: Mapping[str, Any] = field(default_factory=dict)
    """`planner run`: the state's origin record (planner.state.Origin) apply writes on the command's resource;
    every other resource an apply touches loses its origin. Not part of the wire form."""

    @property
    def steps(self) -> list[Step]:
        return [step for op in self.operations for step in op.steps]

    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "replace": 0, "delete": 0, "forget": 0}
        for change in self.changes:
            if change.action is not Action.NOOP:
                counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def to_wire(self) -> dict[str, Any]:
        """The JSON plan, typed by `planner.wire.PlanWire` (what schemas/plan.schema.json is generated from)."""
        counts = self.summary()
        typed: wire.PlanWire = {
            "format_version": FORMAT_VERSION,
            "kubernetes_version": self.kubernetes_version,
            "state": {"lineage": self.state_lineage, "serial": self.state_serial},
            "roots": list(self.roots),
            "previous_roots": list(self.previous_roots),
            "summary": {"create": counts["create"], "update": counts["update"], "replace": counts["replace"],
                        "delete": counts["delete"], "forget": counts["forget"]},
            "resource_changes": [c.to_wire() for c in self.changes],
            "steps": [s.to_wire() for s in self.steps],
            "diagnostics": [cast("wire.DiagnosticWire", d.to_json()) for d in self.diagnostics],
            "targets": list(self.targets),
            "excluded": list(self.excluded),
        }
        return cast(dict[str, Any], typed)


def wire_as(plan: dict[str, Any], version: str) -> dict[str, Any]:
    """The JSON plan as an older format wrote it (a saved plan of that format is compared in it): 1.2 had no
    imperative commands, drift or step sources; 1.1 also no depends_on, targets or excluded; 1.0 also no `forget`
    count."""
    if version == FORMAT_VERSION:
        return plan
    gone = ("imperative", "drift") if version == "1.2" else ("imperative", "drift", "depends_on")
    out = {k: v for k, v in plan.items() if version == "1.2" or k not in ("targets", "excluded")}
    out["format_version"] = version
    out["steps"] = [{k: v for k, v in s.items() if k != "source"} for s in plan["steps"]]
    out["resource_changes"] = [{k: v for k, v in c.items() if k not in gone} for c in plan["resource_changes"]]
    if version == "1.0":
        out["summary"] = {k: v for k, v in plan["summary"].items() if k != "forget"}
    return out
