"""The memory backend: state held in this process, for tests and for embedding planner as a library.

Same rules as the file backend: serial and lineage, conditional writes, a lock that fails at once (or after
`timeout`) when held and names its holder, a journal replayed on read until the next write.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator

from planner.state.backend import ReadResult, holder_alive, lock_held, stale_write
from planner.state.journal import MemoryJournal, recover
from planner.state.model import LockInfo, State, parse_state

WHERE = "<memory>"


class MemoryBackend:
    def __init__(self) -> None:
        self._payload: bytes | None = None
        self._serial = 0
        self._journal: MemoryJournal | None = None
        self._lock = threading.Lock()
        self._holder: LockInfo | None = None
        self._mutex = threading.Lock()
        """Makes a write's check of the serial and its store one step."""
        self._key = secrets.token_bytes(32)
        """The secret digests' key: it lives as long as the state does (this object)."""

    def describe(self) -> str:
        return WHERE

    def folder(self) -> None:
        return None

    def fingerprint(self) -> None:
        return None  # in-process states are planned once; nothing to find again

    def read(self) -> ReadResult:
        with self._mutex:
            payload, journal = self._payload, self._journal
        state = State() if payload is None else parse_state(payload, WHERE)
        recovered = 0
        if journal is not None:
            state, recovered = recover(state, journal.header, [*journal.lines, b""], stored=payload is not None,
                                       where=f"{WHERE} journal")
        return ReadResult(state, recovered, f"{WHERE} journal")

    def write(self, state: State, expected_serial: int, plan_digest: str = "") -> None:
        with self._mutex:
            if self._serial != expected_serial:
                raise stale_write(WHERE, self._serial, expected_serial)
            state.ensure_lineage()
            state.serial = expected_serial + 1
            self._payload = state.model_dump_json().encode()
            self._serial = state.serial
            self._journal = None

    def journal(self, state: State) -> MemoryJournal:
        self._journal = MemoryJournal(state)
        return self._journal

    def secret_key(self) -> bytes:
        return self._key

    def existing_secret_key(self) -> bytes:
        return self._key

    @contextlib.contextmanager
    def lock(self, operation: str, timeout: float = 0.0) -> Iterator[None]:
        lock = self._lock
        if not (lock.acquire(timeout=timeout) if timeout > 0 else lock.acquire(blocking=False)):
            raise lock_held(WHERE, self._holder)
        holder = self._holder = LockInfo.now(operation)
        try:
            yield
        finally:
            if self._holder is holder:
                self._holder = None
            lock.release()  # the lock taken, even if force_unlock replaced it since

    def holder(self) -> LockInfo | None:
        return self._holder

    def holder_alive(self, info: LockInfo) -> bool | None:
        return holder_alive(info)

    def force_unlock(self) -> LockInfo | None:
        """Forget the lock (its holder's release then has no effect on the new one). Returns who held it."""
        info, self._holder = self._holder, None
        self._lock = threading.Lock()
        return info
