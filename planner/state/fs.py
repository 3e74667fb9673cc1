"""Careful file operations for the file backend, and the messages for what goes wrong with them.

- No symbolic link is ever followed when planner opens its own files (lock, journal, key, temporary files, state,
  backup): `O_NOFOLLOW` everywhere, so a link planted by another user (`ln -s /etc/passwd planner.state.json.lock`)
  is refused instead of truncating what it points at. Temporary files also get a random name and `O_EXCL`.
- A folder writable by other users is refused (unless it is sticky and yours): whoever can write it can swap the
  state's files between two of planner's steps.
- Every `OSError` becomes a `PlannerError` that says which file, what is wrong and what to do (free space, fix a
  mode, remove a link): never an internal error.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from planner.errors import PlannerError

NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC
"""Flags for every open of planner's own files."""

NEW_FILE_MODE = 0o600
"""The mode of a state (and of its backup, journal, lock and key) that does not exist yet: the state holds the
cluster's whole configuration, so it is private unless its owner says otherwise (an existing state's mode is
kept)."""

NO_SPACE = (errno.ENOSPC, errno.EDQUOT)

_TEMPORARY = re.compile(r"^\.(?P<base>.+?)\.(?P<pid>\d+)(?:\.[0-9a-f]+)?\.tmp$")


def os_error(exc: OSError, doing: str, path: Path | str, unchanged: str = " The state is unchanged.") -> PlannerError:
    """`exc`, raised while `doing` ("writing", "reading", "creating", ...) `path`, as a message that says which
    file, what is wrong and what to do. `unchanged` is appended where it is true (the default)."""
    folder = os.path.dirname(os.path.abspath(path))
    code = exc.errno
    if code in NO_SPACE:
        message = f"no space left on device {doing} {path}: free space (df -h {folder}) and run again."
    elif code == errno.ELOOP:
        message = (f"{path} is a symbolic link: planner never follows links for its own files (one may point at "
                   f"another user's file, which would be overwritten). Remove the link (rm {path}) and run again.")
    elif code == errno.EISDIR:
        message = (f"{path} is a directory where planner needs a file: move it away (mv {path} {path}.old) and run "
                   "again.")
    elif code in (errno.EACCES, errno.EPERM):
        if os.path.lexists(path):
            message = (f"permission denied {doing} {path}: it is not {'readable' if doing == 'reading' else 'writable'}"
                       f" by you (see ls -l {path}). Run planner as the user who owns the state, or fix the file's "
                       "owner or mode.")
        else:
            message = (f"permission denied {doing} {path}: the folder {folder} is not writable by you (see ls -ld "
                       f"{folder}). Run planner as a user who can write it, or keep the state in a folder you own "
                       "(--state).")
    elif code == errno.EROFS:
        message = (f"cannot write {path}: {folder} is on a read-only file system. Remount it read-write, or keep the "
                   "state elsewhere (--state); plan, show and get only read it.")
    else:
        message = f"cannot {_verb(doing)} {path}: {exc.strerror or exc}."
    return PlannerError.single(message + unchanged)


def _verb(doing: str) -> str:
    return {"writing": "write", "reading": "read", "creating": "create", "locking": "lock", "opening": "open",
            "removing": "remove", "moving": "move"}.get(doing, doing)


def check_folder(folder: Path) -> None:
    """Refuse a folder that other users can write (unless it is sticky and ours, where they cannot touch our
    files): they could replace the state's files, or plant links, between two of planner's steps."""
    try:
        info = os.stat(folder)
    except OSError as exc:
        raise os_error(exc, "opening", folder) from None
    if not stat.S_ISDIR(info.st_mode):
        raise PlannerError.single(f"{folder} is not a folder: the state file must be in one.")
    shared = info.st_mode & stat.S_IWOTH
    if shared and not (info.st_mode & stat.S_ISVTX and info.st_uid == os.geteuid()):
        raise PlannerError.single(
            f"refusing to keep the state in {folder}: the folder is writable by other users (mode "
            f"{stat.filemode(info.st_mode)}), who could replace the state's files or plant symbolic links there. Keep "
            f"the state in a folder only you can write (chmod o-w {folder}, or --state in a folder of your own), or "
            "make the folder yours and sticky (chown, chmod +t).")


