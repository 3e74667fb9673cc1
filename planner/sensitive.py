"""The `planner.dev/sensitive` annotation: more values to treat as secret than planner recognises by itself.

Secret data and secret-looking env names (knowledge.secrets) are found without help; a database URL in `DB_URL`, a
ConfigMap key holding a token, or a custom resource's password field are not. The annotation names them:

    metadata:
      annotations:
        planner.dev/sensitive: "DB_URL, /data/smtp.password"

Each comma-separated entry is either an env var name (on kinds with a Pod template: its literal `value` in every
container) or an RFC 6901 JSON pointer into the object (`/data/key`, `/spec/auth/password`; `~1` is `/`, `~0` is
`~`), naming a string value or a mapping or list of strings. Those values get Secret data's treatment: a keyed
digest in the model, the state and every plan, `(sensitive value)` in every output.

The annotation itself is not stripped before apply: kube-apiserver stores annotations as they are (they are
arbitrary metadata, https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/), and it only
names fields, never values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.kinds.base import Path, Problem

ANNOTATION = "planner.dev/sensitive"
HOW = "a comma-separated list of env var names and JSON pointers such as /data/key"
_IDENTITY = ("apiVersion", "kind", "metadata")
"""Top-level fields a pointer may not name: the object's identity, and its metadata (the annotation among it)."""

PodSpec = Callable[[dict[str, Any]], Mapping[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Marked:
    """What one object's annotation names: env var names, and JSON pointers split into their tokens."""

    env: frozenset[str]
    pointers: tuple[tuple[str, ...], ...]


def annotation_of(data: Mapping[str, Any]) -> object:
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    return annotations.get(ANNOTATION) if isinstance(annotations, Mapping) else None


def marked(data: Mapping[str, Any]) -> Marked | None:
    """The annotation's entries, or None when there is none; malformed entries are left out (`check` names them)."""
    value = annotation_of(data)
    if not isinstance(value, str):
        return None
    env: set[str] = set()
    pointers: list[tuple[str, ...]] = []
    for entry in _entries(value):
        if not entry.startswith("/"):
            env.add(entry)
            continue
        tokens = _tokens(entry)
        if tokens is not None and tokens[0] not in _IDENTITY:
            pointers.append(tokens)
    return Marked(frozenset(env), tuple(pointers))


def _entries(value: str) -> list[str]:
    return [e.strip() for e in value.split(",")]


def _tokens(pointer: str) -> tuple[str, ...] | None:
    """RFC 6901: `/a~1b/c` is ("a/b", "c"); None when a `~` is not followed by 0 or 1, or the pointer is `/`."""
    raw = pointer[1:].split("/")
    if not raw[0] or any("~" in t.replace("~0", "").replace("~1", "") for t in raw):
        return None
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in raw)


def check(data: dict[str, Any], pod_spec: PodSpec | None) -> list[Problem]:
    """The annotation's problems, at its value's position; messages name entries, never a value of the object."""
    value = annotation_of(data)
    if value is None:
        return []
    at: Path = ("metadata", "annotations", ANNOTATION)
    if not isinstance(value, str) or not value.strip():
        return [Problem(at, f"the value must be {HOW}")]
    problems: list[Problem] = []
    env_names = _env_names(data, pod_spec)
    for entry in _entries(value):
        if not entry:
            problems.append(Problem(at, f"an empty entry: the value must be {HOW}"))
        elif entry.startswith("/"):
            problems.extend(Problem(at, message) for message in _pointer_problems(data, entry))
        elif pod_spec is None:
            problems.append(Problem(at, f"{entry!r} is an env var name, but a {data.get('kind')} has "
                                        "no containers: name a field with a JSON pointer such as /data/key"))
        elif entry not in env_names:
            problems.append(Problem(at, f"no container sets env var {entry!r}"))
    return problems


def _pointer_problems(data: Mapping[str, Any], entry: str) -> list[str]:
    tokens = _tokens(entry)
    if tokens is None:
        return [f"{entry!r} is not a JSON pointer (RFC 6901: `~` must be followed by 0 or 1, and the "
                "pointer must name a field)"]
    if tokens[0] in _IDENTITY:
        return [f"{entry!r} names the object's {tokens[0]}, which cannot be sensitive"]
    found, value = _resolve(data, tokens)
    if not found:
        return [f"{entry!r} names no field of this object"]
    if not _all_strings(value):
        return [f"{entry!r} must name a string (or a mapping or list of strings): only strings can be "
                "kept as digests without changing the object's shape"]
    return []


def _resolve(data: Any, tokens: tuple[str, ...]) -> tuple[bool, Any]:
    for token in tokens:
        if isinstance(data, Mapping) and token in data:
            data = data[token]
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return False, None
    return True, data


def _all_strings(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_all_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


def _env_names(data: dict[str, Any], pod_spec: PodSpec | None) -> set[str]:
    spec = pod_spec(data) if pod_spec is not None else None
    return {e.get("name") for c in containers(spec or {}) for e in env_of(c)}  # type: ignore[misc]


def containers(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or () if isinstance(c, dict)]


def env_of(container: Mapping[str, Any]) -> list[dict[str, Any]]:
    env = container.get("env")
    return [e for e in env if isinstance(e, dict)] if isinstance(env, list) else []


def mask_pointers(manifest: dict[str, Any], pointers: tuple[tuple[str, ...], ...], digest: Callable[[str], str],
                  done: Callable[[str], bool]) -> None:
    """Each string a pointer names (every string beneath it for a mapping or list) becomes `digest(value)`, in place;
    values `done` already (a stored manifest's digests) are left as they are."""
    for tokens in pointers:
        parent: Any = manifest
        for token in tokens[:-1]:
            found, parent = _resolve(parent, (token,))
            if not found:
                break
        else:
            last = tokens[-1]
            if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
                parent[int(last)] = _masked(parent[int(last)], digest, done)
            elif isinstance(parent, dict) and last in parent:
                parent[last] = _masked(parent[last], digest, done)


def _masked(value: Any, digest: Callable[[str], str], done: Callable[[str], bool]) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, digest, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, digest, done) for v in value]
    return value if not isinstance(value, str) or done(value) else digest(value)


def hidden(data: Mapping[str, Any], path: Path, fields: tuple[str, ...], secret_name: Callable[[object], bool]) -> bool:
    """Whether a validation message about `path` must not show the value there: a Secret's data, a secret env
    literal, or anything the annotation names (planner.validate words errors with it)."""
    if path[:1] and path[0] in fields:
        return True
    for i, token in enumerate(path[:-1]):
        if token == "env" and i + 1 < len(path):
            found, entry = _resolve(data, tuple(str(t) for t in path[:i + 2]))
            if found and isinstance(entry, Mapping):
                name = entry.get("name")
                names = marked(data)
                if secret_name(name) or (names is not None and isinstance(name, str) and name in names.env):
                    return True
    names = marked(data)
    return names is not None and any(tuple(str(t) for t in path[:len(p)]) == p for p in names.pointers)
