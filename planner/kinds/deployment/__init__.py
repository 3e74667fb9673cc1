"""Deployment (apps/v1): the deployment controller, its ReplicaSets and their Pods.

Sources: Deployments (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/), garbage collection
(https://kubernetes.io/docs/concepts/architecture/garbage-collection/); Kubernetes API reference DeploymentSpec
(defaults); pkg/controller/deployment (rolling update arithmetic, revision annotation, proportional scaling);
pkg/controller/replicaset (which Pods go first on scale-down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner import limits
from planner.kinds import apirules, autopilot, podrules, workloads
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, Problem, Rank, S, Schema
from planner.kinds.deployment import apply, commands, rules, run
from planner.kinds.deployment.live import (
    DEFAULTS,
    FAMILY,
    DeploymentLive,
    current_replica_set,
    field,
    revision,
    rs_name,
    rs_revision,
    stall,
    upgrade_v1,
)
from planner.knowledge.rollout import rolling_bounds, rollout_syncs, waves
from planner.model import replica_set_of
from planner.selectors import selector_matches
from planner.simulate import objects
from planner.simulate.controllers import workload_requests

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.state import State, StoredResource

__all__ = ["FAMILY", "SPEC", "current_replica_set", "revision", "stall"]


# ---------------------------------------------------------------- validation


duplicate_container_names = podrules.duplicate_container_names
"""Moved to podrules (every workload's Pod template); kept here for callers of the old name."""


def _check(data: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    spec = data.get("spec") or {}
    selector = spec.get("selector") or {}
    labels = workloads.pod_labels(data)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        problems.append(Problem(("spec", "selector"), "empty selector: a Deployment must select its Pods"))
    elif not selector_matches(selector, labels):
        problems.append(Problem(("spec", "selector"),
                                "selector does not match template labels (spec.template.metadata.labels)"))
    problems.extend(apirules.object_meta(data.get("metadata")))
    problems.extend(podrules.validate_pod_template(workloads.template(data), ("spec", "template")))
    problems.extend(rules.strategy(data))
    return problems


# ---------------------------------------------------------------- plan


def _describe_requests(manifest: Manifest) -> str:
    cpu, memory = workload_requests(manifest, FAMILY)  # memoized per manifest: apply asks again per Pod
    if not cpu and not memory:
        return "no CPU/memory requests: any node with a free Pod slot fits"
    return f"{cpu}m CPU, {memory}Mi memory per Pod"


def _context(op: Operation, facts: Facts) -> Context:
    before = op.change.before or {}
    now = (before if op.phase == "delete" else op.change.after) or {}
    pod_spec = workloads.pod_spec(now)
    replicas = field(now, "spec.replicas")
    before_replicas = field(before, "spec.replicas") if before else replicas
    max_surge = field(now, "spec.strategy.rollingUpdate.maxSurge")
    max_unavailable = field(now, "spec.strategy.rollingUpdate.maxUnavailable")
    recreate = field(now, "spec.strategy.type") == "Recreate"
    surge, unavailable = (0, replicas) if recreate else rolling_bounds(replicas, max_surge, max_unavailable)
    images = sorted({str(c.get("image") or "?") for c in pod_spec.get("containers") or []})
    services = facts.services_selecting(op.change.namespace or "default", workloads.pod_labels(now))
    status = facts.statuses.get(op.change.address) or {}
    new_rs = replica_set_of(op.change.name, now, op.change.after_digest if now is op.change.after else "")
    old_rs = current_replica_set(status) or (replica_set_of(op.change.name, before) if before else new_rs)
    history = status.get("replicaSets") or []
    syncs, _ = rollout_syncs(replicas, before_replicas, surge, unavailable, recreate=recreate,
                             max_syncs=limits.MAX_SHOWN_SYNCS)
    waves_text = "; ".join(
        ", ".join(part for part in (f"{new_rs} {w.new[0]}->{w.new[1]}" if w.new else "",
                                    f"{old_rs} {w.old[0]}->{w.old[1]}" if w.old else "") if part)
        for w in waves(syncs)) + ("; ... (more waves follow)" if len(syncs) >= limits.MAX_SHOWN_SYNCS else "")
    return {
        "new_rs": new_rs, "old_rs": old_rs, "waves": waves_text or "none",
        "revision": max((rs_revision(r) for r in history), default=1) + 1,
        "reused": " (reused: this template ran before)" if any(rs_name(r) == new_rs for r in history) else "",
        "strategy": "Recreate: every old Pod stops before a new one starts (downtime)" if recreate else
                    f"RollingUpdate: at most {replicas + surge} Pods in all, at least {replicas - unavailable} "
                    "available",
        "replicas": replicas, "before_replicas": before_replicas, "delta": abs(replicas - before_replicas),
        "scale_up": replicas > before_replicas, "scale_down": replicas < before_replicas, "has_pods": replicas > 0,
        "scale_up_selected": replicas > before_replicas and bool(services),
        "scale_down_selected": replicas < before_replicas and bool(services),
        "images": ", ".join(images), "requests": _describe_requests(now),
        "max_surge": max_surge, "max_unavailable": max_unavailable, "surge": surge, "unavailable": unavailable,
        "history": field(now, "spec.revisionHistoryLimit"),
        "grace": field(now, "spec.template.spec.terminationGracePeriodSeconds"),
        "selected": bool(services), "selectors": services,
        "services": ", ".join(f"{s.split('/')[0]} {s.rsplit('/', 1)[-1]}" for s in services) or "no Service",
        **autopilot.pod_context(now, pod_spec, replicas if op.phase == "create" else max(0, replicas - before_replicas),
                                replicas - before_replicas, facts),
    }


STEPS = {
    "create": (
        *autopilot.DEPLOYMENT_ADMISSION,
        S("cluster-master", "kube-apiserver", "validates, applies defaults (RollingUpdate {max_surge} surge / "
                                              "{max_unavailable} unavailable, revisionHistoryLimit {history}) and "
                                              "stores Deployment {name} with replicas {replicas}",
                                                source=src.K8S_DEPLOYMENT),
        S("controller", "deployment-controller", "hashes the Pod template and creates ReplicaSet {new_rs} "
                                                 "(revision 1)", source=src.K8S_ROLLING_UPDATE),
        S("controller", "replicaset-controller", "creates {replicas} Pod(s) {new_rs}-<5 chars> (slow-start "
                                                 "batches 1, 2, 4, ...)", "has_pods", source=src.K8S_REPLICASET),
        *autopilot.DEPLOYMENT_NODES,
        S("cluster-master", "kube-scheduler", "binds each Pod to a node with room for its requests ({requests})",
          "has_pods", source=src.K8S_SCHEDULER),
        S("node", "kubelet", "creates each Pod's sandbox through the container runtime and pulls {images}",
          "has_pods", source=src.K8S_POD_LIFECYCLE),
        S("node", "cni", "gives each Pod an IP from its node's Pod range (spec.podCIDR): the container runtime "
                         "calls the CNI plugin when it sets up the sandbox", "has_pods", source=src.K8S_CNI),
        S("node", "kubelet", "starts the container(s) and reports each Pod Ready", "has_pods",
          source=src.K8S_POD_LIFECYCLE),
        S("controller", "endpointslice-controller", "lists each Pod's IP in the EndpointSlices of {services} as soon "
                                                    "as it has one (ready: false), then ready: true once the Pod is "
                                                    "Ready", "selected", source=src.K8S_ENDPOINTSLICES),
        S("controller", "deployment-controller", "updates the Deployment's status: {replicas}/{replicas} available",
          source=src.K8S_ROLLING_UPDATE),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes Deployment {name} (background cascade)",
          source=src.K8S_DEPLOYMENT),
        S("controller", "garbage-collector", "deletes its ReplicaSet(s), then their {before_replicas} Pod(s)",
          source=src.K8S_GARBAGE_COLLECTION),
        S("node", "kubelet", "stops the containers (SIGTERM, {grace}s grace period)", source=src.K8S_POD_LIFECYCLE),
        *(t._replace(when="autopilot") for t in autopilot.DEPLOYMENT_SCALE_DOWN),
        S("controller", "endpointslice-controller", "drops the Pod IPs from the EndpointSlices of {services}",
          "selected", source=src.K8S_ENDPOINTSLICES),
    ),
    "scale": (
        S("cluster-master", "kube-apiserver", "stores replicas {before_replicas} -> {replicas} (a scale, not a "
                                              "rollout)", source=src.K8S_DEPLOYMENT),
        S("controller", "deployment-controller", "resizes ReplicaSet {old_rs} to {replicas}",
          source=src.K8S_ROLLING_UPDATE),
        S("controller", "replicaset-controller", "creates {delta} Pod(s)", "scale_up", source=src.K8S_REPLICASET),
        *autopilot.DEPLOYMENT_SCALE_UP,
        S("cluster-master", "kube-scheduler", "binds the new Pods to nodes with room ({requests})", "scale_up",
          source=src.K8S_SCHEDULER),
        S("node", "kubelet", "creates the new Pods' sandboxes and pulls {images}", "scale_up",
          source=src.K8S_POD_LIFECYCLE),
        S("node", "cni", "gives each new Pod an IP from its node's Pod range", "scale_up", source=src.K8S_CNI),
        S("node", "kubelet", "starts the new Pods and reports them Ready", "scale_up", source=src.K8S_POD_LIFECYCLE),
        S("controller", "replicaset-controller", "deletes {delta} Pod(s): Pending ones first, then those on the "
                                                 "most crowded nodes, then the newest", "scale_down",
                                                   source=src.K8S_REPLICASET),
        S("node", "kubelet", "stops the removed Pods (SIGTERM, {grace}s grace period)", "scale_down",
          source=src.K8S_POD_LIFECYCLE),
        *autopilot.DEPLOYMENT_SCALE_DOWN,
        S("controller", "endpointslice-controller", "adds the new Pods to the EndpointSlices of {services} (ready: "
                                                    "false until each is Ready)", "scale_up_selected",
          source=src.K8S_ENDPOINTSLICES),
        S("controller", "endpointslice-controller", "drops the removed Pods from the EndpointSlices of {services}",
          "scale_down_selected", source=src.K8S_ENDPOINTSLICES),
    ),
    "rollout": (
        *autopilot.DEPLOYMENT_ADMISSION,
        S("cluster-master", "kube-apiserver", "stores the new Pod template (generation + 1): {changed}",
          source=src.K8S_DEPLOYMENT),
        S("controller", "deployment-controller", "hashes the new template and creates ReplicaSet {new_rs} "
                                                 "(revision {revision}){reused}; {strategy}",
                                                   source=src.K8S_ROLLING_UPDATE),
        S("controller", "deployment-controller", "scales in waves (surge {surge}, unavailable {unavailable}): "
                                                 "{waves}", source=src.K8S_ROLLING_UPDATE),
        S("controller", "replicaset-controller", "creates and deletes each wave's Pods; kube-scheduler binds the "
                                                 "new ones ({requests})", source=src.K8S_REPLICASET),
        S("node", "kubelet", "creates each new Pod's sandbox, pulls {images}, starts it and reports it Ready",
          source=src.K8S_POD_LIFECYCLE),
        S("node", "cni", "gives each new Pod an IP from its node's Pod range as its sandbox is set up",
          source=src.K8S_CNI),
        S("controller", "endpointslice-controller", "adds each new Pod to the EndpointSlices of {services} "
                                                    "(ready: false, then true once Ready) and drops each deleted "
                                                    "old Pod", "selected", source=src.K8S_ENDPOINTSLICES),
        S("controller", "deployment-controller", "keeps ReplicaSet {old_rs} at 0 replicas as history "
                                                 "(revisionHistoryLimit {history}); a rollback reuses it",
                                                   source=src.K8S_ROLLING_UPDATE),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched",
          source=src.K8S_DEPLOYMENT),
    ),
}


