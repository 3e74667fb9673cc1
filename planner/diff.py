"""Stage 4: compare the desired resources with the state and decide each resource's action.

Unchanged resources are recognised by digest before any field-level diff. Changed ones are diffed with deepdiff
over a "keyed" view in which lists with a Kubernetes merge key become mappings (`containers[name=web]`), so inserting
one container does not mark every other one changed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from planner import kinds, ownership
from planner.errors import Diagnostic, PlannerError
from planner.knowledge import naming
from planner.knowledge.fields import MERGE_KEYS
from planner.model import SECRET_DIGEST, DesiredState, Resource
from planner.plan import UNKNOWN, Action, FieldChange, Reason, ResourceChange
from planner.sensitive import annotation_of as sensitive_annotation
from planner.state import State, StoredResource

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
SENSITIVE = "(sensitive value)"


def diff(desired: DesiredState, state: State, destroy: bool = False) -> tuple[list[ResourceChange], list[Diagnostic]]:
    """Every resource's change, unordered; plus warnings the reader should see before deletions. `destroy`: the
    deletions were asked for (`planner destroy`), which is their reason."""
    _check_one_cluster(state)
    _check_cluster_presence(desired, state)
    warnings: list[Diagnostic] = ownership.keep_owned(desired, state)
    old_cluster, new_cluster = state.cluster, desired.cluster
    cluster_replaced = False
    if old_cluster is not None and new_cluster is not None:
        if old_cluster.address != new_cluster.address:
            cluster_replaced = True
        elif old_cluster.digest != new_cluster.digest:
            cluster_replaced = bool(_replace_paths(new_cluster.family, _field_changes(
                old_cluster.manifest, new_cluster.manifest, ())))
    changes: list[ResourceChange] = []
    for address, resource in desired.resources.items():
        stored = state.resources.get(address)
        if stored is None:
            changes.append(_create(resource))
        else:
            forced = cluster_replaced and kinds.spec_of(resource.family).in_cluster
            changes.append(_compare(stored, resource, forced))
    for address, stored in state.resources.items():
        if address not in desired.resources:
            reason = Reason.NO_CONFIG
            in_cluster = kinds.spec_of(stored.family).in_cluster
            abandoned = naming.abandoned(stored.api_version, stored.manifest)
            if destroy:
                reason = Reason.DESTROY
            elif abandoned or (old_cluster is not None and naming.abandoned(old_cluster.api_version,
                                                                            old_cluster.manifest)):
                pass  # the cluster keeps running: what is deleted in it is deleted through its API server
            elif new_cluster is None or (cluster_replaced and in_cluster):
                reason = Reason.CLUSTER_DELETED if in_cluster else Reason.NO_CONFIG
            action, reasons = (Action.FORGET, (Reason.ABANDONED.value,)) if abandoned else (Action.DELETE,
                                                                                             (reason.value,))
            changes.append(ResourceChange(address, stored.family, stored.api_version, stored.kind, stored.name,
                                          stored.namespace, action, reasons, before=stored.manifest))
    warnings += _only_pool_warnings(changes, desired)
    warnings += _config_connector_refusals(changes)
    warnings += _merged_fields_kept(changes)
    if cluster_replaced and old_cluster is not None:
        warnings.append(Diagnostic("warning", f"THE CLUSTER IS REPLACED: {old_cluster.address} and everything in "
                                              "it is deleted, then created again. All workloads restart on new "
                                              "nodes with new IPs, and LoadBalancer Services get new external "
                                              "IPs.", address=old_cluster.address, banner=True))
    return changes, warnings


def _only_pool_warnings(changes: list[ResourceChange], desired: DesiredState) -> list[Diagnostic]:
    """Replacing the cluster's only node pool deletes it first: every Pod stops until the new nodes are Ready."""
    cluster = desired.cluster
    if cluster is None:
        return []
    hook = kinds.spec_of(cluster.family).node_pool
    default_pool = hook is not None and hook(cluster.manifest) is not None
    pools = [c for c in changes if kinds.spec_of(c.family).node_pool is not None
             and not kinds.spec_of(c.family).is_cluster and c.action is not Action.DELETE]
    replaced = [c for c in pools if c.action is Action.REPLACE and Reason.CLUSTER_REPLACED.value not in c.reasons]
    if default_pool or len(pools) != 1 or not replaced:
        return []
    return [Diagnostic("warning", "this is the cluster's only node pool, and replacing it deletes it first: every "
                                  "Pod stops until the new pool's nodes are Ready. To avoid the outage, add the new "
                                  "pool under another name, apply, then remove the old one.",
                       address=replaced[0].address)]


