"""A content-addressed cache of loaded, validated and modelled input files, so a plan costs what changed.

An entry holds one file's resources as the model builds them (address, family, manifest, digest, where each object
starts) and the warnings its validation gave, located: never the file's text. It is found by a key over the file's
bytes (never its size or modification time) and everything else that shapes the result (`Setting`): planner's
version and code, the bundled schemas, the Kubernetes version, --skip-unknown, the Python that wrote it. Secret
values are in a manifest only as the keyed digests the model makes; an entry that holds such a digest also holds
an HMAC of a constant under the state's secret key, and counts only for the same key. A file with Secret `data` is
never cached: reading a state written before keyed digests needs its value once in the process (model.py).

Entries are `marshal` data (the fastest load of plain dicts and lists in the standard library) behind a magic and a
BLAKE2 checksum: a truncated, corrupt or foreign entry is ignored and rebuilt, never trusted. Writes go to a temp
file renamed into place, so concurrent planners see a whole entry or none. The folder is kept under a size bound,
oldest-used first (`PLANNER_CACHE_MAX_MB`, default 256).

Where: `$PLANNER_CACHE_DIR`, else `$XDG_CACHE_HOME/planner`, else `~/.cache/planner` (the XDG base directory
specification). `--no-cache` or `PLANNER_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import planner

FORMAT = 1
MAGIC = b"PLNC" + FORMAT.to_bytes(4, "little")
_CHECK = 32  # bytes of BLAKE2b over the payload
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


def max_bytes() -> int:
    try:
        return max(0, int(float(os.environ.get(MAX_ENV, "")) * 10**6))
    except ValueError:
        return DEFAULT_MAX_BYTES


def _code_stamp() -> bytes:
    """planner's own code and bundled schemas, by content: a changed rule or schema is another cache."""
    digest = hashlib.blake2b(planner.__version__.encode(), digest_size=32)
    package = Path(planner.__file__).resolve().parent
    from planner.schemas import schemas_dir

    folders = [package, schemas_dir()]
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".py", ".json", ".yaml")):
                    path = os.path.join(root, name)
                    digest.update(os.path.relpath(path, folder).encode() + b"\0")
                    with open(path, "rb") as fh:
                        digest.update(fh.read())
    return digest.digest()


def _upstream_stamp(kubernetes_version: str) -> str:
    """The upstream Kubernetes schemas of that version, by the installed package's version and the file's size and
    modification time (a 6 MB file: hashing it on every run would cost what the cache saves)."""
    from importlib import metadata

    from planner.schemas import definitions_file

    path = definitions_file(kubernetes_version)
    try:
        info = os.stat(path)
        package = metadata.version("kubernetes-validate")
    except (OSError, metadata.PackageNotFoundError):
        return "unknown"
    return f"{package}:{info.st_size}:{info.st_mtime_ns}"


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

    def __init__(self, folder: Path, setting: Setting, secret_key: Callable[[], bytes], keyless: bool) -> None:
        self.folder = folder
        self.stamp = setting.stamp()
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

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry stored under `key`, or None: missing, unreadable, corrupt or made with another secret key."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except OSError:
            return None
        entry = _decode(blob, key)
        if entry is None:
            return None
        needs = entry["key_id"]
        if needs is not None and (self.keyless or not hmac.compare_digest(needs, self.key_id())):
            return None
        with contextlib.suppress(OSError):  # recently used: evicted last (atime is often not kept: relatime)
            os.utime(path)
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store atomically (temp file, then rename); a cache that cannot be written is no error."""
        if entry["key_id"] is not None and self.keyless:
            return
        payload = marshal.dumps({**entry, "key": key})
        blob = MAGIC + hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload
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
    """Check magic, checksum, and shape; anything else is a miss."""
    head = len(MAGIC) + _CHECK
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    payload = blob[head:]
    if not hmac.compare_digest(hashlib.blake2b(payload, digest_size=_CHECK).digest(), blob[len(MAGIC):head]):
        return None
    try:
        entry = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("docs"), list) \
            or not isinstance(entry.get("warnings"), list) or not isinstance(entry.get("skipped"), int) \
            or not (entry.get("key_id") is None or isinstance(entry.get("key_id"), str)):
        return None
    return entry


def open_cache(setting: Setting, secret_key: Callable[[], bytes], keyless: bool,
               enabled: bool = True) -> Cache | None:
    """The cache for this run, or None when turned off."""
    if not enabled or disabled_by_env():
        return None
    return Cache(directory(), setting, secret_key, keyless)
