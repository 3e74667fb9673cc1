"""`planner run -- <command>`: a kubectl or gcloud command line, parsed (shlex, then a small argv parser) into the
desired change of one resource. Each kind's commands live in its kind module (`KindSpec.run_commands`); this module
only splits the line, finds the command and checks its flags, with clear errors naming what is supported.

A command never touches the state itself: it returns the resource's new manifest (or None to delete it), which
planner.api plans and applies through the normal pipeline (diff -> order -> attribute -> apply).
"""

from __future__ import annotations

import copy
import difflib
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.state import State, StoredResource

TOOLS = ("kubectl", "gcloud")
SHORT_FLAGS = {"-n": "namespace", "-c": "containers"}
"""kubectl's one-letter flags that the supported commands take: -n is --namespace, -c --containers."""


def CommandError(message: str) -> PlannerError:
    """A command that is not supported, or malformed: the state is untouched."""
    return PlannerError.single(message)


@dataclass(frozen=True)
class Command:
    """One parsed command line: its words (`create deployment`), positional arguments and flags."""

    text: str
    tool: str
    words: tuple[str, ...]
    args: tuple[str, ...]
    flags: Mapping[str, str]
    usage: str = ""

    def flag(self, name: str, default: str | None = None) -> str | None:
        """A flag's value, by its name with or without the leading `--`."""
        return self.flags.get(name.removeprefix("--"), default)

    def need(self, name: str) -> str:
        name = name.removeprefix("--")
        value = self.flags.get(name)
        if value is None or value == "":
            raise self.error(f"--{name} is required")
        return value

    def number(self, name: str, default: int | None = None, minimum: int = 0) -> int | None:
        value = self.flags.get(name)
        if value is None:
            return default
        if not value.isdigit() or int(value) < minimum:
            raise self.error(f"--{name} must be a whole number of at least {minimum}, not {value!r}")
        return int(value)

    def arg(self, index: int, what: str) -> str:
        if len(self.args) <= index:
            raise self.error(f"{what} is missing")
        return self.args[index]

    def no_more_args(self, count: int) -> None:
        if len(self.args) > count:
            raise self.error(f"unexpected argument {self.args[count]!r}")

    def error(self, message: str) -> PlannerError:
        return CommandError(f"`{self.tool} {' '.join(self.words)}`: {message} (usage: {self.usage})")


@dataclass(frozen=True)
class Target:
    """What a command asks for: one resource's whole new manifest, or its deletion (`manifest` None)."""

    api_version: str
    kind: str
    name: str
    namespace: str | None
    manifest: dict[str, Any] | None
    cascade: bool = False
    """Deleting it deletes everything that runs in it (`gcloud container clusters delete`)."""


class World:
    """What a command reads: the state, by kind and name (never written through)."""

    def __init__(self, state: State) -> None:
        self.state = state

    def find(self, kind: str, name: str, namespace: str | None) -> StoredResource | None:
        from planner.model import address_of

        return self.state.resources.get(address_of(kind, name, namespace))

    def existing(self, command: Command, kind: str, name: str, namespace: str | None) -> dict[str, Any]:
        """A copy of the stored manifest to edit, or the error kubectl (or gcloud) gives: NotFound."""
        found = self.find(kind, name, namespace)
        if found is None:
            where = f' in namespace "{namespace}"' if namespace else ""
            raise command.error(f'{kind} "{name}" not found{where}')
        return copy.deepcopy(found.manifest)

    def of_kind(self, kind: str) -> Iterator[StoredResource]:
        return (r for r in self.state.resources.values() if r.kind == kind)


Handler = Callable[[Command, World], Target]


@dataclass(frozen=True)
class RunCommand:
    """One command a kind accepts: its tool and words, the flags that take a value, the switches (flags without
    one), a usage line, the documentation it follows, and the handler that turns it into a Target."""

    tool: str
    words: tuple[str, ...]
    usage: str
    handler: Handler
    flags: tuple[str, ...] = ()
    switches: tuple[str, ...] = ()
    source: str = ""
    aliases: tuple[tuple[str, ...], ...] = field(default=())
    """Other spellings of the words (kubectl's `deploy` for `deployment`)."""

    def __post_init__(self) -> None:  # flags may be written as the tools spell them (`--cluster`)
        object.__setattr__(self, "flags", tuple(f.removeprefix("--") for f in self.flags))
        object.__setattr__(self, "switches", tuple(f.removeprefix("--") for f in self.switches))

    def spellings(self) -> tuple[tuple[str, ...], ...]:
        return (self.words, *self.aliases)

    def name(self) -> str:
        return f"{self.tool} {' '.join(self.words)}"


def commands() -> list[RunCommand]:
    from planner import kinds

    return [c for spec in kinds.specs() for c in spec.run_commands]


def supported() -> str:
    return "; ".join(sorted({c.name() for c in commands()}))


