"""The gcloud commands `planner run` accepts for the cluster, each turned into the ContainerCluster's new manifest
(or its deletion).

gcloud's defaults (https://cloud.google.com/sdk/gcloud/reference/container/clusters/create): 3 nodes per zone
(--num-nodes), machine type e2-medium, the first pool named default-pool, the project's default network, a release
channel (REGULAR): the cluster's defaulting table (planner.kinds.cluster DEFAULTS) holds those, so a created cluster
names only what the command says. gcloud takes the zone from its compute/zone property when no --zone, --region or
--location is given; planner has no such configuration, so one of them is required. `create-auto` makes a regional
Autopilot cluster (https://cloud.google.com/sdk/gcloud/reference/container/clusters/create-auto).
"""

from __future__ import annotations

from typing import Any

from planner.command_line import Command, RunCommand, Target, World
from planner.knowledge import naming

API_VERSION, KIND = "container.cnrm.cloud.google.com/v1beta1", "ContainerCluster"
WHERE = ("zone", "region", "location")
CHANNELS = ("rapid", "regular", "stable", "extended", "None")


def location(command: Command, allowed: tuple[str, ...] = WHERE) -> str:
    given = [command.flag(f) for f in allowed if command.flag(f)]
    if len(given) != 1:
        names = " or ".join(f"--{f}" for f in allowed)
        raise command.error(f"give exactly one of {names} (gcloud would take its compute/zone property; planner "
                            "has none)")
    return str(given[0])


def find_cluster(command: Command, world: World, name: str) -> dict[str, Any]:
    for stored in world.of_kind(KIND):
        if name in (stored.name, naming.gke_name(stored.manifest)):
            return world.existing(command, KIND, stored.name, None)
    raise command.error(f"cluster {name!r} not found (the state holds "
                        f"{', '.join(r.name for r in world.of_kind(KIND)) or 'no cluster'})")


def _create(command: Command, world: World) -> Target:
    name = command.arg(0, "the cluster's name")
    command.no_more_args(1)
    if any(True for _ in world.of_kind(KIND)):
        raise command.error("the state already holds a cluster: one state holds one cluster (use another --state)")
    spec: dict[str, Any] = {"location": location(command)}
    spec["initialNodeCount"] = command.number("num-nodes", 3, minimum=1)
    if command.flag("machine-type"):
        spec["nodeConfig"] = {"machineType": command.flag("machine-type")}
    channel = command.flag("release-channel")
    if channel is not None:
        if channel not in CHANNELS:
            raise command.error(f"--release-channel must be one of {', '.join(CHANNELS)}")
        spec["releaseChannel"] = {"channel": channel.upper()}
    manifest = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": spec}
    return Target(API_VERSION, KIND, name, None, manifest)


def _create_auto(command: Command, world: World) -> Target:
    name = command.arg(0, "the cluster's name")
    command.no_more_args(1)
    if any(True for _ in world.of_kind(KIND)):
        raise command.error("the state already holds a cluster: one state holds one cluster (use another --state)")
    spec = {"location": location(command, ("region", "location")), "enableAutopilot": True}
    manifest = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": spec}
    return Target(API_VERSION, KIND, name, None, manifest)


def _delete(command: Command, world: World) -> Target:
    name = command.arg(0, "the cluster's name")
    command.no_more_args(1)
    manifest = find_cluster(command, world, name)
    return Target(API_VERSION, KIND, manifest["metadata"]["name"], None, None, cascade=True)


def _update(command: Command, world: World) -> Target:
    name = command.arg(0, "the cluster's name")
    command.no_more_args(1)
    if command.flag("node-pool") is not None:
        from planner.kinds import nodepool_commands  # the pool's own home: it imports this module

        return nodepool_commands.autoscaling(command, world, name)
    manifest = find_cluster(command, world, name)
    channel = command.flag("release-channel")
    if channel is None or channel not in CHANNELS:
        raise command.error(f"give --release-channel={'|'.join(CHANNELS)} (or, for a node pool's autoscaling, "
                            "--node-pool with --enable-autoscaling --min-nodes --max-nodes)")
    manifest.setdefault("spec", {})["releaseChannel"] = {"channel": channel.upper()}
    return Target(API_VERSION, KIND, manifest["metadata"]["name"], None, manifest)


COMMANDS = (
    RunCommand("gcloud", ("container", "clusters", "create"), "gcloud container clusters create NAME "
               "(--zone=ZONE | --region=REGION | --location=L) [--num-nodes=N] [--machine-type=TYPE] "
               "[--release-channel=CHANNEL]", _create,
               flags=(*WHERE, "num-nodes", "machine-type", "release-channel")),
    RunCommand("gcloud", ("container", "clusters", "create-auto"), "gcloud container clusters create-auto NAME "
               "(--region=REGION | --location=REGION)", _create_auto, flags=("region", "location")),
    RunCommand("gcloud", ("container", "clusters", "delete"), "gcloud container clusters delete NAME "
               "[--zone|--region|--location=L] [--quiet]", _delete, flags=WHERE, switches=("quiet",)),
)
UPDATE = RunCommand("gcloud", ("container", "clusters", "update"), "gcloud container clusters update NAME "
                    "--release-channel=CHANNEL | --node-pool=POOL --enable-autoscaling --min-nodes=N --max-nodes=M",
                    _update, flags=(*WHERE, "release-channel", "node-pool", "min-nodes", "max-nodes"),
                    switches=("enable-autoscaling",))
