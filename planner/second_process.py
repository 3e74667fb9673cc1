"""The second process a large input is shared with: a forked child (it starts with everything this process has
imported, in a few ms) that runs one function and sends its result back pickled. The machines planner is measured
on have 2 cores; YAML construction, validation and modelling are pure Python, so a thread would not help.

Where fork is not available, `start` gives None and the caller does the work itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


class Pending:
    """A running child's result."""

    def __init__(self, pool: Any, result: Any) -> None:
        self._pool = pool
        self._result = result

    def get(self) -> Any:
        """The function's result (its exception raised here), after which the child is gone."""
        try:
            return self._result.get()
        finally:
            self.stop()

    def ready(self) -> bool:
        """Whether the result is in (`get` would not wait)."""
        return bool(self._result.ready())

    def stop(self) -> None:
        self._pool.terminate()


def available() -> bool:
    """A second core this process may run on (its CPU affinity, where the OS tells it: a container pinned to one
    core gains nothing from a second process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2


def start(function: Callable[..., Any], *args: Any) -> Pending | None:
    """Run `function(*args)` in a forked child; None when there is no second core or no fork."""
    if not available():
        return None
    try:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(1)
        return Pending(pool, pool.apply_async(function, args))
    except (OSError, ValueError):
        return None


_INHERITED: tuple[Callable[[Any], Any], Any] | None = None
"""What `start_inheriting`'s child runs: set just before the fork, so the child has it without it being sent."""


def start_inheriting(function: Callable[[Any], Any], data: Any) -> Pending | None:
    """`start` for work on data too large to send (a whole plan): the child has it from the fork, and only the
    result comes back. `function` and `data` need not be picklable; the result must be."""
    global _INHERITED
    _INHERITED = (function, data)
    try:
        return start(_run_inherited)
    finally:
        _INHERITED = None


def _run_inherited() -> Any:
    assert _INHERITED is not None
    function, data = _INHERITED
    return function(data)

