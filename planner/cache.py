"""A content-addressed cache of loaded, validated and modelled input files, and of parsed states, so that a plan
costs what changed.

A file's entry holds its resources as the model builds them (address, family, manifest, digest, where each object
starts) and the warnings its validation gave, located; never the file's text. It is found by a key over the file's
bytes (never its size or modification time) and everything else that shapes the result (`Setting`): planner's
version, code and bundled schemas (by each file's name, size and modification time), the Kubernetes version,
--skip-unknown and the Python that wrote it. A state's entry holds the state as parsed and checked, found by its
bytes the same way.

Secret values: a manifest holds them only as the keyed digests the model makes. An entry holding such a digest
also holds an HMAC of a constant under the state's secret key, and counts only for that key. A file with Secret
`data` is never cached (reading a state written before keyed digests needs its value once in the process,
model.py), nor is a state that may hold a secret in clear (`holds_clear_secret`).

Entries are `marshal` data (the fastest load of plain dicts and lists in the standard library) behind a magic and a
SHA-256 checksum: a truncated, corrupt or foreign entry is ignored and rebuilt, never trusted. (marshal, like pickle,
is not meant for data from others: the folder is the user's own.) Writes go to a temp file renamed into place, so
concurrent planners see a whole entry or none. The folder is kept under a size bound, least recently used first
(`PLANNER_CACHE_MAX_MB`, default 256).

Where: `$PLANNER_CACHE_DIR`, else `$XDG_CACHE_HOME/planner`, else `~/.cache/planner` (the XDG Base Directory
Specification). `--no-cache` or `PLANNER_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import marshal
import os
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import planner

FORMAT = 1
MAGIC = b"PLNC" + FORMAT.to_bytes(4, "little")
_CHECK = 32  # bytes of SHA-256 over the payload
DISABLE_ENV = "PLANNER_NO_CACHE"
DIR_ENV = "PLANNER_CACHE_DIR"
MAX_ENV = "PLANNER_CACHE_MAX_MB"
DEFAULT_MAX_BYTES = 256 * 10**6
_KEY_ID_TEXT = b"planner cache: entries made with this secret key"


def directory() -> Path:
    """`$PLANNER_CACHE_DIR`, `$XDG_CACHE_HOME/planner` or `~/.cache/planner`."""
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"  # the spec ignores relative paths
    return base / "planner"


def disabled_by_env() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() not in ("", "0", "false", "no")


_OFF: ContextVar[bool] = ContextVar("planner_cache_off", default=False)


@contextmanager
def turned_off(off: bool = True) -> Iterator[None]:
    """--no-cache for what runs inside (reading the state included), in this context only."""
    token = _OFF.set(off or _OFF.get())
    try:
        yield
    finally:
        _OFF.reset(token)


def active() -> bool:
    return not _OFF.get() and not disabled_by_env()


def max_bytes() -> int:
    try:
        return max(0, int(float(os.environ.get(MAX_ENV, "")) * 10**6))
    except ValueError:
        return DEFAULT_MAX_BYTES


@functools.cache
def _code_stamp() -> bytes:
    """planner's own code and bundled schemas, by each file's name, size and modification time (stat only: reading
    them all would cost ~35 ms a run; installing or checking out code gives its files new times). A changed rule
    or schema is another cache. Once per process: a plan asks for it three times (~1-4 ms each)."""
    digest = hashlib.blake2b(planner.__version__.encode(), digest_size=32)
    from planner.schemas import schemas_dir

    for folder in (Path(planner.__file__).resolve().parent, schemas_dir()):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".py", ".json", ".yaml")):
                    info = os.stat(os.path.join(root, name))
                    digest.update(f"{root}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.digest()


def _upstream_stamp(kubernetes_version: str) -> str:
    """The upstream Kubernetes schemas of that version (kubernetes-validate's data), by the file's path, size and
    modification time: hashing 6 MB on every run would cost much of what the cache saves."""
    from planner.schemas import definitions_file

    path = definitions_file(kubernetes_version)
    try:
        info = os.stat(path)
    except OSError:
        return "unknown"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


@dataclass(frozen=True)
class Setting:
    """What besides a file's bytes shapes its entry."""

    kubernetes_version: str
    skip_unknown: bool

    def stamp(self) -> bytes:
        parts = [_code_stamp().hex(), _upstream_stamp(self.kubernetes_version), self.kubernetes_version,
                 str(self.skip_unknown), sys.version, str(marshal.version), str(FORMAT)]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=32).digest()


