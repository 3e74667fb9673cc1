"""User-controlled text inside Markdown (a pull-request comment) and Mermaid (a sequence diagram).

Names, images, label values and anything a hand-edited saved plan holds reach these outputs. First the characters
render/escape.py lists (controls, bidi, line separators) become visible escapes, as in every output, so no value
can start a line of its own. Then each context gets its own rule:

- Markdown inline text (never at the start of a line): every character CommonMark or GitHub gives a meaning inside
  a line (code, emphasis, links and images, HTML, entities, table cells, strikethrough) is backslash-escaped
  (CommonMark: any ASCII punctuation may be). Without `[`, `(` and `!` mean nothing.
- A code span or fenced block: content is literal, only a run of backticks can close it, so the delimiter is one
  backtick longer than the longest run inside (CommonMark 0.31, "Code spans" and "Fenced code blocks").
- HTML (`<summary>`): html.escape; an HTML block is not parsed as Markdown.
- Mermaid text: `;` ends a statement and `#...;` is an entity code, so `#`, `;`, `<`, `>`, `&` and backticks
  (which would close the surrounding Markdown fence) are written as Mermaid's entity codes (`#59;`): the renderer
  shows the characters themselves (mermaid.js.org/syntax/sequenceDiagram.html, "Entity codes to escape characters").
"""

from __future__ import annotations

import html
import re

from planner.render.escape import escape

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
_BACKTICKS = re.compile(r"`+")
_MERMAID = {ord("#"): "#35;", ord(";"): "#59;", ord("<"): "#lt;", ord(">"): "#gt;", ord("&"): "#amp;",
            ord("`"): "#96;"}


def md(text: str) -> str:
    """Plain text inside a Markdown line: shown as it is, never as markup."""
    return _MD_SPECIAL.sub(r"\\\1", escape(text))


def longest_backticks(text: str) -> int:
    """The longest run of backticks in `text` (0 if none)."""
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code(text: str) -> str:
    """`text` as an inline code span that its own backticks cannot close."""
    text = escape(text)
    fence = "`" * (longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fence_for(lines: list[str]) -> str:
    """The backtick fence a code block of these (already escaped) lines needs: at least three, longer than any run."""
    return "`" * max(3, max((longest_backticks(line) for line in lines if "`" in line), default=0) + 1)


def html_text(text: str) -> str:
    """Text inside an HTML element of the comment."""
    return html.escape(escape(text), quote=True)


def mermaid_text(text: str) -> str:
    """Text of a Mermaid message, note or participant alias: one line, no statement separator, no markup."""
    return escape(text).translate(_MERMAID)
