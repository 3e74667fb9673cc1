"""The command line in terraform's and kubectl's words: destroy says destroy, `plan --destroy` previews it, plan and
apply default to the current directory, saved plans are recognised (or refused) by name, and help is readable."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLES, write


def _apply_hello(cli, hello: Path) -> None:
    assert cli("apply", str(hello), "--auto-approve").code == 0


def test_destroy_speaks_of_destroying(cli, hello):
    _apply_hello(cli, hello)
    refused = cli("destroy")
    assert refused.code == 1 and "Error: destroy needs confirmation" in refused.err
    result = cli("destroy", "--auto-approve")
    assert result.code == 0
    assert "Destroy complete! Resources: 3 destroyed." in result.out and "Apply complete" not in result.out
    assert "not in the input any more" not in result.out  # destroy takes no input: its deletions are asked for
    assert "# ContainerCluster/hello-cluster will be destroyed\n" in result.out


def test_plan_destroy_previews_and_saves_a_destroy(cli, hello, tmp_path):
    _apply_hello(cli, hello)
    preview = cli("plan", "--destroy", "--detailed-exitcode")
    assert preview.code == 2 and "Plan: 0 to add, 0 to change, 0 to replace, 3 to destroy." in preview.out
    assert "Service/default/hello-web will be destroyed" in preview.out
    assert cli("plan", "--destroy", str(hello)).code == 1
    assert cli("plan", "--destroy", "--out", "gone.plan").code == 0
    applied = cli("apply", "gone.plan")
    assert applied.code == 0 and "3 destroyed" in applied.out
    assert "The state is empty (serial 2)" in cli("show").out


def test_after_a_destroy_the_next_plan_does_not_warn_about_another_input(cli, hello):
    _apply_hello(cli, hello)
    assert cli("destroy", "--auto-approve").code == 0
    shutil.copytree(EXAMPLES / "vpc-native", hello.parent / "other")
    out = cli("plan", "other").out
    assert "the input is not the one the last apply used" not in out


def test_destroying_a_missing_state_says_so_and_leaves_no_lock(cli, tmp_path):
    result = cli("destroy", "--state", "missing.json", "--auto-approve")
    assert result.code == 0 and "Nothing to destroy: there is no state at missing.json." in result.out
    assert not list(tmp_path.glob("missing.json*"))


def test_plan_and_apply_default_to_the_current_directory(cli, tmp_path):
    for source in (EXAMPLES / "hello-app").glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    assert "Plan: 3 to add" in cli("plan").out
    assert cli("apply", "--auto-approve").code == 0
    assert cli("plan", "--detailed-exitcode").code == 0
    assert cli("validate").code == 0


def test_a_saved_plan_is_applied_alone_and_other_files_are_not_taken_for_one(cli, hello, tmp_path):
    assert cli("plan", str(hello), "--out", "x.plan").code == 0
    mixed = cli("apply", "x.plan", str(hello))
    assert mixed.code == 1 and "x.plan is a saved plan, which is applied alone" in mixed.err
    (tmp_path / "junk.plan").write_text("hello\n")
    junk = cli("apply", "junk.plan")
    assert junk.code == 1 and "junk.plan is not a saved planner plan" in junk.err
    assert "plain value" not in junk.err


def test_version_and_short_help(cli):
    from planner import __version__

    assert cli("--version").out == f"planner {__version__}\n"
    helped = cli("plan", "-h")
    assert helped.code == 0 and "--destroy" in helped.out
    assert "list[str]" not in helped.out and "<str>" not in helped.out
    assert helped.out.count("planner.state.json") == 1  # the default is said once


def test_secrets_are_shown_as_terraform_does_unquoted(cli, hello):
    write(hello / "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
                                 "  password: hunter2\n")
    out = cli("plan", str(hello)).out
    assert "stringData.password = (sensitive value)" in out and "hunter2" not in out


def test_two_objects_in_one_document_get_a_hint_about_the_separator(cli, tmp_path):
    text = (EXAMPLES / "hello-app" / "cluster.yaml").read_text()
    result = cli("validate", "-", stdin=(text + text.replace("hello-cluster", "other")).encode())
    assert result.code == 1
    assert 'duplicate key "apiVersion"' in result.err and "separate them with a line `---`" in result.err


def test_the_order_note_names_three_services_and_counts_the_rest(cli, tmp_path):
    docs = [(EXAMPLES / "hello-app" / "cluster.yaml").read_text()]
    for i in range(6):
        docs.append(f"""apiVersion: v1
