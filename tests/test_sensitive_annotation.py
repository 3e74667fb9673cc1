"""The planner.dev/sensitive annotation: the env vars and fields it names are kept as keyed digests and shown as
`(sensitive value)`; a malformed value is refused at its file:line:column."""

from __future__ import annotations

import json
import re

from conftest import edit, write

CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
  annotations:
    planner.dev/sensitive: "/data/smtp.password, /data/keys"
data:
  smtp.password: smtp-hunter2
  keys: "k-abc,k-def"
  log-level: debug
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    planner.dev/sensitive: DATABASE_URL
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: DATABASE_URL
              value: postgres://app:pg-hunter2@db/app
            - name: LOG_FORMAT
              value: json-lines
"""


def _unaligned(text: str) -> str:
    return re.sub(r" +=", " =", text)


def test_annotated_values_are_sensitive_and_their_changes_seen(cli, hello, tmp_path):
    write(hello / "conf.yaml", CONFIG)
    plan = cli("plan", str(hello))
    assert plan.code == 0, plan.err
    out = _unaligned(plan.out)
    for line in ('data["smtp.password"] = (sensitive value)', "data.keys = (sensitive value)",
                 "env[name=DATABASE_URL].value = (sensitive value)", 'data.log-level = "debug"',
                 'env[name=LOG_FORMAT].value = "json-lines"'):
        assert line in out, line
    assert cli("apply", str(hello), "--auto-approve").code == 0
    state = (tmp_path / "planner.state.json").read_text()
    assert "hunter2" not in state and "k-abc" not in state and "debug" in state
    stored = json.loads(state)["resources"]["ConfigMap/default/conf"]["manifest"]
    # kube-apiserver stores annotations as given: planner keeps its own in the manifest, not stripped before apply
    assert stored["metadata"]["annotations"]["planner.dev/sensitive"] == "/data/smtp.password, /data/keys"
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0  # digests are stable: no spurious change

    edit(hello / "conf.yaml", "smtp-hunter2", "smtp-swordfish")
    edit(hello / "conf.yaml", "pg-hunter2", "pg-swordfish")
    changed = cli("plan", str(hello), "--detailed-exitcode")
    assert changed.code == 2
    assert 'data["smtp.password"] = (sensitive value changed)' in _unaligned(changed.out)
    assert "env[name=DATABASE_URL].value = (sensitive value changed)" in _unaligned(changed.out)
    assert "ReplicaSet" in changed.out  # a new secret in the template is a rollout
    assert "swordfish" not in changed.out and "hunter2" not in changed.out
    wire = cli("plan", str(hello), "-o", "json").json()
    conf = next(c for c in wire["resource_changes"] if c["address"] == "ConfigMap/default/conf")
    assert conf["changes"] == [{"path": 'data["smtp.password"]', "before": "(sensitive value)",
                                "after": "(sensitive value)", "sensitive": True}]


def test_a_malformed_annotation_is_refused_at_its_position_without_echoing_values(cli, hello):
    bad = CONFIG.replace('"/data/smtp.password, /data/keys"', '"/data/smtp.password, , /data/nope, /metadata/name, '
                                                              '/a~2, LOG_LEVEL"')
    bad = bad.replace("planner.dev/sensitive: DATABASE_URL", "planner.dev/sensitive: DATABASE_URI")
    write(hello / "conf.yaml", bad)
    result = cli("validate", str(hello))
    assert result.code == 1
    lines = result.err.splitlines()
    at = f"{hello.name}/conf.yaml:6:28: metadata.annotations.planner.dev/sensitive: "
    for message in ("an empty entry: the value must be a comma-separated list of env var names and JSON pointers",
                    "'/data/nope' names no field of this object",
                    "'/metadata/name' names the object's metadata, which cannot be sensitive",
                    "'/a~2' is not a JSON pointer (RFC 6901",
                    "'LOG_LEVEL' is an env var name, but a ConfigMap has no containers"):
        assert any(at in line and message in line for line in lines), (message, result.err)
    assert any("conf.yaml:17:28:" in line and "no container sets env var 'DATABASE_URI'" in line for line in lines)
    assert "hunter2" not in result.err and "k-abc" not in result.err

    write(hello / "conf.yaml", CONFIG.replace("replicas: 1\n", "replicas: 1\n").replace(
        '"/data/smtp.password, /data/keys"', "/spec"))
    result = cli("validate", str(hello))
    assert result.code == 1 and "'/spec' names no field of this object" in result.err
    write(hello / "conf.yaml", CONFIG.replace("planner.dev/sensitive: DATABASE_URL", "planner.dev/sensitive: /spec"))
    result = cli("validate", str(hello))
    assert result.code == 1 and "'/spec' must name a string (or a mapping or list of strings)" in result.err