class Cache:
    """One run's view of the cache folder: look entries up by file content, store new ones."""

    def __init__(self, folder: Path, stamp: bytes, secret_key: Callable[[], bytes], keyless: bool) -> None:
        self.folder = folder
        self.stamp = stamp
        self._secret_key = secret_key
        self.keyless = keyless
        """The key is this process's own (validate): entries that need a key are neither stored nor used."""
        self._key_id: str | None = None
        self.written = 0

    def key_id(self) -> str:
        if self._key_id is None:
            self._key_id = hmac.new(self._secret_key(), _KEY_ID_TEXT, hashlib.sha256).hexdigest()
        return self._key_id

    def key_of(self, content: bytes) -> str:
        return hashlib.blake2b(content, digest_size=32, key=self.stamp).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"v{FORMAT}" / key[:2] / f"{key}.entry"

    def has(self, key: str) -> bool:
        """Whether an entry file exists under `key` (whether it is whole is found when it is read)."""
        return os.path.isfile(self._path(key))  # False, not an error, where the folder cannot be read

    def read_entry(self, key: str) -> dict[str, Any] | None:
        """Any entry under `key` (checked: magic, checksum, key), or None."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except OSError:
            return None
        entry = _decode(blob, key)
        if entry is not None:
            with contextlib.suppress(OSError):  # recently used: evicted last (atime is often not kept: relatime)
                os.utime(path)
        return entry

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry stored under `key`, or None: missing, unreadable, corrupt or made with another secret key."""
        entry = self.read_entry(key)
        if entry is None or not _file_entry(entry):
            return None
        needs = entry["key_id"]
        if needs is not None and (self.keyless or not hmac.compare_digest(needs, self.key_id())):
            return None
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store atomically (temp file, then rename); a cache that cannot be written is no error."""
        if entry.get("key_id") is not None and self.keyless:
            return
        payload = marshal.dumps({**entry, "key": key})
        blob = MAGIC + hashlib.sha256(payload).digest() + payload
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self.written += len(blob)

    def trim(self) -> None:
        """Keep the folder under its bound, removing the least recently used entries first."""
        if not self.written:
            return
        limit = max_bytes()
        entries: list[tuple[int, int, str]] = []
        total = 0
        root = self.folder / f"v{FORMAT}"
        try:
            for sub in os.scandir(root):
                if not sub.is_dir(follow_symlinks=False):
                    continue
                for item in os.scandir(sub.path):
                    info = item.stat(follow_symlinks=False)
                    entries.append((int(max(info.st_mtime_ns, info.st_atime_ns)), info.st_size, item.path))
                    total += info.st_size
        except OSError:
            return
        if total <= limit:
            return
        for _, size, path in sorted(entries):
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            if total <= limit * 0.8:  # some room, so the next run does not trim again at once
                break


def _decode(blob: bytes, key: str) -> dict[str, Any] | None:
    """Check magic, checksum and key; anything else is a miss."""
    head = len(MAGIC) + _CHECK
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    payload = blob[head:]
    if not hmac.compare_digest(hashlib.sha256(payload).digest(), blob[len(MAGIC):head]):
        return None
    try:
        entry = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    return entry


def _file_entry(entry: dict[str, Any]) -> bool:
    return isinstance(entry.get("docs"), list) and isinstance(entry.get("warnings"), list) \
        and isinstance(entry.get("skipped"), int) and (entry.get("key_id") is None or isinstance(entry["key_id"], str))


def open_cache(setting: Setting, secret_key: Callable[[], bytes], keyless: bool,
               enabled: bool = True) -> Cache | None:
    """The cache for this run, or None when turned off."""
    if not enabled or not active():
        return None
    return Cache(directory(), setting.stamp(), secret_key, keyless)


# ---------------------------------------------------------------- parsed states


def _no_key() -> bytes:  # pragma: no cover - a state entry never needs the secret key
    raise RuntimeError("a state entry holds no keyed digest of its own")


def _state_cache() -> Cache | None:
    if not active():
        return None
    parts = [_code_stamp().hex(), "state", sys.version, str(marshal.version), str(FORMAT)]
    return Cache(directory(), hashlib.blake2b("\n".join(parts).encode(), digest_size=32).digest(), _no_key, True)


def stored_state(raw: bytes) -> dict[str, Any] | None:
    """The state these bytes parse to (checked, upgraded), as an earlier run parsed it; None if not cached."""
    cache = _state_cache()
    if cache is None:
        return None
    entry = cache.read_entry(cache.key_of(content_digest(raw)))
    head = entry.get("head") if entry is not None else None
    return head if isinstance(head, dict) else None


def store_state(raw: bytes, head: dict[str, Any], named: list[dict[str, Any]]) -> None:
    """Keep a parsed state for the next read of the same bytes, unless it may hold a secret in clear. `named`: every
    object in it with a `name` and a `value` (env vars among them), collected while parsing."""
    cache = _state_cache()
    if cache is None or holds_clear_secret(raw, head, named):
        return
    cache.put(cache.key_of(content_digest(raw)), {"head": head})
    cache.trim()


# ---------------------------------------------------------------- whole plans

PLAN_CHANGES_KEPT = 1000
"""A plan that changes more resources than this is not kept: storing it costs much of what finding it would save
(a plan from empty at 10,000 is ~50 MB of entry), and such a plan is rarely asked for twice unchanged."""


def plans(setting: Setting) -> Cache | None:
    """Whole plans, as their JSON form, found by a key over everything they are a function of (planner.api.plan_key:
    the input files' bytes and names, the state's fingerprint, the options): a no-change plan of unchanged inputs
    against an unchanged state is read, not computed. Plans are deterministic, so the one found is byte for byte
    the one that would be computed; it holds no secret (the renderers print it as it is)."""
    if not active():
        return None
    return Cache(directory(), hashlib.blake2b(setting.stamp(), digest_size=32, person=b"planner plans").digest(),
                 _no_key, True)


def stored_plan(plans_cache: Cache, key: str) -> tuple[dict[str, Any], bool] | None:
    """The plan's JSON form and whether it has changes, or None."""
    entry = plans_cache.read_entry(key)
    if entry is None or not isinstance(entry.get("plan"), dict) or not isinstance(entry.get("changes"), bool):
        return None
    return entry["plan"], entry["changes"]


