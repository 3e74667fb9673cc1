"""The JSON plan's wire form (`planner plan -o json`, the `plan` of a saved plan): typed here, field by field.

`Plan.to_wire()` returns these types, so mypy holds the code to the contract, and `schemas/plan.schema.json` is
generated from them (`python -m planner.wire`); a test checks the committed file is what this prints. Consumers pin
`format_version`'s major number, which changes only when a consumer must change.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema, with_config
from typing_extensions import NotRequired, TypedDict  # pydantic needs these on Python < 3.12

from planner.knowledge.components import COMPONENTS

SCHEMA_ID = "https://planner.dev/schemas/plan.schema.json"
_CLOSED = ConfigDict(extra="forbid")

Count = Annotated[int, Field(ge=0)]
Actor = Annotated[str, WithJsonSchema({"enum": sorted(COMPONENTS)})]
Component = Annotated[str, WithJsonSchema({"enum": [c for actor in COMPONENTS for c in COMPONENTS[actor]]})]
Action = Literal["create", "update", "replace", "delete", "forget", "no-op"]
Phase = Literal["create", "update", "delete", "forget"]
Reason = Literal["replace_because_cannot_update", "replace_because_cluster_replaced",
                 "delete_because_no_resource_config", "delete_because_cluster_deleted", "forget_because_abandoned",
                 "delete_because_destroy"]


@with_config(_CLOSED)
class StateRef(TypedDict):
    """The state version the plan was made against."""

    lineage: Annotated[str | None, Field(description="The state's lineage (null before the first apply).")]
    serial: Count


@with_config(_CLOSED)
class Summary(TypedDict):
    create: Count
    update: Count
    replace: Count
    delete: Count
    forget: NotRequired[Count]
    """Resources that leave the state but keep running (format 1.1; absent from plans saved by 1.0)."""


@with_config(_CLOSED)
class FieldChangeWire(TypedDict):
    path: Annotated[str, Field(description="Field path; list items with a merge key are addressed as "
                                           "containers[name=web].")]
    before: Any
    after: Any
    after_unknown: NotRequired[Annotated[Literal[True], Field(
        description="Only apply can know the value (ClusterIP, nodePort, external IP, node names).")]]
    forces_replacement: NotRequired[Literal[True]]
    replacement_reason: NotRequired[Annotated[str, Field(
        description="Why this field forces a replacement (and, where there is one, the in-place alternative).")]]
    sensitive: NotRequired[Annotated[Literal[True], Field(description="A Secret value: before/after are masked.")]]


Address = Annotated[str, Field(pattern=r"^[A-Za-z]+/([a-z0-9.-]+/)?[a-z0-9.-]+$")]


@with_config(_CLOSED)
class DependencyWire(TypedDict):
    """An edge: this change's `phase` operation runs after the operation of `address` (a change of this plan)."""

    address: Address
    reason: Annotated[str, Field(min_length=1, description="Why, in words: the reference and what needs it.")]
    phase: Annotated[Phase, Field(description="create/update: after the target's create or update; delete/forget: "
                                               "after the target's delete (deletions run in reverse).")]


@with_config(_CLOSED)
class DriftWire(TypedDict):
    """The resource's current value came from `planner run`, not from planner's input (format 1.3)."""

    command: Annotated[str, Field(description="The kubectl or gcloud command line, as given to planner run.")]
    verb: Annotated[str, Field(description="Its tool and words: `kubectl scale`.")]
    serial: Annotated[Count, Field(description="The state serial that command wrote.")]
    created_by: Annotated[str, Field(description="When a planner run command created the resource: which one, "
                                                 "at which serial (else empty).")]
    changes: Annotated[list[FieldChangeWire], Field(description="What the command changed: before is the value "
                                                                "planner last applied.")]


@with_config(_CLOSED)
class ResourceChangeWire(TypedDict):
    address: Address
    kind: str
    api_version: str
    name: str
    namespace: str | None
    action: Action
    reasons: list[Reason]
    replace_paths: list[str]
    changes: list[FieldChangeWire]
    unchanged_attributes: Count
    depends_on: NotRequired[Annotated[list[DependencyWire], Field(
        description="What must happen first, and why (format 1.2; absent from plans saved by 1.0 and 1.1).")]]
    imperative: NotRequired[Annotated[list[str], Field(
        description="The kubectl/gcloud commands a person would have typed for this change, in order (shell "
                    "lines; a line starting with # is a note, such as why a forget has none). Secret values are "
                    "never in them. Format 1.3; absent from plans saved by 1.0 to 1.2.")]]
    drift: NotRequired[Annotated[DriftWire, Field(
        description="Changed outside of planner: the planner run command that made the current value (1.3).")]]


@with_config(_CLOSED)
class StepWire(TypedDict):
    index: Annotated[int, Field(ge=1, description="1-based execution order.")]
    address: str
    phase: Annotated[Phase, Field(
        description="Tells a replacement's delete steps from its create steps.")]
    actor: Actor
    component: Component
    description: Annotated[str, Field(min_length=1)]
    source: NotRequired[Annotated[str, Field(
        description="Where the step's fact comes from: a documentation URL or an upstream source file (format 1.3).")]]


@with_config(_CLOSED)
class DiagnosticWire(TypedDict):
    severity: Literal["error", "warning", "info"]
    message: str
    file: NotRequired[str]
    line: NotRequired[Annotated[int, Field(ge=1)]]
    column: NotRequired[Annotated[int, Field(ge=1)]]
    path: NotRequired[str]
    address: NotRequired[str]
    banner: NotRequired[Annotated[Literal[True], Field(
        description="Shown before the plan: it concerns what gets destroyed.")]]


@with_config(_CLOSED)
class PlanWire(TypedDict):
    """planner's JSON plan, format 1.x."""

    format_version: Annotated[str, Field(pattern=r"^1\.[0-9]+$")]
    kubernetes_version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+$")]
    state: StateRef
    roots: list[str]
    previous_roots: list[str]
    summary: Summary
    resource_changes: list[ResourceChangeWire]
    steps: list[StepWire]
    diagnostics: list[DiagnosticWire]
    targets: NotRequired[Annotated[list[Address], Field(
        description="--target addresses: the plan holds only them and what they depend on (format 1.2).")]]
    excluded: NotRequired[Annotated[list[Address], Field(
        description="--exclude addresses: the plan leaves out them and what depends on them (format 1.2).")]]


def plan_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema = TypeAdapter(PlanWire).json_schema(ref_template="#/$defs/{model}")
    schema.pop("title", None)
    description = schema.pop("description", "")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "planner JSON plan (planner plan -o json), format 1.x",
            "description": f"{description} Consumers pin format_version's major number; it changes only when a "
                           "consumer must change.", **schema}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(plan_schema(), indent=2) + "\n")
