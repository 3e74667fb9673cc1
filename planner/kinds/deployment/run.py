"""The kubectl commands `planner run` accepts for Deployments, each turned into the Deployment's new manifest.

What each creates or changes follows kubectl 1.34:
- `kubectl create deployment NAME --image=I [--replicas=N] [--port=P]`: labels `app: NAME` on the object, its
  selector and its Pod template; one container named from the image (its last path segment without tag or
  digest), replicas 1 unless given, `containerPort` when --port is given
  (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/kubectl_create_deployment/;
  kubectl staging/src/k8s.io/kubectl/pkg/cmd/create/create_deployment.go, createDeployment and buildPodSpec);
- `kubectl scale deployment/NAME --replicas=N` sets spec.replicas
  (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_scale/);
- `kubectl set image deployment/NAME CONTAINER=IMAGE` sets one container's image
  (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_set/kubectl_set_image/);
- `kubectl set resources deployment NAME --requests=cpu=..,memory=.. [--limits=..] [-c CONTAINER]` sets every
  container's (or one's) requests and limits
  (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_set/kubectl_set_resources/).
"""

from __future__ import annotations

from typing import Any

from planner.command_line import Command, RunCommand, Target, World, key_values, object_ref
from planner.kinds.deployment.commands import created_by_kubectl
from planner.kinds.deployment.live import KUBECTL_NAMES

API_VERSION, KIND = "apps/v1", "Deployment"
WORDS = dict.fromkeys(KUBECTL_NAMES, KIND)
NS = "namespace"


def _create(command: Command, world: World) -> Target:
    name = command.arg(0, "the Deployment's name")
    command.no_more_args(1)
    image = command.need("image")
    namespace = command.flag(NS, "default")
    if world.find(KIND, name, namespace) is not None:
        raise command.error(f'deployments.apps "{name}" already exists')
    manifest = created_by_kubectl(name, image, command.number("replicas", 1), command.number("port", None, minimum=1))
    manifest["metadata"] = {"name": name, "namespace": namespace, "labels": manifest["metadata"]["labels"]}
    return Target(API_VERSION, KIND, name, namespace, manifest)


def _edited(command: Command, world: World) -> tuple[str, str, dict[str, Any]]:
    kind, name, used = object_ref(command, WORDS)
    command.no_more_args(used + (1 if command.words == ("set", "image") else 0))
    namespace = command.flag(NS, "default") or "default"
    return name, namespace, world.existing(command, kind, name, namespace)


def _scale(command: Command, world: World) -> Target:
    replicas = command.number("replicas")
    if replicas is None:
        raise command.error("--replicas is required")
    name, namespace, manifest = _edited(command, world)
    manifest.setdefault("spec", {})["replicas"] = replicas
    return Target(API_VERSION, KIND, name, namespace, manifest)


def _containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(((manifest.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or [])


def _set_image(command: Command, world: World) -> Target:
    name, namespace, manifest = _edited(command, world)
    container, eq, image = command.arg(len(command.args) - 1, "CONTAINER=IMAGE").partition("=")
    if not eq or not container or not image:
        raise command.error("the last argument must be CONTAINER=IMAGE")
    found = [c for c in _containers(manifest) if container in ("*", c.get("name"))]
    if not found:
        names = ", ".join(str(c.get("name")) for c in _containers(manifest))
        raise command.error(f'unable to find container named "{container}" (the Deployment has {names})')
    for c in found:
        c["image"] = image
    return Target(API_VERSION, KIND, name, namespace, manifest)


def _set_resources(command: Command, world: World) -> Target:
    name, namespace, manifest = _edited(command, world)
    requests = command.flag("requests")
    limits = command.flag("limits")
    if requests is None and limits is None:
        raise command.error("give --requests, --limits or both")
    only = command.flag("containers")
    chosen = [c for c in _containers(manifest) if only in (None, "*", c.get("name"))]
    if not chosen:
        raise command.error(f'unable to find container named "{only}"')
    for c in chosen:
        resources = c.setdefault("resources", {})
        for key, text in (("requests", requests), ("limits", limits)):
            if text is not None:
                resources[key] = {**(resources.get(key) or {}), **key_values(command, text, f"--{key}")}
    return Target(API_VERSION, KIND, name, namespace, manifest)


def _rollout_undo(command: Command, world: World) -> Target:
    """Refused with the reason: the state's ReplicaSet history keeps each revision's name and number, not its Pod
    template, so the template to go back to is not known."""
    _edited(command, world)
    raise command.error("the state keeps no earlier Pod templates (its ReplicaSet history records names and "
                        "revisions only), so planner cannot roll back: put the old image back with `kubectl set "
                        "image`, or plan the input that has it")


DEPLOY = "(deployment/NAME | deployment NAME)"
COMMANDS = (
    RunCommand("kubectl", ("create", KUBECTL_NAMES[0]), "kubectl create deployment NAME --image=IMAGE [--replicas=N] "
               "[--port=PORT] [-n NAMESPACE]", _create, flags=("image", "replicas", "port", NS),
               aliases=(("create", KUBECTL_NAMES[2]),)),
    RunCommand("kubectl", ("scale",), f"kubectl scale {DEPLOY} --replicas=N [-n NAMESPACE]", _scale,
               flags=("replicas", NS)),
    RunCommand("kubectl", ("set", "image"), f"kubectl set image {DEPLOY} CONTAINER=IMAGE [-n NAMESPACE]",
               _set_image, flags=(NS,)),
    RunCommand("kubectl", ("set", "resources"), f"kubectl set resources {DEPLOY} [--requests=cpu=..,memory=..] "
               "[--limits=cpu=..,memory=..] [-c CONTAINER] [-n NAMESPACE]", _set_resources,
               flags=("requests", "limits", "containers", NS)),
    RunCommand("kubectl", ("rollout", "undo"), f"kubectl rollout undo {DEPLOY} [--to-revision=N]", _rollout_undo,
               flags=("to-revision", NS)),
)
