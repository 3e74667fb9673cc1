"""A Job's own kube-apiserver rules, its defaults and its Pod template, shared with the CronJob's jobTemplate.

Sources: kubernetes pkg/apis/batch/validation/validation.go (validateJobSpec: restartPolicy "Required value: valid
values: "OnFailure", "Never"" since SetDefaults_PodSpec would make an unset one Always; non-negative parallelism,
completions, activeDeadlineSeconds, backoffLimit, ttlSecondsAfterFinished; Indexed needs completions;
podFailurePolicy needs restartPolicy Never; ValidateJobSpecUpdate: selector, completions and template immutable;
ValidateJobTemplateSpec: a CronJob's jobTemplate gets a generated selector), pkg/apis/batch/v1/defaults.go
(SetDefaults_Job: completions and parallelism 1 when both are unset, else parallelism 1; backoffLimit 6;
completionMode NonIndexed; suspend false), and the Job concept page
(https://kubernetes.io/docs/concepts/workloads/controllers/job/).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.kinds import podrules
from planner.kinds.base import Manifest, Path, Problem
from planner.kinds.deployment.live import pod_spec_defaults

VALIDATION = "kubernetes pkg/apis/batch/validation/validation.go"
DOC = "https://kubernetes.io/docs/concepts/workloads/controllers/job/"
POD_SPEC = "template.spec"


def defaults(base: str) -> tuple[tuple[str, Any], ...]:
    """A JobSpec's defaults under `base` (`spec` for a Job, `spec.jobTemplate.spec` for a CronJob)."""
    return (
        (f"{base}.completions", lambda spec: 1 if spec.get("parallelism") is None else None),
        (f"{base}.parallelism", 1),
        (f"{base}.backoffLimit", lambda spec: 6 if spec.get("backoffLimitPerIndex") is None else None),
        (f"{base}.completionMode", "NonIndexed"),
        (f"{base}.suspend", False),
        *pod_spec_defaults(f"{base}.{POD_SPEC}", restart_policy=None),
    )


def _number(spec: Mapping[str, Any], key: str) -> int | None:
    value = spec.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def completions(spec: Mapping[str, Any]) -> int:
    """How many Pods must succeed: completions, or, for a work queue (completions unset), parallelism."""
    found = _number(spec, "completions")
    return found if found is not None else (_number(spec, "parallelism") or 1)


def parallelism(spec: Mapping[str, Any]) -> int:
    found = _number(spec, "parallelism")
    return 1 if found is None else found


def job_spec_problems(spec: Mapping[str, Any], base: Path, template: bool = False) -> list[Problem]:
    """validateJobSpec's rules for the fields planner reads, and (`template`) ValidateJobTemplateSpec's."""
    problems: list[Problem] = []
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"):
        value = _number(spec, key)
        if value is not None and value < 0:
            problems.append(Problem((*base, key), "must be greater than or equal to 0"))
    if spec.get("completionMode") == "Indexed" and spec.get("completions") is None:
        problems.append(Problem((*base, "completionMode"), "completions: Required value: when completion mode is "
                                                            "Indexed"))
    pod = ((spec.get("template") or {}).get("spec")) or {}
    policy = pod.get("restartPolicy")
    where = (*base, "template", "spec")
    if policy in (None, "Always"):
        problems.append(Problem((*where, "restartPolicy") if policy else where, 'restartPolicy: Required value: '
                                'valid values: "OnFailure", "Never" (a Job\'s Pods run to completion; an unset '
                                'restartPolicy defaults to Always, which a Job refuses)', at_key=policy is None))
    elif policy not in ("OnFailure", "Never"):
        problems.append(Problem((*where, "restartPolicy"), f'Unsupported value: "{policy}": supported values: '
                                                           '"OnFailure", "Never"'))
    elif spec.get("podFailurePolicy") is not None and policy != "Never":
        problems.append(Problem((*where, "restartPolicy"), 'only "Never" is supported when podFailurePolicy is '
                                                           "specified"))
    if template and spec.get("selector") is not None:
        problems.append(Problem((*base, "selector"), "`selector` will be auto-generated", at_key=True))
    if template and spec.get("manualSelector") is True:
        problems.append(Problem((*base, "manualSelector"), 'Unsupported value: true: supported values: "nil", '
                                                           '"false"'))
    if not template and spec.get("selector") is not None and spec.get("manualSelector") is not True:
        problems.append(Problem((*base, "selector"), "`selector` not auto-generated: kube-apiserver generates a "
                                                     "Job's selector (controller-uid); set manualSelector: true to "
                                                     "give your own", at_key=True))
    return problems


def check(data: Manifest) -> list[Problem]:
    spec = data.get("spec") or {}
    return job_spec_problems(spec, ("spec",)) + podrules.validate_pod_template(
        spec.get("template") or {} if isinstance(spec, dict) else {}, ("spec", "template"))
