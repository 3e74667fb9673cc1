"""What one resource needs to exist before it: the references every kind shares (its Namespace, the cluster, what
its Pod template mounts or names), plus its own (`KindSpec.references`). The order stage turns them into the plan's
`depends_on` edges between resources that change together.

Each reason is a fact with its source beside it; a reference marked `optional: true` is no dependency (the Pod
starts without it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.kinds.base import THE_CLUSTER, KindSpec, Manifest, Ref

NAMESPACE = ("a namespaced object is stored in its Namespace: kube-apiserver's NamespaceLifecycle admission refuses "
             "objects in a namespace that does not exist")
"""https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle"""
IN_CLUSTER = "stored by the cluster's kube-apiserver, which runs on the control plane the cluster's creation starts"
"""https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture#control_plane"""

POD_REFERENCES: Mapping[str, str] = {
    "ConfigMap": "kubelet cannot start a container whose ConfigMap is missing (the Pod stays in "
                 "ContainerCreating/CreateContainerConfigError)",
    # https://kubernetes.io/docs/concepts/configuration/configmap/#using-configmaps-as-files-from-a-pod
    "Secret": "kubelet cannot start a container whose Secret is missing (the volume cannot be mounted, the "
              "environment cannot be filled)",
    # https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
    "PersistentVolumeClaim": "kube-scheduler does not bind a Pod whose PersistentVolumeClaim does not exist "
                             "(persistentvolumeclaim not found)",
    # https://kubernetes.io/docs/concepts/storage/persistent-volumes/#claims-as-volumes
    "ServiceAccount": "the ServiceAccount admission plugin refuses a Pod whose serviceAccountName does not exist",
    # https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#serviceaccount-admission-controller
    "PullSecret": "kubelet cannot pull a private image without its imagePullSecrets Secret",
    # https://kubernetes.io/docs/concepts/containers/images/#referring-to-an-imagepullsecrets-on-a-pod
}


def pod_references(pod: Mapping[str, Any] | None, namespace: str | None) -> list[Ref]:
    """The ConfigMaps, Secrets, claims and ServiceAccount a Pod spec needs (k8s.io/api core/v1 PodSpec)."""
    if not isinstance(pod, Mapping):
        return []
    ns = namespace or "default"
    found: list[tuple[str, Any]] = []
    for volume in _items(pod.get("volumes")):
        found += _volume_refs(volume)
    for container in [*_items(pod.get("initContainers")), *_items(pod.get("containers"))]:
        for source in _items(container.get("envFrom")):
            found += [(kind, _required(source.get(key), "name")) for key, kind in
                      (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))]
        for env in _items(container.get("env")):
            value_from = _mapping(env.get("valueFrom"))
            found += [(kind, _required(value_from.get(key), "name")) for key, kind in
                      (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret"))]
    found += [("PullSecret", item.get("name")) for item in _items(pod.get("imagePullSecrets"))]
    found.append(("ServiceAccount", pod.get("serviceAccountName")))
    out: dict[str, Ref] = {}
    for kind, name in found:
        if isinstance(name, str) and name:
            address = f"{'Secret' if kind == 'PullSecret' else kind}/{ns}/{name}"
            out.setdefault(address, Ref(address, POD_REFERENCES[kind]))
    return list(out.values())


def _volume_refs(volume: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out = [("ConfigMap", _required(volume.get("configMap"), "name")),
           ("Secret", _required(volume.get("secret"), "secretName")),
           ("PersistentVolumeClaim", _required(volume.get("persistentVolumeClaim"), "claimName"))]
    projected = _mapping(volume.get("projected"))
    for source in _items(projected.get("sources")):
        out += [("ConfigMap", _required(source.get("configMap"), "name")),
                ("Secret", _required(source.get("secret"), "name"))]
    return out


def _required(ref: Any, key: str) -> Any:
    """The referenced name, unless the reference is absent or `optional: true`."""
    if not isinstance(ref, Mapping) or ref.get("optional") is True:
        return None
    return ref.get(key)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def references(spec: KindSpec, manifest: Manifest, namespace: str | None) -> list[Ref]:
    """Everything a resource needs first, its own references before the shared ones, one per address. The last is
    its container: its Namespace when it has one, else the cluster (for kinds that live in it)."""
    found = list(spec.references(manifest, namespace)) if spec.references is not None else []
    if spec.pod_spec is not None:
        found += pod_references(spec.pod_spec(manifest), namespace)
    if namespace is not None:
        found.append(Ref(f"Namespace/{namespace}", NAMESPACE))
    if spec.in_cluster:
        found.append(Ref(THE_CLUSTER, IN_CLUSTER))
    out: dict[str, Ref] = {}
    for ref in found:
        out.setdefault(ref.address, ref)
    return list(out.values())