def store_plan(plans_cache: Cache, key: str, wire: dict[str, Any], changes: bool) -> None:
    try:
        plans_cache.put(key, {"plan": wire, "changes": changes})
    except ValueError:  # marshal: something in it is not plain data; then the plan is computed every time
        return
    plans_cache.trim()


def manifests_checked(state_digest: bytes) -> bool:
    """Whether every last-applied manifest in the state of these bytes was validated by an earlier run (planner.api
    checks them before planning): a fact about the bytes, found by their digest."""
    cache = _state_cache()
    if cache is None:
        return False
    entry = cache.read_entry(cache.key_of(state_digest + b"\nmanifests checked"))
    return entry is not None and entry.get("checked") is True


def note_manifests_checked(state_digest: bytes) -> None:
    cache = _state_cache()
    if cache is not None:
        cache.put(cache.key_of(state_digest + b"\nmanifests checked"), {"checked": True})


_CLEAN: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def mark_clean(state: object) -> None:
    """A state built from a cached entry: `holds_clear_secret` said no when it was stored, so there is no env
    literal for api's masking to find."""
    _CLEAN[id(state)] = state


def known_clean(state: object) -> bool:
    return _CLEAN.get(id(state)) is state


_DIGEST = "hmac-sha256:"  # model.SECRET_DIGEST (not imported: reading a state needs none of the model)


def _masked(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_DIGEST)


def holds_clear_secret(raw: bytes, head: dict[str, Any], named: list[dict[str, Any]]) -> bool:
    """Whether a state may hold a secret value in clear (written before keyed digests or env masking, or naming
    values with the planner.dev/sensitive annotation): such a state is never cached. Errs on the side of yes: an
    env var named like a secret, anywhere (manifests, live Pods), whose value is no keyed digest, is one."""
    from planner import kinds
    from planner.knowledge.secrets import secret_env_name

    if b"planner.dev/sensitive" in raw:
        return True
    if any(secret_env_name(obj["name"]) and obj["value"] is not None and not _masked(obj["value"]) for obj in named):
        return True
    resources = head.get("resources")
    if not isinstance(resources, dict):
        return True
    for record in resources.values():
        manifest = record.get("manifest") if isinstance(record, dict) else None
        if not isinstance(manifest, dict):
            return True
        for name in kinds.spec_of(record["family"]).sensitive_fields:
            values = manifest.get(name)
            if isinstance(values, dict) and not all(_masked(v) for v in values.values()):
                return True
    return False


def content_digest(raw: bytes) -> bytes:
    """What an entry is found by: the bytes, never their size or modification time. SHA-256, which hashlib (OpenSSL)
    computes with the CPU's SHA instructions where it has them: 1.8 GB/s against BLAKE2b's 0.9 GB/s on the
    benchmark machine, where a no-change plan at 10,000 resources hashes ~28 MB of input and state and checks ~22 MB
    of entries. Entries of the earlier BLAKE2b keys are never found again and go by least recent use.

    The last large object's digest is kept, by identity: a state's bytes are digested for the plan's key
    (Backend.fingerprint) and then, the same object, to find the parsed state (~10 ms at 10,000 resources)."""
    global _LAST_DIGESTED
    last = _LAST_DIGESTED
    if last is not None and last[0] is raw:
        return last[1]
    digest = hashlib.sha256(raw).digest()
    if len(raw) >= _REMEMBERED_BYTES:
        _LAST_DIGESTED = (raw, digest)
    return digest


_REMEMBERED_BYTES = 1 << 20
_LAST_DIGESTED: tuple[bytes, bytes] | None = None
