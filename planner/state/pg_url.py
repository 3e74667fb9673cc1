"""A `postgresql://` state URL: planner's own parameters taken out, libpq's connection options added, the password
masked for every message.

libpq refuses a parameter it does not know, so `workspace` and `lock_timeout` are removed before connecting. The
rest of the URL goes to libpq as it is (host, port, dbname, sslmode, a Unix socket folder as `host=/path`...).

Keepalives, so that a host that vanishes mid-apply loses its session, and so its advisory lock, within a minute:
- the server side (`tcp_keepalives_*`, sent as `options`): the server probes an idle client after 10 s, every 5 s,
  and drops the session after 3 unanswered probes (~25 s). This is what frees the lock of a crashed CI machine.
  https://www.postgresql.org/docs/15/runtime-config-connection.html#GUC-TCP-KEEPALIVES-IDLE
- the client side (libpq `keepalives_*`, `tcp_user_timeout`): a client whose server vanished fails within ~30 s
  instead of hanging. https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-KEEPALIVES
Both are ignored on a Unix socket, where the kernel reports a dead peer at once. A parameter the URL sets itself
wins over these defaults.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from planner.errors import PlannerError

SCHEMES = ("postgresql", "postgres")
PLANNER_PARAMETERS = ("workspace", "lock_timeout")
"""Parameters planner reads from the URL; libpq never sees them."""
DEFAULT_WORKSPACE = "default"

CLIENT_DEFAULTS = {"connect_timeout": "10", "keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5",
                   "keepalives_count": "3", "tcp_user_timeout": "30000", "application_name": "planner"}
SERVER_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"

_WORKSPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MASK = "***"


@dataclass(frozen=True)
class PgUrl:
    conninfo: str
    """The URL libpq gets: planner's parameters removed, the password kept (never shown)."""
    workspace: str
    lock_timeout: float
    shown: str
    """The URL for messages: the password masked, planner's parameters kept."""
    secrets: tuple[str, ...]
    """What must never appear in a message (the password, raw and percent-encoded)."""

    def connect_options(self) -> dict[str, str]:
        """libpq keywords added to the URL's own: the keepalive defaults, unless the URL sets them."""
        given = {key for key, _ in parse_qsl(urlsplit(self.conninfo).query, keep_blank_values=True)}
        extra = {key: value for key, value in CLIENT_DEFAULTS.items() if key not in given}
        options = dict(parse_qsl(urlsplit(self.conninfo).query)).get("options", "")
        extra["options"] = f"{options} {SERVER_KEEPALIVES}".strip()
        return extra

    def mask(self, text: str) -> str:
        """`text` (an error from libpq or the server) with the password taken out."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def parse(url: str) -> PgUrl:
    """Split a `postgresql://` URL into what libpq gets and what planner keeps; errors never echo the password."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as exc:  # a bad port, brackets: urlsplit's message names no password
        raise PlannerError.single(f"bad PostgreSQL state URL: {exc}") from None
    secrets = _secrets(password, parts.query)
    query = parse_qsl(parts.query, keep_blank_values=True)
    own = {key: value for key, value in query if key in PLANNER_PARAMETERS}
    rest = [(key, value) for key, value in query if key not in PLANNER_PARAMETERS]
    shown_netloc = parts.netloc
    if password is not None:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        shown_netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostport}"
    shown_query = urlencode([(k, MASK if k == "password" else v) for k, v in query], safe="/,:")
    shown = urlunsplit((parts.scheme, shown_netloc, parts.path, shown_query, ""))
    workspace = own.get("workspace", DEFAULT_WORKSPACE)
    if not _WORKSPACE.fullmatch(workspace):
        raise PlannerError.single(f"{shown}: workspace {workspace!r} is not a valid name (letters, digits, `.`, `_`, "
                                  "`-`, at most 100, starting with a letter or digit)")
    timeout = _seconds(own.get("lock_timeout", "0"), shown)
    if not parts.path.strip("/") and "dbname" not in dict(rest):
        raise PlannerError.single(f"{shown}: the URL names no database (postgresql://USER@HOST:PORT/DATABASE)")
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest, safe="/,:", quote_via=quote), ""))
    return PgUrl(conninfo, workspace, timeout, shown, secrets)


def masked(state: str) -> str:
    """What `--state` said, safe to print: a PostgreSQL URL's password masked (anything else as it is)."""
    if state.split(":", 1)[0].lower() in SCHEMES and "://" in state:
        try:
            return parse(state).shown
        except PlannerError:
            return f"{state.split(':', 1)[0]}://{MASK}"
    return state


def _secrets(password: str | None, query: str) -> tuple[str, ...]:
    found = [password] if password else []
    found += [value for key, value in parse_qsl(query) if key == "password" and value]
    out: set[str] = set()
    for value in found:
        out |= {value, unquote(value), quote(unquote(value), safe="")}
    return tuple(sorted((s for s in out if s), key=len, reverse=True))


def _seconds(text: str, shown: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise PlannerError.single(f"{shown}: lock_timeout={text!r} is not a number of seconds")
    return value
