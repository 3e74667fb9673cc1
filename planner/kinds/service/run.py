"""`kubectl expose deployment NAME`: the Service kubectl 1.34 creates for a Deployment.

It takes the Deployment's selector (matchLabels only) as its own, and the Deployment's labels unless --labels are
given; one port `--port` (protocol TCP) to `--target-port` (the port itself when not given); without --port, the
Pod template's container ports; the Service is named after the Deployment unless --name is given; type ClusterIP
unless --type (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_expose/; kubectl
staging/src/k8s.io/kubectl/pkg/cmd/expose/expose.go and pkg/generate/versioned/service.go).
"""

from __future__ import annotations

from typing import Any

from planner.command_line import Command, RunCommand, Target, World, key_values, object_ref
from planner.kinds.deployment.live import KUBECTL_NAMES

TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
EXPOSABLE = dict.fromkeys(KUBECTL_NAMES, "Deployment")
"""What `planner run` exposes (kubectl also exposes Pods, ReplicaSets, ReplicationControllers and Services)."""


def _port(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _expose(command: Command, world: World) -> Target:
    kind, target, used = object_ref(command, EXPOSABLE)
    command.no_more_args(used)
    namespace = command.flag("namespace", "default") or "default"
    workload = world.existing(command, kind, target, namespace)
    spec = workload.get("spec") or {}
    selector = (spec.get("selector") or {}).get("matchLabels")
    if not selector or (spec.get("selector") or {}).get("matchExpressions"):
        raise command.error(f"{kind} {target}'s selector is not convertible to a Service selector (matchLabels only)")
    name = command.flag("name") or target
    if world.find("Service", name, namespace) is not None:
        raise command.error(f'services "{name}" already exists')
    service_type = command.flag("type", "ClusterIP") or "ClusterIP"
    if service_type not in TYPES:
        raise command.error(f"--type must be one of {', '.join(TYPES)}, not {service_type!r}")
    protocol = command.flag("protocol", "TCP")
    target_port = command.flag("target-port")
    ports: list[dict[str, Any]]
    if command.flag("port") is not None:
        port = command.number("port", minimum=1)
        ports = [{"port": port, "protocol": protocol, "targetPort": _port(target_port) if target_port else port}]
    else:
        found = [p for c in ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
                 for p in c.get("ports") or []]
        if not found:
            raise command.error("couldn't find port via --port flag or introspection")
        ports = [{"port": p["containerPort"], "protocol": p.get("protocol", protocol),
                  "targetPort": _port(target_port) if target_port else p["containerPort"]} for p in found]
        if len(ports) > 1:
            for index, port_entry in enumerate(ports):
                port_entry["name"] = f"port-{index + 1}"
    labels = key_values(command, command.flag("labels") or "", "--labels") if command.flag("labels") else (
        dict((workload.get("metadata") or {}).get("labels") or {}))
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": metadata,
                "spec": {"ports": ports, "selector": dict(selector), "type": service_type}}
    return Target("v1", "Service", name, namespace, manifest)


COMMANDS = (
    RunCommand("kubectl", ("expose",), "kubectl expose deployment NAME [--type=ClusterIP|NodePort|LoadBalancer] "
               "[--port=PORT] [--target-port=PORT] [--protocol=TCP|UDP] [--name=NAME] [--labels=k=v,..] "
               "[-n NAMESPACE]", _expose, flags=("type", "port", "target-port", "protocol", "name", "labels",
                                                  "namespace")),
)
