"""kube-apiserver's Pod-template rules (planner/kinds/podrules.py) hold for every workload kind, not only the
Deployment: a duplicate container name in a DaemonSet, Job or CronJob template fails at its line."""

from __future__ import annotations

import pytest
from conftest import write

CONTAINERS = """\
          containers:
            - {name: app, image: busybox}
            - {name: app, image: busybox}
"""
DOCS = {
    "DaemonSet": """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: x}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
""" + CONTAINERS.replace("          ", "      ", 1).replace("\n            ", "\n        "),
    "Job": """apiVersion: batch/v1
kind: Job
metadata: {name: x}
spec:
  template:
    spec:
      restartPolicy: Never
""" + CONTAINERS.replace("          ", "      ", 1).replace("\n            ", "\n        "),
    "CronJob": """apiVersion: batch/v1
kind: CronJob
metadata: {name: x}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
""" + CONTAINERS,
}


@pytest.mark.parametrize("kind", sorted(DOCS))
def test_a_duplicate_container_name_is_refused_in_every_workload(cli, tmp_path, kind):
    path = write(tmp_path / "w.yaml", DOCS[kind])
    result = cli("validate", "w.yaml")
    line = [i for i, text in enumerate(path.read_text().splitlines(), 1) if "name: app" in text][1]
    assert result.code == 1 and 'duplicate container name "app"' in result.err, result.err
    assert f"w.yaml:{line}:" in result.err
