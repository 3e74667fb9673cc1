"""The `planner` console script and `python -m planner`: the CLI, run as a process of its own."""

from __future__ import annotations

import gc
import os
import sys

from planner.cli import main
from planner.cli_io import Kept


def entry() -> None:
    """The console script and `python -m planner`: main(), then leave without tearing the heap down. A large run
    holds hundreds of MB of objects; freeing them one by one at exit (and the collector's final pass over them)
    costs a noticeable share of the run, for memory the OS reclaims at once. Output is flushed first; the state and
    plan files were written, fsynced and closed before this point.

    The collector is off before main() starts, so main() (which restores it for in-process callers such as the
    tests) leaves it off: turned back on, its first pass would scan every object the run allocated (~0.2 s at
    10,000 resources) just before the process exits."""
    gc.disable()
    Kept.objects = []  # what the command built stays allocated until os._exit (cli_io.keep)
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass
        os._exit(code)
