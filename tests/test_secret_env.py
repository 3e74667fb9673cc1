"""An env literal whose name says it is secret (DB_PASSWORD, API_KEY, ...) never leaves in clear: not in any output
format of any command, not in the saved plan, the state, its backup or journal. A change is still seen (a keyed
digest) and rolls the Deployment out, shown as "(sensitive value changed)"."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, write

SECRET = "hunter2-correct-horse"
NEW_SECRET = "battery-staple-9"
PLAIN = "plain-log-level-debug"

APP = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - name: DB_PASSWORD
              value: {SECRET}
            - name: STRIPE_API_KEY
              value: {SECRET}-2
            - name: LOG_LEVEL
              value: {PLAIN}
"""


def _everything_written(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()
                     and p.suffix != ".yaml")


def test_secret_env_literals_appear_in_no_output_and_no_file(cli, hello, tmp_path):
    write(hello / "api.yaml", APP)
    outputs = []
    for args in (("plan", str(hello)), ("plan", str(hello), "-o", "json"), ("plan", str(hello), "--out", "p.plan"),
                 ("show", "p.plan"), ("show", "p.plan", "-o", "json"), ("apply", "p.plan"),
                 ("show",), ("show", "-o", "json"), ("get", "pods", "-o", "yaml"), ("get", "deployments", "-o", "json"),
                 ("validate", str(hello), "-o", "json")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        outputs.append(result.out + result.err)
    edit(hello / "api.yaml", SECRET + "\n", NEW_SECRET + "\n")
    changed = cli("plan", str(hello))
    assert "env[name=DB_PASSWORD].value = (sensitive value changed)" in changed.out
    assert "(sensitive value) ->" not in changed.out
    assert "LOG_LEVEL" not in changed.out  # unchanged: a plain value is not touched
    assert "rolls out" in changed.out or "ReplicaSet" in changed.out  # a new secret is a new Pod template
    outputs.append(changed.out)
    applied = cli("apply", str(hello), "--auto-approve", "-o", "json")
    assert applied.code == 0
    outputs.append(applied.out)
    text = "\n".join(outputs) + _everything_written(tmp_path)
    assert SECRET not in text and NEW_SECRET not in text
    assert PLAIN in text  # only secret-looking names are masked


def test_a_state_written_with_the_literal_plans_no_change_and_loses_it_on_the_next_write(cli, hello, tmp_path):
    """States from before env secrets were masked: the same value is no change (no spurious rollout)."""
    import json

    write(hello / "api.yaml", APP)
    assert cli("apply", str(hello), "--auto-approve").code == 0
    path = tmp_path / "planner.state.json"
    state = json.loads(path.read_text())
    stored = state["resources"]["Deployment/default/api"]
    for entry in stored["manifest"]["spec"]["template"]["spec"]["containers"][0]["env"]:
        if entry["name"] == "DB_PASSWORD":
            entry["value"] = SECRET  # what an older planner stored
    stored["digest"] = "0" * 32
    path.write_text(json.dumps(state))
    assert cli("plan", str(hello), "--detailed-exitcode").code == 0
    assert SECRET in path.read_text()
    write(hello / "other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {a: b}\n")
    assert cli("apply", str(hello), "--auto-approve").code == 0
    assert SECRET not in path.read_text()
