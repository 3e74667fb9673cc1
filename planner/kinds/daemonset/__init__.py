"""DaemonSet (apps/v1): one Pod on each eligible node, created by the DaemonSet controller and bound by kube-scheduler,
following the node pools as they grow, shrink, are upgraded or replaced.

Sources: DaemonSet (https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/: "As nodes are added to the
cluster, Pods are added to them. As nodes are removed from the cluster, those Pods are garbage collected"; since
Kubernetes 1.12 (ScheduleDaemonSetPods) "the DaemonSet controller ... adds the NodeAffinity term to the DaemonSet
pods, instead of the .spec.nodeName term" and the default scheduler binds them); kubernetes
pkg/apis/apps/validation/validation.go (the kind's own rules below); cluster-autoscaler
core/podlistprocessor/filter_out_daemon_sets.go (Pending DaemonSet Pods trigger no scale-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner import kinds
from planner.kinds import imperative, podrules, workloads
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, Problem, Rank, S
from planner.kinds.daemonset import apply
from planner.kinds.daemonset.live import (
    CA_DAEMONSETS,
    DEFAULTS,
    DOC,
    DOC_SCHEDULING,
    DOC_UPDATE,
    FAMILY,
    DaemonSetLive,
    field,
    node_selector,
    revision_name,
    rolling_numbers,
)
from planner.knowledge.naming import NODE_POOL_LABEL
from planner.selectors import equality_selector_matches, selector_matches
from planner.simulate import objects
from planner.simulate.controllers import workload_requests

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.state import State

__all__ = ["FAMILY", "SPEC"]


# ---------------------------------------------------------------- validation


def _percent_or_int(value: Any) -> int | None:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check(data: Manifest) -> list[Problem]:
    """kube-apiserver's DaemonSet rules (pkg/apis/apps/validation ValidateDaemonSetSpec and its rollingUpdate rules)."""
    problems: list[Problem] = []
    spec = data.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        problems.append(Problem(("spec", "selector"), "empty selector is invalid for daemonset"))
    elif not selector_matches(selector, workloads.pod_labels(data)):
        problems.append(Problem(("spec", "template", "metadata", "labels"), "`selector` does not match template "
                                                                             "`labels`"))
    pod = workloads.pod_spec(data)
    policy = pod.get("restartPolicy")
    if policy not in (None, "Always"):
        problems.append(Problem(("spec", "template", "spec", "restartPolicy"), f'Unsupported value: "{policy}": a '
                                'DaemonSet\'s Pods run for as long as their node: supported values: "Always"'))
    if pod.get("activeDeadlineSeconds") is not None:
        problems.append(Problem(("spec", "template", "spec", "activeDeadlineSeconds"),
                                "activeDeadlineSeconds in DaemonSet is not Supported", at_key=True))
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if kind not in ("RollingUpdate", "OnDelete"):
        problems.append(Problem(("spec", "updateStrategy", "type"), f'Unsupported value: "{kind}": supported '
                                                                     'values: "RollingUpdate", "OnDelete"'))
    rolling = strategy.get("rollingUpdate")
    if kind == "RollingUpdate" and isinstance(rolling, dict):
        base = ("spec", "updateStrategy", "rollingUpdate")
        values = {key: _percent_or_int(rolling.get(key, default)) for key, default in (("maxUnavailable", 1),
                                                                                    ("maxSurge", 0))}
        for key, value in values.items():
            if value is None:
                problems.append(Problem((*base, key), "must be an integer or percentage (e.g '5%')"))
            elif value < 0:
                problems.append(Problem((*base, key), "must be greater than or equal to 0"))
            elif isinstance(rolling.get(key), str) and value > 100:
                problems.append(Problem((*base, key), "must not be greater than 100%"))
        if values["maxSurge"] and values["maxUnavailable"]:
            problems.append(Problem((*base, "maxSurge"), "may not be set when maxUnavailable is non-zero"))
        elif values["maxSurge"] == 0 and values["maxUnavailable"] == 0:
            problems.append(Problem((*base, "maxUnavailable"), "cannot be 0 when maxSurge is 0"))
    elif kind == "OnDelete" and rolling is not None:
        problems.append(Problem((*("spec", "updateStrategy"), "rollingUpdate"), "may not be specified when strategy "
                                "`type` is 'OnDelete'", at_key=True))
    return problems + podrules.validate_pod_template(spec.get("template") or {}, ("spec", "template"))


# ---------------------------------------------------------------- plan


