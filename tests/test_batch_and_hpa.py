"""Jobs, CronJobs and HorizontalPodAutoscalers through the CLI: Pods that run to completion and free their room, a
schedule that runs nothing until it fires, and an autoscaler that owns its target's replicas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import edit, write

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: example/migrate:1
          resources:
            requests: {cpu: 500m, memory: 256Mi}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * MON-FRI"
  timeZone: Europe/Paris
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: example/report:1
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hello-web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hello-web}
  minReplicas: 4
  maxReplicas: 6
"""


def _state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "planner.state.json").read_text())["resources"]


def _apply(cli, *paths: str) -> str:
    result = cli("apply", *paths, "--auto-approve")
    assert result.code == 0, result.err
    again = cli("plan", *paths, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    return result.out + again.out


# ---------------------------------------------------------------- Job


def test_job_pods_run_to_completion_and_free_their_room(cli, hello, tmp_path):
    write(hello / "job.yaml", JOB)
    plan = cli("plan", str(hello))
    assert "job-controller" in plan.out and "at most 2 at a time, until 5 have succeeded" in plan.out
    out = _apply(cli, str(hello))
    assert "Job migrate complete: 5 Pod(s) succeeded and released their CPU and memory" in out
    assert cli("get", "-A", "jobs").out.splitlines()[1].split()[2:4] == ["Complete", "5/5"]
    pods = [line.split() for line in cli("get", "-A", "pods").out.splitlines() if "migrate-" in line]
    assert len(pods) == 5 and all(p[2:4] == ["0/1", "Completed"] for p in pods)
    # Completed Pods hold nothing: Pods needing most of each node's 740m free CPU still fit beside them.
    edit(hello / "hello-web.yaml", "cpu: 100m", "cpu: 600m")
    plan = cli("plan", str(hello))
    assert plan.code == 0 and "Pending" not in plan.out + plan.err


def test_job_without_room_waits_and_goes_on_when_room_appears(cli, hello, tmp_path):
    write(hello / "job.yaml", JOB.replace("cpu: 500m", "cpu: 1500m"))  # more than an e2-medium node has
    out = cli("apply", str(hello), "--auto-approve").out
    assert "Job migrate not complete: 0 succeeded, 2 waiting for room" in out
    assert "2 of 2 Pods are Pending: 0/3 nodes are available: 3 Insufficient cpu" in cli("plan", str(hello)).out
    write(hello / "pool.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerNodePool\n"
                               "metadata:\n  name: big\nspec:\n  clusterRef:\n    name: hello-cluster\n"
                               "  location: us-central1-b\n  nodeCount: 1\n  nodeConfig:\n"
                               "    machineType: e2-standard-4\n")
    out = _apply(cli, str(hello))
    assert "Job migrate complete" in out
    assert cli("get", "-A", "jobs").out.splitlines()[1].split()[2:4] == ["Complete", "5/5"]


def test_job_restart_policy_must_be_on_failure_or_never(cli, tmp_path):
    write(tmp_path / "job.yaml", JOB.replace("      restartPolicy: Never\n", ""))
    result = cli("validate", "job.yaml")
    assert result.code == 1
    assert 'job.yaml:9:5: spec.template.spec: restartPolicy: Required value: valid values: "OnFailure", "Never"' \
        in result.err
    write(tmp_path / "job.yaml", JOB.replace("restartPolicy: Never", "restartPolicy: Always"))
    assert "job.yaml:10:22: spec.template.spec.restartPolicy: restartPolicy: Required value" in \
        cli("validate", "job.yaml").err
    write(tmp_path / "job.yaml", JOB.replace("parallelism: 2", "parallelism: -1"))
    assert "job.yaml:7:16: spec.parallelism: must be greater than or equal to 0" in cli("validate", "job.yaml").err


def test_job_template_is_immutable_so_a_change_replaces_it(cli, hello):
    write(hello / "job.yaml", JOB)
    _apply(cli, str(hello))
    edit(hello / "job.yaml", "example/migrate:1", "example/migrate:2")
    plan = cli("plan", str(hello), "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "Job/default/migrate")
    assert change["action"] == "replace"
    text = cli("plan", str(hello)).out
    assert "a Job's Pod template is immutable" in text and "its Pods run again" in text
    edit(hello / "job.yaml", "example/migrate:2", "example/migrate:1")
    edit(hello / "job.yaml", "parallelism: 2", "parallelism: 3")
    assert "runs at most 3 Pods at a time" in cli("plan", str(hello)).out


# ---------------------------------------------------------------- CronJob


def test_cronjob_runs_nothing_until_it_fires(cli, hello):
    write(hello / "cron.yaml", CRONJOB)
    plan = cli("plan", str(hello))
    assert "creates no Job and no Pod now: nothing runs until the schedule fires" in plan.out
    assert '"0 3 * * MON-FRI" (minute hour day-of-month month day-of-week) in time zone Europe/Paris' in plan.out
    out = _apply(cli, str(hello))
    assert "no Job or Pod runs until its schedule" in out
    row = cli("get", "-A", "cronjobs").out.splitlines()[1].split()
    assert row[:3] == ["default", "report", "0"] and "Europe/Paris" in row
    assert "report" not in cli("get", "-A", "pods").out


@pytest.mark.parametrize(("schedule", "message"), [
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("TZ=UTC 0 3 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
])
def test_cronjob_schedule_is_checked_as_kube_apiserver_does(cli, tmp_path, schedule, message):
    write(tmp_path / "cron.yaml", CRONJOB.replace('"0 3 * * MON-FRI"', json.dumps(schedule)))
    result = cli("validate", "cron.yaml")
    assert result.code == 1
    assert "cron.yaml:6:13: spec.schedule: Invalid value" in result.err and message in result.err


@pytest.mark.parametrize("schedule", ["@hourly", "@every 1h30m", "*/15 9-17 * JAN-MAR,DEC ?", "0 0 1/2 * SUN"])
def test_cronjob_schedules_kube_apiserver_accepts(cli, tmp_path, schedule):
    write(tmp_path / "cron.yaml", CRONJOB.replace('"0 3 * * MON-FRI"', json.dumps(schedule)))
    assert cli("validate", "cron.yaml").code == 0


def test_cronjob_time_zone_and_name_rules(cli, tmp_path):
    write(tmp_path / "cron.yaml", CRONJOB.replace("Europe/Paris", "Europe/Pariss"))
    assert "cron.yaml:7:13: spec.timeZone: Invalid value: 'Europe/Pariss': unknown time zone Europe/Pariss" in \
        cli("validate", "cron.yaml").err
    write(tmp_path / "cron.yaml", CRONJOB.replace("name: report", "name: " + "r" * 53))
    assert "metadata.name: must be no more than 52 characters" in cli("validate", "cron.yaml").err


# ---------------------------------------------------------------- HorizontalPodAutoscaler


def test_hpa_brings_its_target_within_bounds_and_owns_replicas(cli, hello, tmp_path):
    write(hello / "hpa.yaml", HPA)
    plan = cli("plan", str(hello))
    assert "horizontal-pod-autoscaler" in plan.out
    assert "scales Deployment hello-web from 3 to 4 replicas" in plan.out and "MODELLED" in plan.out
    _apply(cli, str(hello))
    state = _state(tmp_path)
    assert len(state["Deployment/default/hello-web"]["status"]["pods"]) == 4
    assert state["HorizontalPodAutoscaler/default/hello-web"]["status"]["bounds"] == {
        "target": "Deployment/default/hello-web", "minReplicas": 4, "maxReplicas": 6}
    assert cli("get", "-A", "hpa").out.splitlines()[1].split()[2] == "Deployment/hello-web"

    edit(hello / "hello-web.yaml", "replicas: 3", "replicas: 9")  # the input's replicas do not fight the HPA
    plan = cli("plan", str(hello), "--detailed-exitcode")
    assert plan.code == 0, plan.out
    assert "spec.replicas 9 in the input is not planned: HorizontalPodAutoscaler/default/hello-web owns it" \
        in plan.out + plan.err

    edit(hello / "hpa.yaml", "minReplicas: 4", "minReplicas: 5")
    plan = cli("plan", str(hello))
    assert "scales Deployment hello-web from 4 to 5 replicas to bring it within [5, 6]" in plan.out
    _apply(cli, str(hello))
    assert len(_state(tmp_path)["Deployment/default/hello-web"]["status"]["pods"]) == 5

    (hello / "hpa.yaml").unlink()  # without the HPA, the input's replicas count again
    plan = cli("plan", str(hello))
    assert "stores replicas 5 -> 9" in plan.out


def test_hpa_validation_and_targets(cli, tmp_path):
    write(tmp_path / "hpa.yaml", HPA.replace("minReplicas: 4", "minReplicas: 0").replace("maxReplicas: 6",
                                                                                         "maxReplicas: -1"))
    result = cli("validate", "hpa.yaml")
    assert "hpa.yaml:7:16: spec.minReplicas: Invalid value: 0: must be greater than or equal to 1" in result.err
    assert "hpa.yaml:8:16: spec.maxReplicas: Invalid value: -1: must be greater than or equal to `minReplicas`" \
        in result.err
    write(tmp_path / "hpa.yaml", HPA.replace("maxReplicas: 6", "maxReplicas: 2"))
    assert "must be greater than or equal to `minReplicas`" in cli("validate", "hpa.yaml").err


def test_hpa_on_a_daemonset_is_a_warning(cli, hello):
    write(hello / "hpa.yaml", HPA.replace("kind: Deployment", "kind: DaemonSet"))
    plan = cli("plan", str(hello))
    assert plan.code == 0
    assert "has no scale subresource: the HPA cannot scale it" in plan.out + plan.err
