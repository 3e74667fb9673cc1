"""load -> validate -> model, one input file at a time through planner.cache: an unchanged file is neither read
as YAML, validated nor modelled again; its resources and warnings come from its entry. The checks across
resources (duplicates, references, Services that select nothing) always run over all of them (model.assemble).

The result is the one the uncached stages give, byte for byte: resources in input order, validation warnings in
document order with their file:line:column, the same skipped count. A file with any error is not stored.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast

from planner import kinds, lists, model, schemas, second_process
from planner import load as load_stage
from planner.cache import Cache, Setting, content_digest, open_cache
from planner.errors import Diagnostic, PlannerError
from planner.inputs import STDIN, expand_paths, read_regular_file
from planner.load import Document, SourceFile
from planner.model import DesiredState, Resource, SecretKey
from planner.validate import ValidationResult, Validator, ValidDocument

Modelled = list[tuple[Resource, list[str]]]


WORKER_FRACTION = 0.48
"""The share of the input bytes the second process loads, validates and models (planner.load.worker_share: as close
as whole files come), while this one parses, validates and models the rest. Measured at 10,000 resources, cold,
the three stages: in 11 files, the other process taking 42% or 52% of the bytes: 1.62-1.70 s or 1.57-1.59 s; in 27
files, 50% or 55%: 1.52-1.56 s or 1.63-1.73 s (the other process does more per byte: it sends its result back)."""


def load_desired(paths: list[str], stdin: IO[bytes] | None, kubernetes_version: str, skip_unknown: bool,
                 complete: bool, secret_key: SecretKey | None, use_cache: bool,
                 meanwhile: Callable[[], None] | None = None, idle: Callable[[], None] | None = None) -> DesiredState:
    """What api.load_desired promises; see there. The files the cache holds are read from it while a second
    process does the others (`_file_entries`; planner.load parses its own share meanwhile), as is whatever
    `meanwhile` does; `idle` is done if this process would then wait for the other. Neither may raise."""
    version = schemas.resolve_version(kubernetes_version)
    key_source = secret_key or model.process_key
    cache = open_cache(Setting(version, skip_unknown), key_source, keyless=secret_key is None, enabled=use_cache)
    order, stored, keys = _lookup(paths, cache)
    hits: dict[str, dict[str, Any]] = {}

    def entries_then_more() -> None:
        if cache is not None:
            hits.update(_entries(cache, stored))
        if meanwhile is not None:
            meanwhile()

    misses = list(dict.fromkeys(name for name in order if name not in stored))
    share = load_stage.worker_share(misses, meanwhile is not None or bool(stored), WORKER_FRACTION)
    pending = second_process.start_inheriting(_file_entries, (share, version, skip_unknown, key_source)) \
        if share else None  # inherited, not sent: the key's source is a method of the backend, which holds the state
    taken = share if pending is not None else []
    try:
        loaded = load_stage.load(paths, stdin, skip=frozenset(stored).union(taken), meanwhile=entries_then_more,
                                 parallel=pending is None)
        validator = Validator(version, skip_unknown)
        checked = _check(loaded, validator, key_source)  # while the other process may still be at work
        unstored: _Checked | None = checked
        if pending is not None and not pending.ready():  # time to spare: this process's entries, then `idle`
            if cache is not None and not checked.errors:  # each is a fact about its own file's bytes
                _store(cache, checked)
                unstored = None
            if idle is not None and not pending.ready():
                idle()
        computed = marshal.loads(pending.get()) if pending is not None else []
    finally:  # interrupted: the other process goes too
        if pending is not None:
            pending.stop()
    made = {name: entry for name, entry in zip(taken, computed, strict=True) if entry}
    hits.update(made)
    again = [name for name in [*stored, *taken] if name not in hits]
    if again:  # an entry that did not load, a file the other process found a problem in: done here after all
        more = load_stage.load(again, parallel=False)
        late = _check(more, validator, key_source)
        joined = checked.joined(late, order)
        checked, unstored = joined, (late if unstored is None else joined)
        _merge(loaded, more, order)
    if checked.errors:
        reported = checked.result.warnings if checked.invalid else []
        raise PlannerError(sorted(checked.errors, key=Diagnostic.sort_key) + reported)
    result, fresh = checked.result, checked.fresh
    if cache is not None:
        if unstored is not None:
            _store(cache, unstored)
        for name, entry in made.items():
            cache.put(keys[name], {**entry, "key_id": cache.key_id() if entry["key_id"] else None})
        cache.trim()
    if not hits:  # nothing came from the cache: the stages' own order
        desired = model.assemble([m for _, per_file, _ in fresh.values() for m in per_file], loaded.roots,
                                 result.kubernetes_version, complete)
        desired.warnings.extend(result.warnings)
        desired.skipped = result.skipped
        return desired
    by_file: dict[str, list[Diagnostic]] = {}
    for warning in result.warnings:
        by_file.setdefault(warning.file or "", []).append(warning)
    modelled: Modelled = []
    warnings: list[Diagnostic] = []
    skipped = result.skipped
    done: set[str] = set()
    for name in order:
        entry = hits.get(name)
        if entry is None:
            shown = "<stdin>" if name == STDIN else name
            if shown not in done:  # a file named twice was read twice: both copies are in `fresh` already
                done.add(shown)
                modelled += fresh[shown][1] if shown in fresh else []
                warnings += by_file.get(shown, [])
            continue
        source = SourceFile(name, None)
        modelled += [_resource(source, doc) for doc in entry["docs"]]
        warnings += [Diagnostic(severity, message, name, line, column, path, address)
                     for severity, message, line, column, path, address in entry["warnings"]]
        skipped += entry["skipped"]
    if cache is not None and len(hits) == len(order):
        desired = _assembled(cache, [(name, keys[name]) for name in order], modelled, loaded.roots,
                             result.kubernetes_version, complete)
    else:
        desired = model.assemble(modelled, loaded.roots, result.kubernetes_version, complete)
    desired.warnings.extend(warnings)
    desired.skipped = skipped
    return desired


@dataclass
class _Checked:
    """Documents read in this process, validated and modelled; errors kept, not raised, so that the documents of
    files read later (`again` above) are checked too and every error is reported at once, in order."""

    documents: list[Document]
    result: ValidationResult
    fresh: Fresh
    errors: list[Diagnostic]
    invalid: bool
    """Validation failed: the error report shows its warnings too (errors of reading alone are shown alone)."""

    def joined(self, other: _Checked, order: list[str]) -> _Checked:
        """Both, with warnings and modelled files in input order (each file's own order kept)."""
        position = _positions(order)

        def by_file(d: Diagnostic) -> int:
            return position.get(d.file or "", len(order))

        a, b = self.result, other.result
        result = ValidationResult(a.documents + b.documents, sorted(a.warnings + b.warnings, key=by_file),
                                  a.kubernetes_version, a.skipped + b.skipped)
        fresh = {**self.fresh, **other.fresh}
        return _Checked(self.documents + other.documents, result,
                        {name: fresh[name] for name in sorted(fresh, key=lambda n: position.get(n, len(order)))},
                        self.errors + other.errors, self.invalid or other.invalid)


def _check(loaded: load_stage.LoadResult, validator: Validator, secret_key: SecretKey) -> _Checked:
    """List items expanded, validated and, when nothing is wrong, modelled. Errors of reading come without the
    validation's warnings, as the stages report them one after another."""
    documents, list_errors = lists.expand(loaded.documents)
    errors = [*loaded.errors, *list_errors]
    try:
        result = validator.validate(documents)
    except PlannerError as exc:
        return _Checked(documents, ValidationResult([], exc.warnings, validator.version), {}, errors + exc.errors, True)
    return _Checked(documents, result, {} if errors else _model(result.documents, secret_key), errors, False)


def _positions(order: list[str]) -> dict[str, int]:
    """Each input file's first place in the input (stdin by the name its documents carry)."""
    return {("<stdin>" if name == STDIN else name): i for i, name in reversed(list(enumerate(order)))}


def _assembled(cache: Cache, files: list[tuple[str, str]], modelled: Modelled, roots: list[str],
               kubernetes_version: str, complete: bool) -> DesiredState:
    """model.assemble over files that all came from the cache: its warnings (Services that select nothing...) and
    the resources it left out (built-in names) are a function of those entries and their names, so they are cached
    too, under a key over every (name, entry key) in order. Errors are never cached: they are raised again."""
    key = cache.key_of(repr((complete, files)).encode())
    entry = cache.read_entry(key)
    if entry is not None and isinstance(entry.get("assembly"), list) and isinstance(entry.get("dropped"), list):
        try:
            warnings = [Diagnostic(*row) for row in entry["assembly"]]
            dropped = set(entry["dropped"])
        except TypeError:  # not an entry this code wrote: rebuilt below
            pass
        else:
            resources = {r.address: r for r, _ in modelled if r.address not in dropped}
            return DesiredState(resources, roots, kubernetes_version, warnings)
    desired = model.assemble(modelled, roots, kubernetes_version, complete)
    dropped_now = sorted({r.address for r, _ in modelled} - set(desired.resources))
    rows = [(d.severity, d.message, d.file, d.line, d.column, d.path, d.address) for d in desired.warnings]
    cache.put(key, {"assembly": rows, "dropped": dropped_now})
    return desired


def _lookup(paths: list[str], cache: Cache | None) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Every input file in order, the keys of those the cache has an entry for (found by their bytes as they are
    now: a file written since the plan's key was made is planned as it is now; the entries are read by
    `_entries`), the keys of all."""
    files, _ = expand_paths(paths)  # errors: load() walks again and reports them
    stored: dict[str, str] = {}
    keys: dict[str, str] = {}
    if cache is None:
        return files, stored, keys
    for name in files:
        digest = _digest_of(name)
        if digest is None:
            continue
        key = keys[name] = cache.key_of(digest)
        if cache.has(key):
            stored[name] = key
    return files, stored, keys


def _entries(cache: Cache, stored: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The entries `_lookup` found, by file name; one that is damaged or was made with another key is left out."""
    hits = {}
    for name, key in stored.items():
        entry = cache.get(key)
        if entry is not None:
            hits[name] = entry
    return hits


def _merge(loaded: load_stage.LoadResult, more: load_stage.LoadResult, order: list[str]) -> None:
    """Add the documents and errors of files loaded afterwards, keeping the files' input order."""
    position = _positions(order)
    documents = loaded.documents + more.documents
    documents.sort(key=lambda d: position.get(d.source.name, len(order)))  # stable: each file's own order stays
    loaded.documents[:] = documents
    loaded.errors.extend(more.errors)


def input_digests(paths: list[str]) -> list[tuple[str, bytes]] | None:
    """Each input file's name and content digest, in order; None when one cannot be read as a regular file or is
    standard input (whose bytes are read once, by the load)."""
    files, errors = expand_paths(paths)
    if errors or STDIN in files:
        return None
    digests = [(name, _digest_of(name)) for name in files]
    return None if any(digest is None for _, digest in digests) else cast("list[tuple[str, bytes]]", digests)


def _digest_of(name: str) -> bytes | None:
    """A regular input file's content digest; None for stdin or what cannot be read as one (the load says why)."""
    if name == STDIN:
        return None
    try:
        raw = read_regular_file(name)
    except OSError:
        return None
    return None if isinstance(raw, Diagnostic) else content_digest(raw)


def input_signature(paths: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Each input file's name, size, inode, modification and change times: not what anything is found by (that
    is the bytes), but what tells that a file was written between two moments of one run."""
    files, _ = expand_paths(paths)
    out = []
    for name in files:
        try:
            info = os.stat(name)
        except OSError:
            out.append((name, -1, -1, -1, -1))
            continue
        out.append((name, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns))
    return out


def _resource(source: SourceFile, doc: list[Any]) -> tuple[Resource, list[str]]:
    """One cached resource, with a Document that points into its file for positions computed later."""
    (index, line, prefix, shared, address, family, api_version, kind, name, namespace, manifest, digest,
     server_set, replica_set) = doc
    document = Document(source, index, line, manifest, shared, tuple(prefix))
    if replica_set is not None:
        model.remember_replica_set(name, digest, replica_set)
    return Resource(address, family, api_version, kind, name, namespace, manifest, digest, document), server_set


Fresh = dict[str, tuple[bool, Modelled, SourceFile]]
"""File name -> (its modelling needed the secret key, its resources, its source)."""


def _model(valid: list[ValidDocument], secret_key: SecretKey) -> Fresh:
    """Model the documents read in this run, noting per file whether a secret value was masked with the key."""
    keyed: set[str] = set()
    current = [""]

    def tracked() -> bytes:
        keyed.add(current[0])
        return secret_key()

    out: Fresh = {}
    for item in valid:
        source = item.document.source
        current[0] = source.name
        resource = model.to_resource(item, tracked)
        entry = out.setdefault(source.name, (False, [], source))
        entry[1].append((resource, model.server_set_of(item.document.data)))
    return {name: (name in keyed, modelled, source) for name, (_, modelled, source) in out.items()}


def _store(cache: Cache, checked: _Checked) -> None:
    """An entry for each file read in this run (stdin is not a file: never stored)."""
    read, valid, warnings, fresh = checked.documents, checked.result.documents, checked.result.warnings, checked.fresh
    sources: dict[str, SourceFile] = {}
    counts: dict[str, int] = {}
    for document in read:
        sources.setdefault(document.source.name, document.source)
        counts[document.source.name] = counts.get(document.source.name, 0) + 1
    for item in valid:
        counts[item.document.source.name] -= 1  # what is left was skipped (--skip-unknown)
    by_file: dict[str, list[Diagnostic]] = {}
    for warning in warnings:
        by_file.setdefault(warning.file or "", []).append(warning)
    for name, source in sources.items():
        if source.digest is None:
            continue
        keyed, modelled, _ = fresh.get(name, (False, [], source))
        entry = _entry(modelled, by_file.get(name, []), counts[name], cache.key_id() if keyed else None)
        if entry is not None:
            cache.put(cache.key_of(source.digest), entry)


def _entry(modelled: Modelled, warnings: list[Diagnostic], skipped: int, key_id: str | None) -> dict[str, Any] | None:
    """A file's entry: its resources as rows, its warnings located; None for a file with Secret data."""
    if any(_holds_secret_data(resource) for resource, _ in modelled):
        return None
    return {"docs": [_doc_row(resource, server_set) for resource, server_set in modelled],
            "warnings": [(w.severity, w.message, w.line, w.column, w.path, w.address) for w in warnings],
            "skipped": skipped, "key_id": key_id}


def _file_entries(job: tuple[list[str], str, bool, SecretKey]) -> bytes:
    """The second process's share (planner.second_process): each file loaded, validated and modelled into the entry
    the cache would hold for it, which this process then takes as it takes a cached one. None for a file with any
    problem (this process loads it again, so that every error is reported in order) or with Secret data. The entry
    says only whether it needed the secret key ("keyed"): this process names the key when it stores it. Sent back
    as marshal data, which takes half the time pickle does both ways (~25 ms a side at 4,000 resources)."""
    names, version, skip_unknown, secret_key = job
    validator = Validator(version, skip_unknown)
    out: list[dict[str, Any] | None] = []
    for name in names:
        errors: list[Diagnostic] = []
        source, problem = load_stage.read_source(name, None)
        documents, list_errors = lists.expand(load_stage.parse_source(source, errors) if source else [])
        if source is None or problem is not None or errors or list_errors:
            out.append(None)
            continue
        try:
            result = validator.validate(documents)
        except PlannerError:
            out.append(None)
            continue
        keyed, modelled, _ = _model(result.documents, secret_key).get(source.name, (False, [], source))
        out.append(_entry(modelled, result.warnings, len(documents) - len(result.documents),
                          "keyed" if keyed else None))
    return marshal.dumps(out)


def _holds_secret_data(resource: Resource) -> bool:
    """Secret `data`: reading a state from before keyed digests needs its clear value once per process."""
    return any(resource.manifest.get(name) for name in kinds.spec_of(resource.family).sensitive_fields)


def _doc_row(resource: Resource, server_set: list[str]) -> tuple[Any, ...]:
    document = resource.document
    assert document is not None
    return (document.index, document.line, document.prefix, document.shared, resource.address, resource.family,
            resource.api_version, resource.kind, resource.name, resource.namespace, resource.manifest,
            resource.digest, server_set, model.known_replica_set(resource.name, resource.digest))

