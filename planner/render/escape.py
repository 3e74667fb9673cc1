"""Terminal-safe text: every user-controlled string a text renderer prints goes through here.

Image names, field names, kinds, label values and whatever a hand-edited saved plan or state holds would otherwise
reach the terminal as they are: `\\x1b[2J` clears the screen, `\\x1b]0;...\\x07` retitles the window, a `\\n` forges a
whole output line, U+202E reverses what follows. These characters are shown as visible escapes instead
(`\\x1b`, `\\n`, `\\u202e`): the C0 controls, DEL, the C1 controls (U+0080-U+009F, where U+009B is CSI), the bidi
embedding and isolate controls (U+202A-U+202E, U+2066-U+2069), the line and paragraph separators (U+2028, U+2029),
and lone surrogates (which could not be written to stdout at all). Printable Unicode (é, 日本) is left alone, and so is
a backslash: the escapes exist so nothing reaches the terminal raw, not to make the text round-trip.

Every escaped character is non-printable for `str.isprintable`, so printable text (nearly all of it) costs one C
call. A whole output is checked in one pass by `is_clean` (render/text.py: a 10,000-resource plan is 30 MB of
text and ~290,000 field paths, too many for one escape() call each).
"""

from __future__ import annotations

import re
from typing import Any

UNSAFE = [
    *range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
    *range(0xD800, 0xE000),
]
"""The code points escaped: none is printable (`str.isprintable` is False for each), so printable text is clean."""

_SHORT = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
ESCAPES = {c: _SHORT.get(c) or (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in UNSAFE}
"""`str.translate` table for plain text: `\\x1b`, `\\n`, `\\u202e`."""

JSON_ESCAPES = {c: f"\\u{c:04x}" for c in UNSAFE}
"""For text that is already JSON (json.dumps escapes C0 but not DEL, C1, U+2028/2029 or bidi controls): the same
characters as JSON escapes, so the text stays valid JSON with the same meaning."""

_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F))


def escape(text: str) -> str:
    """`text` with the characters listed above as visible escapes."""
    return text if text.isprintable() else text.translate(ESCAPES)


def escape_json(text: str) -> str:
    """JSON text (as json.dumps writes it) with DEL, C1, U+2028/2029, bidi controls and surrogates as \\uXXXX."""
    if text.isascii():  # O(1) on a str; then only DEL can be left, json.dumps escaped the C0 controls
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return text.translate(JSON_ESCAPES) if _UNSAFE_RE.search(text) else text


def is_clean(text: str, newlines: int = 0) -> bool:
    """True if escape() would change nothing in `text` but its `newlines` newlines: those a renderer joined its
    lines with, so one more (a forged line) makes it False. One pass over a whole output (~0.5 ns a byte) is far
    cheaper than one escape() call per line or value, and a check that fails sends the caller to escape each of them.

    Deleting the printable ASCII bytes from the UTF-8 leaves the newlines, the controls and the (whole) multi-byte
    characters: usually the newlines alone. Only that remainder is looked at."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_PRINTABLE)
    if len(rest) == newlines:
        return rest.count(b"\n") == newlines
    if rest.count(b"\n") != newlines:
        return False
    return _UNSAFE_RE.search(rest.decode("utf-8", "surrogatepass").replace("\n", "")) is None


def yaml_text(value: Any) -> str:
    """A JSON-shaped value as YAML (`-o yaml`), each line escaped as every other output is."""
    import yaml

    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1_000_000)
    return "".join(escape(line) + "\n" for line in text.splitlines())


def join_lines(lines: list[str]) -> str:
    """A renderer's lines, each ended by a newline and escaped; checked in one pass over the joined text, escaped line
    by line only if that finds a character to escape (the renderer's own lines never hold one)."""
    text = "\n".join(lines) + "\n"
    return text if is_clean(text, len(lines)) else "\n".join(map(escape, lines)) + "\n"
