"""StatefulSet (apps/v1): Pods with a stable identity `<name>-<ordinal>`, a stable DNS name through their governing
headless Service, and a disk each (volumeClaimTemplates) that follows them across restarts.

Sources: StatefulSets (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/), GKE StatefulSets
(https://cloud.google.com/kubernetes-engine/docs/concepts/statefulset), pkg/apis/apps/validation/validation.go
(ValidateStatefulSetSpec, ValidateStatefulSetUpdate), pkg/controller/statefulset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.errors import Diagnostic
from planner.kinds import imperative, podrules, volumeclaim, workloads
from planner.kinds.base import GetView, KindSpec, Manifest, Problem, Rank, Ref, Schema
from planner.kinds.statefulset import apply, steps
from planner.kinds.statefulset.live import (
    DEFAULTS,
    FAMILY,
    ON_DELETE,
    StatefulSetLive,
    claim_templates,
    field,
    template_name,
)
from planner.selectors import selector_matches
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.relations import SelectorIndex
    from planner.state import State

__all__ = ["FAMILY", "SPEC"]

UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
             "minReadySeconds")
"""The only spec fields kube-apiserver lets an update change (ValidateStatefulSetUpdate in
kubernetes pkg/apis/apps/validation/validation.go); any other forces a new StatefulSet."""
_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
              "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


# ---------------------------------------------------------------- validation


def _check(data: Manifest) -> list[Problem]:
    """ValidateStatefulSetSpec's rules that the schemas do not hold (pkg/apis/apps/validation/validation.go)."""
    problems: list[Problem] = []
    name = (data.get("metadata") or {}).get("name")
    if isinstance(name, str) and ("." in name or len(name) > 63):
        problems.append(Problem(("metadata", "name"), "a StatefulSet's name must be a DNS-1123 label (at most 63 "
                                                      "characters, no dots): its Pods' host names are built from it"))
    spec = data.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        problems.append(Problem(("spec", "selector"), "empty selector is invalid for statefulset"))
    elif not selector_matches(selector, workloads.pod_labels(data)):
        problems.append(Problem(("spec", "template", "metadata", "labels"), "`selector` does not match template "
                                                                            "`labels`"))
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") == ON_DELETE and strategy.get("rollingUpdate") is not None:
        problems.append(Problem(("spec", "updateStrategy", "rollingUpdate"), "only allowed for updateStrategy "
                                                                             "'RollingUpdate'"))
    pod = workloads.pod_spec(data)
    if pod.get("restartPolicy") not in (None, "Always"):
        problems.append(Problem(("spec", "template", "spec", "restartPolicy"), f'unsupported value '
                                                                               f'"{pod.get("restartPolicy")}": '
                                                                               'supported values: "Always"'))
    if pod.get("activeDeadlineSeconds") is not None:
        problems.append(Problem(("spec", "template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in "
                                                                                       "StatefulSet is not Supported"))
    seen: set[str] = set()
    for i, template in enumerate(spec.get("volumeClaimTemplates") or ()):
        if not isinstance(template, dict):
            continue
        claim = template_name(template)
        if claim == "?":
            problems.append(Problem(("spec", "volumeClaimTemplates", i, "metadata"), 'missing required field "name"'))
        elif claim in seen:
            problems.append(Problem(("spec", "volumeClaimTemplates", i, "metadata", "name"),
                                    f'duplicate volumeClaimTemplate "{claim}"'))
        seen.add(claim)
        problems += volumeclaim.claim_problems(template.get("spec") or {}, ("spec", "volumeClaimTemplates", i, "spec"))
    return problems + podrules.validate_pod_template(spec.get("template") or {}, ("spec", "template"), seen)


def _cross_check(mine: list[tuple[str, str, str, Manifest]], index: SelectorIndex,
                 lookup: Mapping[str, tuple[str, Manifest]]) -> list[Diagnostic]:
    """The governing Service: without it (or when it is not headless) the Pods get no stable DNS names."""
    out: list[Diagnostic] = []
    for address, namespace, _name, manifest in mine:
        service = field(manifest, "spec.serviceName")
        if not service:
            out.append(Diagnostic("warning", "spec.serviceName is not set: its Pods get no stable DNS names "
                                             "(<pod>.<service>.<namespace>.svc.cluster.local needs a governing "
                                             "headless Service)", address=address, path="spec"))
            continue
        found = lookup.get(f"Service/{namespace}/{service}")
        if found is None:
            out.append(Diagnostic("warning", f'governing Service "{service}" is not in the input: kube-dns has no '
                                             f"record for its Pods' names ({_name}-0.{service}.{namespace}.svc."
                                             "cluster.local); declare it as a headless Service (clusterIP: None)",
                                  address=address, path="spec.serviceName"))
        elif ((found[1].get("spec") or {}).get("clusterIP")) != "None":
            out.append(Diagnostic("warning", f'governing Service "{service}" is not headless (clusterIP: None): '
                                             "kube-dns gives the Pods no per-Pod names behind a ClusterIP",
                                  address=address, path="spec.serviceName"))
    return out


# ---------------------------------------------------------------- get


def _rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in state.of_family(FAMILY):
        status = resource.status
        observed = status.get("status") or {}
        pods = status.get("pods") or []
        containers = workloads.pod_spec(resource.manifest).get("containers") or []
        ready = sum(1 for p in pods if objects.pod_node(p))
        out.append({"namespace": resource.namespace, "name": resource.name,
                    "ready": f"{ready}/{field(resource.manifest, 'spec.replicas')}",
                    "created": objects.created(status),
                    "containers": ",".join(str(c.get("name")) for c in containers),
                    "images": ",".join(str(c.get("image")) for c in containers),
                    "serviceName": field(resource.manifest, "spec.serviceName") or "<none>",
                    "revision": observed.get("updateRevision", ""),
                    "claims": ",".join(template_name(t) for t in claim_templates(resource.manifest)) or "<none>"})
    return out


def _references(manifest: Manifest, namespace: str | None) -> list[Ref]:
    """The governing Service: "You are responsible for creating this Service" (StatefulSet limitations,
    https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations)."""
    service = (manifest.get("spec") or {}).get("serviceName")
    return [Ref(f"Service/{namespace or 'default'}/{service}", "a StatefulSet's headless governing Service gives its "
                                                              "Pods their stable DNS names: its serviceName")] \
        if isinstance(service, str) and service else []


SPEC = KindSpec(
    imperative=imperative.kubernetes(verbs=imperative.workload_verbs()),
    family=FAMILY,
    references=_references,
    kinds=(("apps/v1", "StatefulSet"),),
    rank=Rank(6, "workloads start once their configuration, identities and Services exist (a StatefulSet's "
                 "governing Service must exist before it)"),
    steps=steps.STEPS,
    handlers={"create": apply.create, "update": apply.update, "delete": apply.delete},
    schema=Schema(constraints="StatefulSet"),
    check=_check,
    cross_check=_cross_check,
    defaults=DEFAULTS,
    replace_paths=tuple((f"spec.{f}", f"spec.{f} cannot change (kube-apiserver: {_FORBIDDEN}): the StatefulSet "
                                      "is deleted and created again")
                        for f in ("selector", "serviceName", "volumeClaimTemplates", "podManagementPolicy",
                                  "revisionHistoryLimit")),
    change_classes=(("spec.replicas", "scale"), ("spec.ordinals", "scale"), ("spec.template", "rollout"),
                    ("", "store")),
    # scale first: the controller deletes surplus Pods before it updates the rest (stateful_set_control.go)
    subsumes={"rollout": ("store",), "scale": ("store",)},
    context=steps.context,
    known_after_apply=lambda manifest: ["status.currentRevision", "status.pods", "status.claims"],
    views=(
        GetView("statefulsets", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"),
                                        ("AGE", "age")),
                (("CONTAINERS", "containers"), ("IMAGES", "images"), ("SERVICE", "serviceName"),
                 ("REVISION", "revision"), ("CLAIMS", "claims")), aliases=("statefulset", "sts"),
                 resource="statefulset.apps"),
    ),
    status_lines=apply.status_lines,
    status_warnings=apply.status_warnings,
    restore=apply.restore,
    resume=apply.resume,
    live=StatefulSetLive,
    pod_spec=workloads.pod_spec,
    pod_labels=workloads.pod_labels,
    messages={
        **workloads.MESSAGES,
        "statefulset-created": "StatefulSet {name} with {replicas} replica(s)",
        "statefulset-updated": "StatefulSet {name}: revision {revision} on {updated}/{replicas} Pod(s)",
        "statefulset-deleted": "StatefulSet {name} and {pods} Pod(s) deleted",
        "pods-created": "created {count} Pod(s): {names}",
        "pods-updated": "replaced {count} Pod(s) with the new revision, highest ordinal first: {names}",
        "pods-deleted": "deleted {count} Pod(s), highest ordinal first: {names}",
        "claims-created": "created {count} PersistentVolumeClaim(s): {names}",
        "claims-deleted": "deleted {count} PersistentVolumeClaim(s) and their disks: {names}",
        "claims-kept": "kept {count} PersistentVolumeClaim(s) and their disks (whenDeleted: Retain; no longer "
                       "tracked): {names}",
        "disks-created": "Compute Engine created {count} disk(s): {names}",
        "waiting": "statefulset-controller waits for {pod} to be Running and Ready before it goes on",
        "pending-elsewhere": "{count} Pending Pod(s) elsewhere still Pending",
    },
)