def _config_connector_refusals(changes: list[ResourceChange]) -> list[Diagnostic]:
    """GKE updates some fields in place that Config Connector's CRD marks Immutable: planned as GKE does it, with a
    warning that Config Connector's admission webhook refuses the update, and its recipe."""
    out = []
    for change in changes:
        if change.action is not Action.UPDATE:
            continue
        marked = kinds.immutable_paths(change.family)
        hits = sorted({prefix for c in change.changes for prefix in marked if _under(c.path, prefix)})
        if hits:
            out.append(Diagnostic("warning", f"Config Connector marks {', '.join(hits)} Immutable: its admission "
                                             "webhook refuses this update, although GKE makes it in place. With "
                                             f"Config Connector, create a new {change.kind} under another name, move "
                                             "to it, then delete this one.", address=change.address))
    return out


def _merged_fields_kept(changes: list[ResourceChange]) -> list[Diagnostic]:
    """With state-into-spec: merge, Config Connector wrote every field GKE filled in into the object's spec, so a
    field dropped from the input keeps its value in GKE (https://cloud.google.com/config-connector/docs/concepts/
    ignore-unspecified-fields): the plan says so rather than promise a reset."""
    out = []
    for change in changes:
        if change.action is not Action.UPDATE or naming.cnrm_annotation(
                change.api_version, change.after or {}, naming.STATE_INTO_SPEC_ANNOTATION) != "merge":
            continue
        dropped = [c.path for c in change.changes if c.after is None and c.path.startswith("spec.")]
        if dropped:
            out.append(Diagnostic("warning", f"{', '.join(dropped[:3])} {'is' if len(dropped) == 1 else 'are'} "
                                             "dropped from the input, but with cnrm.cloud.google.com/state-into-"
                                             "spec: merge Config Connector keeps the value GKE has: set the field "
                                             "to the value you want instead (or use state-into-spec: absent)",
                                  address=change.address))
    return out


def _check_one_cluster(state: State) -> None:
    """One state holds one cluster: a second one (a hand-edited state) would make deleting either drop everything
    the state holds, so nothing is planned from such a state."""
    clusters = sorted(r.address for r in state.resources.values() if kinds.spec_of(r.family).is_cluster)
    if len(clusters) > 1:
        raise PlannerError.single(
            f"the state holds {len(clusters)} clusters ({', '.join(clusters)}), but one state holds one cluster: it "
            "was edited by hand or merged from two states. Restore its .backup, or move each cluster to its own "
            "state file.")


def _check_cluster_presence(desired: DesiredState, state: State) -> None:
    if desired.cluster is not None or not desired.resources:
        return
    first = next(iter(desired.resources.values()))
    where: dict[str, Any] = {}
    if first.document is not None:
        line, column = first.document.position()
        where = {"file": first.document.source.name, "line": line, "column": column}
    if state.cluster is not None:
        raise PlannerError.single(
            f"the input has no ContainerCluster, but the state holds {state.cluster.address}: the input is the "
            "complete picture of one cluster, so add the cluster's YAML (or run `planner destroy` to delete it all)",
            **where)
    raise PlannerError.single(
        f"no ContainerCluster in the input or the state: {first.address} needs a cluster to run in; add a "
        "ContainerCluster (container.cnrm.cloud.google.com/v1beta1) to the input", **where)


def _create(resource: Resource) -> ResourceChange:
    spec = kinds.spec_of(resource.family)
    sensitive = spec.sensitive_fields
    leaves: list[tuple[str, Any]] = []
    _keyed_leaves(resource.manifest, "", None, leaves)
    created = [leaf for leaf in leaves if leaf[0] not in _IDENTITY]
    if sensitive:
        created = [(path, SENSITIVE if _is_secret(path, sensitive) else value) for path, value in created]
    if spec.pod_spec is not None or sensitive_annotation(resource.manifest) is not None:
        # secret env literals and annotated values, kept as keyed digests (model.mask_secret_env, mask_marked_fields)
        created = [(path, SENSITIVE if _digest(value) else value) for path, value in created]
    created += [(path, UNKNOWN) for path in spec.known_after_apply(resource.manifest)]
    return ResourceChange(resource.address, resource.family, resource.api_version, resource.kind, resource.name,
                          resource.namespace, Action.CREATE, created=tuple(created), after=resource.manifest,
                          after_digest=resource.digest)