def prepare_folder(folder: Path) -> None:
    """Create the state's folder if needed, then check it (`check_folder`)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, "creating", folder) from None
    check_folder(folder)


def read_file(path: Path, what: str) -> tuple[bytes, int] | None:
    """The bytes and permission bits of `path` (None if it does not exist), never through a link; refuses what is
    not a regular file (a FIFO would block). `what` names the file in messages ("state file")."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise os_error(exc, "reading", path, unchanged="") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PlannerError.single(f"{what} {path} is not a regular file: move it away (mv {path} {path}.old).")
        chunks = [os.read(fd, info.st_size + 1)]  # one read of the whole file: no join copying 19 MB at 10,000
        while chunks[-1]:  # it grew meanwhile, or a short read
            chunks.append(os.read(fd, 1 << 20))
        return chunks[0] if len(chunks) == 2 else b"".join(chunks), stat.S_IMODE(info.st_mode)
    except OSError as exc:
        raise os_error(exc, "reading", path, unchanged="") from None
    finally:
        os.close(fd)


def mode_of(path: Path) -> int:
    """The permission bits the state's files get: those of `path` if it exists, else NEW_FILE_MODE."""
    try:
        info = os.lstat(path)
    except OSError:
        return NEW_FILE_MODE
    return stat.S_IMODE(info.st_mode) & 0o777 if stat.S_ISREG(info.st_mode) else NEW_FILE_MODE


def open_own(path: Path, flags: int, mode: int) -> int:
    """Open (creating with exactly `mode` if needed) one of planner's files: never through a link, and only a
    regular file with no other name (a hard link to another file would be written through)."""
    created = False
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | NOFOLLOW, mode)
            created = True
        except FileExistsError:
            fd = os.open(path, (flags & ~os.O_CREAT) | os.O_NONBLOCK | NOFOLLOW)
    except OSError as exc:
        raise os_error(exc, "opening", path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            raise PlannerError.single(f"{path} is not a regular file of its own (it is a special file or has another "
                                      f"name): move it away (mv {path} {path}.old) and run again.")
        if created:
            os.fchmod(fd, mode)  # the umask may have taken bits away
        os.set_blocking(fd, True)
    except BaseException as exc:
        os.close(fd)
        if isinstance(exc, OSError):
            raise os_error(exc, "opening", path) from None
        raise
    return fd


def write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def temporary_name(path: Path) -> Path:
    """A fresh temporary name beside `path`: `.<name>.<pid>.<random>.tmp` (the pid lets a later run tell whether
    its writer is gone)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")


@contextmanager
def temporary(path: Path, mode: int) -> Iterator[tuple[Path, int]]:
    """A new temporary file beside `path` (O_EXCL, no link followed, exactly `mode`), removed if the block fails."""
    tmp = temporary_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, mode)
    except OSError as exc:
        raise os_error(exc, "writing", path) from None
    try:
        try:
            os.fchmod(fd, mode)
            yield tmp, fd
        finally:
            os.close(fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, payload: bytes, mode: int) -> None:
    """Replace `path` by `payload` so that a reader sees the old or the new bytes, never a mix, even after a crash;
    the new file has exactly `mode`. On any failure (disk full included) the temporary file is removed and `path`
    is untouched."""
    try:
        replace_file(path, payload, mode)
    except OSError as exc:
        raise os_error(exc, "writing", path) from None
    fsync_dir(path.parent)


def replace_file(path: Path, payload: bytes, mode: int) -> None:
    """atomic_write without the folder's fsync, raising the OSError itself (for files that word their own errors,
    such as saved plans)."""
    with temporary(path, mode) as (tmp, fd):
        write_all(fd, payload)
        os.fsync(fd)
        os.replace(tmp, path)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise os_error(exc, "writing", directory, unchanged="") from None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    return True


def remove_stale_temporaries(folder: Path, names: tuple[str, ...]) -> list[str]:
    """Remove the temporary files of `names` (`.<name>.<pid>[.<random>].tmp`) whose writer is dead: a crash (or a
    power loss) between creating one and renaming it leaves it behind. Returns the names removed."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or match["base"] not in names or pid_alive(int(match["pid"])):
            continue
        with suppress(OSError):
            if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed
