"""What every command of the CLI shares: exit codes, output formats, writing to stdout and stderr, failing.

The commands (planner.cli) and the apply flow (planner.cli_apply) both write through these, so output never
bypasses them: stdout carries results, stderr errors, warnings and progress.
"""

from __future__ import annotations

import enum
import os
import shutil
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, NoReturn

import typer

from planner.errors import PlannerError
from planner.render.diagnostics import render_error
from planner.render.markdown import DEFAULT_MAX_SIZE
from planner.render.validate import render_validate_failure_json
from planner.state import DEFAULT_STATE_FILE

if TYPE_CHECKING:
    from planner.api import Options

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130

STATE_HELP = (f"State file, or postgresql://USER@HOST/DB?workspace=NAME (default: $PLANNER_STATE, else "
              f"{DEFAULT_STATE_FILE} in the working directory).")
StateOpt = typer.Option(DEFAULT_STATE_FILE, "--state", metavar="FILE|URL", show_default=False, help=STATE_HELP,
                        envvar="PLANNER_STATE", show_envvar=False)
NoCacheOpt = typer.Option(False, "--no-cache", help="Read, validate and model every input file again, without "
                          "planner's cache of unchanged files (also PLANNER_NO_CACHE=1).")


def options(kubernetes_version: str, skip_unknown: bool, no_cache: bool) -> Options:
    from planner.api import Options

    return Options(kubernetes_version=kubernetes_version, skip_unknown=skip_unknown, use_cache=not no_cache)


TargetOpt = typer.Option(None, "--target", metavar="ADDRESS", show_default=False,
                         help="Plan only this resource (repeatable; as plan prints it: Deployment/default/web) and, "
                              "like terraform, everything it depends on in this plan (a new Service, ConfigMap or "
                              "Namespace is planned too, not refused). For exceptional cases only.")
ExcludeOpt = typer.Option(None, "--exclude", metavar="ADDRESS", show_default=False,
                          help="Leave this resource out (repeatable), and everything in this plan that depends on "
                               "it, so nothing runs without what it needs. For exceptional cases only.")


class PlanFormat(str, enum.Enum):
    text = "text"
    json = "json"


class GetFormat(str, enum.Enum):
    text = "text"
    wide = "wide"
    json = "json"
    yaml = "yaml"
    name = "name"


class DocFormat(str, enum.Enum):
    """plan and show print one document, which may also be YAML (kubectl's -o yaml), or, for a plan, a pull-request
    comment (markdown) or a sequence diagram (mermaid); apply's JSON lines may not."""

    text = "text"
    json = "json"
    yaml = "yaml"
    html = "html"
    markdown = "markdown"
    mermaid = "mermaid"

    @property
    def errors(self) -> PlanFormat:
        """How errors come out: as JSON for JSON and YAML; as text on stderr for the formats people read."""
        return PlanFormat.json if self in (DocFormat.json, DocFormat.yaml) else PlanFormat.text


MaxSizeOpt = typer.Option(DEFAULT_MAX_SIZE, "--max-size", metavar="N", min=1000,
                          help="With -o markdown: at most N characters, details left out first (GitHub refuses "
                               "comments over 65,536).")


class Terminal:
    """How text meets a terminal: `colour` is off with --no-color or NO_COLOR (https://no-color.org)."""

    colour = True


def _laid_out(text: str, stream: IO[str]) -> str:
    """Text as the renderers wrote it, or, on a terminal, wrapped to its width and coloured (render.terminal)."""
    if not text or not stream.isatty():
        return text
    from planner.render.terminal import for_terminal

    colour = Terminal.colour and "NO_COLOR" not in os.environ
    return for_terminal(text, shutil.get_terminal_size().columns, colour)


class Kept:
    """What a command built, kept alive until the process leaves, when the console script leaves with os._exit
    (planner.entrypoint sets `objects` to a list). Freed when the command returns, a 10,000-resource plan's
    objects (the desired state, the plan and its wire form) cost ~0.1 s to tear down one by one, for memory the OS
    reclaims at once. In-process callers (the tests) leave `objects` None, and everything is freed as usual."""

    objects: list[object] | None = None


def keep(*values: object) -> None:
    """Keep these values until exit when the process leaves without freeing its heap (see Kept)."""
    if Kept.objects is not None:
        Kept.objects.extend(values)


def out(text: str) -> None:
    """Output as it is: JSON, tables, anything a program may read."""
    sys.stdout.write(text)
    sys.stdout.flush()


def out_text(text: str) -> None:
    """Prose for a person (plans, apply's progress): laid out for the terminal when stdout is one."""
    sys.stdout.write(_laid_out(text, sys.stdout))
    sys.stdout.flush()


def out_doc(text: str | Iterable[str], output: DocFormat, open_page: bool) -> None:
    """One document of plan or show: a page goes to a file (and the browser with --open), text is laid out for a
    terminal, the other formats go out as they are. Given in pieces (render.plan_chunks), it is written piece by
    piece unless it must be whole: a page, or text laid out for a terminal."""
    if not isinstance(text, str):
        if output is DocFormat.html or (output is DocFormat.text and sys.stdout.isatty()):
            text = "".join(text)
        else:
            for piece in text:
                sys.stdout.write(piece)
            sys.stdout.flush()
            return
    if output is DocFormat.html:
        out_page(text, open_page)
    else:
        (out_text if output is DocFormat.text else out)(text)


def out_page(page: str, open_it: bool) -> None:
    """An HTML page: on stdout, or with --open written to a file of its own and opened in the browser (Python's
    webbrowser: $BROWSER, or the desktop's). Without a browser it says so and gives the path: still a success."""
    if not open_it:
        out(page)
        return
    import tempfile
    import webbrowser

    handle, path = tempfile.mkstemp(prefix="planner-", suffix=".html")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(page)
    try:
        opened = webbrowser.open("file://" + path)
    except webbrowser.Error:
        opened = False
    if not opened:
        err(f"No browser to open the page in: it is at {path}")
    out(path + "\n")


def err(text: str) -> None:
    if text:
        sys.stderr.write(_laid_out(text if text.endswith("\n") else text + "\n", sys.stderr))


def fail(error: PlannerError, output: PlanFormat = PlanFormat.text, text_too: bool = False) -> NoReturn:
    """Report the errors (stderr; with `-o json`, validate's JSON failure on stdout, and with `text_too` the text on
    stderr as well, for the person watching a job that reads the JSON) and exit 1."""
    if output is PlanFormat.json:
        out(render_validate_failure_json(error))
    if output is not PlanFormat.json or text_too:
        err(render_error(error))
    raise typer.Exit(EXIT_ERROR)


ShowCommandsOpt = typer.Option(False, "--show-commands", help="Text: under each resource, the kubectl/gcloud "
                               "commands a person would have typed for it (-o json always has them: `imperative`).")
ExplainOpt = typer.Option(False, "--explain", help="Text: under each step, why its component acts, with the source.")
