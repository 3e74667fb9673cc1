"""Stage 1b: a `List` (what `kubectl get -o yaml` prints) or a typed `*List` (`DeploymentList`) becomes one
document per item, each keeping its own place in the file for every error and diagnostic.

What kubectl does, and planner follows (k8s.io/apimachinery pkg/apis/meta/v1/unstructured/helpers.go):
- `unstructuredJSONScheme.decode`: an object with an `items` field is decoded as a list;
- `unstructuredJSONScheme.decodeToList`: "For typed lists, e.g., a PodList, API server doesn't set each item's
  APIVersion and Kind": an item with neither gets the list's apiVersion and the list's kind without `List`.
Each item is then an object of its own (kubectl's resource builder visits items one by one), so a List of
unknown kinds is skipped item by item with `--skip-unknown`, and an invalid item is reported where it is written.
"""

from __future__ import annotations

from typing import Any

from planner import limits
from planner.errors import Diagnostic
from planner.load import Document, PathToken, locate

_LIST_SUFFIX = "List"
_ANY_LIST = "List"
"""`kind: List` (apiVersion v1): the untyped list kubectl prints for `get` of several kinds or names."""


def is_list(data: dict[str, Any]) -> bool:
    """A document to expand: `kind: List`, or a `*List` kind with `items` (the decoder's own test is `items`)."""
    kind = data.get("kind")
    return isinstance(kind, str) and (kind == _ANY_LIST or (kind.endswith(_LIST_SUFFIX) and "items" in data))


def expand(documents: list[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """Every document, with each List replaced by its items in order; the problems of malformed Lists. Linear in
    the number of documents and items: a document that is no List costs one dictionary lookup."""
    out: list[Document] = []
    errors: list[Diagnostic] = []
    for document in documents:
        if is_list(document.data):
            _expand(document, 1, out, errors)
        else:
            out.append(document)
    return out, errors


def _expand(listed: Document, depth: int, out: list[Document], errors: list[Diagnostic]) -> None:
    data = listed.data
    kind, api_version = data["kind"], data.get("apiVersion")
    if "items" not in data:
        errors.append(_error(listed, ("kind",), f'a {kind} needs "items": the objects it holds'))
        return
    items = data["items"]
    if items is None:  # `items: null` holds nothing, as `items: []`
        return
    if not isinstance(items, list):
        errors.append(_error(listed, ("items",), f"expected a list of objects, got {_describe(items)}"))
        return
    item_kind = kind[: -len(_LIST_SUFFIX)] if kind != _ANY_LIST else None
    for i, item in enumerate(items):
        at: tuple[PathToken, ...] = (*listed.prefix, "items", i)
        if isinstance(item, dict) and item_kind and "kind" not in item and "apiVersion" not in item:
            item = {"apiVersion": api_version, "kind": item_kind, **item}
        child = Document(listed.source, listed.index, listed.line, item, listed.shared, at)
        if not isinstance(item, dict):
            errors.append(_error(child, (), f"an item of this {kind} is {_describe(item)}, not a Kubernetes "
                                            "object (a mapping with apiVersion, kind and metadata)"))
        elif not is_list(item):
            out.append(child)
        elif depth >= limits.MAX_LIST_DEPTH:
            errors.append(_error(child, ("kind",), f"Lists nested more than {limits.MAX_LIST_DEPTH} deep"))
        else:
            _expand(child, depth + 1, out, errors)


def _error(document: Document, path: tuple[PathToken, ...], message: str) -> Diagnostic:
    line, column = locate(document, path)
    where = "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in (*document.prefix, *path)).lstrip(".")
    return Diagnostic("error", message, file=document.source.name, line=line, column=column, path=where or None)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a plain value"
