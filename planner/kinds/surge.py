"""GKE's node upgrade strategies: how a node-pool change that recreates nodes (a new machine type, disk or image) is
carried out in place, node by node, instead of replacing the pool.

Sources: the UpgradeSettings message of google/container/v1/cluster_service.proto ("(maxUnavailable + maxSurge)
determines the level of parallelism ... with maxSurge=2, maxUnavailable=1 it creates 2 additional (upgraded) nodes,
then brings down 3 old nodes"); surge and blue-green upgrades
(https://cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies): GKE's default is a surge
upgrade with maxSurge=1 and maxUnavailable=0, and maxSurge and maxUnavailable cannot both be 0; which changes
recreate nodes (https://cloud.google.com/kubernetes-engine/docs/concepts/managing-clusters).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.kinds import nodes
from planner.kinds import sources as src
from planner.kinds.base import Context, Fields, Manifest, NodePoolShape, Problem, S
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.simulate.engine import Engine

UPGRADE_DEFAULTS = {"spec.upgradeSettings.maxSurge": 1, "spec.upgradeSettings.maxUnavailable": 0,
                    "spec.upgradeSettings.strategy": "SURGE"}
"""What GKE uses when a pool sets no upgradeSettings (node-pool-upgrade-strategies: surge, 1 and 0)."""

RECREATES_NODES = (
    "spec.nodeConfig.machineType", "spec.nodeConfig.diskSizeGb", "spec.nodeConfig.diskType",
    "spec.nodeConfig.imageType", "spec.nodeConfig.guestAccelerator", "spec.nodeConfig.gvnic",
    "spec.nodeConfig.confidentialNodes", "spec.nodeConfig.linuxNodeConfig", "spec.nodeConfig.kubeletConfig",
    "spec.nodeConfig.containerdConfig", "spec.nodeConfig.workloadMetadataConfig", "spec.nodeConfig.gcfsConfig",
)
"""nodeConfig fields GKE's UpdateNodePoolRequest changes by recreating every node with the pool's upgrade strategy
(managing-clusters: "changes that recreate the nodes"); labels, taints, tags and resource labels change in place."""


def check(spec: Mapping[str, Any]) -> list[Problem]:
    """The GKE API's rules for upgradeSettings that the CRD (plain int32s) does not state."""
    settings = spec.get("upgradeSettings") or {}
    problems = [Problem(("spec", "upgradeSettings", key), f"{key} must be 0 or more (got {settings[key]})")
                for key in ("maxSurge", "maxUnavailable") if isinstance(settings.get(key), int) and settings[key] < 0]
    if settings.get("maxSurge") == 0 and settings.get("maxUnavailable") == 0:
        problems.append(Problem(("spec", "upgradeSettings"), "maxSurge and maxUnavailable cannot both be 0: GKE could "
                                "not upgrade a single node (node-pool-upgrade-strategies)"))
    return problems


def context(manifest: Manifest, field: Fields, total: int) -> Context:
    """The numbers the upgrade steps quote: how many nodes at a time, in how many batches."""
    blue_green = field(manifest, "spec.upgradeSettings.strategy") == "BLUE_GREEN"
    surge, unavailable = (int(field(manifest, f"spec.upgradeSettings.{k}")) for k in ("maxSurge", "maxUnavailable"))
    parallel = max(1, surge + unavailable)
    return {"blue_green": blue_green, "surge_upgrade": not blue_green, "max_surge": surge,
            "max_unavailable": unavailable, "parallel": parallel,
            "batches": 1 if blue_green else max(1, math.ceil(total / parallel))}


STEPS = (
    S("gke", "container-api", "updates node pool {name} ({changed}): the nodes are recreated with a surge upgrade, "
                              "{parallel} at a time in {batches} batch(es) (maxSurge {max_surge}, maxUnavailable "
                              "{max_unavailable})", "surge_upgrade", source=src.GKE_SURGE_UPGRADE),
    S("gke", "container-api", "updates node pool {name} ({changed}): a blue-green upgrade creates a new set of "
                              "{total} node(s) beside the old ones, drains the old set, then deletes it",
      "blue_green", source=src.GKE_SURGE_UPGRADE),
    S("gke", "compute-engine", "writes a new instance template ({machine_type}); the instance group(s) create the "
                               "surge VMs from it, with new names {vm_pattern}", source=src.GKE_SURGE_UPGRADE),
    S("node", "kubelet", "each new VM's kubelet registers its Node; node-controller and node-ipam-controller "
                         "initialise it as on creation, and it reports Ready", source=src.K8S_NODE_REGISTRATION),
    S("gke", "container-api", "cordons each batch's old nodes (spec.unschedulable) and drains them: their Pods are "
                              "evicted, respecting PodDisruptionBudgets", source=src.GKE_SURGE_UPGRADE),
    S("controller", "replicaset-controller", "recreates the evicted Pods; kube-scheduler binds them to nodes with "
                                             "room, the new nodes among them", source=src.K8S_REPLICASET),
    S("gke", "compute-engine", "deletes the old VMs, one batch after another", source=src.GKE_SURGE_UPGRADE),
    S("controller", "node-controller", "deletes the old Node objects", source=src.K8S_NODE_CONTROLLER),
    *nodes.LB_NODES_ADDED,
    *nodes.LB_NODES_REMOVED,
)


def upgrade(engine: Engine, pool: dict[str, Any], shape: NodePoolShape, manifest: Manifest,
            field: Fields) -> tuple[list[str], list[str], int]:
    """Recreate every node of `pool` with the new shape, zone by zone, batch by batch (blue-green: all new nodes
    first, then the old ones drained). Returns (new node names, old node names, Pods Pending afterwards)."""
    world = engine.world
    settings = context(manifest, field, len(pool["nodes"]))
    surge, parallel = settings["max_surge"], settings["parallel"]
    prefix = nodes.vm_prefix(engine, shape, pool)
    old_names = nodes.names_event(pool["nodes"])
    avoid = set(old_names)
    added: list[str] = []
    pending = 0
    for zone in shape.zones:
        old = [n for n in pool["nodes"] if objects.node_zone(n) == zone]
        batches = [old] if settings["blue_green"] else [old[i:i + parallel] for i in range(0, len(old), parallel)]
        for batch in batches:
            first = len(batch) if settings["blue_green"] else min(surge, len(batch))
            made = _create(engine, pool, shape, zone, first, prefix, avoid)  # surge nodes before any drain
            gone = {objects.node_name(n) for n in batch}
            evicted = world.delete_nodes(sorted(gone))
            pool["nodes"] = [n for n in pool["nodes"] if objects.node_name(n) not in gone]
            made += _create(engine, pool, shape, zone, len(batch) - first, prefix, avoid)
            added += made
            pending = world.reschedule(evicted)
    return added, old_names, pending


def _create(engine: Engine, pool: dict[str, Any], shape: NodePoolShape, zone: str, count: int, prefix: str,
            avoid: set[str]) -> list[str]:
    """`count` new VMs in `zone`, never reusing a name the pool had before the upgrade."""
    if count <= 0:
        return []
    have = sum(1 for n in pool["nodes"] if objects.node_zone(n) == zone)
    made = engine.world.create_nodes(prefix, shape.pool, [zone], have + count, shape.machine_type, shape.max_pods,
                                     existing=pool["nodes"], labels=dict(shape.labels), avoid=avoid)
    pool["nodes"] = pool["nodes"] + made
    names = nodes.names_event(made)
    avoid.update(names)
    return names
