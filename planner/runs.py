"""`planner run` and drift: a kubectl or gcloud command becomes the desired change of one resource, planned against
the state like any input (diff -> order -> attribute), and recorded on the resource (`StoredResource.origin`) so the
next plan shows the change as made outside of planner, with the plan that puts it back.

The desired state of a run is the state's own last-applied manifests, with the command's one resource changed: every
other resource plans as unchanged, so the steps and the state are exactly those of a plan/apply of that change.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping

import yaml

from planner import command_line, kinds
from planner.errors import Diagnostic, PlannerError
from planner.kinds.defaulting import apply_defaults
from planner.model import DesiredState, Resource, SecretKey, address_of, digest_of
from planner.plan import Action, Drift, FieldChange, ResourceChange
from planner.schemas import DEFAULT_KUBERNETES_VERSION
from planner.state import State
from planner.state.model import Origin


def desired_of_state(state: State) -> DesiredState:
    """The state's resources as a desired state: what planner last applied (or a run last made)."""
    resources = {a: Resource(a, r.family, r.api_version, r.kind, r.name, r.namespace, r.manifest, r.digest)
                 for a, r in state.resources.items()}
    return DesiredState(resources, list(state.roots), state.kubernetes_version or DEFAULT_KUBERNETES_VERSION)


def command_desired(argv: list[str], state: State,
                    secret_key: SecretKey) -> tuple[DesiredState, str, command_line.Command]:
    """The desired state after the command, the address it changes and the command line. Raises PlannerError
    (naming what is supported) for a command planner does not simulate, or one that is malformed."""
    command, parsed = command_line.parse(argv)
    target = command.handler(parsed, command_line.World(state))
    desired = desired_of_state(state)
    address = address_of(target.kind, target.name, target.namespace)
    if target.manifest is None:
        desired.resources.pop(address, None)
        if target.cascade:  # a cluster's deletion takes everything running in it
            desired.resources = {a: r for a, r in desired.resources.items() if not kinds.spec_of(r.family).in_cluster}
        return desired, address, parsed
    _check_namespace(parsed, target, state)
    desired.resources[address] = _resource(target, desired.kubernetes_version, secret_key, parsed)
    return desired, address, parsed


def _check_namespace(command: command_line.Command, target: command_line.Target, state: State) -> None:
    spaces = kinds.REGISTRY.for_kind("v1", "Namespace")
    if target.namespace is None or target.namespace in spaces.builtin_names:
        return
    if address_of("Namespace", target.namespace, None) not in state.resources:
        raise command.error(f'namespaces "{target.namespace}" not found')


def _resource(target: command_line.Target, kubernetes_version: str, secret_key: SecretKey,
              command: command_line.Command) -> Resource:
    """The command's object, validated and defaulted as an input document is (through the same stages); a kind
    whose stored values are masked secrets keeps them (they are digests, not values to mask again)."""
    assert target.manifest is not None
    family = kinds.family_of(target.api_version, target.kind)
    if kinds.spec_of(family).sensitive_fields:
        from planner.validate import Validator

        problem = Validator(kubernetes_version).stored_manifest_problem(target.api_version, target.kind,
                                                                       target.manifest)
        if problem is not None:
            raise command.error(f"the {target.kind} it makes does not validate: {problem}")
        manifest = dict(target.manifest)
        apply_defaults(family, manifest)
        return Resource(address_of(target.kind, target.name, target.namespace), family, target.api_version,
                        target.kind, target.name, target.namespace, manifest, digest_of(manifest))
    from planner import api  # the input stages, as plan runs them

    text = yaml.safe_dump(target.manifest, sort_keys=False).encode()
    try:
        loaded = api.load_desired(["-"], io.BytesIO(text), api.Options(kubernetes_version), complete=False,
                                  secret_key=secret_key)
    except PlannerError as exc:
        raise PlannerError([Diagnostic("error", f"`{command.text}` makes a {target.kind} that does not validate: "
                                                f"{d.message}") for d in exc.errors]) from None
    resource = next(iter(loaded.resources.values()))
    return dataclasses.replace(resource, document=None)


def origin_of(change: ResourceChange | None, command: command_line.Command, serial: int,
              previous: Origin | None) -> Origin | None:
    """What the state records on the command's resource: the command, the serial it writes, and what it changed
    since planner last applied it (an earlier run's changes kept, each field's first `before` kept)."""
    if change is None or change.action in (Action.DELETE, Action.FORGET, Action.NOOP):
        return previous
    created = change.action is Action.CREATE or (previous is not None and previous.created)
    merged: dict[str, dict[str, object]] = {str(c["path"]): dict(c) for c in (previous.changes if previous else [])}
    for c in change.changes:
        if c.unknown:
            continue
        wire = dict(c.to_wire())
        if c.path in merged:
            wire["before"] = merged[c.path].get("before")
        merged[c.path] = wire
    kept = [c for c in merged.values() if c.get("before") != c.get("after")]
    verb = f"{command.tool} {' '.join(command.words)}"
    created_by = previous.created_by if previous is not None and previous.created else (
        f"{verb}, at serial {serial}" if created else "")
    return Origin(command=command.text, verb=verb, serial=serial, created=created, created_by=created_by,
                  changes=kept)


def with_drift(changes: list[ResourceChange], state: State) -> list[ResourceChange]:
    """Each change of a resource whose current value came from `planner run` carries it (`drift`). Linear: only
    the resources with an origin are looked at twice."""
    if not any(r.origin is not None for r in state.resources.values()):
        return changes
    out = []
    for change in changes:
        stored = state.resources.get(change.address)
        origin = stored.origin if stored is not None else None
        if origin is None or change.action is Action.NOOP:
            out.append(change)
            continue
        planned = {c.path for c in change.changes}  # what this plan puts back, not what the input agrees with now
        fields = tuple(FieldChange(str(c.get("path")), c.get("before"), c.get("after"),
                                   sensitive=bool(c.get("sensitive")))
                       for c in origin.changes if c.get("path") in planned)
        drift = Drift(origin.command, origin.verb, origin.serial, origin.created_by if origin.created else "", fields)
        out.append(dataclasses.replace(change, drift=drift))
    return out


def origins_for(plan_changes: Mapping[str, ResourceChange], address: str, command: command_line.Command,
                state: State) -> dict[str, Origin]:
    """`Plan.origins` of a run: the one record apply writes (on the serial its write makes)."""
    stored = state.resources.get(address)
    origin = origin_of(plan_changes.get(address), command, state.serial + 1, stored.origin if stored else None)
    return {address: origin} if origin is not None else {}