def parse(argv: list[str]) -> tuple[RunCommand, Command]:
    """The command `argv` names and its parsed arguments. A single argument is split as a shell would (shlex)."""
    if len(argv) == 1 and " " in argv[0].strip():
        try:
            argv = shlex.split(argv[0])
        except ValueError as exc:
            raise CommandError(f"the command line cannot be split: {exc}") from None
    if not argv:
        raise CommandError(f"no command given: `planner run -- kubectl|gcloud ...`. Supported: {supported()}")
    text = shlex.join(argv)
    tool, rest = argv[0], argv[1:]
    if tool not in TOOLS:
        raise CommandError(f"{tool!r} is not a command planner runs: it simulates kubectl and gcloud. "
                           f"Supported: {supported()}")
    if tool == "gcloud" and rest[:1] == ["beta"]:
        rest = rest[1:]
    words = [w for w in rest if not w.startswith("-")]
    found = _match(tool, rest)
    if found is None:
        asked = f"{tool} {' '.join(words[:3])}".strip()
        hint = _closest(tool, words)
        raise CommandError(f"`{asked}` is not supported by planner run.{hint} Supported: {supported()}")
    command, used = found
    args, flags = _arguments(command, rest[used:])
    return command, Command(text, tool, command.words, tuple(args), flags, command.usage)


def _closest(tool: str, words: list[str]) -> str:
    """` Did you mean ...?` for the supported command nearest to the words given (compared word for word)."""
    best, score = "", 0.6
    for command in commands():
        if command.tool != tool:
            continue
        given = " ".join(words[:len(command.words)])
        ratio = difflib.SequenceMatcher(None, given, " ".join(command.words)).ratio()
        if ratio > score:
            best, score = command.name(), ratio
    return f" Did you mean `{best}`?" if best else ""


def _match(tool: str, rest: list[str]) -> tuple[RunCommand, int] | None:
    """The command whose words start the line (the longest such), and how many tokens they took."""
    best: tuple[RunCommand, int] | None = None
    for command in commands():
        if command.tool != tool:
            continue
        for spelling in command.spellings():
            if tuple(rest[:len(spelling)]) == spelling and (best is None or len(spelling) > best[1]):
                best = (command, len(spelling))
    return best


def _arguments(command: RunCommand, tokens: list[str]) -> tuple[list[str], dict[str, str]]:
    """Positionals and flags: `--name=value`, `--name value`, `-n value`, `--switch`, `--no-switch`."""
    args: list[str] = []
    flags: dict[str, str] = {}
    accepted = ", ".join(f"--{f}" for f in (*command.flags, *command.switches)) or "none"
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        if token == "--":
            raise CommandError(f"`{command.name()}`: a command after `--` (for the container) is not supported "
                               f"(usage: {command.usage})")
        if not token.startswith("-") or token == "-":
            args.append(token)
            continue
        name, has_value, value = token.lstrip("-").partition("=")
        name = SHORT_FLAGS.get(token.split("=")[0], name)
        if name in command.switches or (name.startswith("no-") and name[3:] in command.switches):
            if has_value:
                raise CommandError(f"`{command.name()}`: --{name} takes no value")
            flags[name.removeprefix("no-")] = "false" if name.startswith("no-") else "true"
            continue
        if name not in command.flags:
            close = difflib.get_close_matches(name, [*command.flags, *command.switches], n=1)
            hint = f" (did you mean --{close[0]}?)" if close else ""
            raise CommandError(f"`{command.name()}`: unknown flag {token.split('=')[0]}{hint}; it takes "
                               f"{accepted} (usage: {command.usage})")
        if not has_value:
            if position >= len(tokens):
                raise CommandError(f"`{command.name()}`: --{name} needs a value (usage: {command.usage})")
            value = tokens[position]
            position += 1
        if name in flags:
            raise CommandError(f"`{command.name()}`: --{name} is given twice")
        flags[name] = value
    return args, flags


def key_values(command: Command, text: str, what: str) -> dict[str, str]:
    """`cpu=100m,memory=64Mi` (kubectl set resources, --labels): pairs, each with a key and a value."""
    out: dict[str, str] = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        if not eq or not key or not value:
            raise command.error(f"{what} must be KEY=VALUE pairs separated by commas, not {text!r}")
        out[key] = value
    return out


def object_ref(command: Command, kinds: Mapping[str, str], start: int = 0) -> tuple[str, str, int]:
    """`deployment/NAME` or `deployment NAME` (kubectl's TYPE/NAME and TYPE NAME): the kind, the name, and how
    many positionals they took. `kinds` maps kubectl's resource words (and short names) to kinds."""
    first = command.arg(start, "the object (TYPE NAME or TYPE/NAME)")
    word, slash, name = first.partition("/")
    used = 1
    if not slash:
        name = command.arg(start + 1, f"the {word}'s name")
        used = 2
    kind = kinds.get(word.lower())
    if kind is None:
        close = difflib.get_close_matches(word.lower(), list(kinds), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise command.error(f"{word!r} is not a resource type this command works on here{hint}; it takes "
                            f"{', '.join(sorted(set(kinds)))}")
    if not name:
        raise command.error("the object's name is empty")
    return kind, name, used
