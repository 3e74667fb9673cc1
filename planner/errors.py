"""Diagnostics as values, and the one exception type that carries them across stage boundaries.

Stages collect every problem they find (one bad file does not hide the others) and raise `PlannerError` once, at the
end of the stage. The CLI turns it into `file:line:column: path: message` lines and exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, located as precisely as the stage that found it can."""

    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    address: str | None = None
    banner: bool = False
    """Shown before the plan, not after it: the reader must see it before reading what gets destroyed."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.path or "", self.message)

    def location(self) -> str:
        """`file:line:column` (as much of it as is known), the prefix editors and CI annotations understand."""
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """One line, escaped (render/escape.py): file names, field paths and messages quote the input, and a field
        name or value holding ESC or a newline must not reach the terminal raw."""
        # Not at the top: importing planner.render runs its __init__, which imports planner.kinds, which imports this.
        from planner.render.escape import escape

        loc = self.location()
        head = f"{loc}: " if loc else ""
        where = f"{self.path}: " if self.path else (f"{self.address}: " if self.address and not loc else "")
        prefix = "warning: " if self.severity == "warning" else ""
        return escape(f"{head}{prefix}{where}{self.message}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"severity": self.severity, "message": self.message}
        for key in ("file", "line", "column", "path", "address"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.banner:
            out["banner"] = True
        return out


@dataclass
class PlannerError(Exception):
    """Raised at a stage boundary with every error that stage found (and any warnings gathered so far)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    @classmethod
    def single(cls, message: str, *, file: str | None = None, line: int | None = None, column: int | None = None,
               path: str | None = None, address: str | None = None) -> PlannerError:
        return cls([Diagnostic("error", message, file=file, line=line, column=column, path=path, address=address)])

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        errors = self.errors
        files = {d.file for d in errors if d.file}
        noun = "error" if len(errors) == 1 else "errors"
        if files:
            return f"{len(errors)} {noun} in {len(files)} file{'s' if len(files) != 1 else ''}"
        return f"{len(errors)} {noun}"

    def __str__(self) -> str:
        return "\n".join(d.format() for d in sorted(self.errors, key=Diagnostic.sort_key))
