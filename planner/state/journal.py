"""The apply journal: what each completed operation upserted or removed, so a crash loses no completed operation.

A journal is a header (`{"journal": 1, "lineage", "base_serial", "pid"}`: the state it starts from) and then one
JSON line per completed operation. A torn last line (a crash mid-write) is ignored on replay; any other damaged
line stops the replay with an error naming it (skipping it would drop the operations after it). Apply folds the
journal into the state once at the end; rewriting the whole state per resource, as terraform does, would make
apply quadratic in the number of resources.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from planner.errors import PlannerError
from planner.state import fs
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

    Opened without following a link, with the state's mode (0600 for a new state). A failed write (disk full)
    raises a PlannerError naming the file; what was recorded before it stays replayable.
    The caller makes the file's creation durable (an fsync of its folder) before the first record."""

    def __init__(self, path: Path, state: State, mode: int = 0o600) -> None:
        self.path = path
        self._fd: int | None = fs.open_own(path, os.O_WRONLY | os.O_APPEND, mode)
        self._failed = False
        try:
            os.ftruncate(self._fd, 0)
            if fs.mode_of(path) != mode:
                os.fchmod(self._fd, mode)
        except OSError as exc:
            os.close(self._fd)
            self._fd = None
            raise fs.os_error(exc, "writing", path) from None
        self._last_sync = time.monotonic()
        self._append(json.dumps(header(state), separators=(",", ":")).encode(), sync=True)

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        self._append(entry(state, touched, removed), sync=time.monotonic() - self._last_sync >= JOURNAL_SYNC_SECONDS)

    def _append(self, line: bytes, sync: bool) -> None:
        assert self._fd is not None, "record after close"
        try:
            fs.write_all(self._fd, line + b"\n")
            if sync:
                os.fsync(self._fd)
                self._last_sync = time.monotonic()
        except OSError as exc:
            self._failed = True
            self.close()
            raise fs.os_error(exc, "writing the journal", self.path, unchanged=(
                " The state is unchanged; the operations completed before this one are in the journal, and the next "
                "run recovers them.")) from None

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if not self._failed:
                os.fsync(fd)
        except OSError as exc:
            raise fs.os_error(exc, "writing the journal", self.path) from None
        finally:
            os.close(fd)


class MemoryJournal:
    """The journal kept in memory, for the memory backend: the same header and lines, nothing to make durable."""

    def __init__(self, state: State) -> None:
        self.header = header(state)
        self.lines: list[bytes] = []

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        self.lines.append(entry(state, touched, removed))

    def close(self) -> None:
        pass


def check_header(head: Any, where: str) -> dict[str, Any]:
    """The journal's first line, refused unless it is a planner journal header of the right shape."""
    if not isinstance(head, dict) or head.get("journal") != 1:
        raise PlannerError.single(f"{where} is not a planner journal: move it away (mv {where} {where}.old) to "
                                  "continue.")
    base, lineage = head.get("base_serial"), head.get("lineage")
    if not isinstance(base, int) or isinstance(base, bool) or not (lineage is None or isinstance(lineage, str)):
        raise damaged(where, 1, "the header's base_serial or lineage has the wrong type", 0)
    return head


def damaged(where: str, line: int, problem: str, applied: int) -> PlannerError:
    """A journal line that is neither a complete operation nor the torn last line of a crash."""
    return PlannerError.single(
        f"journal {where} is damaged at line {line}: {problem}. Replay stops there rather than skip operations "
        f"({applied} operation(s) before it are readable). The state without the journal is intact: keep a copy "
        f"(cp {where} {where}.damaged), then repair line {line}, or move the journal away (mv {where} "
        f"{where}.damaged) to continue from the state alone (what the journal recorded is then planned again).")


def classify(head: dict[str, Any], state: State, stored: bool) -> str:
    """What a journal is to the state read with it:
    - "replay": it starts from this state (or, with no state stored yet, from nothing): replay it;
    - "folded": it starts from the previous serial of this lineage, so the write that made this state included it
      (a crash came between that write and the journal's removal): nothing to do, it can go;
    - "orphan": it belongs to another state (a restored or replaced file): never replayed, never deleted."""
    base, lineage = head.get("base_serial"), head.get("lineage")
    if stored and base == state.serial and lineage in (state.lineage, None):
        return "replay"
    if not stored and base == 0:
        return "replay"
    if stored and base == state.serial - 1 and lineage in (state.lineage, None):
        return "folded"
    return "orphan"


def recover(state: State, head: dict[str, Any], lines: Sequence[bytes], stored: bool,
            where: str) -> tuple[State, int]:
    """Replay a journal on the state it was based on; a journal of another state version is ignored.

    `stored`: a state was stored (False: none yet, so a first apply's journal, base serial 0, applies)."""
    if classify(head, state, stored) != "replay":
        return state, 0
    state.lineage = head.get("lineage") or state.lineage
    return replay(state, lines, where)


def replay(state: State, lines: Sequence[bytes], where: str) -> tuple[State, int]:
    """Apply journal lines to the state they were based on; returns the state and how many lines applied.

    `lines` are what follows the header, split at newlines: the last one is what follows the last newline (empty
    unless a crash tore it). That torn last line is ignored; any other line that is not a whole operation stops the
    replay with an error naming its line number (skipping it would silently drop the operations after it)."""
    applied = 0
    last = len(lines) - 1
    for index, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            if index == last:
                break  # the torn last line of a crash
            raise damaged(where, index + 2, f"not valid JSON ({exc})", applied) from None
        deletes, upserts = _operation(record, where, index + 2, applied)
        for address in deletes:
            state.resources.pop(address, None)
        for resource in upserts:
            state.resources[resource.address] = resource
        applied += 1
    return state, applied


def _operation(record: Any, where: str, line: int, applied: int) -> tuple[list[str], list[StoredResource]]:
    """One journal line's deletes and upserts, checked before any is applied."""
    if not isinstance(record, dict) or not set(record) <= {"upsert", "delete"}:
        raise damaged(where, line, "not an operation (an object with upsert and delete)", applied)
    deletes, upserts = record.get("delete", []), record.get("upsert", [])
    if not (isinstance(deletes, list) and all(isinstance(a, str) for a in deletes)):
        raise damaged(where, line, "delete is not a list of addresses", applied)
    if not isinstance(upserts, list):
        raise damaged(where, line, "upsert is not a list of resources", applied)
    try:
        return deletes, [StoredResource.model_validate(item) for item in upserts]
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise damaged(where, line, f"upsert: {path}: {first['msg']}", applied) from None