# ---------------------------------------------------------------- get


def _deployments(state: State) -> list[StoredResource]:
    return state.of_family(FAMILY)


def _deployment_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        status = resource.status
        pods = status.get("pods") or []
        replicas = field(resource.manifest, "spec.replicas")
        current = current_replica_set(status)
        ready = sum(1 for p in pods if objects.pod_node(p))
        stalled = stall(status) or {}
        surplus = status.get("unscheduled") or {}
        counted = surplus.get("count", 0) if surplus.get("owner") == current else 0
        out.append({"namespace": resource.namespace, "name": resource.name, "ready": f"{ready}/{replicas}",
                    "upToDate": sum(1 for p in pods if objects.pod_owner(p) == current) + counted, "available": ready,
                    "created": objects.created(status), "revision": revision(status),
                    "stalled": stalled.get("message", "")})
    return out


def _replica_set_rows(state: State) -> list[dict[str, Any]]:
    out = []
    for resource in _deployments(state):
        pods = resource.status.get("pods") or []
        for rs in resource.status.get("replicaSets") or []:
            mine = [p for p in pods if objects.pod_owner(p) == rs_name(rs)]
            out.append({"namespace": resource.namespace, "name": rs_name(rs), "desired": rs["spec"]["replicas"],
                        "current": len(mine), "ready": sum(1 for p in mine if objects.pod_node(p)),
                        "created": rs["metadata"].get("creationTimestamp"), "revision": rs_revision(rs)})
    return sorted(out, key=lambda r: (r["namespace"], r["name"]))


