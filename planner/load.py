"""Stage 1: read files, directories and stdin into YAML documents, remembering where each came from.

Parsing uses libyaml (`CSafeLoader`) without node positions: composing position-carrying nodes costs ~3x a plain C
load, so positions are computed only for files that have errors (`locate`). Duplicate keys are caught while
constructing mappings, where the key's mark is at hand. No tag outside the YAML core schema is ever constructed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import yaml

from planner import limits, second_process
from planner.cache import content_digest
from planner.errors import Diagnostic
from planner.inputs import STDIN, expand_paths, read_regular_file, reason

try:  # libyaml is part of every PyYAML wheel; fall back to the pure-Python parser only if it is missing.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]  # same interface, pure Python

_MERGE = "tag:yaml.org,2002:merge"


@dataclass(eq=False)
class SourceFile:
    """One input file's text, kept so that positions can be computed later, and only if needed. A file parsed by a
    worker process is read again here only if one of its documents needs a position."""

    name: str
    text: str | None
    digest: bytes | None = None
    """SHA-256 of the bytes read (planner.cache keys entries by it), when read from a file."""
    _nodes: list[Any] | None = field(default=None, repr=False)
    _by_line: dict[int, Any] | None = field(default=None, repr=False)

    def node_at(self, line: int) -> Any | None:
        """The document node that starts on `line` (1-based), indexed once per file: a file with thousands of
        documents gets each position in constant time, not by a scan per diagnostic."""
        if self._by_line is None:
            self._by_line = {}
            for node in self.document_nodes():
                if node is not None:
                    self._by_line.setdefault(node.start_mark.line + 1, node)
        return self._by_line.get(line)

    def document_nodes(self) -> list[Any]:
        if self._nodes is None:
            text = self.text
            if text is None:
                source, _ = read_source(self.name, None)
                text = self.text = (source.text if source is not None else None) or ""
            self._nodes = list(yaml.compose_all(text, Loader=_BaseLoader))
        return self._nodes


@dataclass(eq=False, slots=True)
class Document:
    """One YAML document that is a mapping: the unit that becomes a resource."""

    source: SourceFile
    index: int
    line: int
    data: dict[str, Any]
    shared: bool = False
    """Its values may be shared with other documents through YAML aliases: copy before changing them."""
    prefix: tuple[str | int, ...] = ()
    """Where the object sits inside its YAML document: `()` for a document that is the object, `("items", 3)` for
    an item of a List (planner.lists). `line` stays the YAML document's first line; `locate` walks the prefix."""

    def position(self) -> tuple[int, int]:
        """The object's own line and column: free for a whole document, computed from the YAML nodes for a List
        item (only asked when something about it is reported)."""
        return (self.line, 1) if not self.prefix else locate(self, ())

    def where(self) -> str:
        return f"{self.source.name}:{self.position()[0]}"


@dataclass
class LoadResult:
    """Documents of every readable file, and the errors of the others: the next stage still checks the good
    documents, so the user sees every error at once."""

    documents: list[Document]
    roots: list[str]
    errors: list[Diagnostic]


