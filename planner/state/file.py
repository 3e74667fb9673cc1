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

Hardening (see `planner.state.fs`): no link is followed when opening the lock, journal, key, backup, state and
temporary files (a state path that is itself a link is resolved once, so the real file is the one locked and
updated); a folder other users can write is refused; the state's mode is kept for its backup and journal (0600 for
a new state); temporary files get random names, are removed on every error (disk full included), and those of a
crashed writer are removed by the next lock holder; a journal that belongs to another state is moved aside, never
deleted; every OS error is a message naming the file and what to do.

`fcntl` is imported where the lock is taken, not at the top: reading a state (plan, show, get) needs no lock.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import json
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from planner import cache
from planner.errors import PlannerError
from planner.state import fs
from planner.state.backend import ReadResult, holder_alive, lock_held, stale_write
from planner.state.journal import FileJournal, check_header, classify, replay
from planner.state.model import LockInfo, State, parse_state

KEY_BYTES = 32
"""The secret key's length (HMAC-SHA256 keys longer than the hash's block add nothing)."""


class FileBackend:
    """State in a local JSON file, with `.backup`, `.lock`, `.journal` and `.key` beside it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        given = Path(path)
        # A state path that is a link is resolved once: the real file is then the one locked, backed up and
        # replaced (replacing the link would fork the state in two, each path with its own lock).
        self.path = Path(os.path.realpath(given)) if os.path.islink(given) else given
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.key_path = self.path.with_name(self.path.name + ".key")
        self._lock_fd: int | None = None
        """The lock file's descriptor while this backend holds the lock."""
        self._key: bytes | None = None
        self._notes: list[str] = []
        """Warnings from a write, reported by the next read."""
        self._fingerprinted: tuple[bytes, int] | None = None
        """The state file as `fingerprint` read it, for the read that follows."""

    def describe(self) -> str:
        return str(self.path)

    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    # -- reading ------------------------------------------------------------------------------------------

    def fingerprint(self) -> bytes | None:
        """SHA-256 of the state file's bytes and an HMAC naming the secret key, when there is a state and no journal.
        The bytes are kept for the next `read`, so the state a plan is computed from is the one it was found by."""
        if os.path.lexists(self.journal_path) or self._notes:
            return None
        try:
            found = fs.read_file(self.path, "state file")
            key = self.existing_secret_key()
        except PlannerError:
            return None  # read() says what is wrong
        if found is None:
            return None  # no state yet: a new lineage every time
        self._fingerprinted = found
        named = hmac.new(key, b"planner: fingerprint", "sha256").digest() if key is not None else b"no key"
        return cache.content_digest(found[0]) + named

    def read(self) -> ReadResult:
        """The state, with the journal of an interrupted apply replayed on top (in memory; apply compacts it).

        A journal of another state is not replayed: under the lock it is moved aside (`.journal.orphaned-TIME`),
        otherwise only reported; both with a warning in the result."""
        kept = self._fingerprinted if self._lock_fd is None else None  # under the lock: read it again
        found, self._fingerprinted = kept or fs.read_file(self.path, "state file"), None
        raw = None if found is None else found[0]
        journal = self._journal_lines()
        warnings, self._notes = self._notes, []
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
            head, lines = journal
            kind = classify(head, state, stored=raw is not None)
            if kind == "replay":
                state.lineage = head.get("lineage") or state.lineage
                state, recovered = replay(state, lines, str(self.journal_path))
            elif kind == "orphan":
                warnings.append(self._orphaned(head, state))
        digest = cache.content_digest(raw) if raw is not None and journal is None and cache.active() else None
        return ReadResult(state, recovered, str(self.journal_path), warnings, digest)

    def _orphaned(self, head: dict[str, Any], state: State) -> str:
        """The warning for a journal of another state; under the lock, the journal is moved aside first."""
        what = (f"the journal {self.journal_path} belongs to another state (it starts from serial "
                f"{head.get('base_serial')} of lineage {head.get('lineage')}; the state is serial {state.serial} of "
                f"lineage {state.lineage}), so it was not replayed")
        if self._lock_fd is None:
            return f"Warning: {what}. The next apply moves it aside."
        moved = self._move_journal_aside()
        return (f"Warning: {what}. It was moved to {moved} (not deleted): if the state was restored from an older "
                "copy, the operations it lists may be missing from it.")

    def _move_journal_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.journal_path.with_name(f"{self.journal_path.name}.orphaned-{stamp}")
        if os.path.lexists(target):
            target = target.with_name(f"{target.name}-{secrets.token_hex(3)}")
        try:
            os.rename(self.journal_path, target)
        except OSError as exc:
            raise fs.os_error(exc, "moving", self.journal_path) from None
        fs.fsync_dir(self.path.parent)
        return target

    def _backup_hint(self) -> str:
        return f" The previous version is in {self.backup_path}." if self.backup_path.exists() else ""

    def _journal_lines(self) -> tuple[dict[str, Any], list[bytes]] | None:
        """The journal's header and the lines after it (the last one: what follows the last newline); None when
        there is none, or only a header torn by a crash (nothing was applied after it)."""
        found = fs.read_file(self.journal_path, "journal")
        if found is None:
            return None
        first, newline, rest = found[0].partition(b"\n")
        if not newline:
            return None  # torn before the header was durable: nothing was applied after it
        try:
            head = json.loads(first)
        except ValueError as exc:
            raise PlannerError.single(f"journal {self.journal_path} is damaged at line 1 (not valid JSON: {exc}): "
                                      f"it cannot be replayed. Move it away (mv {self.journal_path} "
                                      f"{self.journal_path}.damaged) to continue from the state alone.") from None
        return check_header(head, str(self.journal_path)), rest.split(b"\n")

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, state: State, expected_serial: int, plan_digest: str = "") -> None:
        """Atomic and durable; conditional on the stored serial (checked under the lock, taken here unless this
        backend holds it already); keeps the previous file as `.backup`."""
        if self._lock_fd is not None:
            self._write_locked(state, expected_serial)
            return
        with self.lock("write"):
            self._write_locked(state, expected_serial)

    def _write_locked(self, state: State, expected_serial: int) -> None:
        found = fs.read_file(self.path, "state file")
        stored = 0 if found is None else self._serial_of(found[0])
        if stored != expected_serial:
            raise stale_write(str(self.path), stored, expected_serial)
        state.ensure_lineage()
        payload = json.dumps({**state.model_dump(mode="json"), "serial": expected_serial + 1},
                             separators=(",", ":"), sort_keys=True).encode()
        mode = fs.NEW_FILE_MODE if found is None else found[1]
        if found is not None:
            fs.atomic_write(self.backup_path, found[0], mode)
        fs.atomic_write(self.path, payload, mode)
        state.serial = expected_serial + 1
        self._retire_journal(expected_serial, state)

    def _retire_journal(self, folded_serial: int, state: State) -> None:
        """After a write: the journal it folded in goes; any other is moved aside (reported by the next read)."""
        try:
            journal = self._journal_lines()
        except PlannerError:
            journal = ({}, [])
        if journal is None and not os.path.lexists(self.journal_path):
            return
        if journal is None or (journal[0].get("base_serial") == folded_serial
                               and journal[0].get("lineage") in (state.lineage, None)):
            with contextlib.suppress(FileNotFoundError):
                self.journal_path.unlink()
                fs.fsync_dir(self.path.parent)
            return
        self._notes.append(f"Warning: {self.journal_path} did not belong to the state just written; it was moved to "
                           f"{self._move_journal_aside()} (not deleted).")

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
        fs.prepare_folder(self.path.parent)
        journal = FileJournal(self.journal_path, state, fs.mode_of(self.path))
        fs.fsync_dir(self.journal_path.parent)
        return journal

    # -- the secret key -----------------------------------------------------------------------------------

    def secret_key(self) -> bytes:
        """The key of the secret values' digests: `<state>.key` (0600), made on first need. It is not in the state,
        so the digests that plans and the state hold cannot be reversed by guessing values without it."""
        if self._key is None:
            found = fs.read_file(self.key_path, "secret key file")
            if found is None:
                self._create_key()
                found = fs.read_file(self.key_path, "secret key file")
                assert found is not None
            self._key = self._parse_key(found[0])
        return self._key

    def existing_secret_key(self) -> bytes | None:
        """The key if one was made (`planner state migrate` carries it over), without making one."""
        return self.secret_key() if os.path.lexists(self.key_path) else None

    def _create_key(self) -> None:
        """Write a new key: to a temporary file (O_EXCL, no link followed, 0600), then hard-linked to its name, so
        that two processes creating it at once agree on one key and none ever reads a half-written one."""
        fs.prepare_folder(self.path.parent)
        try:
            with fs.temporary(self.key_path, fs.NEW_FILE_MODE) as (tmp, fd):
                fs.write_all(fd, secrets.token_hex(KEY_BYTES).encode() + b"\n")
                os.fsync(fd)
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, self.key_path)
                os.unlink(tmp)
        except OSError as exc:
            raise fs.os_error(exc, "creating", self.key_path, unchanged="") from None
        fs.fsync_dir(self.path.parent)

    def _parse_key(self, raw: bytes) -> bytes:
        text = raw.strip()
        try:
            key = bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            key = b""
        if len(key) != KEY_BYTES or not hmac.compare_digest(key.hex().encode(), text.lower()):
            raise PlannerError.single(
                f"secret key file {self.key_path} is damaged (it must hold {KEY_BYTES * 2} hex digits): restore it "
                "from a backup; or remove it, and secrets are then planned as changed once (a new key is made).")
        return key

    # -- locking ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, operation: str, timeout: float = 0.0) -> Iterator[None]:
        import fcntl

        fs.prepare_folder(self.path.parent)
        fd = fs.open_own(self.lock_path, os.O_RDWR, fs.mode_of(self.path))
        try:
            deadline = time.monotonic() + max(0.0, timeout)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise fs.os_error(exc, "locking", self.lock_path) from None
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
            try:
                os.pwrite(fd, payload, 0)
                os.ftruncate(fd, len(payload))
            except OSError as exc:
                raise fs.os_error(exc, "writing", self.lock_path) from None
            # Only the lock holder writes temporary files: any whose writer is dead was left by a crash.
            fs.remove_stale_temporaries(self.path.parent, (self.path.name, self.backup_path.name,
                                                           self.key_path.name))
            self._lock_fd = fd
            try:
                yield
            finally:
                self._lock_fd = None
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def holder(self) -> LockInfo | None:
        """Who holds the lock now (None when nobody does). A holder whose details cannot be read (it has just
        locked and not written them yet, or they are damaged) is reported with pid 0: nobody can tell its state."""
        import fcntl

        try:
            fd = os.open(self.lock_path, os.O_RDONLY | os.O_NONBLOCK | fs.NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise fs.os_error(exc, "reading", self.lock_path, unchanged="") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise PlannerError.single(f"lock file {self.lock_path} is not a regular file: move it away (mv "
                                          f"{self.lock_path} {self.lock_path}.old) when no apply is running.")
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
        fs.check_folder(self.path.parent)
        try:
            self.lock_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise fs.os_error(exc, "removing", self.lock_path, unchanged="") from None
        return info


def _read_holder(fd: int) -> LockInfo | None:
    try:
        return LockInfo.model_validate_json(os.pread(fd, 4096, 0))
    except (OSError, ValueError):
        return None