SPEC = KindSpec(
    imperative=commands.imperative,
    family=FAMILY,
    kinds=(("apps/v1", "Deployment"),),
    run_commands=run.COMMANDS,
    rank=Rank(6, "workloads start once their configuration, identities and Services exist"),
    steps=STEPS,
    handlers={"create": apply.create, "update": apply.update, "delete": apply.delete},
    schema=Schema(constraints="Deployment"),
    check=_check,
    defaults=DEFAULTS,
    replace_paths=(
        ("spec.selector", "spec.selector is immutable in apps/v1: the Deployment is deleted and created again"),
    ),
    change_classes=(("spec.template", "rollout"), ("spec.replicas", "scale"), ("", "store")),
    subsumes={"rollout": ("scale", "store"), "scale": ("store",)},
    context=_context,
    known_after_apply=lambda manifest: ["status.replicaSet", "status.pods"],
    views=(
        GetView("deployments", _deployment_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("READY", "ready"), ("UP-TO-DATE", "upToDate"),
                 ("AVAILABLE", "available"), ("AGE", "age")), (("REVISION", "revision"), ("STALLED", "stalled")),
                aliases=("deployment", "deploy"), resource="deployment.apps"),
        GetView("replicasets", _replica_set_rows,
                (("NAMESPACE", "namespace"), ("NAME", "name"), ("DESIRED", "desired"), ("CURRENT", "current"),
                 ("READY", "ready"), ("AGE", "age")), (("REVISION", "revision"),), aliases=("replicaset", "rs"),
                 resource="replicaset.apps"),
        workloads.POD_VIEW,
    ),
    status_lines=apply.status_lines,
    status_warnings=apply.status_warnings,
    restore=apply.restore,
    resume=apply.resume,
    live=DeploymentLive,
    upgrades={1: upgrade_v1},
    pod_spec=workloads.pod_spec,
    pod_labels=workloads.pod_labels,
    messages={
        **workloads.MESSAGES,
        "replicaset-created": "ReplicaSet {replica_set} with {replicas} Pod(s)",
        "deployment-deleted": "Deployment {name} and {pods} Pod(s) deleted",
        "pending-elsewhere": "{count} Pending Pod(s) elsewhere still Pending",
        "deployment-updated": "Deployment {name} updated",
        "scaled-down": "scaled {name} down to {replicas}",
        "scaled-up": "scaled {name} up to {replicas}",
        "rolled-out": "rolled out revision {revision}: ReplicaSet {replica_set} ({reused}) with {replicas} Pod(s); "
                      "waves: {waves}",
        "rollout-stalled": "rollout to revision {revision} STALLED ({message}); waves: {waves}",
    },
)
