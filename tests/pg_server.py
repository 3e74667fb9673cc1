"""A throwaway PostgreSQL server for the PostgreSQL backend's tests: the Debian server binaries (or any on PATH),
started on a Unix socket in a folder made for it.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as `nobody`, in a folder under /tmp
handed to that user (pytest's own temporary folders are private to root, so `nobody` could not enter them)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "planner"
"""The server's superuser (initdb -U)."""


def binaries() -> Path | None:
    """The folder of pg_ctl and initdb: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
                        if p.split("/")[4].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


class Server:
    """initdb + pg_ctl start on a Unix socket; `url(db)` names a database, `create_database()` makes a new one."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="planner-pg-", dir="/tmp"))
        self.data = self.dir / "data"
        self.prefix: list[str] = []
        with socket.socket() as probe:  # a free loopback port, for the tests that need TCP (keepalives)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self.prefix = ["runuser", "-u", "nobody", "--"]
        os.chmod(self.dir, 0o700)

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.prefix, *args], capture_output=True, text=True, cwd=self.dir, timeout=120)
        if done.returncode != 0:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}{log}")

    def start(self) -> Server:
        if not self.data.exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                      "--no-sync", "--no-instructions")
        # fsync off: the tests kill clients and stop the server, never the machine; commits stay synchronous.
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                  "-o", f"-k {self.dir} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off "
                  "-c max_connections=60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str) -> str:
        """The database on the Unix socket."""
        return f"postgresql://{USER}@/{database}?host={self.dir}&port={self.port}"

    def tcp_url(self, database: str) -> str:
        """The database on loopback TCP."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def sql(self, database: str, statement: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(f"host={self.dir} port={self.port} user={USER} dbname={database}",
                             autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql("postgres", f"CREATE DATABASE {name}")
        return name
