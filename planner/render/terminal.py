"""Text laid out for a terminal: colour as plain ANSI codes and lines wrapped to its width with a hanging indent.

Only for a terminal: piped or redirected output is the renderers' text unchanged, so a plan's bytes never depend on
`COLUMNS` or the colour setting. Colour follows terraform's (green `+`, yellow `~`, red `-`, bold headlines) and
is turned off by `--no-color` or the `NO_COLOR` convention (https://no-color.org). rich is not used here: its
console takes about 8 s for a 90,000-line plan; this is one regular-expression pass per line.
"""

from __future__ import annotations

import re
import textwrap

GREEN, YELLOW, RED, CYAN, BOLD, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[36m", "\x1b[1m", "\x1b[0m"
MIN_WIDTH = 80

STEP_LINE = re.compile(r"^(?P<indent>\s*)(?P<number>\d+\. )(?P<who>[a-z-]+/[a-z0-9-]+)\s+(?P<text>.*)$")
"""A plan or apply step: `      12. gke/container-api          creates node pool ...`."""

LINE_COLOURS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\s*)(-/\+|\+|~|-|\.)( )"), ""),  # resource and attribute symbols: coloured by symbol below
    (re.compile(r"^(Warning:)"), YELLOW + BOLD),
    (re.compile(r"^(Error:|planner: internal error)"), RED + BOLD),
    (re.compile(r"^(Plan:|Apply complete!|Destroy complete!|No changes\.)"), BOLD),
    (re.compile(r"^(\s*# \S+ )"), BOLD),
)
SYMBOL_COLOURS = {"+": GREEN, "~": YELLOW, "-": RED, "-/+": RED, ".": CYAN}


def for_terminal(text: str, width: int, colour: bool) -> str:
    """`text` wrapped to `width` (at least MIN_WIDTH) and, with `colour`, coloured."""
    width = max(width, MIN_WIDTH)
    out: list[str] = []
    for line in text.split("\n"):
        for part in _wrapped(line, width):
            out.append(_coloured(part) if colour else part)
    return "\n".join(out)


def _wrapped(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    step = STEP_LINE.match(line)
    if step is not None:  # too long for its column layout: "N. actor/component: text", the text under the actor
        head = f"{step['indent']}{step['number']}{step['who']}: "
        hang = " " * (len(step["indent"]) + len(step["number"]))
        return textwrap.wrap(step["text"], width, initial_indent=head, subsequent_indent=hang,
                             break_long_words=True, break_on_hyphens=False) or [line]
    indent = len(line) - len(line.lstrip(" "))
    return textwrap.wrap(line.strip(), width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 4),
                         break_long_words=True, break_on_hyphens=False) or [line]


def _coloured(line: str) -> str:
    for pattern, code in LINE_COLOURS:
        match = pattern.match(line)
        if match is None:
            continue
        if not code:  # a symbol: its own colour
            symbol = match.group(2)
            return f"{match.group(1)}{SYMBOL_COLOURS[symbol]}{symbol}{RESET}{line[match.end(2):]}"
        return f"{code}{match.group(1)}{RESET}{line[match.end(1):]}"
    return line
