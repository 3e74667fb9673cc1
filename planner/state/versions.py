"""`planner state history | show --serial | rollback | migrate`: the operations on a state's versions.

Only a backend that keeps every version (`Versioned`: PostgreSQL) has a history; asking a file state for one is a
clear error, never an empty list. A rollback is a new version (a copy of the old one, serial + 1): history is never
rewritten, and saved plans made before it are stale as after any write. A migration keeps lineage and serial, so
saved plans made against the source still apply to the destination.
"""

from __future__ import annotations

from typing import Any

from planner.errors import PlannerError
from planner.state.backend import Adopting, Backend, Versioned
from planner.state.model import State


def _versioned(backend: Backend, command: str) -> Versioned:
    if not isinstance(backend, Versioned):
        raise PlannerError.single(
            f"the state {backend.describe()} keeps no history (a file state keeps only its previous version, in its "
            f"`.backup`): `planner state {command}` needs a state that keeps every version, a postgresql:// URL")
    return backend


def state_history(backend: Backend) -> list[dict[str, Any]]:
    """Every version of the state, oldest first."""
    return _versioned(backend, "history").history()


def state_version(backend: Backend, serial: int) -> State:
    """The state as it was written at `serial`."""
    return _versioned(backend, "show --serial").version(serial)


def rollback_state(backend: Backend, serial: int, timeout: float = 0.0) -> State:
    """Write version `serial` again as a new version, under the lock; returns the new state (its serial the new
    one). An interrupted apply's journal is first folded in as its own version, so the history stays complete."""
    versioned = _versioned(backend, "rollback")
    with backend.lock("rollback", timeout):
        current = backend.read()
        if current.recovered:
            backend.write(current.state, current.state.serial, "recovered journal")
        target = versioned.version(serial)
        if target.lineage != current.state.lineage:
            raise PlannerError.single(f"serial {serial} of {backend.describe()} belongs to lineage {target.lineage}, "
                                      f"not the current state's ({current.state.lineage}): refusing to mix states")
        backend.write(target, current.state.serial, f"rollback to serial {serial}")
    return target


def migrate_state(source: Backend, target: Backend, timeout: float = 0.0) -> State:
    """Copy the source's state (lineage and serial kept) and its secret key into an empty target; both locked."""
    if not isinstance(target, Adopting):
        raise PlannerError.single(f"`planner state migrate` writes to a postgresql:// URL; {target.describe()} cannot "
                                  "take a state as it is (with its serial and lineage)")
    with source.lock("migrate", timeout), target.lock("migrate", timeout):
        read = source.read()
        if read.recovered:
            raise PlannerError.single(f"{source.describe()} holds the journal of an interrupted apply: run `planner "
                                      "apply` on it first (it folds the journal in), then migrate")
        state = read.state
        if state.lineage is None and not state.resources:
            raise PlannerError.single(f"nothing to migrate: there is no state at {source.describe()}")
        existing = target.read().state
        if existing.serial or existing.resources:
            raise PlannerError.single(f"{target.describe()} already holds a state (serial {existing.serial}, lineage "
                                      f"{existing.lineage}): migrate only into an empty workspace")
        target.adopt(state, source.existing_secret_key(), source.describe())
    return state
