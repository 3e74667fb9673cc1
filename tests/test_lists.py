"""`kind: List` (what `kubectl get -o yaml` prints) and typed `*List` kinds expand into their items; each item keeps
its own file:line:column for every error and warning, and `--skip-unknown` skips item by item."""

from __future__ import annotations

from conftest import CLUSTER_YAML, write

CLUSTER = CLUSTER_YAML.format(nodes=3)

KUBECTL_GET = """\
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    uid: 0f7c3d9e
  spec:
    replicas: {replicas}
    selector:
      matchLabels: {{app: web}}
    template:
      metadata:
        labels: {{app: web}}
      spec:
        containers:
        - name: web
          image: nginx:1.27
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    selector: {{app: web}}
    ports:
    - port: 80
"""


def test_a_kubectl_get_list_plans_as_its_items(cli, tmp_path):
    write(tmp_path / "in" / "cluster.yaml", CLUSTER)
    write(tmp_path / "in" / "list.yaml", KUBECTL_GET.format(replicas=2))
    result = cli("plan", "in", "-o", "json")
    assert result.code == 0, result.err
    plan = result.json()
    assert sorted(c["address"] for c in plan["resource_changes"]) == [
        "ContainerCluster/many", "Deployment/default/web", "Service/default/web"]
    server_set = [d for d in plan["diagnostics"] if "metadata.uid ignored" in d["message"]]
    assert [(d["file"], d["line"], d["column"]) for d in server_set] == [("in/list.yaml", 6, 3)]


def test_an_invalid_item_is_reported_at_its_own_line(cli, tmp_path):
    write(tmp_path / "list.yaml", KUBECTL_GET.format(replicas="three") + "- 42\n")
    result = cli("validate", "list.yaml")
    assert result.code == 1
    assert result.err.splitlines() == [
        'list.yaml:12:15: spec.replicas: expected an integer, got string "three"',
        "list.yaml:30:3: items[2]: an item of this List is a plain value, not a Kubernetes object (a mapping with "
        "apiVersion, kind and metadata)",
        "2 errors in 1 file",
    ]


TYPED = """\
apiVersion: apps/v1
kind: DeploymentList
items:
- metadata:
    name: api
  spec:
    selector:
      matchLabels: {app: api}
    template:
      metadata:
        labels: {app: api}
      spec:
        containers:
        - name: api
          image: example/api:1
- metadata:
    name: worker
  spec:
    selector:
      matchLabels: {app: worker}
    template:
      metadata:
        labels: {app: other}
      spec:
        containers:
        - name: worker
          image: example/worker:1
"""


def test_typed_list_items_take_the_lists_apiversion_and_kind(cli, tmp_path):
    """decodeToList: an item with neither kind nor apiVersion is a Deployment of apps/v1 here."""
    write(tmp_path / "deployments.yaml", TYPED)
    result = cli("validate", "deployments.yaml")
    assert result.code == 1
    assert result.err.splitlines() == [
        "deployments.yaml:19:5: spec.selector: selector does not match template labels "
        "(spec.template.metadata.labels)",
        "1 error in 1 file",
    ]
    write(tmp_path / "deployments.yaml", TYPED.replace("labels: {app: other}", "labels: {app: worker}"))
    report = cli("validate", "deployments.yaml", "-o", "json")
    assert report.code == 0, report.err
    assert report.json()["documents"] == 2


NESTED = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: List
  items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: inner}
    data: {a: "1"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: outer}
"""


def test_nested_lists_expand_and_depth_is_bounded(cli, tmp_path):
    write(tmp_path / "nested.yaml", NESTED)
    report = cli("validate", "nested.yaml", "-o", "json")
    assert report.code == 0, report.err
    assert report.json()["documents"] == 2
    deep = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n"
    for _ in range(9):
        deep = "apiVersion: v1\nkind: List\nitems:\n" + "".join(f"- {line}\n" if i == 0 else f"  {line}\n"
                                                              for i, line in enumerate(deep.splitlines()))
    write(tmp_path / "deep.yaml", deep)
    result = cli("validate", "deep.yaml")
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert first.startswith("deep.yaml:26:23: ") and "Lists nested more than 8 deep" in first


def test_skip_unknown_skips_item_by_item(cli, tmp_path):
    text = KUBECTL_GET.format(replicas=1) + "- apiVersion: example.com/v1\n  kind: Widget\n  metadata: {name: w}\n"
    write(tmp_path / "list.yaml", text)
    refused = cli("validate", "list.yaml")
    assert refused.code == 1
    assert refused.err.splitlines()[0].startswith('list.yaml:31:9: kind: unknown kind "Widget" of example.com/v1')
    skipped = cli("validate", "list.yaml", "--skip-unknown", "-o", "json")
    assert skipped.code == 0, skipped.err
    report = skipped.json()
    assert report["documents"] == 2
    assert [(d["line"], d["message"]) for d in report["diagnostics"] if "Widget" in d["message"]] == [
        (31, 'unknown kind "Widget" of example.com/v1 (a custom resource: planner models Kubernetes\' built-in '
             "kinds and Config Connector's); skipped (--skip-unknown)")]


def test_malformed_lists_are_refused_where_written(cli, tmp_path):
    write(tmp_path / "a.yaml", "apiVersion: v1\nkind: List\nmetadata: {}\n")
    write(tmp_path / "b.yaml", "apiVersion: v1\nkind: List\nitems: {a: 1}\n")
    result = cli("validate", "a.yaml", "b.yaml")
    assert result.code == 1
    assert result.err.splitlines() == [
        'a.yaml:2:7: kind: a List needs "items": the objects it holds',
        "b.yaml:3:1: items: expected a list of objects, got a mapping",
        "2 errors in 2 files",
    ]


def test_a_resource_declared_twice_across_lists_names_both_items(cli, tmp_path):
    item = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: same}\n"
    write(tmp_path / "twice.yaml", "apiVersion: v1\nkind: List\nitems:\n" + item + item)
    result = cli("validate", "twice.yaml")
    assert result.code == 1
    assert result.err.splitlines()[0] == ("twice.yaml:7:3: duplicate resource ConfigMap/default/same (first defined "
                                          "at twice.yaml:4)")