def _compare(stored: StoredResource, resource: Resource, cluster_replaced: bool) -> ResourceChange:
    common = (resource.address, resource.family, resource.api_version, resource.kind, resource.name,
              resource.namespace)
    if stored.digest == resource.digest:
        if cluster_replaced:
            return ResourceChange(*common, Action.REPLACE, (Reason.CLUSTER_REPLACED.value,), before=stored.manifest,
                                  after=resource.manifest, after_digest=resource.digest)
        return ResourceChange(*common, Action.NOOP, before=stored.manifest, after=resource.manifest)
    spec = kinds.spec_of(resource.family)
    before = stored.manifest if spec.before_view is None else spec.before_view(stored.manifest, stored.status,
                                                                                resource.manifest)
    changes = _field_changes(before, resource.manifest, spec.sensitive_fields)
    if not changes and not cluster_replaced:  # different bytes, same object as the kind compares it
        return ResourceChange(*common, Action.NOOP, before=stored.manifest, after=resource.manifest)
    replace_paths = _replace_paths(resource.family, changes)
    if replace_paths or cluster_replaced:
        forced = set(replace_paths)
        changes = [FieldChange(c.path, c.before, c.after, c.unknown, c.path in forced, c.sensitive,
                               replace_reason(resource.family, c.path) if c.path in forced else "")
                   for c in changes]
        reasons = [Reason.CANNOT_UPDATE.value] if replace_paths else []
        if cluster_replaced:
            reasons.append(Reason.CLUSTER_REPLACED.value)
        return ResourceChange(*common, Action.REPLACE, tuple(reasons), tuple(replace_paths), tuple(changes),
                              unchanged_count=_unchanged(resource.manifest, changes), before=stored.manifest,
                              after=resource.manifest, after_digest=resource.digest)
    return ResourceChange(*common, Action.UPDATE, changes=tuple(changes),
                          change_classes=_change_classes(resource.family, changes),
                          unchanged_count=_unchanged(resource.manifest, changes), before=stored.manifest,
                          after=resource.manifest, after_digest=resource.digest)


# ---------------------------------------------------------------- field-level diff


def _field_changes(before: dict[str, Any], after: dict[str, Any], sensitive: tuple[str, ...]) -> list[FieldChange]:
    found = _scalar_changes(before, after)
    changes = [_masked(FieldChange(path, old, new), sensitive)
               for path, old, new in (found if found is not None else _deep_changes(before, after))]
    changes.sort(key=lambda c: c.path)
    return changes


