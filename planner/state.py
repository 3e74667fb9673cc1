"""The state: what the last apply did, per resource (last-applied spec plus simulated status), behind a backend.

`StateBackend` is the interface apply and plan use; `FileBackend` is the local one (a PostgreSQL backend for teams
implements the same four calls). Guarantees of the file backend:
- a reader never sees a half-written file: write to a temporary file, fsync, rename over, fsync the directory;
- the previous version is kept as `<file>.backup`;
- `serial` goes up with every write and `lineage` never changes, so saved plans made before a write are stale;
- one writer at a time: an OS-level lock (`flock` on `<file>.lock`), released by the kernel if the holder dies,
  whose holder (pid, host, user, operation, since) is named in the error;
- during apply, each completed operation is appended to `<file>.journal` (fsynced at least every
  JOURNAL_SYNC_SECONDS and at the end), and the journal is folded into the state once at the end. A crash at any
  moment leaves the state plus a journal; the next read replays it, so every operation that completed before the
  last durable journal write is kept. Rewriting the whole state per resource, as terraform does, would make apply
  quadratic in the number of resources.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.errors import PlannerError

STATE_VERSION = 1
DEFAULT_STATE_FILE = "planner.state.json"


class StoredResource(BaseModel):
    """One resource as last applied: its defaulted manifest (secret values as digests) and its simulated status."""

    model_config = ConfigDict(extra="forbid")

    address: str
    family: str
    api_version: str
    kind: str
    name: str
    namespace: str | None = None
    digest: str
    manifest: dict[str, Any]
    status: dict[str, Any] = Field(default_factory=dict)


class State(BaseModel):
    """The whole state file. One state holds one cluster and everything in it."""

    model_config = ConfigDict(extra="forbid")

    version: int = STATE_VERSION
    serial: int = 0
    lineage: str | None = None
    roots: list[str] = Field(default_factory=list)
    kubernetes_version: str | None = None
    resources: dict[str, StoredResource] = Field(default_factory=dict)

    @property
    def cluster(self) -> StoredResource | None:
        from planner import kinds  # the registry's kinds import this module

        return next((r for r in self.resources.values() if kinds.spec_of(r.family).is_cluster), None)

    def ensure_lineage(self) -> str:
        if self.lineage is None:
            self.lineage = str(uuid.uuid4())
        return self.lineage


JOURNAL_SYNC_SECONDS = 0.2
"""Group commit: completed operations reach the disk in batches at most this far apart (and always at the end)."""


class Journal:
    """The apply journal: a header line, then one JSON line per completed operation (resources it upserted or
    removed). A torn last line (crash mid-write) is ignored on replay."""

    def __init__(self, path: Path | None, state: State) -> None:
        self.path = path
        self._fd: int | None = None
        self._last_sync = time.monotonic()
        self.entries: list[dict[str, Any]] = []
        if path is not None:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
            header = {"journal": 1, "lineage": state.lineage, "base_serial": state.serial, "pid": os.getpid()}
            self._append(header, sync=True)
            _fsync_dir(path.parent)

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        entry = {"upsert": [state.resources[a].model_dump(mode="json") for a in sorted(touched)
                            if a in state.resources],
                 "delete": sorted(removed)}
        if self._fd is None:
            self.entries.append(entry)
            return
        self._append(entry, sync=time.monotonic() - self._last_sync >= JOURNAL_SYNC_SECONDS)

    def _append(self, entry: dict[str, Any], sync: bool) -> None:
        assert self._fd is not None
        data = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
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


def replay(state: State, lines: list[bytes]) -> tuple[State, int]:
    """Apply journal entries to the state they were based on; returns the state and how many entries applied."""
    applied = 0
    for raw in lines:
        try:
            entry = json.loads(raw)
        except ValueError:
            break  # the torn last line of a crash
        for address in entry.get("delete", ()):
            state.resources.pop(address, None)
        for record in entry.get("upsert", ()):
            resource = StoredResource.model_validate(record)
            state.resources[resource.address] = resource
        applied += 1
    return state, applied


class LockInfo(BaseModel):
    pid: int
    host: str
    user: str
    operation: str
    since: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} (user {self.user}), operation {self.operation!r}, since {self.since}"


class StateBackend(Protocol):
    """Where state lives. Plan only reads; apply locks, reads, writes."""

    def describe(self) -> str: ...

    def read(self) -> State: ...

    def write(self, state: State) -> None: ...

    def journal(self, state: State) -> Journal: ...

    def recovered(self) -> int: ...

    def lock(self, operation: str, timeout: float = 0.0) -> contextlib.AbstractContextManager[None]: ...


class FileBackend:
    """State in a local JSON file, with `.backup` and `.lock` beside it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self._recovered = 0

    def recovered(self) -> int:
        """How many operations of an interrupted apply the last read replayed from the journal."""
        return self._recovered

    def describe(self) -> str:
        return str(self.path)

    # -- reading ------------------------------------------------------------------------------------------

    def read(self) -> State:
        """The state, with the journal of an interrupted apply replayed on top (in memory; apply compacts it)."""
        self._recovered = 0
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as exc:
            raise PlannerError.single(f"cannot read state file {self.path}: {exc.strerror or exc}") from None
        journal = self._journal_lines()
        if raw is None:
            first_apply = journal is not None and journal[0].get("base_serial") == 0
            if self.backup_path.exists() or (journal is not None and not first_apply):
                other = self.backup_path if self.backup_path.exists() else self.journal_path
                raise PlannerError.single(
                    f"state file {self.path} is missing but {other} exists: refusing to start from an empty "
                    f"state. If the state was lost, restore it with: cp {self.backup_path} {self.path}"
                )
            state = State()
        else:
            state = self._parse(raw)
        if journal is not None:
            header, lines = journal
            if (header.get("base_serial") == state.serial and header.get("lineage") in (state.lineage, None)) or (
                    raw is None and header.get("base_serial") == 0):
                state.lineage = header.get("lineage") or state.lineage
                state, self._recovered = replay(state, lines)
        return state

    def _journal_lines(self) -> tuple[dict[str, Any], list[bytes]] | None:
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PlannerError.single(f"cannot read journal {self.journal_path}: {exc.strerror or exc}") from None
        lines = raw.split(b"\n")
        try:
            header = json.loads(lines[0])
        except ValueError:
            return None  # torn before the header was durable: nothing was applied after it
        if not isinstance(header, dict) or header.get("journal") != 1:
            raise PlannerError.single(f"{self.journal_path} is not a planner journal; move it away to continue")
        return header, [line for line in lines[1:] if line.strip()]

    def _parse(self, raw: bytes) -> State:
        hint = f" The previous version is in {self.backup_path}." if self.backup_path.exists() else ""
        if not raw.strip():
            raise PlannerError.single(f"state file {self.path} is empty: refusing to treat it as no state.{hint}")
        try:
            head = json.loads(raw)
        except ValueError as exc:
            raise PlannerError.single(f"state file {self.path} is not valid JSON ({exc}); it may be truncated."
                                      f"{hint}") from None
        if not isinstance(head, dict) or not isinstance(head.get("version"), int):
            raise PlannerError.single(f"{self.path} is not a planner state file (no version).{hint}")
        if head["version"] > STATE_VERSION:
            raise PlannerError.single(f"state file {self.path} has version {head['version']}, newer than this "
                                      f"planner understands ({STATE_VERSION}): upgrade planner")
        try:
            return State.model_validate(head)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PlannerError.single(f"state file {self.path} is damaged: {where}: {first['msg']}.{hint}") from None

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, state: State) -> None:
        """Atomic and durable; bumps serial; keeps the previous file as `.backup`."""
        state.ensure_lineage()
        state.serial += 1
        payload = json.dumps(state.model_dump(mode="json"), separators=(",", ":"), sort_keys=True).encode()
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            _atomic_write(self.backup_path, self.path.read_bytes())
        _atomic_write(self.path, payload)
        # The journal's operations are in the state now; a journal left behind by a crash right here is ignored on
        # the next read because its base serial is no longer the state's serial.
        with contextlib.suppress(FileNotFoundError):
            self.journal_path.unlink()
            _fsync_dir(self.path.parent)
        self._recovered = 0

    def journal(self, state: State) -> Journal:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return Journal(self.journal_path, state)

    # -- locking ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, operation: str, timeout: float = 0.0) -> Iterator[None]:
        import fcntl

        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + max(0.0, timeout)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    now = time.monotonic()
                    if now >= deadline:
                        holder = self._holder(fd)
                        # The holder writes its details just after locking: give it a moment to do so.
                        if holder is None and now < deadline + 1.0:
                            time.sleep(0.01)
                            continue
                        raise PlannerError.single(
                            f"Error acquiring the state lock on {self.path}: held by "
                            f"{holder.describe() if holder else 'another process'}. Wait for it to finish, or use "
                            "--lock-timeout to wait."
                        ) from None
                    time.sleep(0.05)
            info = LockInfo(pid=os.getpid(), host=socket.gethostname(), user=_user(), operation=operation,
                            since=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            payload = info.model_dump_json().encode()
            os.pwrite(fd, payload, 0)
            os.ftruncate(fd, len(payload))
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def holder(self) -> LockInfo | None:
        """Who holds the lock now (None when nobody does)."""
        import fcntl

        if not self.lock_path.exists():
            return None
        fd = os.open(self.lock_path, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                try:
                    return LockInfo.model_validate_json(os.pread(fd, 4096, 0))
                except ValueError:
                    return LockInfo(pid=0, host="?", user="?", operation="?", since="?")
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def force_unlock(self) -> LockInfo | None:
        """Break a lock whose holder cannot release it (a hung process, a lock on a network filesystem that lost
        its holder): the lock file is replaced, so new applies lock the new file. Returns who held it."""
        info = self.holder()
        with contextlib.suppress(FileNotFoundError):
            self.lock_path.unlink()
        return info

    @staticmethod
    def _holder(fd: int) -> LockInfo | None:
        try:
            return LockInfo.model_validate_json(os.pread(fd, 4096, 0))
        except (OSError, ValueError):
            return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _atomic_write(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class MemoryBackend:
    """State held in memory: for tests and for embedding planner as a library. Same serial/lineage rules."""

    def __init__(self) -> None:
        self._payload: str | None = None
        self._lock = threading.Lock()
        self._journal: Journal | None = None

    def describe(self) -> str:
        return "<memory>"

    def journal(self, state: State) -> Journal:
        self._journal = Journal(None, state)
        return self._journal

    def recovered(self) -> int:
        return len(self._journal.entries) if self._journal is not None else 0

    def read(self) -> State:
        state = State() if self._payload is None else State.model_validate_json(self._payload)
        if self._journal is not None:
            lines = [json.dumps(e).encode() for e in self._journal.entries]
            state, _ = replay(state, lines)
        return state

    def write(self, state: State) -> None:
        state.ensure_lineage()
        state.serial += 1
        self._payload = state.model_dump_json()
        self._journal = None

    @contextlib.contextmanager
    def lock(self, operation: str, timeout: float = 0.0) -> Iterator[None]:
        if not self._lock.acquire(timeout=timeout if timeout > 0 else -1):
            raise PlannerError.single("Error acquiring the state lock: held by this process")
        try:
            yield
        finally:
            self._lock.release()