def planned_nodes(facts: Facts, manifest: Manifest) -> tuple[int, int]:
    """(eligible nodes, all nodes) the pools of the input will have: each pool's shape (its labels, zones and
    count per zone) through the registry, matched against the template's nodeSelector."""
    selector = node_selector(manifest)
    total = fits = 0
    for other in facts.manifests.values():
        hook = kinds.REGISTRY.for_kind(str(other.get("apiVersion")), str(other.get("kind"))).node_pool
        shape = hook(other) if hook is not None else None
        if shape is None:
            continue
        for zone in shape.zones:
            labels = {**dict(shape.labels), NODE_POOL_LABEL: shape.pool, objects.ZONE_LABEL: zone,
                      objects.INSTANCE_TYPE_LABEL: shape.machine_type}
            total += shape.per_zone
            fits += shape.per_zone if equality_selector_matches(selector, labels) else 0
    return fits, total


def _context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    status = facts.statuses.get(op.change.address) or {}
    fits, total = planned_nodes(facts, now)
    pods = len(status.get("pods") or []) if op.phase != "create" else fits
    surge, unavailable = rolling_numbers(now, max(pods, 1))
    selector = node_selector(now)
    where = (f"{fits} of the {total} node(s) whose labels match its nodeSelector "
             f"{', '.join(f'{k}={v}' for k, v in sorted(selector.items()))}" if selector else f"{total} node(s)")
    cpu, memory = workload_requests(now, FAMILY)
    services = facts.services_selecting(op.change.namespace or "default", workloads.pod_labels(now))
    on_delete = field(now, "spec.updateStrategy.type") == "OnDelete"
    previous = (status.get("controllerRevision") or {})
    revision = revision_name(op.change.name, now, op.change.after_digest if now is op.change.after else "")
    return {
        "where": where, "pods": pods, "has_nodes": fits > 0, "no_nodes": fits == 0,
        "requests": f"{cpu}m CPU, {memory}Mi memory" if cpu or memory else "no CPU/memory requests",
        "images": ", ".join(sorted({str(c.get("image") or "?") for c in workloads.pod_spec(now).get("containers")
                                    or []})),
        "max_surge": field(now, "spec.updateStrategy.rollingUpdate.maxSurge") if not on_delete else 0,
        "max_unavailable": field(now, "spec.updateStrategy.rollingUpdate.maxUnavailable") if not on_delete else 0,
        "surge": surge, "unavailable": unavailable, "waves": -(-pods // (surge or unavailable)) if pods else 0,
        "by_surge": bool(surge) and not on_delete, "by_unavailable": not surge and not on_delete,
        "on_delete": on_delete, "strategy": "OnDelete" if on_delete else
        f"RollingUpdate maxUnavailable {field(now, 'spec.updateStrategy.rollingUpdate.maxUnavailable')}, maxSurge "
        f"{field(now, 'spec.updateStrategy.rollingUpdate.maxSurge')}",
        "history": field(now, "spec.revisionHistoryLimit"), "revision": revision,
        "number": (previous.get("revision") or 0) + 1,
        "grace": field(now, "spec.template.spec.terminationGracePeriodSeconds"),
        "selected": bool(services),
        "services": ", ".join(f"{s.split('/')[0]} {s.rsplit('/', 1)[-1]}" for s in services) or "no Service",
    }


_NODE_STEPS = (
    S("cluster-master", "kube-scheduler", "binds each Pod to the one node its affinity names, if that node has room "
                                          "({requests}); a Pod that does not fit stays Pending on its node "
                                          "(cluster-autoscaler adds no node for DaemonSet Pods)", "has_nodes",
      source=f"{DOC_SCHEDULING}; {CA_DAEMONSETS}"),
    S("node", "kubelet", "creates each Pod's sandbox and pulls {images}", "has_nodes", source=src.K8S_POD_LIFECYCLE),
    S("node", "cni", "gives each Pod an IP from its node's Pod range", "has_nodes", source=src.K8S_CNI),
    S("node", "kubelet", "starts the container(s) and reports each Pod Ready", "has_nodes",
      source=src.K8S_POD_LIFECYCLE),
)
STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates, applies defaults ({strategy}, revisionHistoryLimit "
                                              "{history}) and stores DaemonSet {name}", source=DOC),
        S("controller", "daemonset-controller", "stores the template as ControllerRevision {revision} and creates "
                                                "one Pod {name}-<5 chars> for each of {where}: {pods} Pod(s), each "
                                                "with a required node affinity on its node's name", "has_nodes",
          source=DOC_SCHEDULING),
        S("controller", "daemonset-controller", "creates no Pod yet: no eligible node among {where}; each eligible "
                                                "node that registers later (Autopilot's included) gets one",
          "no_nodes", source=DOC),
        *_NODE_STEPS,
        S("controller", "endpointslice-controller", "lists each Pod's IP in the EndpointSlices of {services} (ready: "
                                                    "false until the Pod is Ready)", "selected",
          source=src.K8S_ENDPOINTSLICES),
        S("controller", "daemonset-controller", "from now on follows the nodes: a Pod for each eligible node that "
                                                "joins (a resize, cluster-autoscaler, a new pool or a surge upgrade's "
                                                "new nodes), none left for a node that goes", source=DOC),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes DaemonSet {name} (background cascade)", source=DOC),
        S("controller", "garbage-collector", "deletes its {pods} Pod(s) and its ControllerRevisions",
          source=src.K8S_GARBAGE_COLLECTION),
        S("node", "kubelet", "stops the containers (SIGTERM, {grace}s grace period)", source=src.K8S_POD_LIFECYCLE),
        S("controller", "endpointslice-controller", "drops the Pod IPs from the EndpointSlices of {services}",
          "selected", source=src.K8S_ENDPOINTSLICES),
    ),
    "rollout": (
        S("cluster-master", "kube-apiserver", "stores the new Pod template: {changed}", source=DOC),
        S("controller", "daemonset-controller", "stores ControllerRevision {revision} (revision {number})",
          source=DOC_UPDATE),
        S("controller", "daemonset-controller", "RollingUpdate: deletes the old Pod of at most {unavailable} node(s) "
                                                "at a time and creates the new one there once it is gone "
                                                "(maxUnavailable {max_unavailable}): {pods} node(s) in {waves} "
                                                "wave(s)", "by_unavailable", source=DOC_UPDATE),
        S("controller", "daemonset-controller", "RollingUpdate with surge: starts the new Pod beside the old one on "
                                                "at most {surge} node(s) at a time (maxSurge {max_surge}) and deletes "
                                                "the old Pod once the new one is available: {pods} node(s) in {waves} "
                                                "wave(s)", "by_surge", source=DOC_UPDATE),
        S("cluster-master", "kube-scheduler", "binds each new Pod to its node ({requests}); a new Pod that does not "
                                              "fit stops the rollout", "has_nodes", source=DOC_SCHEDULING),
        S("node", "kubelet", "stops each old Pod (SIGTERM, {grace}s), pulls {images} and starts the new one",
          "has_nodes", source=src.K8S_POD_LIFECYCLE),
        S("controller", "daemonset-controller", "OnDelete: replaces no running Pod; a Pod you delete, and the Pod "
                                                "of each new node, gets the new template", "on_delete",
          source=DOC_UPDATE),
        S("controller", "endpointslice-controller", "swaps each replaced Pod's IP in the EndpointSlices of "
                                                    "{services}", "selected", source=src.K8S_ENDPOINTSLICES),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched", source=DOC),
    ),
}


