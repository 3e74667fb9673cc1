"""The PostgreSQL backend: one state per workspace in a shared database, for teams whose plan and apply run on
different machines (terraform's `pg` backend does the same: https://developer.hashicorp.com/terraform/language/
backend/pg).

Tables (created on first write, under a transaction-level advisory lock so two first runs do not race):
- `planner_state`: one row per workspace, the state as JSONB;
- `planner_state_history`: every version ever written (serial, lineage, who, when, the plan's digest); rollback
  adds a version, nothing rewrites one;
- `planner_lock`: who holds a workspace's lock (pid, host, user, operation, since, and the server session), only
  for messages: the lock itself is a session-level advisory lock, which the server releases when the session ends
  (a killed apply, a vanished host once keepalives give up: see `pg_url`), so a crash leaves no stale lock;
- `planner_journal`: the completed operations of the apply in progress (the file backend's journal, as rows,
  inserted in batches at least every JOURNAL_SYNC_SECONDS); a killed apply's rows are replayed by the next read
  and removed by the write that folds them in, in the same transaction;
- `planner_secret_key`: the key of the secret values' digests, per workspace, never in the state row.

A write is one transaction: it locks the state row, checks that the stored serial is the one the plan was made
against, stores the new version and its history row, and drops the journal. The last committed version is never
lost or half-written, whatever happens to the connection.

psycopg is imported when a PostgreSQL state is first opened: plain file-state runs pay nothing for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from planner import clock
from planner.errors import PlannerError
from planner.state.backend import ReadResult, lock_held, stale_write
from planner.state.journal import JOURNAL_SYNC_SECONDS, classify, entry, replay
from planner.state.model import LockInfo, State, parse_state
from planner.state.pg_url import PgUrl, parse

if TYPE_CHECKING:
    import psycopg

SCHEMA = """
CREATE TABLE IF NOT EXISTS planner_state (workspace text PRIMARY KEY, serial bigint NOT NULL, lineage text,
    state jsonb NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS planner_state_history (workspace text NOT NULL, serial bigint NOT NULL, lineage text,
    state jsonb NOT NULL, who text NOT NULL, at timestamptz NOT NULL, plan_digest text NOT NULL,
    PRIMARY KEY (workspace, serial));
CREATE TABLE IF NOT EXISTS planner_lock (workspace text PRIMARY KEY, info jsonb NOT NULL, session integer NOT NULL);
CREATE TABLE IF NOT EXISTS planner_journal (id bigserial PRIMARY KEY, workspace text NOT NULL, lineage text,
    base_serial bigint NOT NULL, line text NOT NULL, orphaned_at timestamptz);
CREATE INDEX IF NOT EXISTS planner_journal_workspace ON planner_journal (workspace, id);
CREATE TABLE IF NOT EXISTS planner_secret_key (workspace text PRIMARY KEY, key bytea NOT NULL);
"""
SCHEMA_LOCK = 0x706C616E6E6572  # "planner": serialises the first CREATE TABLEs of concurrent runs
KEY_BYTES = 32
POLL_SECONDS = 0.2
"""How often a waiting apply (--lock-timeout) tries the lock again."""


def _lock_key(workspace: str) -> int:
    """The workspace's advisory lock: a signed 64-bit number from its name (pg_advisory_lock(bigint))."""
    return int.from_bytes(hashlib.sha256(f"planner:{workspace}".encode()).digest()[:8], "big", signed=True)


class PostgresBackend:
    """State in PostgreSQL: one row per workspace, every version kept, an advisory lock per workspace."""

    def __init__(self, url: str) -> None:
        self.url: PgUrl = parse(url)
        self.workspace = self.url.workspace
        self._lock = _lock_key(self.workspace)
        self._conn: psycopg.Connection[Any] | None = None
        self._locked = False
        self._schema = False
        self._key: bytes | None = None

    def describe(self) -> str:
        """The URL, password masked; the workspace named when the URL leaves it implicit."""
        named = "workspace=" in self.url.shown.partition("?")[2]
        return self.url.shown if named else f"{self.url.shown} (workspace {self.workspace})"

    def folder(self) -> None:
        return None

    # -- connection and errors ------------------------------------------------------------------------------

    def connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            import psycopg
            from psycopg.conninfo import make_conninfo

            with self.errors("connecting to"):
                conninfo = make_conninfo(self.url.conninfo, **self.url.connect_options())
                self._conn = psycopg.connect(conninfo, autocommit=True)
        return self._conn

    @contextlib.contextmanager
    def errors(self, doing: str, unchanged: str = "") -> Iterator[None]:
        """psycopg's errors as PlannerErrors that name the state (password masked) and say what to do."""
        import psycopg
        from psycopg import errors as pg

        try:
            yield
        except psycopg.Error as exc:
            message = self.url.mask(" ".join(str(exc).split())).rstrip(". ") or type(exc).__name__
            message += "" if message.endswith("?") else "."
            if isinstance(exc, pg.InsufficientPrivilege):
                advice = (" The database user needs SELECT, INSERT, UPDATE and DELETE on the planner_* tables (and "
                          "CREATE on the schema for the first run).")
            elif isinstance(exc, psycopg.OperationalError):
                advice = " Check that the server is running and reachable, and the URL's host, port, user and database."
            else:
                advice = ""
            if self._conn is not None and self._conn.broken:
                self._conn = None
                self._locked = False
            raise PlannerError.single(f"PostgreSQL state {self.describe()}: {doing} the database failed: "
                                      f"{message}{advice}{unchanged}") from None

    def _tables(self, create: bool) -> bool:
        """Whether the tables exist (made now if `create`). Reading needs no CREATE privilege."""
        if self._schema:
            return True
        conn = self.connection()
        exists = conn.execute("SELECT to_regclass('planner_secret_key') IS NOT NULL").fetchone()
        if exists and exists[0]:
            self._schema = True
        elif create:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                conn.execute(SCHEMA)
            self._schema = True
        return self._schema

    # -- reading ------------------------------------------------------------------------------------------

    def fingerprint(self) -> None:
        """None: fetching the row to digest it is most of a read's cost, so plans here are always computed."""
        return None

    def read(self) -> ReadResult:
        """The workspace's state, with the journal of an interrupted apply replayed on top (in memory)."""
        where = self.describe()
        with self.errors("reading the state from"):
            if not self._tables(create=False):
                return ReadResult(State(), 0, f"{where} journal")
            conn = self.connection()
            with conn.transaction():  # the state and its journal as of one moment
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                row = conn.execute("SELECT state::text FROM planner_state WHERE workspace = %s",
                                   (self.workspace,)).fetchone()
                lines = conn.execute("SELECT lineage, base_serial, line FROM planner_journal WHERE workspace = %s "
                                     "AND orphaned_at IS NULL ORDER BY id", (self.workspace,)).fetchall()
        state = State() if row is None else parse_state(row[0].encode(), where)
        result = ReadResult(state, 0, f"{where} journal")
        if lines:
            head = {"journal": 1, "lineage": lines[0][0], "base_serial": lines[0][1]}
            kind = classify(head, state, stored=row is not None)
            if kind == "replay":
                state.lineage = head["lineage"] or state.lineage
                result.state, result.recovered = replay(state, [line.encode() for _, _, line in lines] + [b""],
                                                        result.journal)
            else:
                result.warnings.append(
                    f"Warning: the journal of {where} belongs to another state (it starts from serial "
                    f"{head['base_serial']} of lineage {head['lineage']}), so it was not replayed; the next apply "
                    "keeps it aside (orphaned_at set), never deletes it.")
        return result

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, state: State, expected_serial: int, plan_digest: str = "") -> None:
        """One transaction: check the stored serial under the row lock, store the new version and its history row,
        drop the journal folded in. Takes the workspace lock unless this backend holds it already."""
        if self._locked:
            self._write(state, expected_serial, plan_digest)
            return
        with self.lock("write"):
            self._write(state, expected_serial, plan_digest)

    def _write(self, state: State, expected_serial: int, plan_digest: str) -> None:
        from psycopg import errors as pg

        state.ensure_lineage()
        serial = expected_serial + 1
        payload = json.dumps({**state.model_dump(mode="json"), "serial": serial}, separators=(",", ":"),
                             sort_keys=True)
        lost = (f" The write of serial {serial} was not confirmed: the last committed version is intact; run "
                "`planner state history` to see whether it was stored, then plan again.")
        with self.errors("writing the state to", lost):
            conn = self.connection()
            try:
                with conn.transaction():
                    row = conn.execute("SELECT serial FROM planner_state WHERE workspace = %s FOR UPDATE",
                                       (self.workspace,)).fetchone()
                    stored = 0 if row is None else int(row[0])
                    if stored != expected_serial:
                        raise stale_write(self.describe(), stored, expected_serial)
                    self._store(conn, state, serial, payload, plan_digest, insert=row is None)
                    conn.execute("DELETE FROM planner_journal WHERE workspace = %s AND orphaned_at IS NULL",
                                 (self.workspace,))
            except pg.UniqueViolation:  # another first write came in between
                raise stale_write(self.describe(), expected_serial + 1, expected_serial) from None
        state.serial = serial

    def _store(self, conn: psycopg.Connection[Any], state: State, serial: int, payload: str, plan_digest: str,
               insert: bool) -> None:
        now = clock.now()
        args = (serial, state.lineage, payload, now, self.workspace)
        if insert:
            conn.execute("INSERT INTO planner_state (serial, lineage, state, updated_at, workspace) "
                         "VALUES (%s, %s, %s::jsonb, %s, %s)", args)
        else:
            conn.execute("UPDATE planner_state SET serial = %s, lineage = %s, state = %s::jsonb, updated_at = %s "
                         "WHERE workspace = %s", args)
        who = LockInfo.now("write")
        # The history row copies the row just written: the state is sent and parsed into JSONB once, not twice.
        conn.execute("INSERT INTO planner_state_history (workspace, serial, lineage, state, who, at, plan_digest) "
                     "SELECT workspace, serial, lineage, state, %s, %s, %s FROM planner_state WHERE workspace = %s",
                     (f"{who.user}@{who.host}", now, plan_digest, self.workspace))

    def adopt(self, state: State, key: bytes | None, origin: str) -> None:
        """Store `state` as it is (its serial and lineage kept: `planner state migrate`), with its secret key, in an
        empty workspace; under the lock, which the caller holds."""
        payload = json.dumps(state.model_dump(mode="json"), separators=(",", ":"), sort_keys=True)
        with self.errors("writing the state to"):
            conn = self.connection()
            with conn.transaction():
                row = conn.execute("SELECT serial FROM planner_state WHERE workspace = %s FOR UPDATE",
                                   (self.workspace,)).fetchone()
                if row is not None:
                    raise PlannerError.single(f"{self.describe()} already holds a state (serial {row[0]}): "
                                              "migrate only into an empty workspace")
                self._store(conn, state, state.serial, payload, f"migrated from {origin}", insert=True)
                if key is not None:
                    conn.execute("INSERT INTO planner_secret_key (workspace, key) VALUES (%s, %s) ON CONFLICT "
                                 "(workspace) DO UPDATE SET key = excluded.key", (self.workspace, key))
                    self._key = key

    # -- history ------------------------------------------------------------------------------------------

    def history(self) -> list[dict[str, Any]]:
        """Every stored version, oldest first: serial, lineage, who, at, plan_digest."""
        with self.errors("reading the history from"):
            if not self._tables(create=False):
                return []
            rows = self.connection().execute(
                "SELECT serial, lineage, who, at, plan_digest FROM planner_state_history WHERE workspace = %s "
                "ORDER BY serial", (self.workspace,)).fetchall()
        return [{"serial": int(s), "lineage": lineage, "who": who, "at": at.isoformat(timespec="seconds"),
                 "plan_digest": digest} for s, lineage, who, at, digest in rows]

    def version(self, serial: int) -> State:
        """The state as written at `serial`."""
        with self.errors("reading the history from"):
            row = None
            if self._tables(create=False):
                row = self.connection().execute(
                    "SELECT state::text FROM planner_state_history WHERE workspace = %s AND serial = %s",
                    (self.workspace, serial)).fetchone()
        if row is None:
            raise PlannerError.single(f"{self.describe()} has no version with serial {serial}: `planner state "
                                      "history` lists them")
        return parse_state(row[0].encode(), f"{self.describe()} serial {serial}")

    # -- the journal --------------------------------------------------------------------------------------

    def journal(self, state: State) -> PostgresJournal:
        with self.errors("starting the journal in"):
            self._tables(create=True)
            self.connection().execute("UPDATE planner_journal SET orphaned_at = now() WHERE workspace = %s AND "
                                      "orphaned_at IS NULL", (self.workspace,))
        return PostgresJournal(self, state)

    # -- the secret key -----------------------------------------------------------------------------------

    def secret_key(self) -> bytes:
        """The workspace's key of the secret values' digests, made on first need, kept in its own table."""
        if self._key is None:
            with self.errors("reading the secret key from"):
                self._tables(create=True)
                conn = self.connection()
                conn.execute("INSERT INTO planner_secret_key (workspace, key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                             (self.workspace, secrets.token_bytes(KEY_BYTES)))
                row = conn.execute("SELECT key FROM planner_secret_key WHERE workspace = %s",
                                   (self.workspace,)).fetchone()
            assert row is not None
            self._key = bytes(row[0])
        return self._key

    def existing_secret_key(self) -> bytes | None:
        with self.errors("reading the secret key from"):
            if not self._tables(create=False):
                return None
            row = self.connection().execute("SELECT key FROM planner_secret_key WHERE workspace = %s",
                                            (self.workspace,)).fetchone()
        return None if row is None else bytes(row[0])

    # -- locking ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, operation: str, timeout: float = 0.0) -> Iterator[None]:
        """The workspace's session-level advisory lock, held until the block ends (or the session does)."""
        timeout = timeout or self.url.lock_timeout
        with self.errors("locking the state in"):
            self._tables(create=True)
            conn = self.connection()
            deadline = time.monotonic() + timeout
            holder: LockInfo | None = None
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (self._lock,)).fetchone()[0]:  # type: ignore[index]
                now = time.monotonic()
                if now >= deadline:
                    holder = self.holder()
                    # Released since (try again), or its holder has not written its details yet: a moment's grace.
                    if (holder is None or holder.pid <= 0) and now < deadline + 1.0:
                        time.sleep(0.05)
                        continue
                    break
                time.sleep(POLL_SECONDS)
            else:
                conn.execute("INSERT INTO planner_lock (workspace, info, session) VALUES (%s, %s, pg_backend_pid()) "
                             "ON CONFLICT (workspace) DO UPDATE SET info = excluded.info, session = excluded.session",
                             (self.workspace, LockInfo.now(operation).model_dump_json()))
                self._locked = True
        if not self._locked:
            raise lock_held(self.describe(), holder)
        try:
            yield
        finally:
            self._locked = False
            if self._conn is not None and not self._conn.broken:
                with contextlib.suppress(Exception):
                    self._conn.execute("DELETE FROM planner_lock WHERE workspace = %s AND session = pg_backend_pid()",
                                       (self.workspace,))
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._lock,))

    def _holding_session(self) -> int | None:
        """The server process (session) holding the workspace's advisory lock, if any (pg_locks: a bigint key is
        classid = its high 32 bits, objid = its low 32 bits, objsubid = 1)."""
        key = self._lock & 0xFFFFFFFFFFFFFFFF
        row = self.connection().execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM "
            "pg_database WHERE datname = current_database()) AND classid = %s AND objid = %s AND objsubid = 1",
            (key >> 32, key & 0xFFFFFFFF)).fetchone()
        return None if row is None else int(row[0])

    def holder(self) -> LockInfo | None:
        """Who holds the lock: the lock-info row of the session that holds the advisory lock (pid 0 when that
        session has not written it yet)."""
        with self.errors("reading the lock of"):
            if not self._tables(create=False):
                return None
            session = self._holding_session()
            if session is None:
                return None
            row = self.connection().execute("SELECT info::text FROM planner_lock WHERE workspace = %s AND session = %s",
                                            (self.workspace, session)).fetchone()
        if row is None:
            return LockInfo(pid=0, host="?", user="?", operation="?", since="?")
        return LockInfo.model_validate_json(row[0])

    def holder_alive(self, info: LockInfo) -> bool | None:
        """The server knows: a session holding the lock is alive (a dead one's lock is released by the server)."""
        with self.errors("reading the lock of"):
            return self._holding_session() is not None

    def force_unlock(self) -> LockInfo | None:
        """End the holding session (pg_terminate_backend), which releases its lock. Returns who held it."""
        info = self.holder()
        with self.errors("breaking the lock of"):
            session = self._holding_session()
            if session is not None:
                ended = self.connection().execute("SELECT pg_terminate_backend(%s)", (session,)).fetchone()
                if not (ended and ended[0]):
                    raise PlannerError.single(f"{self.describe()}: the session holding the lock could not be ended "
                                              "(it may have just ended): run force-unlock again")
            self.connection().execute("DELETE FROM planner_lock WHERE workspace = %s", (self.workspace,))
        return info

    def holds_lock(self) -> bool:
        """Whether this backend still holds the lock on the session that took it."""
        return self._locked and self._conn is not None and not self._conn.broken

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresJournal:
    """The completed operations of an apply, inserted as rows in batches at least every JOURNAL_SYNC_SECONDS and on
    close, each batch one transaction (committed rows survive any crash of the client)."""

    def __init__(self, backend: PostgresBackend, state: State) -> None:
        self._backend = backend
        self._lineage, self._base = state.lineage, state.serial
        self._pending: list[str] = []
        self._last = time.monotonic()
        self._closed = False

    def record(self, state: State, touched: set[str], removed: set[str]) -> None:
        assert not self._closed, "record after close"
        self._pending.append(entry(state, touched, removed).decode())
        if time.monotonic() - self._last >= JOURNAL_SYNC_SECONDS:
            self._flush()

    def _flush(self) -> None:
        self._last = time.monotonic()
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        backend = self._backend
        if not backend.holds_lock():  # never journal on a new session: another apply may hold the lock by now
            raise PlannerError.single(
                f"PostgreSQL state {backend.describe()}: the connection that held the lock was lost during apply. The "
                "state is unchanged; the operations journalled before are recovered by the next run.")
        with backend.errors("writing the journal to", " The state is unchanged; the operations completed before "
                            "this batch are in the journal, and the next run recovers them."):
            conn = backend.connection()
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany("INSERT INTO planner_journal (workspace, lineage, base_serial, line) "
                                   "VALUES (%s, %s, %s, %s)",
                                   [(backend.workspace, self._lineage, self._base, row) for row in rows])

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush()
