"""CronJob (batch/v1): a Job created at each time its schedule matches. Applying one runs nothing: no Job and no
Pod exist until the schedule fires, so planner stores it and says when it would fire (MODELLED: the simulation has
no clock, so a CronJob never fires in it).

Sources: CronJob (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/: schedule syntax, time zones,
concurrencyPolicy, jobs history limits, "the CronJob controller checks ... every 10 seconds"); kubernetes
pkg/apis/batch/validation/validation.go (ValidateCronJobCreate: name at most 52 characters, since the controller
appends an 11-character suffix; validateCronJobSpec); pkg/controller/cronjob/utils.go (getJobName:
`<cronjob>-<scheduled time in minutes since the epoch>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.kinds import generic, imperative, podrules
from planner.kinds.base import Context, Facts, GetView, KindSpec, Manifest, OpResult, Problem, Rank, S
from planner.kinds.cronjob.schedule import describe, schedule_error, time_zone_error
from planner.kinds.job import rules, run_steps, spec_context
from planner.simulate import objects

if TYPE_CHECKING:
    from planner.plan import Operation
    from planner.simulate.engine import Engine
    from planner.state import State

FAMILY = "cronjob"
DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/"
CONTROLLER = "kubernetes pkg/controller/cronjob/cronjob_controllerv2.go, utils.go (getJobName)"
JOB_SPEC = ("spec", "jobTemplate", "spec")
__all__ = ["FAMILY", "SPEC"]


def _job_spec(manifest: Manifest) -> dict[str, Any]:
    found: dict[str, Any] = (((manifest.get("spec") or {}).get("jobTemplate") or {}).get("spec")) or {}
    return found


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    found: dict[str, Any] = (_job_spec(manifest).get("template") or {}).get("spec") or {}
    return found


def pod_labels(manifest: Manifest) -> dict[str, str]:
    found: dict[str, str] = ((_job_spec(manifest).get("template") or {}).get("metadata") or {}).get("labels") or {}
    return found


def _check(data: Manifest) -> list[Problem]:
    """kube-apiserver's CronJob rules (ValidateCronJobCreate, validateCronJobSpec) and its jobTemplate's Job rules."""
    problems: list[Problem] = []
    name = (data.get("metadata") or {}).get("name")
    if isinstance(name, str) and len(name) > 52:
        problems.append(Problem(("metadata", "name"), "must be no more than 52 characters (the CronJob controller "
                                                      "names each Job <name>-<11 digits>, and a Job name has at "
                                                      "most 63)"))
    spec = data.get("spec") or {}
    schedule = spec.get("schedule")
    if isinstance(schedule, str):
        why = schedule_error(schedule)
        if why is not None:
            problems.append(Problem(("spec", "schedule"), f"Invalid value: {schedule!r}: {why}"))
    zone = spec.get("timeZone")
    if isinstance(zone, str):
        why = time_zone_error(zone)
        if why is not None:
            problems.append(Problem(("spec", "timeZone"), f"Invalid value: {zone!r}: {why}"))
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        problems.append(Problem(("spec", "concurrencyPolicy"), f'Unsupported value: "{policy}": supported values: '
                                                               '"Allow", "Forbid", "Replace"'))
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        value = spec.get(key)
        if isinstance(value, int) and value < 0:
            problems.append(Problem(("spec", key), "must be greater than or equal to 0"))
    return (problems + rules.job_spec_problems(_job_spec(data), JOB_SPEC, template=True)
            + podrules.validate_pod_template(_job_spec(data).get("template") or {}, (*JOB_SPEC, "template")))


DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("spec.concurrencyPolicy", "Allow"),
    ("spec.suspend", False),
    ("spec.successfulJobsHistoryLimit", 3),
    ("spec.failedJobsHistoryLimit", 1),
    *rules.defaults("spec.jobTemplate.spec"),
)
"""SetDefaults_CronJob (pkg/apis/batch/v1/defaults.go) and the jobTemplate's Job defaults."""

_CONCURRENCY = {
    "Allow": "Allow: Jobs of successive schedule times may run at once",
    "Forbid": "Forbid: a schedule time is skipped while the previous Job still runs",
    "Replace": "Replace: a new schedule time replaces the Job still running",
}


def _context(op: Operation, facts: Facts) -> Context:
    now = ((op.change.before if op.phase == "delete" else op.change.after) or {})
    spec = now.get("spec") or {}
    zone = spec.get("timeZone")
    return {
        **spec_context(_job_spec(now), now, FAMILY),
        "schedule": describe(str(spec.get("schedule", ""))),
        "zone": f"time zone {zone}" if zone else "kube-controller-manager's time zone (timeZone unset)",
        "concurrency": _CONCURRENCY.get(str(spec.get("concurrencyPolicy", "Allow")), "?"),
        "kept_ok": spec.get("successfulJobsHistoryLimit", 3), "kept_failed": spec.get("failedJobsHistoryLimit", 1),
        "active": not spec.get("suspend"), "suspended": bool(spec.get("suspend")),
    }


