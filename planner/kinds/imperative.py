"""Imperative equivalents: the `kubectl`/`gcloud` commands a person would have typed for one resource change.

Each kind's module fills `KindSpec.imperative` from these helpers and its own table of (changed field path prefix ->
dedicated verb); what no verb covers becomes one `kubectl patch KIND/NAME --type merge -p '{...}'` of the changed
fields (lists whole: a JSON merge patch replaces a list, RFC 7386). Kinds without a dedicated create verb, or a
manifest the verb's flags cannot express, get `kubectl apply -f -` with the manifest. No Secret value is ever printed:
values the model holds as keyed digests become `(sensitive value)`, and the command says what to put there.

Flags checked against the kubectl reference (https://kubernetes.io/docs/reference/kubectl/generated/, v1.34:
`kubectl_patch` --type merge -p, `kubectl_apply` -f -, `kubectl_delete` TYPE NAME, `kubectl_label` / `kubectl_annotate`
KEY=VAL --overwrite and KEY-, `kubectl_scale` --replicas, `kubectl_set_image` CONTAINER=IMAGE, `kubectl_set_resources`
-c --requests --limits, `kubectl_set_selector`) and `-n/--namespace` (kubectl's global flags, `kubectl options`).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.plan import FieldChange, ResourceChange

Commands = tuple[str, ...]
Manifest = Mapping[str, Any]
Others = Mapping[str, Manifest]
"""Every resource's desired manifest by address: `kubectl expose` reads the Deployment it exposes."""
Verb = Callable[["ResourceChange", Sequence["FieldChange"]], list[str]]
"""A dedicated update verb: the commands for the changed fields under its path prefix."""

SENSITIVE = "(sensitive value)"
_DIGESTS = ("hmac-sha256:", "sha256:")  # planner.model's SECRET_DIGEST and LEGACY_SECRET_DIGEST
MASKED_NOTE = ("# the manifest's Secret values are masked: put the real values in before running this (planner never "
               "prints one)")
FORGET_NOTE = ("# no command: cnrm.cloud.google.com/deletion-policy abandon only removes {address} from planner's "
               "state; kubectl and gcloud would leave the object running, so there is nothing to type")
_TOKEN = re.compile(r'\.([^.\[]+)|\[("(?:[^"\\]|\\.)*")\]|\[([^\]=]+)=([^\]]*)\]|\[(\d+)\]')


def cmd(*args: str | int) -> str:
    """One shell command, every argument quoted only where the shell needs it (shlex)."""
    return " ".join(shlex.quote(str(a)) for a in args)


def ns(change: ResourceChange) -> tuple[str, ...]:
    """`-n NS` where the namespace is not `default` (kubectl's own default)."""
    return ("-n", change.namespace) if change.namespace and change.namespace != "default" else ()


def resource(change: ResourceChange) -> str:
    """kubectl's TYPE/NAME: the kind in lower case names its resource (`deployment/hello-web`)."""
    return f"{change.kind.lower()}/{change.name}"


