"""Every workload kind in one app, as a real one ships them: the bank example with a DaemonSet, an HPA on a
StatefulSet and a Job, the three given as one `kind: List` (what `kubectl get -o yaml` prints). It applies,
converges, and each controller's share shows in `planner get`."""

from __future__ import annotations

import shutil

from conftest import EXAMPLES, write

EXTRA = """\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: logs, namespace: bank}
    spec:
      selector: {matchLabels: {app: logs}}
      template:
        metadata: {labels: {app: logs}}
        spec:
          containers: [{name: fluent, image: fluent/fluent-bit:3.0, resources: {requests: {cpu: 50m, memory: 64Mi}}}]
  - apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: ledger-db, namespace: bank}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ledger-db}
      minReplicas: 2
      maxReplicas: 4
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: bank}
    spec:
      completions: 2
      template:
        spec:
          restartPolicy: Never
          containers: [{name: m, image: busybox, command: [sh, -c, "true"]}]
"""


def test_the_bank_with_a_daemonset_an_hpa_and_a_job_converges(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    write(tmp_path / "bank" / "extra.yaml", EXTRA)
    applied = cli("apply", "bank", "--auto-approve")
    assert applied.code == 0, applied.err
    assert cli("plan", "bank", "--detailed-exitcode").code == 0
    pods = {p["name"]: p for p in cli("get", "-A", "pods", "-o", "json").json()["items"]}
    nodes = cli("get", "-A", "nodes", "-o", "json").json()["items"]
    logs = [p for name, p in pods.items() if name.startswith("logs-")]
    assert len(logs) == len(nodes) and {p["node"] for p in logs} == {n["name"] for n in nodes}
    assert {"ledger-db-0", "ledger-db-1"} <= set(pods) and "ledger-db-2" not in pods  # the HPA's bounds
    assert sorted(p["status"] for name, p in pods.items() if name.startswith("migrate-")) == ["Completed"] * 2
    hpa = cli("get", "-A", "hpa", "-o", "json").json()["items"]
    assert [(h["name"], h["replicas"]) for h in hpa] == [("ledger-db", 2)]
