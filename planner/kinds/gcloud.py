"""The `gcloud` commands of the Google Cloud kinds (ContainerCluster, ContainerNodePool, ComputeNetwork,
ComputeSubnetwork): each kind's `KindSpec.imperative`, beside the tables of which manifest field is which flag.

A manifest holding a field no flag below sets is created with `kubectl apply -f -` of its Config Connector manifest
(what a team running Config Connector types); so is an update no `update` flag covers.

Flags, from the gcloud reference (https://cloud.google.com/sdk/gcloud/reference/container/clusters/create,
.../clusters/create-auto, .../clusters/update, .../clusters/resize (`--node-pool`, `--num-nodes`, `--location`),
.../clusters/delete, .../container/node-pools/create, .../node-pools/update (`--machine-type`, `--disk-size`,
`--disk-type` together; `--enable-autoscaling --min-nodes --max-nodes`; `--enable-autorepair --enable-autoupgrade`;
`--node-labels`), .../node-pools/delete, .../compute/networks/create (`--subnet-mode`), .../networks/subnets/create
(`--network --region --range --secondary-range`)).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from planner.kinds import imperative as imp
from planner.knowledge.naming import split_location

if TYPE_CHECKING:
    from planner.plan import ResourceChange

Flag = Callable[[Any], tuple[str, ...]]
def location(value: str) -> tuple[str, ...]:
    """`--zone` for a zone (us-central1-b), `--region` for a region: the tutorial's flags (naming.split_location
    tells them apart)."""
    return (f"--zone={value}",) if split_location(value)[1] else (f"--region={value}",)


def _flag(name: str, lower: bool = False) -> Flag:
    return lambda value: (f"--{name}={str(value).lower() if lower else value}",)


def _switch(name: str) -> Flag:
    return lambda value: (f"--{name}",) if value else (f"--no-{name}",)


def _labels(value: Mapping[str, str]) -> tuple[str, ...]:
    return ("--node-labels=" + ",".join(f"{k}={v}" for k, v in sorted(value.items())),)


def _secondary(value: Sequence[Mapping[str, str]]) -> tuple[str, ...]:
    return ("--secondary-range=" + ",".join(f"{r.get('rangeName')}={r.get('ipCidrRange')}" for r in value),)


def _ignore(value: Any) -> tuple[str, ...]:
    return ()


_PROJECT = 'metadata.annotations["cnrm.cloud.google.com/project-id"]'
_REMOVE = 'metadata.annotations["cnrm.cloud.google.com/remove-default-node-pool"]'
_COMMON: dict[str, Flag] = {"metadata.name": _ignore, "metadata.namespace": _ignore, "apiVersion": _ignore,
                            "kind": _ignore, _PROJECT: _flag("project"),
                            'metadata.annotations["cnrm.cloud.google.com/deletion-policy"]': _ignore}
CLUSTER_CREATE: dict[str, Flag] = {
    **_COMMON, "spec.location": location, "spec.initialNodeCount": _flag("num-nodes"),
    "spec.nodeConfig.machineType": _flag("machine-type"), "spec.nodeConfig.diskSizeGb": _flag("disk-size"),
    "spec.nodeConfig.diskType": _flag("disk-type"), "spec.nodeConfig.imageType": _flag("image-type"),
    "spec.nodeConfig.labels": _labels, "spec.releaseChannel.channel": _flag("release-channel", lower=True),
    "spec.networkRef.name": _flag("network"), "spec.subnetworkRef.name": _flag("subnetwork"),
    "spec.ipAllocationPolicy.clusterIpv4CidrBlock": _flag("cluster-ipv4-cidr"),
    "spec.ipAllocationPolicy.servicesIpv4CidrBlock": _flag("services-ipv4-cidr"),
    "spec.ipAllocationPolicy.clusterSecondaryRangeName": _flag("cluster-secondary-range-name"),
    "spec.ipAllocationPolicy.servicesSecondaryRangeName": _flag("services-secondary-range-name"),
    "spec.privateClusterConfig.enablePrivateNodes": _switch("enable-private-nodes"),
    "spec.privateClusterConfig.enablePrivateEndpoint": _switch("enable-private-endpoint"),
    "spec.privateClusterConfig.masterIpv4CidrBlock": _flag("master-ipv4-cidr"),
    "spec.minMasterVersion": _flag("cluster-version"), "spec.removeDefaultNodePool": _ignore, _REMOVE: _ignore,
    "spec.enableAutopilot": _ignore, "spec.networkingMode": lambda v: ("--enable-ip-alias",) if v == "VPC_NATIVE"
    else ("--no-enable-ip-alias",),
}
"""ContainerCluster field -> `gcloud container clusters create` flag(s). removeDefaultNodePool has no flag: the
command is followed by `gcloud container node-pools delete default-pool`."""
AUTOPILOT_CREATE = {k: CLUSTER_CREATE[k] for k in (
    *_COMMON, "spec.location", "spec.releaseChannel.channel", "spec.networkRef.name", "spec.subnetworkRef.name",
    "spec.ipAllocationPolicy.clusterIpv4CidrBlock", "spec.ipAllocationPolicy.servicesIpv4CidrBlock",
    "spec.ipAllocationPolicy.clusterSecondaryRangeName", "spec.ipAllocationPolicy.servicesSecondaryRangeName",
    "spec.privateClusterConfig.enablePrivateNodes", "spec.privateClusterConfig.enablePrivateEndpoint",
    "spec.privateClusterConfig.masterIpv4CidrBlock", "spec.minMasterVersion", "spec.enableAutopilot",
    "spec.networkingMode")}
"""`gcloud container clusters create-auto` takes no node flags (Autopilot manages the nodes)."""
CLUSTER_UPDATE: dict[str, Flag] = {
    "spec.releaseChannel.channel": _flag("release-channel", lower=True),
    "spec.privateClusterConfig.enablePrivateEndpoint": _switch("enable-private-endpoint"),
}
"""ContainerCluster field -> `gcloud container clusters update` flag."""
POOL_CREATE: dict[str, Flag] = {
    **_COMMON, "spec.location": location, "spec.clusterRef.name": lambda name: (f"--cluster={name}",),
    "spec.initialNodeCount": _flag("num-nodes"), "spec.nodeCount": _flag("num-nodes"),
    "spec.nodeConfig.machineType": _flag("machine-type"), "spec.nodeConfig.diskSizeGb": _flag("disk-size"),
    "spec.nodeConfig.diskType": _flag("disk-type"), "spec.nodeConfig.imageType": _flag("image-type"),
    "spec.nodeConfig.labels": _labels, "spec.maxPodsPerNode": _flag("max-pods-per-node"),
    "spec.autoscaling.minNodeCount": _flag("min-nodes"), "spec.autoscaling.maxNodeCount": _flag("max-nodes"),
    "spec.management.autoRepair": _switch("enable-autorepair"),
    "spec.management.autoUpgrade": _switch("enable-autoupgrade"), "spec.nodeLocations": lambda v: (
        "--node-locations=" + ",".join(v),),
    "spec.upgradeSettings.maxSurge": _flag("max-surge-upgrade"),
    "spec.upgradeSettings.maxUnavailable": _flag("max-unavailable-upgrade"),
}
"""ContainerNodePool field -> `gcloud container node-pools create` flag(s); autoscaling adds --enable-autoscaling."""
POOL_UPDATE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("spec.nodeConfig.machineType", ("spec.nodeConfig.machineType", "spec.nodeConfig.diskSizeGb",
                                     "spec.nodeConfig.diskType")),
    ("spec.nodeConfig.diskSizeGb", ("spec.nodeConfig.machineType", "spec.nodeConfig.diskSizeGb",
                                    "spec.nodeConfig.diskType")),
    ("spec.nodeConfig.diskType", ("spec.nodeConfig.machineType", "spec.nodeConfig.diskSizeGb",
                                  "spec.nodeConfig.diskType")),
    ("spec.nodeConfig.imageType", ("spec.nodeConfig.imageType",)),
    ("spec.nodeConfig.labels", ("spec.nodeConfig.labels",)),
    ("spec.management", ("spec.management.autoRepair", "spec.management.autoUpgrade")),
    ("spec.upgradeSettings", ("spec.upgradeSettings.maxSurge", "spec.upgradeSettings.maxUnavailable")),
)
"""Changed field -> the `gcloud container node-pools update` flags that change it (the reference takes machine type,
disk size and disk type together, so all three are given)."""


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of a manifest's leaves in the plan's path syntax; lists and empty maps are leaves."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            plain = re.fullmatch(r"[A-Za-z0-9_-]+", key)
            yield from leaves(item, f"{prefix}.{key}" if plain and prefix else key if plain else f'{prefix}["{key}"]')
    else:
        yield prefix, value


def flags(manifest: Mapping[str, Any], table: Mapping[str, Flag]) -> list[str] | None:
    """Every leaf's flags, or None when one has no flag (the manifest needs `kubectl apply -f -`)."""
    out: list[str] = []
    for path, value in leaves(dict(manifest)):
        flag = table.get(path)
        if flag is None:
            if value in ({}, None) or path.startswith("spec.autoscaling"):
                continue
            return None
        out += flag(value)
    return out