kind: Service
metadata:
  name: web{i}
spec:
  selector: {{app: web{i}}}
  ports: [{{port: 80}}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{i}
spec:
  selector:
    matchLabels: {{app: web{i}}}
  template:
    metadata:
      labels: {{app: web{i}}}
    spec:
      containers: [{{name: web, image: nginx}}]
""")
    write(tmp_path / "many" / "all.yaml", "---\n".join(docs))
    out = cli("plan", "many").out
    assert "and 3 more are created before" in " ".join(out.split())


def test_another_input_is_said_before_the_plan_and_in_json(cli, hello):
    """Fewer than half the resources go: no mass-deletion banner, but the other input is still called out."""
    _apply_hello(cli, hello)
    write(hello.parent / "more" / "extra.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n")
    result = cli("plan", str(hello), str(hello.parent / "more"))
    assert result.out.startswith("Warning: the input is not the one the last apply used (last apply: hello-app; "
                                 "this plan: hello-app more)")
    plan = cli("plan", str(hello), str(hello.parent / "more"), "-o", "json").json()
    assert [d["banner"] for d in plan["diagnostics"] if "not the one the last apply" in d["message"]] == [True]


def test_get_narrows_as_kubectl_does(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    assert cli("apply", "bank", "--auto-approve").code == 0
    pods = cli("get", "pods", "-n", "bank", "-l", "app=ledger-db", "-o", "name").out.split()
    assert pods == ["pod/ledger-db-0", "pod/ledger-db-1"]
    assert cli("get", "pods", "-n", "default").out == "No resources found.\n"
    assert cli("get", "sts", "ledger-db", "-o", "name").code == 1  # as kubectl: NotFound in the default namespace
    assert cli("get", "sts", "ledger-db", "-n", "bank", "-o", "name").out == "statefulset.apps/ledger-db\n"
    table = cli("get", "pods", "-n", "bank").out
    assert table.startswith("NAME ") and "NAMESPACE" not in table  # one namespace: no NAMESPACE column
    assert cli("get", "pods", "-A").out.startswith("NAMESPACE ")
    missing = cli("get", "pods", "nope")
    assert missing.code == 1 and 'pods "nope" not found in namespace default' in missing.err
    assert "ledger-db-0" not in cli("get", "pods", "-A", "-l", "app!=ledger-db").out
    assert cli("get", "pods", "-A", "-l", "!app").out == "No resources found.\n"
    import yaml

    listed = yaml.safe_load(cli("get", "deployments", "-A", "-o", "yaml").out)
    assert listed["kind"] == "deployments" and {d["namespace"] for d in listed["items"]} == {"bank"}
    assert cli("get", "pods", "-n", "bank", "-A").code == 1
    assert cli("get", "services", "-l", "a=b=c").code == 1  # not a selector


def test_apply_and_destroy_speak_json_lines_with_a_schema(cli, hello):
    import json

    import jsonschema
    from conftest import PLAN_SCHEMA, REPO

    schema = json.loads((REPO / "schemas" / "apply-events.schema.json").read_text())
    registry_schema = {**schema, "oneOf": [
        {**branch, "properties": {**branch["properties"], "plan": PLAN_SCHEMA}} if "plan" in branch["properties"]
        else branch for branch in schema["oneOf"]]}
    for args, command in ((("apply", str(hello), "--auto-approve", "-o", "json"), "apply"),
                          (("destroy", "--auto-approve", "-o", "json"), "destroy")):
        result = cli(*args)
        assert result.code == 0, result.err
        lines = [json.loads(line) for line in result.out.splitlines()]
        for line in lines:
            jsonschema.validate(line, registry_schema)
        assert [lines[0]["type"], lines[-1]["type"]] == ["plan", "result"] and lines[-1]["command"] == command
        assert {line["type"] for line in lines} == {"plan", "start", "step", "done", "result"}
    failed = cli("plan", str(hello / "nope.yaml"), "-o", "json")
    assert failed.code == 1 and json.loads(failed.out)["valid"] is False  # errors as JSON too


def test_a_no_change_apply_says_it_completed_and_foreign_kinds_get_no_false_hint(cli, hello, tmp_path):
    _apply_hello(cli, hello)
    again = cli("apply", str(hello), "--auto-approve").out
    assert "No changes." in again and "Apply complete! Resources: 0 added, 0 changed, 0 replaced, 0 destroyed." in again
    write(tmp_path / "cert.yaml", "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n")
    result = cli("validate", "cert.yaml")
    assert result.code == 1 and "did you mean" not in result.err and "a custom resource" in result.err


def test_get_knows_namespaces_configmaps_secrets_and_the_kubernetes_service(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    assert cli("apply", "bank", "--auto-approve").code == 0
    namespaces = cli("get", "ns", "-o", "name").out.split()
    assert namespaces == ["namespace/bank", "namespace/default", "namespace/kube-node-lease", "namespace/kube-public",
                          "namespace/kube-system"]
    assert cli("get", "cm", "-n", "bank").out.count("\n") >= 2
    secrets = cli("get", "secrets", "-A", "-o", "json").json()["items"]
    assert secrets and all("data" in s and isinstance(s["data"], int) for s in secrets)
    kubernetes = cli("get", "svc", "kubernetes", "-n", "default", "-o", "json").json()["items"]
    assert [(s["clusterIP"].endswith(".1"), s["ports"]) for s in kubernetes] == [(True, "443/TCP")]
    pools = cli("get", "nodepools", "-o", "json").json()["items"]
    assert [(p["name"], p["nodes"]) for p in pools] == [("default-pool", 3)]
    slices = cli("get", "endpointslices", "-n", "bank", "-o", "json").json()["items"]
    ledger = [s for s in slices if s["name"].startswith("ledger-db-")]
    assert len(ledger) == 1 and len(ledger[0]["endpoints"]) == 2 and ledger[0]["ports"] == "5432"


def test_plan_and_show_print_yaml_too(cli, hello):
    import yaml

    as_json = cli("plan", str(hello), "-o", "json").json()
    assert yaml.safe_load(cli("plan", str(hello), "-o", "yaml").out) == as_json
    _apply_hello(cli, hello)
    assert yaml.safe_load(cli("show", "-o", "yaml").out) == cli("show", "-o", "json").json()
    failed = cli("plan", str(hello / "missing.yaml"), "-o", "yaml")
    assert failed.code == 1 and failed.out.startswith("{")  # errors come out machine-readable (JSON is YAML)


def test_label_selectors_work_on_every_view_of_declared_objects(cli, hello):
    _apply_hello(cli, hello)  # hello-web's Deployment and Service carry app=hello-web on their own metadata
    assert cli("get", "deployments", "-l", "app=hello-web", "-o", "name").out == "deployment.apps/hello-web\n"
    assert cli("get", "services", "-l", "app=hello-web", "-o", "name").out == "service/hello-web\n"
    assert cli("get", "services", "-l", "app!=hello-web", "-o", "name").out == "service/kubernetes\n"  # as kubectl
    assert cli("get", "services", "-l", "component=apiserver", "-o", "name").out == "service/kubernetes\n"


def test_force_unlock_speaks_json_too(cli):
    import json

    result = cli("force-unlock", "-o", "json")
    assert result.code == 0 and json.loads(result.out) == {"state": "planner.state.json", "locked": False,
                                                            "broken": False, "holder": None}
