"""Finding the input: files, directories (walked recursively for *.yaml/*.yml, symbolic links followed, loops
refused) and stdin, so that nothing is ever skipped without a word: an unreadable directory, a dangling link, a
device, FIFO or socket, and system directories such as /proc are errors naming the path.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from planner import limits
from planner.errors import Diagnostic

STDIN = "-"
YAML_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Iterable[str]) -> tuple[list[str], list[Diagnostic]]:
    """Files as given, directories as their `*.yaml`/`*.yml` files (recursive, sorted), `-` as stdin.

    Nothing is skipped silently: a directory or file that cannot be read, a broken symbolic link or a special file
    (FIFO, device, socket) is an error naming it, because a part of the input left out would be planned for
    destruction. Symbolic links are followed; one that leads back to a directory it is inside is an error. Hidden
    entries (a name starting with ".") are skipped, as before.
    """
    files: list[str] = []
    errors: list[Diagnostic] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        try:
            info = os.stat(raw)
        except OSError as exc:
            errors.append(_access_error(raw, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            refused = _system_directory(raw)
            if refused is not None:
                errors.append(refused)
                continue
            found: list[str] = []
            before = len(errors)
            _walk(raw, info, found, errors)
            if not found and len(errors) == before:
                errors.append(Diagnostic("error", "directory contains no *.yaml or *.yml files", file=raw))
            files.extend(sorted(found))
        elif stat.S_ISREG(info.st_mode):
            files.append(raw)
        else:
            errors.append(_special_file(raw, info.st_mode))
    return files, errors


def _walk(root: str, info: os.stat_result, found: list[str], errors: list[Diagnostic]) -> None:
    """Every `*.yaml`/`*.yml` file under `root`, following symbolic links. Iterative, so a deep tree cannot exhaust
    the stack; each directory carries the set of directories it is inside, so a symlink loop is caught at once."""
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = [(root, frozenset({(info.st_dev, info.st_ino)}))]
    seen = 0
    while stack:
        directory, inside = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(Diagnostic("error", f"cannot read directory: {reason(exc)}", file=directory))
            continue
        seen += len(entries)
        if seen > limits.MAX_DIRECTORY_ENTRIES:
            errors.append(Diagnostic("error", f"more than {limits.MAX_DIRECTORY_ENTRIES:,} entries in this directory "
                                     "tree: not a folder of manifests?", file=root))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = str(Path(directory, entry.name))  # as pathlib names it: "./a.yaml" is "a.yaml", as before
            try:
                target = entry.stat()  # follows symbolic links
            except OSError as exc:
                errors.append(_access_error(path, exc))
                continue
            mode = target.st_mode
            if stat.S_ISDIR(mode):
                key = (target.st_dev, target.st_ino)
                if key in inside:
                    errors.append(Diagnostic("error", "symbolic link loop: leads back to a directory it is inside "
                                             f"({os.path.realpath(path)})", file=path))
                    continue
                refused = _system_directory(path) if entry.is_symlink() else None
                if refused is not None:
                    errors.append(refused)
                    continue
                stack.append((path, inside | {key}))
            elif not entry.name.endswith(YAML_SUFFIXES):
                continue
            elif stat.S_ISREG(mode):
                found.append(path)
            else:
                errors.append(_special_file(path, mode))


_SYSTEM_DIRECTORIES = ("/proc", "/sys", "/dev")
"""Pseudo-filesystems: never manifests, and reading them can block or fail in odd ways."""


def _system_directory(path: str) -> Diagnostic | None:
    real = os.path.realpath(path)
    if real == os.path.realpath(os.sep):
        return Diagnostic("error", "refusing to read the whole filesystem: give the folder that holds your manifests",
                          file=path)
    for system in _SYSTEM_DIRECTORIES:
        if real == system or real.startswith(system + os.sep):
            return Diagnostic("error", f"refusing to read the system directory {system}: give the folder that holds "
                              "your manifests", file=path)
    return None


def _special_file(path: str, mode: int) -> Diagnostic:
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO), not a regular file; to read a pipe, send it to planner's stdin with -"
    elif stat.S_ISCHR(mode):
        what = "a character device, not a regular file"
    elif stat.S_ISBLK(mode):
        what = "a block device, not a regular file"
    elif stat.S_ISSOCK(mode):
        what = "a socket, not a regular file"
    else:
        what = "not a regular file"
    return Diagnostic("error", f"cannot read: {what}", file=path)


def reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _access_error(path: str, exc: OSError) -> Diagnostic:
    """Why `path` could not be looked at, in words: a broken link is named as one, not as a missing file."""
    if exc.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - the link vanished in between
            target = "?"
        return Diagnostic("error", f"broken symbolic link: its target {target} does not exist", file=path)
    if exc.errno == errno.ENOENT:
        return Diagnostic("error", "no such file or directory", file=path)
    if exc.errno == errno.ELOOP:
        return Diagnostic("error", "symbolic link loop (too many levels of symbolic links)", file=path)
    return Diagnostic("error", f"cannot read: {reason(exc)}", file=path)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
"""O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever; the type is then checked
on the open descriptor, so a file swapped for a FIFO after the directory walk is still refused, never read."""


def read_regular_file(name: str) -> bytes | Diagnostic:
    fd = os.open(name, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _special_file(name, info.st_mode)
        if info.st_size > limits.MAX_FILE_BYTES:
            return Diagnostic("error", f"file is larger than {limits.MAX_FILE_BYTES // 2**20} MiB", file=name)
        return fh.read(limits.MAX_FILE_BYTES + 1)
