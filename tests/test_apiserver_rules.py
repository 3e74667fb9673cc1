"""kube-apiserver's validation rules (planner/kinds/apirules.py RULES): one input per row that the API server
refuses, with the message and the file:line:column planner reports it at. The base input passes every rule."""

from __future__ import annotations

import pytest
from conftest import edit, write

from planner.kinds.apirules import RULES

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    team: storefront
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
        - name: migrate
          image: example/migrate:1
      containers:
        - name: web
          image: example/web:1
          env:
            - name: MODE
              value: production
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: web, key: token}
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          resources:
            requests: {cpu: 250m, memory: 1G}
            limits: {cpu: "1", memory: 2Gi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
          volumeMounts:
            - name: cache
              mountPath: /cache
      volumes:
        - name: cache
          emptyDir: {}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
"""

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: web
data:
  token: c2VjcmV0LXRva2Vu
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  labels: {app: web}
binaryData:
  logo: iVBORw0KGgo=
"""

FILES = {"deployment.yaml": DEPLOYMENT, "service.yaml": SERVICE, "secret.yaml": SECRET, "configmap.yaml": CONFIGMAP}

CASES: dict[str, tuple[str, str, str, str]] = {
    # rule code: (file, text, replacement, the line planner prints)
    "requests-above-limits": (
        "deployment.yaml", "requests: {cpu: 250m, memory: 1G}", "requests: {cpu: 1500m, memory: 1G}",
        'deployment.yaml:38:29: spec.template.spec.containers[0].resources.requests.cpu: invalid value "1500m": '
        "must be less than or equal to cpu limit of 1"),
    "env-value-and-valueFrom": (
        "deployment.yaml", "            - name: TOKEN\n", "            - name: TOKEN\n              value: x\n",
        "deployment.yaml:31:15: spec.template.spec.containers[0].env[1].valueFrom: may not be specified when "
        "`value` is not empty"),
    "env-duplicate-name": (
        "deployment.yaml", "- name: TOKEN", "- name: MODE",
        'deployment.yaml:29:15: warning: spec.template.spec.containers[0].env[1]: hides previous definition of '
        '"MODE", which may be dropped when using apply'),
    "volume-mount-unknown-volume": (
        "deployment.yaml", "- name: cache\n              mountPath", "- name: cahce\n              mountPath",
        'deployment.yaml:43:21: spec.template.spec.containers[0].volumeMounts[0].name: not found: no volume named '
        '"cahce" in spec.template.spec.volumes'),
    "duplicate-container-name": (
        "deployment.yaml", "- name: web\n          image", "- name: migrate\n          image",
        'deployment.yaml:24:17: spec.template.spec.containers[0].name: duplicate container name "migrate"'),
    "port-name-iana": (
        "deployment.yaml", "- name: metrics", "- name: prom--metrics-port",
        'deployment.yaml:35:21: spec.template.spec.containers[0].ports[1].name: invalid value "prom--metrics-port": '
        "must be no more than 15 characters; must not contain consecutive hyphens"),
    "port-name-unique": (
        "deployment.yaml", "- name: metrics", "- name: http",
        'deployment.yaml:35:21: spec.template.spec.containers[0].ports[1].name: duplicate value "http": port names '
        "must be unique within a container"),
    "probe-one-handler": (
        "deployment.yaml", "httpGet: {path: /ready, port: http}",
        "httpGet: {path: /ready, port: http}\n            tcpSocket: {port: http}",
        "deployment.yaml:42:13: spec.template.spec.containers[0].readinessProbe.tcpSocket: may not specify more "
        "than 1 handler type (httpGet is already set)"),
    "quantity-syntax": (
        "deployment.yaml", "memory: 1G}", "memory: 1GB}",
        'deployment.yaml:38:43: spec.template.spec.containers[0].resources.requests.memory: invalid value string '
        '"1GB": must be a Kubernetes quantity such as 500m, 0.5, 128Mi or 1G'),
    "label-key": (
        "configmap.yaml", "labels: {app: web}", "labels: {" + "a" * 254 + ".example.com/app: web}",
        'configmap.yaml:5:3: metadata.labels: invalid value string "' + "a" * 57 + '...": label keys: an optional DNS '
        "subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'"),
    "label-value": (
        "configmap.yaml", "labels: {app: web}", "labels: {app: -web}",
        'configmap.yaml:5:17: metadata.labels.app: invalid value string "-web": label values: at most 63 letters, '
        "digits, '-', '_' or '.', starting and ending with a letter or digit"),
    "annotation-key": (
        "deployment.yaml", "    team: storefront", "    team/owner/x: storefront",
        "deployment.yaml:6:5: metadata.annotations.team/owner/x: invalid annotation key 'team/owner/x': a qualified "
        "name must have at most one '/' (an optional DNS subdomain prefix, then a name)"),
    "annotations-size": (
        "deployment.yaml", "    team: storefront", "    team: " + "x" * (256 * 1024),
        "deployment.yaml:5:3: metadata.annotations: Too long: must have at most 262144 bytes (these annotations "
        "have 262148)"),
    "replicas-negative": (
        "deployment.yaml", "replicas: 2", "replicas: -1",
        "deployment.yaml:8:13: spec.replicas: -1 is out of range: must be at least 0"),
    "max-unavailable-negative": (
        "deployment.yaml", "maxUnavailable: 0", "maxUnavailable: -1",
        "deployment.yaml:13:23: spec.strategy.rollingUpdate.maxUnavailable: -1 is out of range: must be at least 0"),
    "recreate-with-rolling-update": (
        "deployment.yaml", "type: RollingUpdate", "type: Recreate",
        "deployment.yaml:11:5: spec.strategy.rollingUpdate: may not be specified when strategy `type` is "
        "'Recreate'"),
    "surge-and-unavailable-zero": (
        "deployment.yaml", "maxSurge: 1", "maxSurge: 0%",
        "deployment.yaml:13:23: spec.strategy.rollingUpdate.maxUnavailable: invalid value 0: may not be 0 when "
        "`maxSurge` is 0"),
    "max-unavailable-over-100": (
        "deployment.yaml", "maxUnavailable: 0", "maxUnavailable: 150%",
        'deployment.yaml:13:23: spec.strategy.rollingUpdate.maxUnavailable: invalid value "150%": must not be '
        "greater than 100%"),
    "headless-load-balancer": (
        "service.yaml", "type: LoadBalancer", "type: LoadBalancer\n  clusterIP: None",
        "service.yaml:7:14: spec.clusterIP: may not be set to 'None' for LoadBalancer services"),
    "secret-data-base64": (
        "secret.yaml", "token: c2VjcmV0LXRva2Vu", "token: s3cr3t!",
        "secret.yaml:6:10: data.token: illegal base64 data: the values of data are base64 (kube-apiserver cannot "
        "decode this one); put plain text under stringData instead"),
}


def _write_all(folder):
    for name, text in FILES.items():
        write(folder / name, text)


def test_every_rule_in_the_table_has_a_failing_input():
    assert sorted(CASES) == sorted(rule.code for rule in RULES)
    assert all(rule.source.startswith("kubernetes ") for rule in RULES)  # each names its upstream file


def test_the_base_input_passes_every_rule(cli, tmp_path):
    _write_all(tmp_path / "app")
    result = cli("validate", "app")
    assert result.code == 0, result.err
    assert "warning" not in result.err


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_refuses_its_input_where_it_is_written(cli, tmp_path, code):
    file, old, new, expected = CASES[code]
    _write_all(tmp_path / "app")
    edit(tmp_path / "app" / file, old, new)
    result = cli("validate", "app")
    severity = next(rule.severity for rule in RULES if rule.code == code)
    lines = [line.removeprefix("app/") for line in result.err.splitlines()]
    assert expected in lines, result.err
    assert result.code == (0 if severity == "warning" else 1)


def test_a_later_env_var_that_builds_on_the_earlier_one_is_no_warning(cli, tmp_path):
    """warningsForPodSpecAndMeta: `PATH=$(PATH):/extra` uses the earlier definition instead of hiding it."""
    _write_all(tmp_path / "app")
    edit(tmp_path / "app" / "deployment.yaml", "- name: TOKEN\n              valueFrom:\n                secretKeyRef: "
         "{name: web, key: token}", "- name: MODE\n              value: $(MODE)-canary")
    result = cli("validate", "app")
    assert result.code == 0 and "hides" not in result.err, result.err


def test_valid_quantities_and_port_names_pass(cli, tmp_path):
    _write_all(tmp_path / "app")
    edit(tmp_path / "app" / "deployment.yaml", "requests: {cpu: 250m, memory: 1G}",
         "requests: {cpu: 0.25, memory: 1e3, ephemeral-storage: 1Ki}")
    edit(tmp_path / "app" / "deployment.yaml", "- name: metrics", "- name: metrics-2")
    result = cli("validate", "app")
    assert result.code == 0, result.err
