"""What apply and destroy print: each operation as it runs, the summary, an interruption, a recovered journal; and
plan's note on a saved plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.render.escape import escape
from planner.render.events import event_text
from planner.render.text import step_line

if TYPE_CHECKING:
    from planner.api import ApplyEvent, ApplyResult
    from planner.state import ReadResult

VERBS = {"create": ("Creating...", "Creation complete"), "update": ("Modifying...", "Modifications complete"),
         "delete": ("Destroying...", "Destruction complete"), "forget": ("Forgetting...", "Forgotten")}


def render_event(event: ApplyEvent) -> str:
    """`<address>: Creating...`, then each step as plan prints it (render.text.step_line), then
    `<address>: Creation complete: <summary>` and its details. Addresses and descriptions carry names and images:
    escaped (event_text escapes its own)."""
    address, phase = escape(event.operation.change.address), event.operation.phase
    if event.kind == "start":
        return f"{address}: {VERBS[phase][0]}\n"
    if event.kind == "step" and event.step is not None:
        step = event.step
        return escape(step_line(step.index, step.actor, step.component, step.description)) + "\n"
    if event.kind == "done":
        return f"{address}: {VERBS[phase][1]}: {event_text(event.summary)}\n" + "".join(
            f"    {event_text(d)}\n" for d in event.details)
    return ""


def render_apply_result(result: ApplyResult, verb: str = "apply") -> str:
    counts = result.counts
    if verb == "destroy":  # terraform's words: destroy only destroys
        forgotten = f", {counts['forget']} forgotten" if counts.get("forget") else ""
        return (f"\nDestroy complete! Resources: {counts['delete']} destroyed{forgotten}. State serial "
                f"{result.serial}.\n")
    forgotten = f", {counts['forget']} forgotten" if counts.get("forget") else ""
    done = "Run" if verb == "run" else "Apply"
    text = (f"\n{done} complete! Resources: {counts['create']} added, {counts['update']} changed, "
            f"{counts['replace']} replaced, {counts['delete']} destroyed{forgotten}. State serial {result.serial}.\n")
    if result.pending_pods:
        text += f"Note: {result.pending_pods} Pod(s) are Pending: no node has room for them (see `planner show`).\n"
    return text + "".join(f"{event_text(line)}\n" for line in result.outputs)


def render_interrupted(done: int, remaining: list[str]) -> str:
    """Ctrl-C during apply (stderr)."""
    return (f"\nInterrupted: the operation in flight finished and the state was saved ({done} operation(s) done). "
            "Not done:\n" + "".join(f"  {escape(line)}\n" for line in remaining))


def render_recovery(read: ReadResult, written: bool) -> str:
    """The warning when a read replayed an interrupted apply's journal (stderr); `written`: it is in the state now."""
    return (f"Warning: an earlier apply was interrupted; {read.recovered} operation(s) it completed were recovered "
            f"from {escape(str(read.journal))}. " + ("They are now written into the state.\n" if written else
                                        "The next apply writes them into the state.\n"))


def render_saved_plan(out: str, state: str | None) -> str:
    """After `plan --out FILE`: how to apply exactly that plan (`state`: the --state given, if not the default)."""
    out, state = escape(out), escape(state) if state is not None else None
    return (f"\nSaved the plan to: {out}\nTo perform exactly these actions, run: planner apply {out}"
            f"{' --state ' + state if state is not None else ''}\n")
