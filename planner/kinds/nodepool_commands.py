"""The gcloud commands `planner run` accepts for node pools, each turned into a ContainerNodePool's new manifest.

- `gcloud container node-pools create NAME --cluster=C [--num-nodes=N] [--machine-type=T] [--enable-autoscaling
  --min-nodes --max-nodes]`: 3 nodes per zone and e2-medium unless given, in the cluster's location
  (https://cloud.google.com/sdk/gcloud/reference/container/node-pools/create);
- `node-pools update NAME --cluster=C --machine-type=T`: GKE changes the machine type in place, recreating the nodes
  with the pool's surge upgrade (planner.kinds.surge plans it;
  https://cloud.google.com/sdk/gcloud/reference/container/node-pools/update);
- `node-pools delete NAME --cluster=C`;
- `clusters resize C --node-pool=P --num-nodes=N` sets the pool's node count per zone
  (https://cloud.google.com/sdk/gcloud/reference/container/clusters/resize), and `clusters update C --node-pool=P
  --enable-autoscaling --min-nodes --max-nodes` its autoscaling
  (https://cloud.google.com/sdk/gcloud/reference/container/clusters/update).

The cluster's own first pool (default-pool) is part of the ContainerCluster, whose initialNodeCount and nodeConfig
Config Connector cannot change: resizing it is refused with the declarative way (a ContainerNodePool).
"""

from __future__ import annotations

from typing import Any

from planner.command_line import Command, RunCommand, Target, World
from planner.kinds.cluster_commands import API_VERSION, UPDATE, WHERE, find_cluster
from planner.knowledge import naming

KIND = "ContainerNodePool"
DEFAULT_POOL = "default-pool"


def _pool(command: Command, world: World, cluster: str, pool: str) -> dict[str, Any]:
    cluster_manifest = find_cluster(command, world, cluster)
    for stored in world.of_kind(KIND):
        ref = naming.cluster_ref(stored.manifest)
        if pool in (stored.name, naming.gke_name(stored.manifest)) and ref is not None and ref[1] in (
                cluster_manifest["metadata"]["name"], naming.gke_name(cluster_manifest)):
            return world.existing(command, KIND, stored.name, None)
    if pool == DEFAULT_POOL:
        raise command.error(f"{DEFAULT_POOL} is the ContainerCluster's own first pool: Config Connector cannot "
                            "resize or change it (initialNodeCount and nodeConfig are immutable). Declare a "
                            "ContainerNodePool and drop the default pool (cnrm.cloud.google.com/"
                            "remove-default-node-pool)")
    raise command.error(f"node pool {pool!r} not found in cluster {cluster!r}")


def _target(manifest: dict[str, Any]) -> Target:
    return Target(API_VERSION, KIND, manifest["metadata"]["name"], None, manifest)


def _autoscaling_fields(command: Command, spec: dict[str, Any]) -> None:
    if command.flag("enable-autoscaling") == "false":
        spec.pop("autoscaling", None)
        return
    low, high = command.number("min-nodes"), command.number("max-nodes")
    if low is None or high is None or low > high:
        raise command.error("--enable-autoscaling needs --min-nodes and --max-nodes, min at most max")
    spec["autoscaling"] = {"minNodeCount": low, "maxNodeCount": high}


def autoscaling(command: Command, world: World, cluster: str) -> Target:
    """`clusters update C --node-pool P --enable-autoscaling --min-nodes N --max-nodes M` (or --no-...)."""
    manifest = _pool(command, world, cluster, str(command.flag("node-pool")))
    if command.flag("enable-autoscaling") is None:
        raise command.error("with --node-pool, give --enable-autoscaling (or --no-enable-autoscaling)")
    _autoscaling_fields(command, manifest.setdefault("spec", {}))
    return _target(manifest)


def _resize(command: Command, world: World) -> Target:
    cluster = command.arg(0, "the cluster's name")
    command.no_more_args(1)
    manifest = _pool(command, world, cluster, command.flag("node-pool") or DEFAULT_POOL)
    count = command.number("num-nodes")
    if count is None:
        raise command.error("--num-nodes is required")
    manifest.setdefault("spec", {})["nodeCount"] = count
    return _target(manifest)


def _create(command: Command, world: World) -> Target:
    name = command.arg(0, "the node pool's name")
    command.no_more_args(1)
    cluster = find_cluster(command, world, command.need("--cluster"))
    if world.find(KIND, name, None) is not None:
        raise command.error(f"node pool {name!r} already exists")
    where = [command.flag(f) for f in WHERE if command.flag(f)]
    spec: dict[str, Any] = {"clusterRef": {"name": cluster["metadata"]["name"]},
                            "location": where[0] if where else (cluster.get("spec") or {}).get("location"),
                            "nodeCount": command.number("num-nodes", 3, minimum=1)}
    if command.flag("machine-type"):
        spec["nodeConfig"] = {"machineType": command.flag("machine-type")}
    if command.flag("enable-autoscaling") is not None:
        _autoscaling_fields(command, spec)
    manifest = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": spec}
    return _target(manifest)


def _update(command: Command, world: World) -> Target:
    name = command.arg(0, "the node pool's name")
    command.no_more_args(1)
    manifest = _pool(command, world, command.need("--cluster"), name)
    spec = manifest.setdefault("spec", {})
    if command.flag("machine-type") is None and command.flag("enable-autoscaling") is None:
        raise command.error("give --machine-type, or --enable-autoscaling with --min-nodes and --max-nodes")
    if command.flag("machine-type"):
        spec.setdefault("nodeConfig", {})["machineType"] = command.flag("machine-type")
    if command.flag("enable-autoscaling") is not None:
        _autoscaling_fields(command, spec)
    return _target(manifest)


def _delete(command: Command, world: World) -> Target:
    name = command.arg(0, "the node pool's name")
    command.no_more_args(1)
    manifest = _pool(command, world, command.need("--cluster"), name)
    return Target(API_VERSION, KIND, manifest["metadata"]["name"], None, None)


POOL_FLAGS = ("--cluster", *WHERE)
COMMANDS = (
    RunCommand("gcloud", ("container", "node-pools", "create"), "gcloud container node-pools create NAME "
               "--cluster=C [--num-nodes=N] [--machine-type=T] [--enable-autoscaling --min-nodes=N "
               "--max-nodes=M]", _create, flags=(*POOL_FLAGS, "num-nodes", "machine-type", "min-nodes",
                                                "max-nodes"), switches=("enable-autoscaling",)),
    RunCommand("gcloud", ("container", "node-pools", "update"), "gcloud container node-pools update NAME "
               "--cluster=C (--machine-type=T | --enable-autoscaling --min-nodes=N --max-nodes=M)", _update,
               flags=(*POOL_FLAGS, "machine-type", "min-nodes", "max-nodes"), switches=("enable-autoscaling",)),
    RunCommand("gcloud", ("container", "node-pools", "delete"), "gcloud container node-pools delete NAME "
               "--cluster=C [--quiet]", _delete, flags=POOL_FLAGS, switches=("quiet",)),
    RunCommand("gcloud", ("container", "clusters", "resize"), "gcloud container clusters resize C "
               "--node-pool=POOL --num-nodes=N [--quiet]", _resize, flags=(*WHERE, "node-pool", "num-nodes"),
               switches=("quiet",)),
    UPDATE,
)