class _Loader(_BaseLoader):
    """CSafeLoader that records duplicate keys and document start lines, and keeps timestamps as strings.

    Kubernetes reads YAML through JSON, where `2024-01-01` stays a string; PyYAML would make it a date.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, Any]] = []
        self.bad_keys: list[tuple[str, Any]] = []
        self.start_line = 1

    def construct_document(self, node: Any) -> Any:
        self.start_line = node.start_mark.line + 1
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        """One pass over the pairs: construct, check the key, record duplicates. PyYAML's own version walks the
        pairs twice more (merge keys, hashability), and mappings are most of a manifest."""
        pairs = node.value
        for key_node, _ in pairs:
            if key_node.tag == _MERGE:
                return self._construct_merged(node, deep)
        mapping: dict[str, Any] = {}
        construct = self.construct_object
        for key_node, value_node in pairs:
            key = construct(key_node, deep=deep)
            if key.__class__ is not str:
                key = self._plain_key(key, node, key_node)
                if key is None:
                    continue
            if key in mapping:
                self.duplicates.append((key, key_node.start_mark))
            mapping[key] = construct(value_node, deep=deep)
        return mapping

    def _construct_merged(self, node: Any, deep: bool) -> dict[Any, Any]:
        """`<<` merge keys: merged pairs may be overridden; only explicit keys repeated are duplicates."""
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node.value, str):
                continue
            if key_node.value in seen:
                self.duplicates.append((key_node.value, key_node.start_mark))
            seen.add(key_node.value)
        mapping = super().construct_mapping(node, deep=deep)
        return {k if isinstance(k, str) else self._plain_key(k, node, node): v for k, v in mapping.items()}

    def _plain_key(self, key: Any, node: Any, key_node: Any) -> str | None:
        """Kubernetes reads YAML through JSON: scalar keys become strings (`true`, `1`); others are refused."""
        if isinstance(key, bool):
            return "true" if key else "false"
        if key is None:
            return "null"
        if isinstance(key, (int, float)):
            return str(key)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                    "found unhashable key", key_node.start_mark)
        self.bad_keys.append((repr(key), node.start_mark))
        return None

    def construct_undefined(self, node: Any) -> Any:
        raise yaml.constructor.ConstructorError(
            None, None, f"tag {node.tag} is not allowed (only plain YAML values are read)", node.start_mark
        )

    def _string(self, node: Any) -> str:
        return str(self.construct_scalar(node))

    def _number(self, node: Any) -> float | int:
        """A whole float (`replicas: 1.0`) becomes an integer, as kubectl sends it: sigs.k8s.io/yaml turns YAML into
        JSON with Go's encoding/json, which writes float64 1.0 as `1` (exponent form only from 1e21 up), so
        kube-apiserver reads the integer 1. Larger or fractional floats stay floats, and integer fields refuse them."""
        value: float = self.construct_yaml_float(node)
        if value.is_integer() and abs(value) < 1e21:
            return int(value)
        return value


_Loader.add_constructor("tag:yaml.org,2002:float", _Loader._number)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader._string)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader._string)
_Loader.add_constructor(None, _Loader.construct_undefined)


def _expanded_size(value: Any, memo: dict[int, int]) -> int:
    """Count values as a JSON encoder would see them (aliases expanded), without expanding anything."""
    if isinstance(value, dict):
        key = id(value)
        if key not in memo:
            memo[key] = 1 + sum(_expanded_size(v, memo) for v in value.values())
        return memo[key]
    if isinstance(value, list):
        key = id(value)
        if key not in memo:
            memo[key] = 1 + sum(_expanded_size(v, memo) for v in value)
        return memo[key]
    return 1


def _decode(name: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        offset = raw.index(b"\x00")
        return None, _byte_error(name, raw, offset, "binary file (NUL byte): not YAML text")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), None
            except UnicodeDecodeError as exc:
                return None, _byte_error(name, raw, exc.start, f"not valid {codec.upper()} text")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _byte_error(name, raw, exc.start, f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})")


def _byte_error(name: str, raw: bytes, offset: int, message: str) -> Diagnostic:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return Diagnostic("error", message, file=name, line=line, column=column)


def _mark(name: str, mark: Any) -> dict[str, Any]:
    return {"file": name, "line": mark.line + 1, "column": mark.column + 1} if mark is not None else {"file": name}


def parse_source(source: SourceFile, errors: list[Diagnostic], first_index: int = 0) -> list[Document]:
    """Parse every document of one file; append problems to `errors` instead of stopping at the first."""
    assert source.text is not None
    loader = _Loader(source.text)
    anchors = "&" in source.text  # no anchor, no alias: nothing is shared and nothing can expand
    documents: list[Document] = []
    index = non_empty = 0
    try:
        while loader.check_data():  # type: ignore[no-untyped-call]  # unannotated in types-PyYAML; returns bool
            data = loader.get_data()
            line = loader.start_line
            for key, mark in loader.duplicates:
                joined = key in ("apiVersion", "kind") and mark is not None and mark.column == 0
                hint = ("; two objects in one document? separate them with a line `---` (files joined with cat, "
                        "or piped together, need one between them)") if joined else ""
                errors.append(Diagnostic("error", f'duplicate key "{key}" (the Kubernetes API server refuses '
                                         f"duplicate fields){hint}", **_mark(source.name, mark)))
            for key, mark in loader.bad_keys:
                errors.append(Diagnostic("error", f"mapping key {key} is not a string", **_mark(source.name, mark)))
            loader.duplicates.clear()
            loader.bad_keys.clear()
            if data is None:  # an empty document (`---` with nothing after it) is skipped, as kubectl does
                index += 1
                continue
            non_empty += 1
            if not isinstance(data, dict):
                kind = "a list" if isinstance(data, list) else "a plain value"
                errors.append(Diagnostic("error", f"document {index + 1} is {kind}, not a Kubernetes object "
                                         "(a mapping with apiVersion, kind and metadata)", file=source.name,
                                         line=line, column=1))
            elif not anchors:
                documents.append(Document(source, first_index + index, line, data))
            elif _expanded_size(data, {}) > limits.MAX_NODES_PER_DOCUMENT:
                errors.append(Diagnostic("error", f"document {index + 1} expands to more than "
                                         f"{limits.MAX_NODES_PER_DOCUMENT:,} values through aliases "
                                         "(alias bomb?)", file=source.name, line=line, column=1))
            else:
                documents.append(Document(source, first_index + index, line, data, shared=True))
            index += 1
            if first_index + index > limits.MAX_DOCUMENTS:
                errors.append(Diagnostic("error", f"more than {limits.MAX_DOCUMENTS:,} documents", file=source.name))
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        errors.append(Diagnostic("error", f"invalid YAML: {problem}", **_mark(source.name, mark)))
    except yaml.YAMLError as exc:
        errors.append(Diagnostic("error", f"invalid YAML: {exc}", file=source.name))
    except RecursionError:
        errors.append(Diagnostic("error", f"nesting too deep (limit about {limits.MAX_DEPTH} levels)",
                                 file=source.name))
    finally:
        loader.dispose()
    if non_empty == 0 and not any(d.file == source.name for d in errors):
        errors.append(Diagnostic("error", "file contains no YAML documents" + (" (only empty ones)" if index else ""),
                                 file=source.name))
    return documents


def read_source(name: str, stdin: IO[bytes] | None) -> tuple[SourceFile | None, Diagnostic | None]:
    display = "<stdin>" if name == STDIN else name
    try:
        if name == STDIN:
            if stdin is None:
                return None, Diagnostic("error", "cannot read stdin: it is closed or was not given", file=display)
            raw = stdin.read(limits.MAX_FILE_BYTES + 1)
        else:
            raw_or_problem = read_regular_file(name)
            if isinstance(raw_or_problem, Diagnostic):
                return None, raw_or_problem
            raw = raw_or_problem
    except OSError as exc:
        return None, Diagnostic("error", f"cannot read: {reason(exc)}", file=display)
    except ValueError:  # a closed file object
        return None, Diagnostic("error", "cannot read: it is closed", file=display)
    if len(raw) > limits.MAX_FILE_BYTES:
        return None, Diagnostic("error", f"input is larger than {limits.MAX_FILE_BYTES // 2**20} MiB", file=display)
    text, problem = _decode(display, raw)
    if problem is not None:
        return None, problem
    assert text is not None
    return SourceFile(display, text, content_digest(raw) if name != STDIN else None), None



PARALLEL_MIN_BYTES = 512 * 2**10
"""Inputs at least this large are parsed by two processes: YAML construction is most of a large plan's time, and
its result crosses back cheaply (pickling 10,000 parsed documents takes ~0.1 s)."""


_Parsed = tuple[list[tuple[int, int, bool, dict[str, Any]]], list[Diagnostic], bytes | None]


def _parse_files(names: list[str]) -> list[_Parsed]:
    """A worker's share: each file's documents (index, line, shared, data), errors and content digest."""
    out = []
    for name in names:
        errors: list[Diagnostic] = []
        source, problem = read_source(name, None)
        documents = parse_source(source, errors) if source is not None else []
        out.append(([(d.index, d.line, d.shared, d.data) for d in documents], [problem] if problem else errors,
                    source.digest if source is not None else None))
    return out


MEANWHILE_MIN_BYTES = 64 * 2**10
"""With work to do meanwhile (`load(meanwhile=...)`: forking costs a few ms, a state's read tens to hundreds)."""


def worker_share(files: list[str], meanwhile: bool = False, fraction: float = 0.5) -> list[str]:
    """The files a second process should take: as close to `fraction` of the bytes as whole files come, never stdin;
    none for small inputs, nor all of them unless there is work to do meanwhile."""
    if STDIN in files or not second_process.available():
        return []
    sizes = {}
    for name in files:
        try:
            sizes[name] = os.path.getsize(name)
        except OSError:
            return []
    total = sum(sizes.values())
    if total < (MEANWHILE_MIN_BYTES if meanwhile else PARALLEL_MIN_BYTES):
        return []
    share, taken, target = [], 0, total * fraction
    for name in sorted(files, key=lambda n: -sizes[n]):  # the largest first; each only if it brings us closer
        if abs(taken + sizes[name] - target) < abs(taken - target):
            share.append(name)
            taken += sizes[name]
    if meanwhile:
        return share or list(files)
    return share if len(share) < len(files) else []


def load(paths: Iterable[str], stdin: IO[bytes] | None = None, skip: frozenset[str] = frozenset(),
         meanwhile: Callable[[], None] | None = None, parallel: bool = True) -> LoadResult:
    """Read every input; collect the problems of all files rather than stopping at the first. Files in `skip`
    (their resources came from planner.cache, or another process models them) are not read. `meanwhile` runs in
    this process while a second one parses (or first, when the input is too small to share); it must not raise.
    `parallel=False`: no second process (one is already at work)."""
    paths = list(paths)
    files, errors = expand_paths(paths)
    if skip:
        files = [name for name in files if name not in skip]
    share = worker_share(files, meanwhile is not None) if parallel else []
    pending = second_process.start(_parse_files, share) if share else None
    by_worker = set(share) if pending is not None else set()
    if meanwhile is not None:
        try:
            meanwhile()
        except BaseException:
            if pending is not None:
                pending.stop()
            raise
    by_file: dict[str, list[Document]] = {}
    for name in files:
        if name in by_worker:
            continue
        source, problem = read_source(name, stdin)
        if problem is not None:
            errors.append(problem)
            continue
        assert source is not None
        by_file[name] = parse_source(source, errors)
    if pending is not None:
        for name, (parsed, problems, digest) in zip(share, pending.get(), strict=True):
            source = SourceFile(name, None, digest)
            by_file[name] = [Document(source, index, line, data, shared) for index, line, shared, data in parsed]
            errors.extend(problems)
    documents = [d for name in files for d in by_file.get(name, ())]
    roots = sorted({"-" if p == STDIN else os.path.normpath(p) for p in paths})
    return LoadResult(documents, roots, errors)


# ---------------------------------------------------------------- positions, computed only for files with errors

PathToken = str | int


def locate(document: Document, path: tuple[PathToken, ...], key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the value at `path`, or of its key with `key=True`.

    Walks as far as the path exists: a missing field is reported at the closest existing parent.
    """
    try:
        node = document.source.node_at(document.line)
    except yaml.YAMLError:  # pragma: no cover - the file parsed once already
        return document.line, 1
    if node is None:
        return document.line, 1
    mark = node.start_mark
    full = (*document.prefix, *path) if document.prefix else path
    for depth, token in enumerate(full):
        last = depth == len(full) - 1
        if isinstance(node, yaml.MappingNode) and isinstance(token, str):
            found = None
            for key_node, value_node in _flat_pairs(node):
                if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == token:
                    found = (key_node, value_node)
            if found is None:
                break
            node = found[1]
            # A block mapping or list is pointed at by its key's line; a scalar by the value itself.
            at_key = (last and key) or not isinstance(node, yaml.ScalarNode)
            mark = found[0].start_mark if at_key else found[1].start_mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(token, int) and 0 <= token < len(node.value):
            node = node.value[token]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _flat_pairs(node: Any) -> list[tuple[Any, Any]]:
    pairs: list[tuple[Any, Any]] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for m in merged:
                if isinstance(m, yaml.MappingNode):
                    pairs = _flat_pairs(m) + pairs
        else:
            pairs.append((key_node, value_node))
    return pairs
