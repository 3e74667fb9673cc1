"""Fields one resource owns in another once applied (a HorizontalPodAutoscaler owns its target's spec.replicas).

Before the diff, each owned field of a target the state already holds keeps the value the cluster has, so the plan
does not fight the owner (`KindSpec.owns`); the owner's own apply keeps it within its bounds. A note says what the
input asked for and who decides instead.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from planner import kinds
from planner.errors import Diagnostic
from planner.model import DesiredState, digest_of
from planner.state import State


def value_at(manifest: Any, path: str) -> Any:
    for part in path.split("."):
        manifest = manifest.get(part) if isinstance(manifest, dict) else None
    return manifest


def with_value(manifest: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the manifest with `path` set (the original is shared with the loaded document)."""
    copy: dict[str, Any] = json.loads(json.dumps(manifest))
    node = copy
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return copy


def keep_owned(desired: DesiredState, state: State) -> list[Diagnostic]:
    """Owned fields of existing targets keep their live value in the desired state; returns the notes."""
    notes: list[Diagnostic] = []
    for resource in list(desired.resources.values()):
        hook = kinds.spec_of(resource.family).owns
        if hook is None:
            continue
        for owned in hook(resource.manifest, resource.namespace):
            target, stored = desired.resources.get(owned.address), state.resources.get(owned.address)
            if target is None or stored is None:
                continue  # a new target starts with the input's value; the owner adjusts it when applied
            live, wanted = value_at(stored.manifest, owned.path), value_at(target.manifest, owned.path)
            if live is None or live == wanted:
                continue
            manifest = with_value(target.manifest, owned.path, live)
            desired.resources[owned.address] = dataclasses.replace(target, manifest=manifest,
                                                                   digest=digest_of(manifest))
            notes.append(Diagnostic("info", f"{owned.path} {wanted} in the input is not planned: {resource.address} "
                                            f"owns it ({owned.why}); it stays {live}", address=owned.address))
    return notes
