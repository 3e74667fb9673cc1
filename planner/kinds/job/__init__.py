"""Job (batch/v1): Pods that run to completion, `parallelism` at a time, until `completions` have succeeded.

Sources: Jobs (https://kubernetes.io/docs/concepts/workloads/controllers/job/: parallel execution, the Pod backoff
failure policy "exponential back-off delay (10s, 20s, 40s ...) capped at six minutes", backoffLimit default 6);
kubernetes pkg/apis/batch/validation/validation.go (rules, immutable template), pkg/controller/job/job_controller.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import imperative, workloads
from planner.kinds import sources as src
from planner.kinds.base import Context, Facts, GetView, KindSpec, Rank, S
from planner.kinds.job import apply, rules
from planner.kinds.job.rules import DOC, VALIDATION, completions, parallelism
from planner.simulate import objects
from planner.simulate.controllers import workload_requests

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.state import State

FAMILY = apply.FAMILY
__all__ = ["FAMILY", "SPEC"]
CONTROLLER = "kubernetes pkg/controller/job/job_controller.go"


def run_steps(when: str | None = None) -> tuple[S, ...]:
    """What happens to a Job's Pods, from the Job controller to their completion (a CronJob's Jobs too)."""
    return (
        S("controller", "job-controller", "creates Pods {name}-<5 chars>, at most {parallelism} at a time, until "
                                          "{completions} have succeeded", when, source=DOC),
        S("cluster-master", "kube-scheduler", "binds each Pod to a node with room ({requests})", when,
          source=src.K8S_SCHEDULER),
        S("node", "kubelet", "pulls {images} and runs each Pod to completion (restartPolicy {restart}): it ends "
                             "Succeeded (kubectl: Completed) and its CPU and memory are free again for other Pods",
          when, source=src.K8S_POD_LIFECYCLE),
        S("controller", "job-controller", "retries failures with exponential back-off (10 s, 20 s, 40 s ... capped "
                                          "at 6 min; restartPolicy Never: a new Pod, OnFailure: the kubelet restarts "
                                          "the container) up to backoffLimit {backoff}, then marks the Job Failed "
                                          "(MODELLED: every Pod succeeds at once)", when, source=DOC),
    )


def _context(op: Operation, facts: Facts) -> Context:
    now = ((op.change.before if op.phase == "delete" else op.change.after) or {})
    return spec_context(now.get("spec") or {}, now, FAMILY)


def spec_context(spec: dict[str, Any], manifest: dict[str, Any], family: str) -> Context:
    """A JobSpec's numbers for the step templates (a CronJob passes its jobTemplate's spec and its family)."""
    pod = ((spec.get("template") or {}).get("spec")) or {}
    cpu, memory = workload_requests(manifest, family)
    return {"completions": completions(spec), "parallelism": parallelism(spec),
            "backoff": spec.get("backoffLimit", 6), "restart": pod.get("restartPolicy", "?"),
            "requests": f"{cpu}m CPU, {memory}Mi memory per Pod" if cpu or memory else "no CPU/memory requests",
            "images": ", ".join(sorted({str(c.get("image") or "?") for c in pod.get("containers") or []})),
            "running": not spec.get("suspend"), "suspended": bool(spec.get("suspend"))}


STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates Job {name}, generates its selector (controller-uid) and "
                                              "stores it (completions {completions}, parallelism {parallelism}, "
                                              "backoffLimit {backoff})", source=DOC),
        *run_steps("running"),
        S("controller", "job-controller", "marks the Job Complete once {completions} Pod(s) have succeeded; the "
                                          "Completed Pods stay (kubectl logs) until the Job is deleted",
          "running", source=CONTROLLER),
        S("controller", "job-controller", "starts no Pod: the Job is suspended (spec.suspend)", "suspended",
          source=DOC),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes Job {name} (background cascade)", source=DOC),
        S("controller", "garbage-collector", "deletes its Pods, Completed ones included; running ones are stopped "
                                             "by their kubelet", source=src.K8S_GARBAGE_COLLECTION),
    ),
    "parallelism": (
        S("cluster-master", "kube-apiserver", "stores the new parallelism ({changed})", source=DOC),
        S("controller", "job-controller", "runs at most {parallelism} Pods at a time from now on, if the Job is "
                                          "not finished", source=CONTROLLER),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Pod is touched", source=DOC),
    ),
}


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get jobs`: STATUS and COMPLETIONS (DURATION is not modelled: simulated Pods take no time)."""
    out = []
    for resource in state.of_family(FAMILY):
        observed = resource.status.get("status") or {}
        spec = resource.manifest.get("spec") or {}
        state_text = "Complete" if observed.get("conditions") else (
            "Suspended" if spec.get("suspend") else "Running")
        out.append({"namespace": resource.namespace, "name": resource.name, "status": state_text,
                    "completions": f"{observed.get('succeeded', 0)}/{completions(spec)}",
                    "created": objects.created(resource.status),
                    "images": ",".join(str(c.get("image")) for c in workloads.pod_spec(resource.manifest).get(
                        "containers") or [])})
    return out


SPEC = KindSpec(
    imperative=imperative.kubernetes(),
    family=FAMILY,
    kinds=(("batch/v1", "Job"),),
    rank=Rank(6, "workloads start once their configuration, identities and Services exist"),
    steps=STEPS,
    handlers={"create": apply.create, "update": apply.update, "delete": apply.delete},
    check=rules.check,
    defaults=rules.defaults("spec"),
    replace_paths=tuple((f"spec.{path}", f"a Job's {what} is immutable ({VALIDATION} ValidateJobSpecUpdate): the "
                                         "Job is deleted and created again, and its Pods run again")
                        for path, what in (("template", "Pod template"), ("selector", "selector"),
                                           ("completions", "completions"), ("completionMode", "completionMode"))),
    change_classes=(("spec.parallelism", "parallelism"), ("", "store")),
    subsumes={"parallelism": ("store",)},
    context=_context,
    known_after_apply=lambda manifest: ["status.succeeded", "status.pods"],
    views=(GetView("jobs", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("STATUS", "status"),
                                   ("COMPLETIONS", "completions"), ("AGE", "age")), (("IMAGES", "images"),),
                   aliases=("job",), resource="job.batch"),),
    status_lines=apply.status_lines,
    status_warnings=workloads.pending_warning,
    restore=apply.restore,
    resume=apply.resume,
    live=apply.JobLive,
    pod_spec=workloads.pod_spec,
    pod_labels=workloads.pod_labels,
    messages={**workloads.MESSAGES, **apply.MESSAGES},
)
