"""What the simulated world looks like after apply, as rows for `planner get` (kubectl get / gcloud list views).

Each kind registers its views (`KindSpec.views`: rows computed from the state, and kubectl's columns);
render/get.py only lays them out.
"""

from __future__ import annotations

import re
from typing import Any

from planner import kinds
from planner.errors import PlannerError
from planner.kinds.base import GetView
from planner.state import State


def view(what: str) -> GetView:
    found = kinds.REGISTRY.view(what)
    if found is None:
        names = ", ".join(sorted(v.name for v in kinds.REGISTRY.views()))
        raise PlannerError.single(f'unknown resource type "{what}": use one of {names}')
    return found


def rows(state: State, what: str) -> list[dict[str, Any]]:
    return view_rows(view(what), state)


def view_rows(found: GetView, state: State) -> list[dict[str, Any]]:
    """A view's rows; a stored value no view can read is a damaged state, said so, not an internal error."""
    from planner.simulate.engine import DAMAGE

    try:
        return found.rows(state)
    except DAMAGE as exc:
        raise PlannerError.single(f"the state is damaged ({type(exc).__name__}: {exc}): restore its .backup") from None


SELECTOR_TERM = re.compile(r"^\s*(?P<not>!)?(?P<key>[A-Za-z0-9._/-]+)\s*"
                           r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*))?\s*$")
"""One term of kubectl's equality-based label selector (`app=web`, `tier!=db`, `app`, `!canary`): the forms
`kubectl get -l` takes besides set-based ones (k8s.io/apimachinery pkg/labels/selector.go Parse)."""


def select(found: GetView, rows: list[dict[str, Any]], namespace: str | None = None, name: str | None = None,
           selector: str | None = None, state: State | None = None) -> list[dict[str, Any]]:
    """kubectl's narrowing of `get`: one namespace (`-n`), one object by NAME, a label selector (`-l`). A NAME
    that is not there is NotFound, as kubectl says it."""
    namespaced = any(title == "NAMESPACE" for title, _ in found.columns)
    if namespace is not None and namespaced:
        rows = [r for r in rows if r.get("namespace") == namespace]
    if selector:
        terms = [_term(t) for t in selector.split(",")]
        if state is not None and any("labels" not in r for r in rows):
            rows = _with_labels(found, rows, state)
        if rows and "labels" not in rows[0]:
            raise PlannerError.single(f"planner get {found.name} does not support -l: its rows carry no labels")
        rows = [r for r in rows if all(_matches(r.get("labels") or {}, *t) for t in terms)]
    if name is not None:
        rows = [r for r in rows if r.get("name") == name]
        if not rows:
            where = f" in namespace {namespace}" if namespace and namespaced else ""
            raise PlannerError.single(f'{found.name} "{name}" not found{where}')
    return rows


def _with_labels(found: GetView, rows: list[dict[str, Any]], state: State) -> list[dict[str, Any]]:
    """Rows of a view over declared objects get their objects' metadata.labels (for `-l`): matched by kind (the
    view's resource, `deployment.apps` -> Deployment), namespace and name, in one pass over the state."""
    kind = found.resource.split(".")[0]
    if not kind:
        return rows
    labels = {(r.namespace or "", r.name): (r.manifest.get("metadata") or {}).get("labels") or {}
              for r in state.resources.values() if r.kind.lower() == kind}
    return [row if "labels" in row else {**row, "labels": labels.get((str(row.get("namespace") or ""),
                                                                       str(row.get("name"))), {})} for row in rows]


def _term(text: str) -> tuple[str, str, str]:
    match = SELECTOR_TERM.match(text)
    if match is None or (match["not"] and match["op"]):
        raise PlannerError.single(f'unable to parse requirement: "{text}": use key=value, key!=value, key or !key')
    return match["key"], "!" if match["not"] else (match["op"] or "exists"), match["value"] or ""


def _matches(labels: dict[str, str], key: str, op: str, value: str) -> bool:
    if op == "exists":
        return key in labels
    if op == "!":
        return key not in labels
    if op == "!=":
        return labels.get(key) != value
    return labels.get(key) == value
