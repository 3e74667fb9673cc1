"""Which values planner treats as secret besides a Secret's data: environment variables whose names say they hold
one. Their literal values are kept only as keyed digests, like Secret data, so no output, saved plan or state holds
them in clear (kubectl and terraform show such literals in clear; moving them into a Secret is the fix either way).
"""

from __future__ import annotations

import re

SECRET_NAME_PARTS = frozenset({"PASSWORD", "PASSWD", "PASS", "PWD", "TOKEN", "SECRET", "SECRETS", "KEY", "APIKEY",
                               "CREDENTIAL", "CREDENTIALS", "PRIVATE"})
"""Words of an env var's name (split at `_`, `-` and `.`, case-insensitive) that mark its value secret:
`DB_PASSWORD`, `API_KEY`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `client-secret`."""

_WORDS = re.compile(r"[_.\-]+")


def secret_env_name(name: object) -> bool:
    return isinstance(name, str) and any(w.upper() in SECRET_NAME_PARTS for w in _WORDS.split(name) if w)
