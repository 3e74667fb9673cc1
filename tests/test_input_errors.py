"""Bad input: every problem at once, as `file:line:column: path: message`, exit 1, no traceback, no state."""

from __future__ import annotations

import json

import pytest
from conftest import write

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      {containers}:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: {port}
"""


def deployment(replicas: str = "2", containers: str = "containers", port: str = "80") -> str:
    return DEPLOYMENT.format(replicas=replicas, containers=containers, port=port)


def check_refused(result, tmp_path) -> list[str]:
    assert result.code == 1
    assert not (tmp_path / "planner.state.json").exists()
    return result.err.splitlines()


def test_misspelt_field_wrong_type_and_out_of_range_are_reported_together(cli, tmp_path):
    write(tmp_path / "app.yaml", deployment(replicas="three", containers="contianers"))
    write(tmp_path / "more" / "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
                                          "  ports:\n    - port: 99999\n")
    lines = check_refused(cli("validate", "."), tmp_path)
    assert lines == [
        'app.yaml:6:13: spec.replicas: expected an integer, got string "three"',
        'app.yaml:15:7: spec.template.spec.contianers: unknown field (did you mean "containers"?)',
        "more/svc.yaml:7:13: spec.ports[0].port: 99999 is out of range: must be between 1 and 65535",
        "3 errors in 2 files",
    ]


def test_plan_and_apply_refuse_invalid_input_without_writing_state(cli, tmp_path):
    write(tmp_path / "app.yaml", deployment(port="0"))
    for command in (["plan", "app.yaml"], ["apply", "app.yaml", "--auto-approve"]):
        lines = check_refused(cli(*command), tmp_path)
        assert lines[0].startswith("app.yaml:19:30: spec.template.spec.containers[0].ports[0].containerPort: 0 is out")


@pytest.mark.parametrize(("text", "expected"), [
    ("a: b\n\tc: d\n", "bad.yaml:2:1: invalid YAML: found a tab character"),
    ("a: [1, 2\n", "bad.yaml:2:1: invalid YAML:"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
     'bad.yaml:5:3: duplicate key "name" (the Kubernetes API server refuses duplicate fields)'),
    ("!!python/object/apply:os.system ['true']\n", "bad.yaml:1:1: invalid YAML: tag tag:yaml.org,2002:python/"),
    ("", "bad.yaml: file contains no YAML documents"),
    ("- a\n- b\n", "bad.yaml:1:1: document 1 is a list, not a Kubernetes object"),
    ("apiVersion: v1\nkind: Deploymnet\nmetadata:\n  name: x\n",
     'bad.yaml:2:7: kind: unknown kind "Deploymnet" (did you mean "Deployment"?)'),
    ("apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: x\n",
     'bad.yaml:1:13: apiVersion: unknown apiVersion "apps/v2" for kind Deployment (did you mean "apps/v1"?)'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", 'bad.yaml:3:1: metadata.name: missing required field "name"'),
    ("kind: ConfigMap\nmetadata:\n  name: x\n", 'bad.yaml:1:1: apiVersion: missing required field "apiVersion"'),
    ("apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n", "bad.yaml:2:7: kind: Node cannot be declared"),
])
def test_broken_documents_get_a_located_message(cli, tmp_path, text, expected):
    write(tmp_path / "bad.yaml", text)
    lines = check_refused(cli("validate", "bad.yaml"), tmp_path)
    assert lines[0].startswith(expected), lines


def test_binary_and_non_utf8_files_are_refused_with_their_position(cli, tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"apiVersion: v1\n\x00\x01")
    (tmp_path / "latin.yaml").write_bytes(b"a: caf\xe9\n")
    lines = check_refused(cli("validate", "bin.yaml", "latin.yaml"), tmp_path)
    assert lines[0] == "bin.yaml:2:1: binary file (NUL byte): not YAML text"
    assert lines[1] == "latin.yaml:1:7: not valid UTF-8 text (byte 0xe9)"


def test_missing_paths_and_empty_directories_are_errors(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    lines = check_refused(cli("validate", "nope.yaml", "empty"), tmp_path)
    assert lines[:2] == ["empty: directory contains no *.yaml or *.yml files", "nope.yaml: no such file or directory"]


def test_selector_must_match_template_labels_and_nodeport_needs_a_node_port_type(cli, tmp_path):
    write(tmp_path / "a.yaml", deployment().replace("        app: web\n    spec", "        app: other\n    spec"))
    write(tmp_path / "b.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n"
                               "    - port: 80\n      nodePort: 30080\n")
    lines = check_refused(cli("validate", "."), tmp_path)
    assert lines[0] == ("a.yaml:7:3: spec.selector: selector does not match template labels "
                        "(spec.template.metadata.labels)")
    assert lines[1] == "b.yaml:8:17: spec.ports[0].nodePort: nodePort may not be used when type is 'ClusterIP'"


def test_quantities_names_and_node_ports_are_checked(cli, tmp_path):
    write(tmp_path / "a.yaml", deployment().replace("name: web\nspec", "name: Web_App\nspec")
          + "          resources:\n            requests:\n              cpu: lots\n")
    write(tmp_path / "b.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n"
                               "  ports:\n    - port: 80\n      nodePort: 80\n")
    err = check_refused(cli("validate", "."), tmp_path)
    assert any("metadata.name: invalid value string \"Web_App\": must be a DNS-1123 subdomain" in e for e in err)
    assert any("resources.requests.cpu: invalid value string \"lots\": must be a Kubernetes quantity" in e for e in err)
    assert ("b.yaml:9:17: spec.ports[0].nodePort: invalid value number 80: must be in GKE's NodePort range "
            "30000-32767 (or 0: kube-apiserver chooses)") in err


def test_json_output_for_editors_and_ci(cli, tmp_path):
    write(tmp_path / "app.yaml", deployment(replicas="-1"))
    result = cli("validate", "app.yaml", "-o", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["valid"] is False and report["summary"] == "1 error in 1 file"
    assert report["diagnostics"] == [{"severity": "error", "message": "-1 is out of range: must be at least 0",
                                      "file": "app.yaml", "line": 6, "column": 13, "path": "spec.replicas"}]


def test_unknown_kinds_can_be_skipped_with_a_warning(cli, tmp_path):
    write(tmp_path / "x.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    assert cli("validate", "x.yaml").code == 1
    skipped = cli("validate", "x.yaml", "--skip-unknown")
    assert skipped.code == 0
    assert "skipped (--skip-unknown)" in skipped.err


def test_plan_needs_a_cluster_and_declared_namespaces(cli, tmp_path):
    write(tmp_path / "app.yaml", deployment())
    lines = check_refused(cli("plan", "app.yaml"), tmp_path)
    assert "no ContainerCluster in the input or the state" in lines[0]
    write(tmp_path / "app.yaml", deployment().replace("name: web\nspec", "name: web\n  namespace: shop\nspec"))
    write(tmp_path / "cluster.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\n"
                                     "metadata:\n  name: c\nspec:\n  location: us-central1-b\n")
    lines = check_refused(cli("plan", "."), tmp_path)
    assert lines[0] == ('app.yaml:5:14: metadata.namespace: namespace "shop" does not exist: it is not built in and '
                        "no Namespace in the input declares it")
    # validate looks at documents only: the same reference is a warning there.
    assert cli("validate", "app.yaml").code == 0


def test_two_clusters_and_duplicate_resources_are_errors(cli, tmp_path):
    cluster = ("apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\nmetadata:\n"
               "  name: {name}\nspec:\n  location: us-central1-b\n")
    write(tmp_path / "a.yaml", cluster.format(name="one") + "---\n" + cluster.format(name="two"))
    write(tmp_path / "b.yaml", deployment() + "---\n" + deployment())
    lines = check_refused(cli("plan", "."), tmp_path)
    assert lines[0].startswith("a.yaml:8:1: a second ContainerCluster")
    assert lines[1] == "b.yaml:21:1: duplicate resource Deployment/default/web (first defined at b.yaml:1)"


def test_unknown_region_and_machine_type_suggest_the_right_one(cli, tmp_path):
    write(tmp_path / "c.yaml", "apiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerCluster\n"
                               "metadata:\n  name: c\nspec:\n  location: us-centrall-b\n  nodeConfig:\n"
                               "    machineType: e2-standrd-4\n")
    lines = check_refused(cli("validate", "c.yaml"), tmp_path)
    assert lines[0] == 'c.yaml:6:13: spec.location: unknown region "us-centrall" (did you mean "us-central1"?)'
    assert lines[1] == ('c.yaml:8:18: spec.nodeConfig.machineType: unknown machine type "e2-standrd-4" '
                        '(did you mean "e2-standard-4"?)')


def test_usage_errors_exit_1(proc):
    result = proc("plan", "--no-such-flag")
    assert result.code == 1


def test_server_set_fields_from_kubectl_get_are_ignored_with_a_warning(cli, hello):
    text = (hello / "hello-web.yaml").read_text()
    text = text.replace("metadata:\n  name: hello-web\n", "metadata:\n  name: hello-web\n  uid: \"0a1b\"\n"
                        "  resourceVersion: \"99\"\n  creationTimestamp: null\n", 1)
    (hello / "hello-web.yaml").write_text(text + "status:\n  loadBalancer: {}\n")
    result = cli("plan", str(hello), "-o", "json")
    assert result.code == 0, result.err
    messages = [d["message"] for d in result.json()["diagnostics"]]
    assert any(m.startswith("metadata.uid, metadata.resourceVersion ignored: written by the API server")
               for m in messages)
    assert any(m.startswith("status ignored") for m in messages)
    assert not any("creationTimestamp" in m for m in messages)  # kubectl --dry-run's null: nothing to say
