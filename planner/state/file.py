"""The file backend: the state in a local JSON file, with `.backup`, `.lock` and `.journal` beside it.

Guarantees:
- a reader never sees a half-written file: write to a temporary file, fsync, rename over, fsync the directory;
- the previous version is kept as `<file>.backup`;
- `serial` goes up with every write and `lineage` never changes, so saved plans made before a write are stale;
- one writer at a time: an OS-level lock (`flock` on `<file>.lock`), released by the kernel if the holder dies,
  whose holder (pid, host, user, operation, since) is named in the error; a write checks the stored serial under
  that lock;
- during apply, each completed operation is appended to `<file>.journal` (fsynced at least every
  JOURNAL_SYNC_SECONDS and at the end), and the journal is folded into the state once at the end. A crash at any
  moment leaves the state plus a journal; the next read replays it, so every operation that completed before the
  last durable journal write is kept.

`fcntl` is imported where the lock is taken, not at the top: reading a state (plan, show, get) needs no lock.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from planner.errors import PlannerError
from planner.state.backend import ReadResult, holder_alive, lock_held, stale_write
from planner.state.journal import FileJournal, recover
from planner.state.model import LockInfo, State, parse_state


class FileBackend:
    """State in a local JSON file, with `.backup`, `.lock` and `.journal` beside it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self._lock_fd: int | None = None
        """The lock file's descriptor while this backend holds the lock."""

    def describe(self) -> str:
        return str(self.path)

    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    # -- reading ------------------------------------------------------------------------------------------

    def read(self) -> ReadResult:
        """The state, with the journal of an interrupted apply replayed on top (in memory; apply compacts it)."""
        try:
            raw: bytes | None = self.path.read_bytes()
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
            state = parse_state(raw, str(self.path), self._backup_hint())
        recovered = 0
        if journal is not None:
            state, recovered = recover(state, journal[0], journal[1], stored=raw is not None)
        return ReadResult(state, recovered, str(self.journal_path))

    def _backup_hint(self) -> str:
        return f" The previous version is in {self.backup_path}." if self.backup_path.exists() else ""

    def _journal_lines(self) -> tuple[dict[str, Any], list[bytes]] | None:
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PlannerError.single(f"cannot read journal {self.journal_path}: {exc.strerror or exc}") from None
        lines = raw.split(b"\n")
        try:
            head = json.loads(lines[0])
        except ValueError:
            return None  # torn before the header was durable: nothing was applied after it
        if not isinstance(head, dict) or head.get("journal") != 1:
            raise PlannerError.single(f"{self.journal_path} is not a planner journal; move it away to continue")
        return head, [line for line in lines[1:] if line.strip()]

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, state: State, expected_serial: int) -> None:
        """Atomic and durable; conditional on the stored serial (checked under the lock, taken here unless this
        backend holds it already); keeps the previous file as `.backup`."""
        if self._lock_fd is not None:
            self._write_locked(state, expected_serial)
            return
        with self.lock("write"):
            self._write_locked(state, expected_serial)

    def _write_locked(self, state: State, expected_serial: int) -> None:
        try:
            previous: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            previous = None
        except OSError as exc:
            raise PlannerError.single(f"cannot read state file {self.path}: {exc.strerror or exc}") from None
        stored = 0 if previous is None else self._serial_of(previous)
        if stored != expected_serial:
            raise stale_write(str(self.path), stored, expected_serial)
        state.ensure_lineage()
        state.serial = expected_serial + 1
        payload = json.dumps(state.model_dump(mode="json"), separators=(",", ":"), sort_keys=True).encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None:
            atomic_write(self.backup_path, previous)
        atomic_write(self.path, payload)
        # The journal's operations are in the state now; a journal left behind by a crash right here is ignored on
        # the next read because its base serial is no longer the state's serial.
        with contextlib.suppress(FileNotFoundError):
            self.journal_path.unlink()
            fsync_dir(self.path.parent)

    def _serial_of(self, raw: bytes) -> int:
        """The serial of the stored bytes (a full parse only if they are not a plain JSON object with a serial)."""
        try:
            head = json.loads(raw)
        except ValueError:
            head = None
        serial = head.get("serial") if isinstance(head, dict) else None
        if isinstance(serial, int) and not isinstance(serial, bool):
            return serial
        return parse_state(raw, str(self.path), self._backup_hint()).serial  # raises the precise error

    def journal(self, state: State) -> FileJournal:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        journal = FileJournal(self.journal_path, state)
        fsync_dir(self.journal_path.parent)
        return journal

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
                        holder = _read_holder(fd)
                        # The holder writes its details just after locking: give it a moment to do so.
                        if holder is None and now < deadline + 1.0:
                            time.sleep(0.01)
                            continue
                        raise lock_held(str(self.path), holder) from None
                    time.sleep(0.05)
            payload = LockInfo.now(operation).model_dump_json().encode()
            os.pwrite(fd, payload, 0)
            os.ftruncate(fd, len(payload))
            self._lock_fd = fd
            try:
                yield
            finally:
                self._lock_fd = None
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
                return _read_holder(fd) or LockInfo(pid=0, host="?", user="?", operation="?", since="?")
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def holder_alive(self, info: LockInfo) -> bool | None:
        return holder_alive(info)

    def force_unlock(self) -> LockInfo | None:
        """Break a lock whose holder cannot release it (a hung process, a lock on a network filesystem that lost
        its holder): the lock file is replaced, so new applies lock the new file. Returns who held it."""
        info = self.holder()
        with contextlib.suppress(FileNotFoundError):
            self.lock_path.unlink()
        return info


def _read_holder(fd: int) -> LockInfo | None:
    try:
        return LockInfo.model_validate_json(os.pread(fd, 4096, 0))
    except (OSError, ValueError):
        return None


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace `path` by `payload` so that a reader sees the old or the new bytes, never a mix, even after a crash."""
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
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
