"""What every state backend provides (`Backend`), and the rules they share: the lock error, the holder's liveness.

A backend is one module implementing `Backend` plus one entry in `planner.state.registry.BACKENDS`.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from planner.errors import PlannerError
from planner.state import fs
from planner.state.journal import Journal
from planner.state.model import LockInfo, State


@dataclass
class ReadResult:
    """A read: the state, with the operations of an interrupted apply replayed from its journal (in memory only;
    `planner.api.locked_state` writes them into the state under the lock)."""

    state: State
    recovered: int = 0
    """How many completed operations of an interrupted apply the read replayed (0: there was nothing to recover)."""
    journal: str = ""
    """Where they were recovered from, for messages (the journal file)."""
    warnings: list[str] = field(default_factory=list)
    """What the user should know about the read (a journal of another state moved aside), one message each."""
    digest: bytes | None = None
    """The content digest of the stored bytes the state was parsed from, when it is exactly those (nothing was
    replayed on top): what planner.cache finds facts about those bytes by."""


class Backend(Protocol):
    """Where state lives. Plan only reads; apply and destroy lock, read, journal, write."""

    def describe(self) -> str:
        """Where the state is, for messages (the file name)."""
        ...

    def folder(self) -> str | None:
        """The folder the state lives in, if any: input roots are recorded relative to it (otherwise to the working
        directory)."""
        ...

    def read(self) -> ReadResult:
        """The stored state (empty if there is none), with an interrupted apply's journal replayed on top."""
        ...

    def fingerprint(self) -> bytes | None:
        """A digest of everything the next `read` (and the secret key) would give, when it is only the stored
        bytes: a plan of unchanged inputs against them is found in planner.cache instead of computed. None when
        there is no such digest (no state yet, a journal to replay, a backend that cannot tell cheaply)."""
        ...

    def write(self, state: State, expected_serial: int, plan_digest: str = "") -> None:
        """Store `state` as serial `expected_serial + 1`, and drop the journal it includes; refuse with a
        PlannerError, writing nothing, unless the stored serial is still `expected_serial` (the one read).
        `plan_digest` names the operations that made this version, for a backend that keeps a history."""
        ...

    def lock(self, operation: str, timeout: float = 0.0) -> contextlib.AbstractContextManager[None]:
        """Hold the one writer's lock, recording who holds it; fail (PlannerError naming the holder) if another
        holds it for `timeout` seconds (0: fail at once)."""
        ...

    def holder(self) -> LockInfo | None:
        """Who holds the lock now (None when nobody does)."""
        ...

    def holder_alive(self, info: LockInfo) -> bool | None:
        """Whether the lock's holder is still running: None when this machine cannot tell (another host)."""
        ...

    def force_unlock(self) -> LockInfo | None:
        """Break the lock whatever its holder is doing; returns who held it."""
        ...

    def journal(self, state: State) -> Journal:
        """Start the journal of an apply that starts from `state` (as read)."""
        ...

    def secret_key(self) -> bytes:
        """The key of the keyed digests (HMAC-SHA256) that stand for secret values in plans and in the state. It is
        kept outside the state (a 0600 file beside a file state), so a digest cannot be reversed by hashing guesses
        without it; the same key must serve every plan and apply of one state."""
        ...

    def existing_secret_key(self) -> bytes | None:
        """The key if the state has one, without making one (what `planner state migrate` carries over)."""
        ...


@runtime_checkable
class Versioned(Protocol):
    """A backend that keeps every version (PostgreSQL): `planner state history`, `show --serial`, `rollback`."""

    def history(self) -> list[dict[str, Any]]:
        """Every stored version, oldest first: serial, lineage, who, at, plan_digest."""
        ...

    def version(self, serial: int) -> State:
        """The state as written at `serial`."""
        ...


@runtime_checkable
class Adopting(Protocol):
    """A backend `planner state migrate` can write to: it stores a state as it is (serial and lineage kept)."""

    def adopt(self, state: State, key: bytes | None, origin: str) -> None:
        ...


def lock_held(where: str, holder: LockInfo | None) -> PlannerError:
    """The error when the lock stays held: it names the holder."""
    return PlannerError.single(
        f"Error acquiring the state lock on {where}: held by {holder.describe() if holder else 'another process'}. "
        "Wait for it to finish, or use --lock-timeout to wait.")


def stale_write(where: str, stored: int, expected: int) -> PlannerError:
    """The error when a conditional write finds another serial than the one it was read at."""
    return PlannerError.single(
        f"Error writing the state to {where}: it was changed by another operation since it was read (serial "
        f"{expected} -> {stored}); nothing was written. Run plan again.")


def holder_alive(info: LockInfo) -> bool | None:
    """A holder on this host is alive if its pid is (True/False); on another host, or unreadable (pid 0: its
    details could not be read), nobody here can tell (None)."""
    if info.pid <= 0 or info.host != socket.gethostname():
        return None
    return fs.pid_alive(info.pid)
