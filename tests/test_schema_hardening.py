"""Validation gaps closed in the schema layer (and one in the loader): each case was accepted, or crashed, before."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from conftest import EXAMPLES, REPO, edit, write

from planner import limits


def refused(result) -> list[str]:
    assert result.code == 1, result.out + result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return [line for line in result.err.splitlines() if ": warning: " not in line]  # the errors, in order


@pytest.fixture
def app(tmp_path):
    target = tmp_path / "app"
    shutil.copytree(EXAMPLES / "hello-app", target)
    return target


# ---------------------------------------------------------------- whole floats: 1.0 is read as 1, as kubectl sends it


@pytest.mark.parametrize(("file", "old", "new"), [
    ("hello-web.yaml", "replicas: 3", "replicas: 1.0"),
    ("cluster.yaml", "initialNodeCount: 3", "initialNodeCount: 3.0"),
    ("hello-web.yaml", "replicas: 3", "replicas: 3.0e+0"),
])
def test_a_whole_float_is_an_integer_as_kubectl_sends_it(cli, app, file, old, new):
    """kubectl turns YAML into JSON with sigs.k8s.io/yaml and Go's encoding/json, which writes float64 1.0 as `1`:
    kube-apiserver reads an integer. This used to crash the simulator ("'float' object cannot be interpreted as an
    integer")."""
    edit(app / file, old, new)
    result = cli("plan", "app")
    assert result.code == 0, result.err
    assert "internal error" not in result.err


def test_a_whole_float_plans_the_same_as_the_integer(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 2.0")
    as_float = cli("plan", "app", "-o", "json").json()
    edit(app / "hello-web.yaml", "replicas: 2.0", "replicas: 2")
    assert cli("plan", "app", "-o", "json").json() == as_float


def test_a_fractional_float_is_still_refused(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 1.5")
    assert refused(cli("validate", "app"))[0].endswith("spec.replicas: expected an integer, got number 1.5")


def test_a_float_too_large_for_an_integer_is_refused(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 1.0e+30")
    assert refused(cli("validate", "app"))[0].endswith(
        "spec.replicas: 1e+30 is out of range: must be at most 2147483647")


# ---------------------------------------------------------------- integer ranges: Kubernetes' int32, GKE's node limits


@pytest.mark.parametrize("value", ["2147483648", str(2**63), str(10**30)])
def test_replicas_must_be_an_int32(cli, app, value):
    edit(app / "hello-web.yaml", "replicas: 3", f"replicas: {value}")
    assert refused(cli("validate", "app"))[0].endswith(
        f"spec.replicas: {value} is out of range: must be at most 2147483647")


def test_the_largest_int32_is_valid(cli, app):
    edit(app / "hello-web.yaml", "replicas: 3", "replicas: 2147483647")
    assert cli("validate", "app").code == 0


@pytest.mark.parametrize("field", ["revisionHistoryLimit", "minReadySeconds", "progressDeadlineSeconds"])
def test_other_int32_deployment_fields(cli, app, field):
    edit(app / "hello-web.yaml", "replicas: 3", f"replicas: 3\n  {field}: 2147483648")
    assert refused(cli("validate", "app"))[0].endswith(
        f"spec.{field}: 2147483648 is out of range: must be at most 2147483647")


POOL = """\
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata:
  name: pool
spec:
  clusterRef: {{name: hello-cluster}}
  location: us-central1-b
  nodeCount: {nodes}
  autoscaling: {{minNodeCount: 1, maxNodeCount: {high}}}
  nodeConfig: {{machineType: e2-medium}}
"""


def test_node_counts_are_integers_within_gke_limits(cli, app):
    write(app / "pool.yaml", POOL.format(nodes="2.0", high="3"))
    assert cli("validate", "app").code == 0
    write(app / "pool.yaml", POOL.format(nodes="1.0e+21", high="1001"))
    assert refused(cli("validate", "app")) == [
        "app/pool.yaml:8:14: spec.nodeCount: 1e+21 is out of range: must be between 0 and 1000",
        "app/pool.yaml:9:48: spec.autoscaling.maxNodeCount: 1001 is out of range: must be between 1 and 1000",
        "2 errors in 1 file"]
    write(app / "pool.yaml", POOL.format(nodes="2.5", high="3"))
    assert refused(cli("validate", "app"))[0].endswith("spec.nodeCount: expected an integer, got number 2.5")


# ---------------------------------------------------------------- selector operators


def test_label_selector_operators_are_checked_wherever_a_deployment_has_one(cli, tmp_path):
    write(tmp_path / "sel.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: app, operator: Equals, values: [web]}
  template:
    metadata:
      labels: {app: web}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: size, operator: Gt, values: ["3"]}
                  - {key: size, operator: Bigger, values: ["3"]}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 1
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchExpressions:
                    - {key: app, operator: Gt, values: ["1"]}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchExpressions:
              - {key: app, operator: in, values: [web]}
      containers:
        - name: web
          image: nginx
""")
    labels = '"In", "NotIn", "Exists", "DoesNotExist"'
    assert refused(cli("validate", "sel.yaml")) == [
        f'sel.yaml:9:30: spec.selector.matchExpressions[0].operator: must be one of {labels}, got string "Equals"',
        "sel.yaml:20:43: spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
        f'nodeSelectorTerms[0].matchExpressions[1].operator: must be one of {labels}, "Gt", "Lt", got string "Bigger"',
        "sel.yaml:28:44: spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
        f'.podAffinityTerm.labelSelector.matchExpressions[0].operator: must be one of {labels}, got string "Gt"',
        "sel.yaml:35:38: spec.template.spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator: "
        f'must be one of {labels}, got string "in"',
        "4 errors in 1 file",
    ]


def test_valid_operators_are_accepted(cli, app):
    edit(app / "hello-web.yaml", "      app: hello-web\n  template", "      app: hello-web\n    matchExpressions:\n"
         "      - {key: tier, operator: DoesNotExist}\n  template")
    edit(app / "hello-web.yaml", "    spec:\n      containers", "    spec:\n      affinity:\n        nodeAffinity:\n"
         "          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n"
         "              - matchExpressions:\n                  - {key: cpus, operator: Lt, values: ['64']}\n"
         "      containers")
    result = cli("validate", "app")
    assert result.code == 0, result.err


# ---------------------------------------------------------------- Secret and ConfigMap keys (Kubernetes IsConfigMapKey)

KEYS = "keys must be at most 253 letters, digits, '-', '_' or '.', and not '.', '..' or start with '..'"


def test_secret_and_configmap_keys_must_be_valid_key_names(cli, tmp_path):
    write(tmp_path / "secret.yaml", 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n'
                                    '  "bad key!": x\n  ok: y\ndata:\n  "..x": eA==\n')
    write(tmp_path / "config.yaml", f'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n'
                                    f'  "bad key!": x\n  {"k" * 254}: y\nbinaryData:\n  ".": eA==\n')
    assert refused(cli("validate", ".")) == [
        f'config.yaml:5:1: data: invalid value string "bad key!": {KEYS} (Kubernetes IsConfigMapKey)',
        "config.yaml:5:1: data: too long: 254 characters, at most 253 allowed",
        f'config.yaml:8:1: binaryData: invalid value string ".": {KEYS} (Kubernetes IsConfigMapKey)',
        # Secret keys are hidden too: planner/validate.py hides everything under a Secret's data and stringData
        f"secret.yaml:5:1: stringData: invalid value (hidden): {KEYS} (Kubernetes IsConfigMapKey)",
        f"secret.yaml:8:1: data: invalid value (hidden): {KEYS} (Kubernetes IsConfigMapKey)",
        "5 errors in 2 files",
    ]


def test_usual_key_names_are_valid(cli, tmp_path):
    write(tmp_path / "ok.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                                "type: kubernetes.io/dockerconfigjson\n"
                                "data:\n  .dockerconfigjson: e30=\n  tls.crt: eA==\n  API_KEY-2: eA==\n---\n"
                                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app.properties: x\n"
                                f"  {'k' * 253}: y\n")
    result = cli("validate", "ok.yaml")
    assert result.code == 0, result.err


# ---------------------------------------------------------------- ports per Service


def service(ports: int) -> str:
    return ("apiVersion: v1\nkind: Service\nmetadata:\n  name: big\nspec:\n  selector: {app: x}\n  ports:\n"
            + "".join(f"    - {{name: p{i}, port: {1 + i}}}\n" for i in range(ports)))


def test_a_service_with_twenty_thousand_ports_is_refused_fast(proc, tmp_path):
    write(tmp_path / "big.yaml", service(20_000))
    started = time.monotonic()
    lines = refused(proc("validate", "big.yaml", timeout=60))
    assert lines == [f"big.yaml:7:3: spec.ports: invalid value a list: a Service may have at most "
                     f"{limits.MAX_PORTS_PER_SERVICE} ports (planner's limit, MAX_PORTS_PER_SERVICE in "
                     "planner/limits.py: Kubernetes sets none; etcd's 1.5 MiB object limit bounds it)",
                     "1 error in 1 file"]
    assert time.monotonic() - started < 20


def test_a_service_at_the_limit_is_valid(cli, tmp_path):
    write(tmp_path / "svc.yaml", service(limits.MAX_PORTS_PER_SERVICE))
    result = cli("validate", "svc.yaml")
    assert result.code == 0, result.err


def test_the_schema_enforces_the_documented_limit():
    schema = json.loads((REPO / "schemas" / "kubernetes-constraints.schema.json").read_text())
    ports = schema["$defs"]["Service"]["properties"]["spec"]["properties"]["ports"]
    assert ports["anyOf"] == [{"maxItems": limits.MAX_PORTS_PER_SERVICE}]
    assert str(limits.MAX_PORTS_PER_SERVICE) in ports["description"]
