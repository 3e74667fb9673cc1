"""`open_backend`: from what `--state` says to a backend. A new backend is one module plus one entry in BACKENDS.

Accepted: a plain path (relative or absolute; a colon in a file name is fine as long as no `//` follows it),
`file:PATH`, `file:///ABSOLUTE/PATH`, `memory:`, and `postgresql://USER@HOST:PORT/DB?workspace=NAME` (or
`postgres://`). Any other `scheme://...` is refused, so a database URL given to
a planner without that backend never becomes a local file named after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from planner.errors import PlannerError
from planner.state.backend import Backend
from planner.state.file import FileBackend
from planner.state.memory import MemoryBackend


def _file(rest: str) -> Backend:
    if rest.startswith("//"):  # file://HOST/PATH: only this host
        host, _, path = rest[2:].partition("/")
        if host not in ("", "localhost"):
            raise PlannerError.single(f"file://{host}/...: a file state must be on this machine (file:///PATH)")
        rest = "/" + unquote(path)
    if not rest or rest == "/":
        raise PlannerError.single("file: needs the state file's path (file:PATH)")
    return FileBackend(rest)


def _postgres(scheme: str) -> Callable[[str], Backend]:
    def factory(rest: str) -> Backend:
        if not rest.startswith("//"):  # `postgresql:x.json` is a file name with a colon, as any `word:...`
            return FileBackend(f"{scheme}:{rest}")
        from planner.state.postgres import PostgresBackend  # psycopg only for a PostgreSQL state

        return PostgresBackend(f"{scheme}:{rest}")
    return factory


def _memory(rest: str) -> Backend:
    if rest:
        raise PlannerError.single(f"memory:{rest}: the memory backend takes nothing after `memory:`")
    return MemoryBackend()


BACKENDS: dict[str, Callable[[str], Backend]] = {"file": _file, "memory": _memory,
                                                 "postgresql": _postgres("postgresql"),
                                                 "postgres": _postgres("postgres")}
"""scheme -> factory, called with what follows `scheme:` (for `x://...`, the `//...` included)."""

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def open_backend(path_or_url: str) -> Backend:
    """The backend `path_or_url` names: a plain path or `file:PATH` -> FileBackend, `memory:` -> MemoryBackend,
    `postgresql://...` -> PostgresBackend."""
    if not path_or_url:
        raise PlannerError.single("no state location given: pass a file path (or file:PATH, memory:, postgresql://...)")
    match = _SCHEME.match(path_or_url)
    if match is not None:
        scheme, rest = match.group()[:-1].lower(), path_or_url[match.end():]
        factory = BACKENDS.get(scheme)
        if factory is not None:
            return factory(rest)
        if rest.startswith("//"):  # a URL, not a file name with a colon in it; never echo it (it may hold a password)
            raise PlannerError.single(f"unknown state backend scheme {scheme!r} ({scheme}://...), supported: "
                                      f"{', '.join(BACKENDS)}; a path without a scheme is a file")
    return FileBackend(path_or_url)