def masked(value: Any) -> tuple[Any, bool]:
    """The value with every Secret value (a keyed digest in the model) replaced by `(sensitive value)`, and whether
    any was."""
    if isinstance(value, str):
        return (SENSITIVE, True) if value.startswith(_DIGESTS) else (value, False)
    if isinstance(value, dict):
        out, hit = {}, False
        for key, item in value.items():
            out[key], found = masked(item)
            hit = hit or found
        return out, hit
    if isinstance(value, list):
        pairs = [masked(item) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def mask_fields(manifest: Manifest, fields: Iterable[str]) -> dict[str, Any]:
    """A manifest with the values of its sensitive top-level fields (a Secret's data) masked."""
    out = dict(manifest)
    for name in fields:
        if isinstance(out.get(name), dict):
            out[name] = dict.fromkeys(out[name], SENSITIVE)
    return out


def apply_manifest(manifest: Manifest, sensitive: Iterable[str] = ()) -> list[str]:
    """`kubectl apply -f -` with the manifest as a here-document (YAML, keys in the input's order)."""
    shown, hit = masked(mask_fields(manifest, sensitive))
    hit = hit or any(manifest.get(name) for name in sensitive)
    text = "\n".join(block_yaml(shown)) + "\n"
    return [*([MASKED_NOTE] if hit else []), f"kubectl apply -f - <<'EOF'\n{text}EOF"]


_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def _scalar(value: Any) -> str:
    """A scalar as YAML: plain where nothing could read it as another type, else JSON (a YAML double-quoted
    scalar), which is also what keeps `EOF` or a newline from ending the here-document early. Strings are
    remembered: keys and many values repeat in every manifest (~577,000 calls for a plan from empty at 10,000)."""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    found = _WRITTEN.get(value)
    if found is None:
        plain = _PLAIN.fullmatch(value) and value.lower() not in _SPECIAL and value != "EOF"
        found = value if plain else json.dumps(value, ensure_ascii=False)
        if len(_WRITTEN) < 100_000:
            _WRITTEN[value] = found
    return found


_WRITTEN: dict[str, str] = {}


def block_yaml(value: Any, indent: str = "") -> list[str]:
    """A JSON-shaped value as block YAML, written directly: PyYAML's emitter costs ~0.5 ms a manifest, and a plan
    from empty writes one per resource (10,000 resources: 5 s). tests/test_imperative_kinds.py reads it back."""
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(str(key))}:"
            if isinstance(item, (dict, list)) and item:
                lines.append(head)
                lines += block_yaml(item, indent + ("  " if isinstance(item, dict) else ""))
            else:
                lines.append(f"{head} {_empty_or_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                nested = block_yaml(item, indent + "  ")
                lines.append(f"{indent}- {nested[0][len(indent) + 2:]}")
                lines += nested[1:]
            else:
                lines.append(f"{indent}- {_empty_or_scalar(item)}")
    else:
        lines.append(indent + _empty_or_scalar(value))
    return lines


def _empty_or_scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def written(change: ResourceChange) -> dict[str, Any]:
    """The desired manifest without the values the API server's defaults fill in (planner.kinds.defaulting)."""
    from planner.kinds.defaulting import strip_defaults

    return strip_defaults(change.family, change.after or {})


def delete(change: ResourceChange) -> list[str]:
    return [cmd("kubectl", "delete", change.kind.lower(), change.name, *ns(change))]


def tokens(path: str) -> list[str | int | tuple[str, str]]:
    """A plan's field path (`spec.template.spec.containers[name=web].image`, `metadata.labels["a.b/c"]`) as keys,
    list indexes and (merge key, value) pairs."""
    out: list[str | int | tuple[str, str]] = []
    for key, quoted, merge_key, merge_value, index in _TOKEN.findall("." + path):
        if key:
            out.append(key)
        elif quoted:
            out.append(json.loads(quoted))
        elif merge_key:
            out.append((merge_key, merge_value))
        else:
            out.append(int(index))
    return out


def get(manifest: Any, keys: Sequence[str]) -> Any:
    node = manifest
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def merge_patch(change: ResourceChange, changes: Sequence[FieldChange], kind: str = "") -> list[str]:
    """`kubectl patch` of the changed fields: each field's value in the new manifest, up to its first list (merge
    patch replaces lists whole), null where it was removed."""
    if not changes:
        return []
    patch: dict[str, Any] = {}
    after = change.after or {}
    for field_change in changes:
        keys: list[str] = []
        for token in tokens(field_change.path):
            if not isinstance(token, str):
                break
            keys.append(token)
        node = patch
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):  # a parent is already set whole
                break
        else:
            node[keys[-1]] = get(after, keys)
    shown, _hit = masked(patch)
    target = f"{kind or change.kind.lower()}/{change.name}"
    return [cmd("kubectl", "patch", target, *ns(change), "--type", "merge", "-p",
                json.dumps(shown, separators=(",", ":"), sort_keys=True))]


def metadata_verbs(change: ResourceChange, changes: Sequence[FieldChange]) -> list[str]:
    """`kubectl label` / `kubectl annotate` of changed labels and annotations (KEY=VALUE --overwrite, KEY- removes)."""
    out = []
    for field_name, verb in (("labels", "label"), ("annotations", "annotate")):
        mine = [c for c in changes if c.path.startswith(f"metadata.{field_name}")]
        if not mine:
            continue
        args = []
        for c in mine:
            path = tokens(c.path)
            if len(path) != 3 or not isinstance(path[2], str):  # the whole map added or removed
                whole = get(change.after, ("metadata", field_name)) or {}
                old = get(change.before, ("metadata", field_name)) or {}
                args += [f"{k}={v}" for k, v in whole.items()] + [f"{k}-" for k in old if k not in whole]
                continue
            args.append(f"{path[2]}-" if c.after is None else f"{path[2]}={c.after}")
        out.append(cmd("kubectl", verb, change.kind.lower(), change.name, *ns(change), *args, "--overwrite"))
    return out


def update(change: ResourceChange, verbs: Sequence[tuple[str, Verb]] = ()) -> list[str]:
    """An update's commands: each dedicated verb for the fields under its prefix (first match wins), label/annotate
    for metadata, one merge patch for the rest."""
    claimed: dict[int, list[FieldChange]] = {}
    rest: list[FieldChange] = []
    meta: list[FieldChange] = []
    for c in change.changes:
        for i, (prefix, _verb) in enumerate(verbs):
            if c.path == prefix or c.path.startswith((prefix + ".", prefix + "[")):
                claimed.setdefault(i, []).append(c)
                break
        else:
            (meta if c.path.startswith(("metadata.labels", "metadata.annotations")) else rest).append(c)
    out: list[str] = []
    for i, (_prefix, verb) in enumerate(verbs):
        if i in claimed:
            out += verb(change, claimed[i])
    return out + metadata_verbs(change, meta) + merge_patch(change, rest)


