"""The imperative equivalents of the small Kubernetes kinds (Namespace, Secret, HorizontalPodAutoscaler): each kind's
`KindSpec.imperative`, built from planner.kinds.imperative. The bigger kinds keep theirs beside them
(deployment/commands.py, service/commands.py; gcloud.py for the Google Cloud kinds).

Flags: `kubectl create namespace NAME`, `kubectl create secret generic NAME --from-file=KEY=PATH` (Opaque only),
`kubectl autoscale KIND NAME --min --max --cpu=N%` (kubectl v1.34 reference,
https://kubernetes.io/docs/reference/kubectl/generated/kubectl_autoscale/; `--cpu-percent` is its older spelling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import imperative as imp

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.plan import FieldChange, ResourceChange

SECRET_FIELDS = ("data", "stringData")
SECRET_NOTE = ("# the values stay out of the command: write each key's value to the file named after it first "
               "(planner never prints a Secret value)")


def _namespace(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    metadata = manifest.get("metadata") or {}
    if set(manifest) - {"apiVersion", "kind", "metadata"} or set(metadata) - {"name", "labels"}:
        return imp.apply_manifest(manifest)
    labels = metadata.get("labels") or {}
    return [imp.cmd("kubectl", "create", "namespace", change.name), *(
        [imp.cmd("kubectl", "label", "namespace", change.name, *[f"{k}={v}" for k, v in labels.items()])]
        if labels else [])]


namespace = imp.kubernetes(_namespace)


def _secret_files(manifest: dict[str, Any]) -> list[str]:
    keys = sorted({*(manifest.get("data") or {}), *(manifest.get("stringData") or {})})
    return [f"--from-file={key}=./{key}" for key in keys]


def _secret(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    metadata = manifest.get("metadata") or {}
    if set(manifest) - {"apiVersion", "kind", "metadata", "type", *SECRET_FIELDS} or set(metadata) - {
            "name", "namespace"} or manifest.get("type", "Opaque") != "Opaque":
        return imp.apply_manifest(manifest, SECRET_FIELDS)
    return [SECRET_NOTE, imp.cmd("kubectl", "create", "secret", "generic", change.name, *imp.ns(change),
                                 *_secret_files(manifest))]


def _secret_values(change: ResourceChange, changes: Sequence[FieldChange]) -> list[str]:
    """Changed values: the secret made again from files, piped to apply (kubectl's documented way to update one)."""
    manifest = imp.written(change)
    if manifest.get("type", "Opaque") != "Opaque":
        return imp.apply_manifest(manifest, SECRET_FIELDS)
    made = imp.cmd("kubectl", "create", "secret", "generic", change.name, *imp.ns(change), *_secret_files(manifest),
                   "--dry-run=client", "-o", "yaml")
    return [SECRET_NOTE, f"{made} | kubectl apply -f -"]


secret = imp.kubernetes(_secret, [("data", _secret_values), ("stringData", _secret_values)], SECRET_FIELDS)


def _autoscale(change: ResourceChange, others: imp.Others) -> list[str]:
    manifest = imp.written(change)
    spec = manifest.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics = spec.get("metrics") or []
    resource = (metrics[0].get("resource") or {}) if len(metrics) == 1 and metrics[0].get("type") == "Resource" \
        else {}
    target = resource.get("target") or {}
    cpu = target.get("averageUtilization") if resource.get("name") == "cpu" and target.get("type") == "Utilization" \
        else None
    metadata = manifest.get("metadata") or {}
    if (metrics and cpu is None) or set(spec) - {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics"} or \
            ref.get("kind") not in ("Deployment", "StatefulSet", "ReplicaSet") or set(metadata) - {
            "name", "namespace"} or "maxReplicas" not in spec:
        return imp.apply_manifest(manifest)
    return [imp.cmd("kubectl", "autoscale", str(ref["kind"]).lower(), str(ref.get("name")), *imp.ns(change),
                    *([f"--name={change.name}"] if change.name != ref.get("name") else []),
                    *([f"--min={spec['minReplicas']}"] if "minReplicas" in spec else []),
                    f"--max={spec['maxReplicas']}", *([f"--cpu={cpu}%"] if cpu is not None else []))]


hpa = imp.kubernetes(_autoscale)
