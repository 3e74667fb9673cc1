"""Field-level knowledge: how list items are matched, which changes force replacement, what only apply can know."""

from __future__ import annotations

MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "ports": ("containerPort", "port"),
    "conditions": ("type",),
}
"""List field name -> candidate merge keys (Kubernetes' strategic-merge keys: containers and env by `name`, container
ports by `containerPort`, Service ports by `port`). The first key every item has, with unique values, is used; a list
without one is compared by position."""

REPLACE_PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    "deployment": (
        ("spec.selector", "spec.selector is immutable in apps/v1: the Deployment is deleted and created again"),
    ),
    "service": (
        ("spec.clusterIP", "spec.clusterIP is immutable once set: the Service is deleted and created again"),
        ("spec.clusterIPs", "spec.clusterIPs is immutable once set"),
        ("spec.ipFamilies", "spec.ipFamilies is immutable"),
    ),
    "cluster": (
        ("spec.location", "a cluster cannot move: location is immutable"),
        ("spec.initialNodeCount", "initialNodeCount is immutable; resize with a ContainerNodePool's nodeCount "
                                  "(and the cnrm.cloud.google.com/remove-default-node-pool annotation)"),
        ("spec.nodeConfig", "the default pool's nodeConfig is immutable on ContainerCluster"),
        ("spec.ipAllocationPolicy", "Pod and Service ranges are fixed when a cluster is created"),
        ("spec.networkingMode", "networkingMode is fixed when a cluster is created"),
        ("spec.privateClusterConfig", "private cluster settings are immutable"),
    ),
    "nodepool": (
        ("spec.clusterRef", "a node pool cannot move to another cluster"),
        ("spec.location", "a node pool's location is immutable"),
        ("spec.initialNodeCount", "initialNodeCount is immutable; change nodeCount to resize"),
        ("spec.maxPodsPerNode", "maxPodsPerNode is immutable"),
        ("spec.nodeConfig.machineType", "Config Connector marks nodeConfig.machineType immutable"),
        ("spec.nodeConfig.diskSizeGb", "Config Connector marks nodeConfig.diskSizeGb immutable"),
        ("spec.nodeConfig.diskType", "Config Connector marks nodeConfig.diskType immutable"),
        ("spec.nodeConfig.imageType", "Config Connector marks nodeConfig.imageType immutable"),
        ("spec.nodeConfig.preemptible", "Config Connector marks nodeConfig.preemptible immutable"),
        ("spec.nodeConfig.spot", "Config Connector marks nodeConfig.spot immutable"),
        ("spec.nodeConfig.oauthScopes", "Config Connector marks nodeConfig.oauthScopes immutable"),
        ("spec.nodeConfig.serviceAccountRef", "Config Connector marks nodeConfig.serviceAccountRef immutable"),
        ("spec.nodeConfig.localSsdCount", "Config Connector marks nodeConfig.localSsdCount immutable"),
        ("spec.nodeConfig.minCpuPlatform", "Config Connector marks nodeConfig.minCpuPlatform immutable"),
        ("spec.nodeConfig.metadata", "Config Connector marks nodeConfig.metadata immutable"),
    ),
    "namespace": (),
    "generic": (),
}
"""Per family: (field path prefix, why it forces replacement). Sources: gke-lifecycle.md "What forces replacement",
the apps/v1 API (selector immutable), Config Connector's CRDs (fields marked Immutable). Fields not listed update in
place (e.g. ContainerNodePool nodeConfig.labels, resourceLabels; ContainerCluster releaseChannel)."""

IN_CLUSTER_FAMILIES = frozenset({"nodepool", "deployment", "service", "namespace", "generic"})
"""Everything that goes when its cluster goes: replacing the cluster replaces all of these."""


def known_after_apply(family: str, manifest: dict) -> list[str]:
    """Values only apply can know, shown as `(known after apply)` on create (terraform's wording)."""
    spec = manifest.get("spec") or {}
    if family == "service":
        out = []
        if spec.get("type") != "ExternalName" and "clusterIP" not in spec:
            out.append("spec.clusterIP")
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            ports = spec.get("ports") or []
            out += [f"spec.ports[port={p.get('port')}].nodePort" for p in ports if "nodePort" not in p]
        if spec.get("type") == "LoadBalancer":
            out.append("status.loadBalancer.ingress[0].ip")
        return out
    if family == "cluster":
        out = ["status.endpoint"]
        if "clusterIpv4CidrBlock" not in (spec.get("ipAllocationPolicy") or {}):
            out.insert(0, "spec.ipAllocationPolicy.clusterIpv4CidrBlock")
        return [*out, "status.nodes"]
    if family == "nodepool":
        return ["status.instanceGroupUrls", "status.nodes"]
    if family == "deployment":
        return ["status.replicaSet", "status.pods"]
    return []
