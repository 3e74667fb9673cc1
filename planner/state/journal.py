"""The apply journal: what each completed operation upserted or removed, so a crash loses no completed operation.

A journal is a header (`{"journal": 1, "lineage", "base_serial", "pid"}`: the state it starts from) and then one
JSON line per completed operation. A torn last line (a crash mid-write) is ignored on replay. Apply folds the
journal into the state once at the end; rewriting the whole state per resource, as terraform does, would make
apply quadratic in the number of resources.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from planner.state.model import State, StoredResource

JOURNAL_SYNC_SECONDS = 0.2
"""Group commit: completed operations reach the disk in batches at most this far apart (and always at the end)."""


class Journal(Protocol):
    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        """One completed operation: the resources of `state` it upserted (`touched`) and those it removed."""
        ...

    def close(self) -> None:
        """Make every recorded operation durable; no more records. Closing twice is harmless."""
        ...


def header(state: State) -> dict[str, Any]:
    return {"journal": 1, "lineage": state.lineage, "base_serial": state.serial, "pid": os.getpid()}


def entry(state: State, touched: set[str], removed: set[str]) -> bytes:
    """One operation as a journal line (without its newline)."""
    record = {"upsert": [state.resources[a].model_dump(mode="json") for a in sorted(touched) if a in state.resources],
              "delete": sorted(removed)}
    return json.dumps(record, separators=(",", ":")).encode()


class FileJournal:
    """The journal as an append-only file, fsynced at least every JOURNAL_SYNC_SECONDS and on close.

    The caller makes the file's creation durable (an fsync of its folder) before the first record."""

    def __init__(self, path: Path, state: State) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        self._last_sync = time.monotonic()
        self._append(json.dumps(header(state), separators=(",", ":")).encode(), sync=True)

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        self._append(entry(state, touched, removed), sync=time.monotonic() - self._last_sync >= JOURNAL_SYNC_SECONDS)

    def _append(self, line: bytes, sync: bool) -> None:
        assert self._fd is not None, "record after close"
        view = memoryview(line + b"\n")
        while view:
            view = view[os.write(self._fd, view):]
        if sync:
            os.fsync(self._fd)
            self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


class MemoryJournal:
    """The journal kept in memory, for the memory backend: the same header and lines, nothing to make durable."""

    def __init__(self, state: State) -> None:
        self.header = header(state)
        self.lines: list[bytes] = []

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        self.lines.append(entry(state, touched, removed))

    def close(self) -> None:
        pass


def recover(state: State, head: dict[str, Any], lines: Iterable[bytes], stored: bool) -> tuple[State, int]:
    """Replay a journal on the state it was based on; a journal of another state version is ignored (it was
    already folded in: the crash came after the state was written, before the journal was removed).

    `stored`: a state was stored (False: none yet, so a first apply's journal, base serial 0, applies)."""
    based_here = head.get("base_serial") == state.serial and head.get("lineage") in (state.lineage, None)
    if not (based_here or (not stored and head.get("base_serial") == 0)):
        return state, 0
    state.lineage = head.get("lineage") or state.lineage
    return replay(state, lines)


def replay(state: State, lines: Iterable[bytes]) -> tuple[State, int]:
    """Apply journal lines to the state they were based on; returns the state and how many lines applied."""
    applied = 0
    for raw in lines:
        try:
            record = json.loads(raw)
        except ValueError:
            break  # the torn last line of a crash
        for address in record.get("delete", ()):
            state.resources.pop(address, None)
        for item in record.get("upsert", ()):
            resource = StoredResource.model_validate(item)
            state.resources[resource.address] = resource
        applied += 1
    return state, applied