Create = Callable[["ResourceChange", Others], list[str]]
Hook = Callable[["ResourceChange", Others], Commands]
"""`KindSpec.imperative`: a resource change -> its commands."""
Delete = Callable[["ResourceChange"], list[str]]
Update = Callable[["ResourceChange"], list[str]]


def by_action(change: ResourceChange, others: Others, create: Create, upd: Update, remove: Delete = delete) -> Commands:
    """The commands of any action from the kind's create, update and delete: a replacement is delete then create; a
    forget has none, and a comment says why."""
    action = change.action.value
    if action == "create":
        return tuple(create(change, others))
    if action == "update":
        return tuple(upd(change))
    if action == "delete":
        return tuple(remove(change))
    if action == "replace":
        return (*remove(change), *create(change, others))
    if action == "forget":
        return (FORGET_NOTE.format(address=change.address),)
    return ()


def kubernetes(create: Create | None = None, verbs: Sequence[tuple[str, Verb]] = (),
               sensitive: tuple[str, ...] = ()) -> Hook:
    """A Kubernetes kind's hook: its create verb (default `kubectl apply -f -`), its update verbs, `kubectl delete`."""
    def creating(change: ResourceChange, others: Others) -> list[str]:
        return create(change, others) if create is not None else apply_manifest(written(change), sensitive)

    def hook(change: ResourceChange, others: Others) -> Commands:
        return by_action(change, others, creating, lambda c: update(c, verbs))

    return hook


# ---------------------------------------------------------------- workloads' verbs (Pod templates)


def containers(manifest: Manifest | None, template: Sequence[str]) -> dict[str, Any]:
    return {str(c.get("name")): c for c in get(manifest, (*template, "spec", "containers")) or []
            if isinstance(c, dict)}


def set_image(template: Sequence[str]) -> Verb:
    """`kubectl set image KIND/NAME CONTAINER=IMAGE ...` for changed images; other template fields go to a patch."""
    def verb(change: ResourceChange, changes: Sequence[FieldChange]) -> list[str]:
        images = [c for c in changes if len(tokens(c.path)) == len(template) + 4 and c.path.endswith("].image")
                  and c.after is not None]
        others = [c for c in changes if c not in images]
        pairs = [f"{tokens(c.path)[-2][1]}={c.after}" for c in images]  # type: ignore[index]
        out = [cmd("kubectl", "set", "image", resource(change), *ns(change), *pairs)] if pairs else []
        resources = [c for c in others if ".resources" in c.path and "].resources" in c.path]
        return out + set_resources(change, resources, template) + merge_patch(
            change, [c for c in others if c not in resources])
    return verb


def set_resources(change: ResourceChange, changes: Sequence[FieldChange], template: Sequence[str]) -> list[str]:
    """`kubectl set resources KIND/NAME -c CONTAINER --requests=... --limits=...`: sets, never removes, so a
    container that loses a request or limit is patched instead."""
    out: list[str] = []
    names = sorted({tok[1] for c in changes for tok in tokens(c.path) if isinstance(tok, tuple)})
    after, before = containers(change.after, template), containers(change.before, template)
    patched: list[FieldChange] = []
    for name in names:
        new = (after.get(name) or {}).get("resources") or {}
        old = (before.get(name) or {}).get("resources") or {}
        if any(set(old.get(k) or {}) - set(new.get(k) or {}) for k in ("requests", "limits")) or set(new) - {
                "requests", "limits"}:
            patched += [c for c in changes if f"[name={name}]" in c.path]
            continue
        flags = [f"--{k}=" + ",".join(f"{r}={v}" for r, v in new[k].items()) for k in ("requests", "limits")
                 if new.get(k)]
        out.append(cmd("kubectl", "set", "resources", resource(change), *ns(change), "-c", name, *flags))
    return out + merge_patch(change, patched)


def scale(change: ResourceChange, changes: Sequence[FieldChange]) -> list[str]:
    """`kubectl scale KIND/NAME --replicas=N`."""
    replicas = get(change.after, ("spec", "replicas"))
    if not isinstance(replicas, int):  # removed: back to the default, which only a patch can say
        return merge_patch(change, changes)
    return [cmd("kubectl", "scale", resource(change), *ns(change), f"--replicas={replicas}")]


def workload_verbs(template: tuple[str, ...] = ("spec", "template"), replicas: bool = True) -> list[tuple[str, Verb]]:
    """A workload's update verbs: `kubectl scale` for spec.replicas, `kubectl set image` / `set resources` (then a
    patch) for its Pod template."""
    return [*([("spec.replicas", scale)] if replicas else []), (".".join(template), set_image(template))]


def container_name(image: str) -> str:
    """The container name `kubectl create deployment|job|cronjob --image` gives: the image's last path part without
    tag or digest, `_` made `-` (kubectl pkg/cmd/create/create_deployment.go, buildPodSpec)."""
    return image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0].replace("_", "-")
