"""apply and destroy after the plan is shown: the confirmation, the progress bar, the operations' events as they
run, and the result line, each in the command's own words."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import typer

from planner.cli_io import EXIT_ERROR, EXIT_INTERRUPTED, err, fail, keep, out, out_text
from planner.errors import PlannerError
from planner.render import RENDERERS, events_json
from planner.render.apply import render_apply_result, render_event, render_interrupted

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from planner.plan import Plan
    from planner.state import Backend, State


def confirm(question: str, auto_approve: bool, stdin_used: bool, verb: str = "apply") -> None:
    if auto_approve:
        return
    if stdin_used or not sys.stdin.isatty():
        err(f"Error: {verb} needs confirmation, and standard input is not a terminal: run it on a terminal, or "
             "pass --auto-approve.")
        raise typer.Exit(EXIT_ERROR)
    try:  # the prompt too: Ctrl-C may come as soon as it is shown, before readline starts
        prompt(f"\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        err(f"\n{verb.capitalize()} cancelled (interrupted).")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    # Exactly `yes`: only the line's end is taken off (not spaces: " yes " is not what was asked for).
    if answer.removesuffix("\n").removesuffix("\r") != "yes":
        err(f"\n{verb.capitalize()} cancelled.")
        raise typer.Exit(EXIT_ERROR)


PROGRESS_THRESHOLD = 50
"""Applies with at least this many operations show a progress bar, when stderr is a terminal."""


def progress_bar(total: int) -> tuple[Progress, TaskID] | None:
    """A rich progress bar on stderr; step lines keep going to stdout, above it."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # Step lines go to stdout: above the bar when both are the terminal, and into the file when stdout is one.
    progress = Progress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True, redirect_stdout=sys.stdout.isatty())
    return progress, progress.add_task("apply", total=total)


def prompt(text: str) -> None:
    """The confirmation question: on stdout, unless stdout carries JSON lines (then the terminal's stderr)."""
    if JsonLines.on:
        sys.stderr.write(text)
        sys.stderr.flush()
    else:
        out(text)


class JsonLines:
    """`-o json` for apply and destroy: every event as a JSON line on stdout (render.events_json)."""

    on = False


def run_apply(plan_result: Plan, current: State, backend: Backend, verb: str = "apply") -> None:
    from planner import api

    bar = progress_bar(len(plan_result.operations))

    def on_event(event: api.ApplyEvent) -> None:
        text = events_json.event_line(event) if JsonLines.on else render_event(event)
        if text:
            (out if JsonLines.on else out_text)(text)
        if event.kind == "done" and bar is not None:
            bar[0].advance(bar[1])

    try:
        if bar is not None:
            bar[0].start()
        result = api.apply_plan(plan_result, current, backend, on_event)
    except api.Interrupted as exc:
        err(render_interrupted(exc.done, exc.remaining))
        raise typer.Exit(128 + exc.signum) from None
    except PlannerError as exc:
        fail_run(exc)
    finally:
        if bar is not None:
            bar[0].stop()
    keep(result)  # the new state: not torn down when run_apply() returns (cli_io.Kept)
    if JsonLines.on:
        out(events_json.result_line(result, verb))
    else:
        out_text(render_apply_result(result, verb))


def fail_run(error: PlannerError) -> NoReturn:
    """An apply or destroy that failed: an `error` JSON line with -o json (and the text on stderr either way)."""
    if JsonLines.on:
        out(events_json.error_line(error))
    fail(error)


def review_and_apply(result: Plan, current: State, backend: Backend, question: str | None, auto_approve: bool,
                      stdin_used: bool, verb: str = "apply") -> None:
    """Show the plan, ask (unless it was a reviewed saved plan or --auto-approve), then apply it."""

    if JsonLines.on:
        out(events_json.plan_line(result.to_wire(), verb))
    elif question is not None or not result.has_changes:
        out_text(RENDERERS["text"](result.to_wire()))  # freed before the apply: kept, it raised apply's peak memory
    if not result.has_changes:  # terraform's words too: nothing was applied, and the run says it completed
        if not JsonLines.on:
            out_text(f"\n{verb.capitalize()} complete! Resources: 0 added, 0 changed, 0 replaced, 0 destroyed.\n"
                     if verb == "apply" else "\nDestroy complete! Resources: 0 destroyed.\n")
        return
    if question is not None:
        confirm(question, auto_approve, stdin_used, verb)
    if not JsonLines.on:
        out("\n")
    run_apply(result, current, backend, verb)