def _deep_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every changed field, as deepdiff finds it over the keyed view: values, types, fields and list items added
    or removed."""
    from deepdiff import DeepDiff

    tree = DeepDiff(_keyed(before), _keyed(after), view="tree", verbose_level=2)
    changes: list[tuple[str, Any, Any]] = []
    for report in ("values_changed", "type_changes", "dictionary_item_added", "dictionary_item_removed",
                   "iterable_item_added", "iterable_item_removed"):
        for item in tree.get(report, ()):
            old = None if report.endswith("added") else _plain(item.t1)
            new = None if report.endswith("removed") else _plain(item.t2)
            changes.append((_path(item.path(output_format="list")), old, new))
    return changes


def _scalar_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]] | None:
    """The changed fields when only scalar values changed (the same fields on both sides, and no list or mapping
    among the values that differ): exactly what `_deep_changes` reports then (a property test holds them equal),
    from the leaf walk creates use, without deepdiff (~26 ms to import, a plan's one image change). None when
    anything else changed. A value of another type is a change, as deepdiff's type_changes (1 and 1.0, 1 and true)."""
    old: list[tuple[str, Any]] = []
    new: list[tuple[str, Any]] = []
    _keyed_leaves(before, "", None, old)
    _keyed_leaves(after, "", None, new)
    was = dict(old)
    if len(old) != len(new) or len(was) != len(old):
        return None
    out: list[tuple[str, Any, Any]] = []
    for path, value in new:
        if path not in was:
            return None
        prior = was[path]
        if type(prior) is type(value) and prior == value:
            continue
        # a list or mapping changed (deepdiff reports its items), or a key like "[a=b]" (its path is spelt apart)
        if isinstance(prior, (dict, list)) or isinstance(value, (dict, list)) or '["[' in path:
            return None
        out.append((path, prior, value))
    return out


def _is_secret(path: str, sensitive: tuple[str, ...]) -> bool:
    return path.split(".", 1)[0].split("[", 1)[0] in sensitive


def _digest(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SECRET_DIGEST)


def _masked(change: FieldChange, sensitive: tuple[str, ...]) -> FieldChange:
    if (sensitive and _is_secret(change.path, sensitive)) or _digest(change.before) or _digest(change.after):
        return FieldChange(change.path, None if change.before is None else SENSITIVE,
                           None if change.after is None else SENSITIVE, sensitive=True)
    return change


def _replace_paths(family: str, changes: list[FieldChange]) -> list[str]:
    rules = kinds.replace_rules(family)
    return [c.path for c in changes if any(_under(c.path, prefix) for prefix, _ in rules)]


def replace_reason(family: str, path: str) -> str:
    return next((why for prefix, why in kinds.replace_rules(family) if _under(path, prefix)), "")


def _change_classes(family: str, changes: list[FieldChange]) -> tuple[str, ...]:
    spec = kinds.spec_of(family)
    table = spec.change_classes
    found: set[str] = set()
    for change in changes:
        found.add(next(cls for prefix, cls in table if prefix == "" or _under(change.path, prefix)))
    for cls in list(found):
        found -= set(spec.subsumes.get(cls, ()))
    order = [cls for _, cls in table]
    return tuple(sorted(found, key=order.index))


def _under(path: str, prefix: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


def _unchanged(manifest: dict[str, Any], changes: list[FieldChange]) -> int:
    leaves: list[tuple[str, Any]] = []
    _keyed_leaves(manifest, "", None, leaves)
    return max(0, sum(1 for path, _ in leaves if path not in _IDENTITY) - len(changes))


_IDENTITY = frozenset({"apiVersion", "kind", "metadata.name", "metadata.namespace"})


_SEGMENTS: dict[str, tuple[str, str]] = {}


def _segment(key: str) -> tuple[str, str]:
    """How a key is written after a parent path and at the start of one (cached: keys repeat in every object)."""
    found = _SEGMENTS.get(key)
    if found is None:
        found = (f".{key}", key) if _PLAIN_KEY.fullmatch(key) else (f"[{json.dumps(key)}]",) * 2
        if len(_SEGMENTS) < 100_000:
            _SEGMENTS[key] = found
    return found


def _keyed_leaves(value: Any, prefix: str, parent: str | None, out: list[tuple[str, Any]]) -> None:
    """Every leaf as (path, value), lists with a merge key addressed `[name=web]`; no keyed copy is built."""
    if isinstance(value, dict):
        if not value:
            out.append((prefix, {}))
            return
        segments = _SEGMENTS
        for key, child in value.items():  # a scalar child is appended here: one call less for most leaves
            after, first = segments.get(key) or _segment(key)
            if isinstance(child, (dict, list)):
                _keyed_leaves(child, prefix + after if prefix else first, key, out)
            else:
                out.append((prefix + after if prefix else first, child))
        return
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        merge_key = _merge_key(value, parent)
        for i, child in enumerate(value):
            _keyed_leaves(child, f"{prefix}[{merge_key}={child[merge_key]}]" if merge_key else f"{prefix}[{i}]", None,
                          out)
        return
    out.append((prefix, value))


def _merge_key(items: list[Any], parent: str | None) -> str | None:
    for key in MERGE_KEYS.get(parent or "", ()):
        if all(isinstance(i, dict) and key in i for i in items):
            seen = [str(i[key]) for i in items]
            if len(set(seen)) == len(seen):
                return key
    return None


def _keyed(value: Any, parent: str | None = None) -> Any:
    """Lists with a usable merge key become mappings keyed `[key=value]`; everything else is kept as is."""
    if isinstance(value, dict):
        return {k: _keyed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        key = _merge_key(value, parent) if value else None
        if key is not None:
            return {f"[{key}={i[key]}]": _keyed(i) for i in value}
        return [_keyed(v) for v in value]
    return value


def _join(prefix: str, token: Any) -> str:
    if isinstance(token, int):
        return f"{prefix}[{token}]"
    key = str(token)
    if key.startswith("[") and "=" in key:
        return prefix + key
    if _PLAIN_KEY.fullmatch(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key)}]"


def _path(tokens: list[Any]) -> str:
    out = ""
    for token in tokens:
        out = _join(out, token)
    return out


def _plain(value: Any) -> Any:
    """Undo the keyed view for display: `{"[name=a]": {...}}` back to a list."""
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and k.startswith("[") and "=" in k for k in value):
            return [_plain(v) for v in value.values()]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