def _get(manifest: Any, path: str) -> Any:
    return imp.get(manifest, path.split("."))


def _where(change: ResourceChange) -> tuple[str, ...]:
    manifest = change.after or change.before or {}
    return (*location(str(_get(manifest, "spec.location") or "")), *_project(manifest))


def _project(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    project = (_get(manifest, "metadata.annotations") or {}).get("cnrm.cloud.google.com/project-id")
    return (f"--project={project}",) if project else ()


def _cluster_create(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    auto = bool(_get(manifest, "spec.enableAutopilot"))
    found = flags(manifest, AUTOPILOT_CREATE if auto else CLUSTER_CREATE)
    if found is None:
        return imp.apply_manifest(manifest)
    if not auto and not any(f.startswith("--num-nodes=") for f in found):  # the tutorial's flag, default or not
        found.append(f"--num-nodes={_get(change.after, 'spec.initialNodeCount')}")
    out = [imp.cmd("gcloud", "container", "clusters", "create-auto" if auto else "create", change.name, *found)]
    if _get(manifest, "spec.removeDefaultNodePool") or (_get(manifest, "metadata.annotations") or {}).get(
            "cnrm.cloud.google.com/remove-default-node-pool") == "true":
        out.append(imp.cmd("gcloud", "container", "node-pools", "delete", "default-pool", f"--cluster={change.name}",
                           *_where(change), "--quiet"))
    return out


def _cluster_update(change: ResourceChange) -> list[str]:
    done = [c for c in change.changes if c.path in CLUSTER_UPDATE and c.after is not None]
    rest = [c for c in change.changes if c not in done]
    out = [imp.cmd("gcloud", "container", "clusters", "update", change.name, *_where(change),
                   *CLUSTER_UPDATE[c.path](c.after)) for c in done]
    return out + (imp.apply_manifest(imp.written(change)) if rest else [])


def _cluster_delete(change: ResourceChange) -> list[str]:
    return [imp.cmd("gcloud", "container", "clusters", "delete", change.name, *_where(change), "--quiet")]


def cluster(change: ResourceChange, others: imp.Others) -> imp.Commands:
    return imp.by_action(change, others, _cluster_create, _cluster_update, _cluster_delete)


def _pool_args(change: ResourceChange) -> tuple[str, ...]:
    manifest = change.after or change.before or {}
    return (f"--cluster={_get(manifest, 'spec.clusterRef.name')}", *_where(change))


def _pool_create(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    found = flags(manifest, POOL_CREATE)
    if found is None or _get(manifest, "spec.clusterRef.name") is None:
        return imp.apply_manifest(manifest)
    auto = ["--enable-autoscaling"] if _get(manifest, "spec.autoscaling") else []
    return [imp.cmd("gcloud", "container", "node-pools", "create", change.name,
                    *[f for f in found if not f.startswith("--cluster=")], *_pool_args(change)[:1], *auto)]


def _pool_update(change: ResourceChange) -> list[str]:
    after = change.after or {}
    out: list[str] = []
    claimed: set[str] = set()
    verbs: list[tuple[str, ...]] = []
    for c in change.changes:
        if c.path == "spec.nodeCount" and c.after is not None:
            claimed.add(c.path)
            cluster_name = _get(after, "spec.clusterRef.name")
            out.append(imp.cmd("gcloud", "container", "clusters", "resize", cluster_name, f"--node-pool={change.name}",
                               f"--num-nodes={c.after}", *_where(change), "--quiet"))
        elif c.path.startswith("spec.autoscaling"):
            claimed.add(c.path)
            if ("autoscaling",) not in verbs:
                verbs.append(("autoscaling",))
        else:
            for prefix, paths in POOL_UPDATE:
                if c.path == prefix or c.path.startswith((prefix + ".", prefix + "[")):
                    claimed.add(c.path)
                    if paths not in verbs:
                        verbs.append(paths)
                    break
    for paths in verbs:
        if paths == ("autoscaling",):
            lo, hi = _get(after, "spec.autoscaling.minNodeCount"), _get(after, "spec.autoscaling.maxNodeCount")
            found = ["--enable-autoscaling", f"--min-nodes={lo}", f"--max-nodes={hi}"] if hi is not None else [
                "--no-enable-autoscaling"]
        else:
            found = [f for p in paths if _get(after, p) is not None for f in POOL_CREATE[p](_get(after, p))]
        if found:
            out.append(imp.cmd("gcloud", "container", "node-pools", "update", change.name, *_pool_args(change),
                               *found))
    rest = [c for c in change.changes if c.path not in claimed]
    return out + (imp.apply_manifest(imp.written(change)) if rest else [])


def _pool_delete(change: ResourceChange) -> list[str]:
    return [imp.cmd("gcloud", "container", "node-pools", "delete", change.name, *_pool_args(change), "--quiet")]


def nodepool(change: ResourceChange, others: imp.Others) -> imp.Commands:
    return imp.by_action(change, others, _pool_create, _pool_update, _pool_delete)


NETWORK_CREATE: dict[str, Flag] = {**_COMMON, "spec.autoCreateSubnetworks": lambda v: (
    f"--subnet-mode={'auto' if v else 'custom'}",), "spec.routingMode": _flag("bgp-routing-mode", lower=True)}
SUBNET_CREATE: dict[str, Flag] = {**_COMMON, "spec.region": _flag("region"), "spec.ipCidrRange": _flag("range"),
                                  "spec.networkRef.name": _flag("network"), "spec.secondaryIpRange": _secondary,
                                  "spec.privateIpGoogleAccess": _switch("enable-private-ip-google-access")}


def _compute(what: tuple[str, ...], table: Mapping[str, Flag], region: bool = False) -> imp.Hook:
    def create(change: ResourceChange, others: imp.Others) -> list[str]:
        manifest = imp.written(change)
        found = flags(manifest, table)
        if found is None:
            return imp.apply_manifest(manifest)
        return [imp.cmd("gcloud", "compute", *what, "create", change.name, *found)]

    def update(change: ResourceChange) -> list[str]:
        return imp.apply_manifest(imp.written(change))

    def delete(change: ResourceChange) -> list[str]:
        manifest = change.before or {}
        where = (f"--region={_get(manifest, 'spec.region')}",) if region else ()
        return [imp.cmd("gcloud", "compute", *what, "delete", change.name, *where, *_project(manifest), "--quiet")]

    return lambda change, others: imp.by_action(change, others, create, update, delete)


network = _compute(("networks",), NETWORK_CREATE)
subnetwork = _compute(("networks", "subnets"), SUBNET_CREATE, region=True)

