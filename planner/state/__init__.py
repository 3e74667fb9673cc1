"""The state: what the last apply did, per resource (last-applied spec plus simulated status), behind a backend.

- `model`: the pydantic models (State, StoredResource, LockInfo), STATE_VERSION and the UPGRADES chain;
- `backend`: the `Backend` protocol every backend implements, and `ReadResult`;
- `journal`: the apply journal (`Journal` protocol, FileJournal, MemoryJournal) and its replay;
- `file`, `memory`: the two backends; `registry`: `open_backend(path_or_url)` and the scheme -> backend table.

The names are loaded on first use: `from planner.state import DEFAULT_STATE_FILE` (the CLI's option default) does not
import pydantic, which would add ~80 ms to `planner --help`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

DEFAULT_STATE_FILE = "planner.state.json"
"""The state `--state` names when not given: a file in the working directory."""

if TYPE_CHECKING:
    from planner.state.backend import Backend, ReadResult
    from planner.state.file import FileBackend
    from planner.state.journal import Journal
    from planner.state.memory import MemoryBackend
    from planner.state.model import STATE_VERSION, UPGRADES, LockInfo, State, StoredResource
    from planner.state.registry import BACKENDS, open_backend

_HOMES = {
    "Backend": "backend", "ReadResult": "backend",
    "FileBackend": "file",
    "Journal": "journal",
    "MemoryBackend": "memory",
    "STATE_VERSION": "model", "UPGRADES": "model", "LockInfo": "model", "State": "model", "StoredResource": "model",
    "BACKENDS": "registry", "open_backend": "registry",
}

__all__ = ["BACKENDS", "DEFAULT_STATE_FILE", "STATE_VERSION", "UPGRADES", "Backend", "FileBackend", "Journal",
           "LockInfo", "MemoryBackend", "ReadResult", "State", "StoredResource", "open_backend"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
