"""Config Connector kinds are validated by schemas generated from their CRDs (planner.crd), plus our own layer of
GKE limits: what the CRD accepts, planner accepts; typos inside any object are refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPO, write

UPSTREAM = Path(os.environ.get("PLANNER_UPSTREAM", REPO.parent / "shared" / "upstream" / "config-connector"))


@pytest.mark.skipif(not UPSTREAM.is_dir(), reason=f"the upstream CRDs are not at {UPSTREAM}")
def test_the_committed_schemas_are_what_the_generator_makes_of_the_crds():
    from planner.crd import dump, generate

    generated = generate(UPSTREAM)
    assert len(generated) == 4
    for name, schema in generated.items():
        assert (REPO / "schemas" / name).read_text() == dump(schema), f"run: python -m planner.crd {UPSTREAM} schemas"


def test_immutable_fields_are_listed_from_the_crd():
    schema = json.loads((REPO / "schemas" / "containernodepool.crd.schema.json").read_text())
    immutable = schema["x-planner-immutable"]
    assert "spec.nodeConfig.machineType" in immutable and "spec.location" in immutable
    assert "spec.nodeCount" not in immutable and "description" not in json.dumps(schema)


CLUSTER = """apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: c
  finalizers: [cnrm.cloud.google.com/finalizer]
  ownerReferences: []
spec:
  location: us-central1-b
  initialNodeCount: 1
  loggingConfig:
    enableComponents: [SYSTEM_COMPONENTS, WORKLOADS]
  defaultMaxPodsPerNode: 64
  nodeConfig:
    linuxNodeConfig:
      sysctls:
        net.core.somaxconn: "4096"
"""


def test_fields_the_crd_knows_are_accepted(cli, tmp_path):
    write(tmp_path / "c.yaml", CLUSTER)
    result = cli("validate", "c.yaml")
    assert result.code == 0, result.err


@pytest.mark.parametrize(("extra", "message"), [
    ("  workloadIdentityConfig:\n    workloadPoool: p.svc.id.goog\n", 'unknown field (did you mean "workloadPool"?)'),
    ("  privateClusterConfig:\n    enablePrivateNodes: \"yes\"\n", "expected true or false"),
    ("  addonsConfig:\n    httpLoadBalancing:\n      disabled: \"no\"\n", "expected true or false"),
])
def test_typos_and_wrong_types_inside_objects_are_refused(cli, tmp_path, extra, message):
    write(tmp_path / "c.yaml", CLUSTER + extra)
    result = cli("validate", "c.yaml")
    assert result.code == 1 and message in result.err, result.err