STEPS = {
    "create": (
        S("cluster-master", "kube-apiserver", "validates the schedule {schedule} in {zone} and stores CronJob "
                                              "{name}", source=DOC),
        S("controller", "cronjob-controller", "creates no Job and no Pod now: nothing runs until the schedule "
                                              "fires; then it creates Job {name}-<minutes since the epoch> for that "
                                              "schedule time ({concurrency})", "active", source=CONTROLLER),
        S("controller", "cronjob-controller", "creates no Job: the CronJob is suspended (spec.suspend) and misses "
                                              "its schedule times until it is resumed", "suspended", source=DOC),
        *(t._replace(text="when it fires: " + t.text) for t in run_steps("active")),
        S("controller", "cronjob-controller", "keeps the last {kept_ok} successful and {kept_failed} failed Jobs "
                                              "(with their Pods) and deletes older ones", "active", source=DOC),
    ),
    "delete": (
        S("cluster-master", "kube-apiserver", "deletes CronJob {name} (background cascade)", source=DOC),
        S("controller", "garbage-collector", "deletes the Jobs it created, if any, and their Pods",
          source=generic.STEPS["delete"][1].source),
    ),
    "schedule": (
        S("cluster-master", "kube-apiserver", "stores the new schedule {schedule} ({changed})", source=DOC),
        S("controller", "cronjob-controller", "creates the next Job at the next time the new schedule matches; Jobs "
                                              "already running go on", source=CONTROLLER),
    ),
    "template": (
        S("cluster-master", "kube-apiserver", "stores the new Job template ({changed})", source=DOC),
        S("controller", "cronjob-controller", "uses it for the Jobs of the next schedule times; Jobs already created "
                                              "keep the template they were created with", source=DOC),
    ),
    "store": (
        S("cluster-master", "kube-apiserver", "stores the change ({changed}); no Job or Pod is touched", source=DOC),
    ),
}


def _stored(engine: Engine, op: Operation, status: dict[str, Any]) -> OpResult:
    """kube-apiserver stores it; nothing runs until the schedule fires (the simulation has no clock)."""
    spec = (op.change.after or op.change.before or {}).get("spec") or {}
    return OpResult(op.change.address, op.phase, {"event": f"cronjob-{op.phase}", "name": op.change.name,
                                                  "schedule": spec.get("schedule", "")})


def _rows(state: State) -> list[dict[str, Any]]:
    """`kubectl get cronjobs`: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE."""
    out = []
    for resource in state.of_family(FAMILY):
        spec = resource.manifest.get("spec") or {}
        out.append({"namespace": resource.namespace, "name": resource.name, "schedule": spec.get("schedule", ""),
                    "timeZone": spec.get("timeZone") or "<none>", "suspend": str(bool(spec.get("suspend"))),
                    "active": 0, "last": "<none>", "created": objects.created(resource.status)})
    return out


SPEC = KindSpec(
    imperative=imperative.kubernetes(verbs=imperative.workload_verbs(("spec", "jobTemplate", "spec", "template"),
                                                                     replicas=False)),
    family=FAMILY,
    kinds=(("batch/v1", "CronJob"),),
    rank=Rank(6, "workloads start once their configuration, identities and Services exist"),
    steps=STEPS,
    handlers={"create": _stored, "update": _stored, "delete": _stored},
    check=_check,
    defaults=DEFAULTS,
    change_classes=(("spec.schedule", "schedule"), ("spec.timeZone", "schedule"), ("spec.jobTemplate", "template"),
                    ("", "store")),
    subsumes={"schedule": ("store",), "template": ("store",)},
    context=_context,
    views=(GetView("cronjobs", _rows, (("NAMESPACE", "namespace"), ("NAME", "name"), ("SCHEDULE", "schedule"),
                                       ("TIMEZONE", "timeZone"), ("SUSPEND", "suspend"), ("ACTIVE", "active"),
                                       ("LAST SCHEDULE", "last"), ("AGE", "age")),
                   aliases=("cronjob", "cj"), resource="cronjob.batch"),),
    pod_spec=pod_spec,
    pod_labels=pod_labels,
    messages={
        "cronjob-create": "CronJob {name} stored: no Job or Pod runs until its schedule ({schedule}) fires",
        "cronjob-update": "CronJob {name} updated (schedule {schedule})",
        "cronjob-delete": "CronJob {name} deleted",
    },
)
