"""kubectl commands that work on any kind (`planner run`): label, annotate, delete. Registered on the generic
family's spec; each edits the one object named, whatever its kind.

kubectl's resource types and short names: https://kubernetes.io/docs/reference/kubectl/#resource-types.
`kubectl label KIND NAME k=v k2-` adds (with --overwrite to change) and removes labels
(https://kubernetes.io/docs/reference/kubectl/generated/kubectl_label/); annotate does the same for annotations
(https://kubernetes.io/docs/reference/kubectl/generated/kubectl_annotate/); delete removes the object
(https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/).
"""

from __future__ import annotations

from collections.abc import Callable

from planner.command_line import Command, RunCommand, Target, World, object_ref


def resource_words() -> dict[str, str]:
    """kubectl's resource names and short names (`svc`, `deploy`) -> the kind's name in lower case, from the
    registry's `planner get` views, which name each resource type as kubectl does (GetView.resource)."""
    from planner import kinds  # the registry imports this module

    out: dict[str, str] = {}
    for spec in kinds.specs():
        for view in spec.views:
            kind = view.resource.split(".")[0]
            if kind and (not spec.kinds or any(k.lower() == kind for _api, k in spec.kinds)):
                out.update(dict.fromkeys((view.name, *view.aliases), kind))
    return out


def _object(command: Command, world: World) -> tuple[str, str, str, str | None, int]:
    from planner import kinds  # the registry imports this module

    lower, name, used = object_ref(command, resource_words())
    namespace = command.flag("namespace") or "default"
    for stored in world.state.resources.values():
        if stored.kind.lower() == lower and stored.name == name and (
                stored.namespace is None or stored.namespace == namespace):
            scoped = namespace if kinds.is_namespaced(stored.api_version, stored.kind) else None
            return stored.api_version, stored.kind, name, scoped, used
    raise command.error(f'{lower} "{name}" not found in namespace "{namespace}"')


def _meta(field: str) -> Callable[[Command, World], Target]:
    def edit(command: Command, world: World) -> Target:
        api_version, kind, name, namespace, used = _object(command, world)
        pairs = command.args[used:]
        if not pairs:
            raise command.error(f"give at least one {field[:-1]}: KEY=VALUE to set, KEY- to remove")
        manifest = world.existing(command, kind, name, namespace)
        values = dict((manifest.get("metadata") or {}).get(field) or {})
        for pair in pairs:
            if pair.endswith("-") and "=" not in pair:
                values.pop(pair[:-1], None)
                continue
            key, eq, value = pair.partition("=")
            if not eq or not key:
                raise command.error(f"{pair!r} is neither KEY=VALUE nor KEY-")
            if key in values and values[key] != value and command.flag("overwrite") != "true":
                raise command.error(f"'{key}' already has a value ({values[key]}), and --overwrite is false")
            values[key] = value
        metadata = manifest.setdefault("metadata", {})
        if values:
            metadata[field] = values
        else:
            metadata.pop(field, None)
        return Target(api_version, kind, name, namespace, manifest)
    return edit


def _delete(command: Command, world: World) -> Target:
    api_version, kind, name, namespace, used = _object(command, world)
    command.no_more_args(used)
    world.existing(command, kind, name, namespace)
    return Target(api_version, kind, name, namespace, None)


KIND_NAME = "KIND NAME (or KIND/NAME)"
COMMANDS = (
    RunCommand("kubectl", ("label",), f"kubectl label {KIND_NAME} KEY=VALUE... KEY-... [--overwrite] "
               "[-n NAMESPACE]", _meta("labels"), flags=("namespace",), switches=("overwrite",)),
    RunCommand("kubectl", ("annotate",), f"kubectl annotate {KIND_NAME} KEY=VALUE... KEY-... [--overwrite] "
               "[-n NAMESPACE]", _meta("annotations"), flags=("namespace",), switches=("overwrite",)),
    RunCommand("kubectl", ("delete",), f"kubectl delete {KIND_NAME} [-n NAMESPACE]", _delete, flags=("namespace",)),
)