# ---------------------------------------------------------------- get


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get daemonsets`: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE."""
    out = []
    for resource in state.of_family(FAMILY):
        observed: Mapping[str, Any] = resource.status.get("status") or {}
        selector = node_selector(resource.manifest)
        containers = workloads.pod_spec(resource.manifest).get("containers") or []
        out.append({"namespace": resource.namespace, "name": resource.name,
                    "desired": observed.get("desiredNumberScheduled", 0),
                    "current": observed.get("currentNumberScheduled", 0), "ready": observed.get("numberReady", 0),
                    "upToDate": observed.get("updatedNumberScheduled", 0),
                    "available": observed.get("numberAvailable", 0),
                    "nodeSelector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
                    "created": objects.created(resource.status),
                    "containers": ",".join(str(c.get("name")) for c in containers),
                    "images": ",".join(str(c.get("image")) for c in containers)})
    return out


SPEC = KindSpec(
    imperative=imperative.kubernetes(verbs=imperative.workload_verbs(replicas=False)),
    family=FAMILY,
    kinds=(("apps/v1", "DaemonSet"),),
    rank=Rank(6, "workloads start once their configuration, identities and Services exist"),
    steps=STEPS,
    handlers={"create": apply.create, "update": apply.update, "delete": apply.delete},
    check=_check,
    defaults=DEFAULTS,
    replace_paths=(
        ("spec.selector", "spec.selector is immutable in apps/v1 (kubernetes pkg/registry/apps/daemonset/strategy.go "
                          "ValidateUpdate): the DaemonSet is deleted and created again"),
    ),
    change_classes=(("spec.template", "rollout"), ("", "store")),
    subsumes={"rollout": ("store",)},
    context=_context,
    known_after_apply=lambda manifest: ["status.desiredNumberScheduled", "status.pods"],
    views=(GetView("daemonsets", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("DESIRED", "desired"),
                                         ("CURRENT", "current"), ("READY", "ready"), ("UP-TO-DATE", "upToDate"),
                                         ("AVAILABLE", "available"), ("NODE SELECTOR", "nodeSelector"),
                                         ("AGE", "age")),
                   (("CONTAINERS", "containers"), ("IMAGES", "images")), aliases=("daemonset", "ds"),
                   resource="daemonset.apps"),),
    status_lines=apply.status_lines,
    status_warnings=workloads.pending_warning,
    restore=apply.restore,
    follow_nodes=apply.follow_nodes,
    live=DaemonSetLive,
    pod_spec=workloads.pod_spec,
    pod_labels=workloads.pod_labels,
    messages={**workloads.MESSAGES, **apply.MESSAGES},
)
