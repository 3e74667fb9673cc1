"""`planner force-unlock`: breaking a stale state lock, refused while its holder may still be writing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from planner.cli_io import PlanFormat, StateOpt
from planner.cli_io import fail as _fail
from planner.cli_io import out as _out
from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.state import LockInfo

def force_unlock(
    state: str = StateOpt,
    force: bool = typer.Option(False, "--force", help="Break the lock even if its holder is still running, or "
                                                      "cannot be identified (another host, unreadable details)."),
    output: PlanFormat = typer.Option(PlanFormat.text, "-o", "--output", help="Output format."),
) -> None:
    """Break the state lock. The kernel releases a dead process's lock by itself: this is for the rare stale case."""
    from planner.state import open_backend
    from planner.state.pg_url import masked

    try:
        backend = open_backend(state)
        state = masked(state)  # from here on only in messages: a URL's password never shown
        holder = backend.holder()
        if holder is None:
            _out(_result(output, state, False, None) or f"{state} is not locked.\n")
            return
        # Only a holder known to be dead is broken without --force: one that is alive, or whose liveness cannot be
        # told from here (another host; details unreadable, as in the moment between its flock and writing them),
        # may be writing the state right now.
        alive = backend.holder_alive(holder)
        if alive is not False and not force:
            raise PlannerError.single(_live_lock_message(state, holder, alive).removeprefix("Error: "))
        backend.force_unlock()
    except PlannerError as exc:
        _fail(exc, output, text_too=True)
    who = holder.describe() if holder.pid > 0 else "a holder whose details could not be read"
    _out(_result(output, state, True, who) or f"Lock on {state} broken (it was held by {who}).\n")


def _result(output: PlanFormat, state: str, broken: bool, holder: str | None) -> str:
    """-o json: what force-unlock did, as one document (text output is written by the caller)."""
    if output is not PlanFormat.json:
        return ""
    return json.dumps({"state": state, "locked": broken, "broken": broken, "holder": holder}) + "\n"


def _live_lock_message(state: str, holder: LockInfo, alive: bool | None) -> str:
    sure = ("pass --force if you are sure it is hung (breaking a live lock lets two applies write at once)")
    if alive:
        return f"Error: the lock on {state} is held by {holder.describe()}, which is still running. Stop it, or {sure}."
    if holder.pid <= 0:
        return (f"Error: the lock on {state} is held by a process whose details cannot be read (it may have just "
                "taken the lock, or its details are damaged): this machine cannot tell whether it is still running. "
                f"Wait and run force-unlock again, or {sure}.")
    return (f"Error: the lock on {state} is held by {holder.describe()}: this machine cannot tell whether it is still "
            f"running. Check on {holder.host}, or {sure}.")


