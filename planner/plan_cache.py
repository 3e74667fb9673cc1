"""Whole plans kept in planner.cache: a plan is a pure function of its inputs, so a plan asked for again (the same
input files, the same state, the same options) is read instead of computed. The CLI reaches it through planner.api.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner import cache, pipeline
from planner.plan import Action, Plan
from planner.schemas import resolve_version
from planner.state import Backend, ReadResult


@dataclass(frozen=True)
class PlanKey:
    """Where a plan of these inputs against this state is kept in planner.cache (`plan_key`)."""

    plans: cache.Cache
    key: str
    signature: list[tuple[str, int, int, int, int]]
    """The input files' sizes and times when their bytes were read for the key (pipeline.input_signature)."""


def plan_key(paths: list[str], roots: list[str], kubernetes_version: str, skip_unknown: bool, backend: Backend,
             destroy: bool, targets: tuple[str, ...], excluded: tuple[str, ...], commands: bool) -> PlanKey | None:
    """The key a plan is kept by: a plan is a pure function of the input files (their names and bytes, and the
    roots as the state records them), the state read (its bytes, and the secret key: `Backend.fingerprint`),
    planner's code and schemas, the Kubernetes version and the options, and its output a pure function of the
    plan. None when it is not kept: the cache is off, the input comes from stdin, the state has no fingerprint
    (none yet, a journal to replay)."""
    plans = cache.plans(cache.Setting(resolve_version(kubernetes_version), skip_unknown))
    if plans is None:
        return None
    state = backend.fingerprint()
    if state is None:  # no state yet (a plan from empty): nothing to find, so no input is digested for it
        return None
    signature = [] if destroy else pipeline.input_signature(paths)  # before the bytes are read
    files = [] if destroy else pipeline.input_digests(paths)
    if files is None:
        return None
    query = (files, state, roots, destroy, sorted(set(targets)), sorted(set(excluded)), commands)
    return PlanKey(plans, plans.key_of(repr(query).encode()), signature)


def remembered_plan(key: PlanKey) -> tuple[dict[str, Any], bool] | None:
    """The plan's JSON form (what the renderers read) and whether it has changes, if it was kept."""
    return cache.stored_plan(key.plans, key.key)


def remember_plan(key: PlanKey, plan: Plan, read: ReadResult, wire: dict[str, Any], paths: list[str]) -> None:
    """Keep a plan for the next run with the same key, if it is small enough to be worth it and nothing but the
    key's inputs made it: no journal was replayed, the read had nothing to say, and no input file was written
    since its bytes were read for the key (an editor may save one while the plan is computed). The state needs no
    such check: its read parsed the very bytes the key was made from (Backend.fingerprint)."""
    if read.recovered or read.warnings:
        return
    if sum(change.action is not Action.NOOP for change in plan.changes) > cache.PLAN_CHANGES_KEPT:
        return
    if key.signature and pipeline.input_signature(paths) != key.signature:
        return
    cache.store_plan(key.plans, key.key, wire, plan.has_changes)
