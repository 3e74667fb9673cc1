"""StatefulSets and PersistentVolumeClaims through the CLI: ordinals, claims and their zonal disks, OrderedReady and
Parallel creation, rolling updates from the highest ordinal down (with a partition), OnDelete, scale-down and claim
retention, kube-apiserver's rules, and the bank-shaped example app end to end."""

from __future__ import annotations

import json
import re
import shutil

from conftest import EXAMPLES, edit, write

CLUSTER = """apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerCluster
metadata:
  name: c
spec:
  location: {location}
  initialNodeCount: {nodes}
"""

HEADLESS = """---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector: {app: web}
  ports:
    - port: 80
"""

STS = """---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: {replicas}
  podManagementPolicy: {policy}
  updateStrategy:
{strategy}
  persistentVolumeClaimRetentionPolicy:
    whenScaled: {when_scaled}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: nginx
          image: nginx:{version}
          resources:
            requests: {{cpu: {cpu}, memory: 64Mi}}
          volumeMounts:
            - {{name: data, mountPath: /usr/share/nginx/html}}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
"""


def app(replicas: int = 3, version: str = "1.27", policy: str = "OrderedReady", cpu: str = "100m",
        strategy: str = "    type: RollingUpdate", when_scaled: str = "Retain", location: str = "us-central1",
        nodes: int = 1, service: str = HEADLESS) -> str:
    return (CLUSTER.format(location=location, nodes=nodes) + service
            + STS.format(replicas=replicas, version=version, policy=policy, cpu=cpu, strategy=strategy,
                         when_scaled=when_scaled))


def said(result) -> str:
    """Everything a command printed: plans print their warnings after the plan, on stdout."""
    return result.out + result.err


def _table(text: str) -> list[dict[str, str]]:
    """`planner get` text output as rows keyed by column header (columns split on two or more spaces)."""
    import re

    lines = [line for line in text.splitlines() if line.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    return [dict(zip(header, re.split(r"\s{2,}", line.strip()), strict=False)) for line in lines[1:]]


def _show_pods(cli) -> dict[str, str]:
    """Pod name -> the revision `planner show` reports for it."""
    out = {}
    for line in cli("show").out.splitlines():
        parts = line.split()
        if parts[:1] == ["pod"] and "revision" in parts:
            out[parts[1]] = parts[parts.index("revision") + 1]
    return out


# ---------------------------------------------------------------- the example app


def test_the_bank_example_plans_applies_converges_and_shows_its_database_pods_and_endpoints(cli, tmp_path):
    shutil.copytree(EXAMPLES / "stateful-app", tmp_path / "bank")
    plan = cli("plan", "bank")
    assert plan.code == 0, plan.err
    assert "selects no Pods" not in said(plan)
    assert "governing Service" not in said(plan)
    assert "controller/statefulset-controller" in plan.out and "gke/compute-engine" in plan.out
    assert "ledger-db-0.ledger-db.bank.svc.cluster.local" in plan.out
    assert cli("apply", "bank", "--auto-approve").code == 0
    again = cli("plan", "bank", "--detailed-exitcode")
    assert again.code == 0 and "No changes" in again.out and "warning" not in said(again).lower()
    pods = {r["NAME"]: r for r in _table(cli("get", "-A", "pods").out)}
    assert {"accounts-db-0", "ledger-db-0", "ledger-db-1"} <= set(pods)
    assert all(pods[p]["STATUS"] == "Running" for p in ("accounts-db-0", "ledger-db-0", "ledger-db-1"))
    endpoints = {r["NAME"]: r["ENDPOINTS"] for r in _table(cli("get", "-A", "endpoints").out)}
    assert len(endpoints["ledger-db"].split(",")) == 2 and endpoints["ledger-db"].count(":5432") == 2
    assert endpoints["accounts-db"].endswith(":5432")
    sts = {r["NAME"]: r["READY"] for r in _table(cli("get", "-A", "statefulsets").out)}
    assert sts == {"accounts-db": "1/1", "ledger-db": "2/2"}
    claims = {r["NAME"]: r for r in _table(cli("get", "-A", "pvc").out)}
    assert set(claims) == {"postgresdb-accounts-db-0", "postgresdb-ledger-db-0", "postgresdb-ledger-db-1"}
    assert all(c["STATUS"] == "Bound" and c["VOLUME"].startswith("pvc-") for c in claims.values())


def test_database_pods_count_toward_capacity(cli, tmp_path):
    """The StatefulSet's requests take room on the nodes: a Deployment that fitted before no longer does."""
    big = app(replicas=2, cpu="300m", location="us-central1-a")  # e2-medium: 740m free for Pods
    write(tmp_path / "in.yaml", big)
    assert cli("apply", "in.yaml", "--auto-approve").code == 0
    write(tmp_path / "in.yaml", big + """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - {name: api, image: api:1, resources: {requests: {cpu: 300m}}}
""")
    plan = cli("plan", "in.yaml")
    assert "1 of 1 Pods will stay Pending: 0/1 nodes are available: 1 Insufficient cpu" in said(plan)


# ---------------------------------------------------------------- ordinals, claims, zones


def test_pods_and_claims_are_named_by_ordinal_and_each_disk_is_in_its_pods_zone(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=3))
    result = cli("apply", "in.yaml", "--auto-approve")
    assert result.code == 0, result.err
    assert "created 3 Pod(s): web-0, web-1, web-2" in result.out
    assert "created 3 PersistentVolumeClaim(s): data-web-0, data-web-1, data-web-2" in result.out
    zones = {r["NAME"]: r["ZONE"] for r in _table(cli("get", "-A", "nodes", "-o", "wide").out)}
    pods = {r["NAME"]: zones[r["NODE"]] for r in _table(cli("get", "-A", "pods", "-o", "wide").out)}
    claims = {r["NAME"]: r for r in _table(cli("get", "-A", "pvc", "-o", "wide").out)}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    for ordinal in range(3):
        claim = claims[f"data-web-{ordinal}"]
        assert claim["STATUS"] == "Bound" and claim["CAPACITY"] == "1Gi" and claim["STORAGECLASS"] == "standard-rwo"
        assert claim["ZONE"] == pods[f"web-{ordinal}"], "WaitForFirstConsumer: the disk is made in the Pod's zone"
    assert len(set(pods.values())) == 3, "a regional cluster spreads the Pods over its zones"


def test_ordered_ready_stops_at_the_first_pod_that_cannot_run_and_parallel_does_not(cli, tmp_path):
    # One e2-medium node has 740m CPU free for Pods: two Pods of 300m fit, the third does not.
    write(tmp_path / "in.yaml", app(replicas=4, cpu="300m", location="us-central1-a"))
    plan = cli("plan", "in.yaml")
    assert "statefulset-controller will wait for web-2 to be Running and Ready" in said(plan)
    cli("apply", "in.yaml", "--auto-approve")
    pods = {r["NAME"]: r["STATUS"] for r in _table(cli("get", "-A", "pods").out)}
    assert pods == {"web-0": "Running", "web-1": "Running", "web-2": "Pending"}, "web-3 is never created"
    assert [r["STATUS"] for r in _table(cli("get", "-A", "pvc").out)] == ["Bound", "Bound", "Pending"]

    write(tmp_path / "par.yaml", app(replicas=4, cpu="300m", location="us-central1-a", policy="Parallel"))
    cli("apply", "par.yaml", "--auto-approve", "--state", "par.json")
    pods = {r["NAME"]: r["STATUS"] for r in _table(cli("get", "-A", "pods", "--state", "par.json").out)}
    assert pods == {"web-0": "Running", "web-1": "Running", "web-2": "Pending", "web-3": "Pending"}


def test_a_statefulset_of_two_billion_replicas_is_planned_not_enumerated(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=2147483647, policy="Parallel", location="us-central1-a"))
    plan = cli("plan", "in.yaml")
    assert plan.code == 0 and "of 2147483647 Pods will stay Pending: 0/1 nodes are available" in said(plan)
    assert "web-0, web-1, web-2 ... web-2147483646 (2147483647)" in plan.out
    write(tmp_path / "in.yaml", app(replicas=2147483647, location="us-central1-a"))
    assert "statefulset-controller will wait for web-" in said(cli("plan", "in.yaml"))


def test_the_ordered_creation_goes_on_when_the_pool_grows(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=4, cpu="300m", location="us-central1-a"))
    cli("apply", "in.yaml", "--auto-approve")
    write(tmp_path / "in.yaml", app(replicas=4, cpu="300m", location="us-central1-a") + """---
apiVersion: container.cnrm.cloud.google.com/v1beta1
kind: ContainerNodePool
metadata: {name: more}
spec:
  clusterRef: {name: c}
  location: us-central1-a
  nodeCount: 1
""")
    result = cli("apply", "in.yaml", "--auto-approve")
    assert result.code == 0, result.err
    pods = {r["NAME"]: r["STATUS"] for r in _table(cli("get", "-A", "pods").out)}
    assert pods == dict.fromkeys(("web-0", "web-1", "web-2", "web-3"), "Running")


# ---------------------------------------------------------------- updates


def test_a_rolling_update_replaces_pods_from_the_highest_ordinal_down_to_the_partition(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=3))
    cli("apply", "in.yaml", "--auto-approve")
    first = _show_pods(cli)
    claims = {r["NAME"]: (r["VOLUME"], r["ZONE"]) for r in _table(cli("get", "-A", "pvc", "-o", "wide").out)}
    partitioned = "    type: RollingUpdate\n    rollingUpdate: {partition: 1}"
    write(tmp_path / "in.yaml", app(replicas=3, version="1.28", strategy=partitioned))
    plan = cli("plan", "in.yaml")
    assert "updates Pods web-2, web-1 from the highest ordinal down, one at a time" in plan.out
    assert "leaves Pods web-0 on revision" in plan.out
    result = cli("apply", "in.yaml", "--auto-approve")
    assert "replaced 2 Pod(s) with the new revision, highest ordinal first: web-2, web-1" in result.out
    after = _show_pods(cli)
    assert after["web-0"] == first["web-0"] and after["web-1"] == after["web-2"] != first["web-2"]
    zones = {r["NAME"]: r["ZONE"] for r in _table(cli("get", "-A", "nodes", "-o", "wide").out)}
    pods = {r["NAME"]: zones[r["NODE"]] for r in _table(cli("get", "-A", "pods", "-o", "wide").out)}
    assert {r["NAME"]: (r["VOLUME"], r["ZONE"]) for r in _table(cli("get", "-A", "pvc", "-o", "wide").out)} == claims
    assert all(pods[f"web-{o}"] == claims[f"data-web-{o}"][1] for o in range(3)), "each Pod stays by its disk"
    assert cli("plan", "in.yaml", "--detailed-exitcode").code == 0


def test_on_delete_changes_no_running_pod(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=2, strategy="    type: OnDelete"))
    cli("apply", "in.yaml", "--auto-approve")
    before = _show_pods(cli)
    write(tmp_path / "in.yaml", app(replicas=2, version="1.28", strategy="    type: OnDelete"))
    plan = cli("plan", "in.yaml")
    assert "changes no running Pod (updateStrategy OnDelete)" in plan.out and "updates Pods" not in plan.out
    cli("apply", "in.yaml", "--auto-approve")
    assert _show_pods(cli) == before
    assert cli("plan", "in.yaml", "--detailed-exitcode").code == 0


def test_scale_down_goes_in_reverse_and_keeps_the_claims_a_scale_up_reattaches(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=3))
    cli("apply", "in.yaml", "--auto-approve")
    volumes = {r["NAME"]: r["VOLUME"] for r in _table(cli("get", "-A", "pvc").out)}
    write(tmp_path / "in.yaml", app(replicas=1))
    plan = cli("plan", "in.yaml")
    assert "deletes Pods web-2, web-1 from the highest ordinal down, one at a time" in plan.out
    assert "keeps the removed Pods' claims and disks (whenScaled: Retain)" in plan.out
    result = cli("apply", "in.yaml", "--auto-approve")
    assert "deleted 2 Pod(s), highest ordinal first: web-2, web-1" in result.out
    assert sorted(r["NAME"] for r in _table(cli("get", "-A", "pods").out)) == ["web-0"]
    assert {r["NAME"]: r["VOLUME"] for r in _table(cli("get", "-A", "pvc").out)} == volumes
    write(tmp_path / "in.yaml", app(replicas=3))
    result = cli("apply", "in.yaml", "--auto-approve")
    assert "Compute Engine created" not in result.out, "web-1 and web-2 get their old disks back"
    assert {r["NAME"]: r["VOLUME"] for r in _table(cli("get", "-A", "pvc").out)} == volumes


def test_when_scaled_delete_deletes_the_removed_pods_claims(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=3, when_scaled="Delete"))
    cli("apply", "in.yaml", "--auto-approve")
    write(tmp_path / "in.yaml", app(replicas=1, when_scaled="Delete"))
    assert "deletes the removed Pods' claims (whenScaled: Delete)" in cli("plan", "in.yaml").out
    result = cli("apply", "in.yaml", "--auto-approve")
    assert "deleted 2 PersistentVolumeClaim(s) and their disks: data-web-2, data-web-1" in result.out
    assert [r["NAME"] for r in _table(cli("get", "-A", "pvc").out)] == ["data-web-0"]


def test_deleting_the_statefulset_keeps_its_claims_by_default(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=2))
    cli("apply", "in.yaml", "--auto-approve")
    write(tmp_path / "in.yaml", CLUSTER.format(location="us-central1", nodes=1) + HEADLESS)
    plan = cli("plan", "in.yaml")
    assert "leaves the PersistentVolumeClaims data-web-0, data-web-1 and their disks in place" in plan.out
    result = cli("apply", "in.yaml", "--auto-approve")
    assert "kept 2 PersistentVolumeClaim(s) and their disks" in result.out
    assert cli("get", "-A", "pods").out.strip().count("\n") == 0


def test_a_field_kube_apiserver_refuses_to_update_forces_a_replacement_naming_it(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=2))
    cli("apply", "in.yaml", "--auto-approve")
    edit(tmp_path / "in.yaml", "storage: 1Gi", "storage: 2Gi")
    plan = cli("plan", "in.yaml", "-o", "json").json()
    change = next(c for c in plan["resource_changes"] if c["address"] == "StatefulSet/default/web")
    assert change["action"] == "replace"
    assert any(p.startswith("spec.volumeClaimTemplates") for p in change["replace_paths"])
    text = cli("plan", "in.yaml").out
    assert "-/+ StatefulSet/default/web" in text and "forces replacement" in text
    assert "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" in text


# ---------------------------------------------------------------- validation and warnings


def test_a_selector_that_does_not_match_the_template_labels_is_refused_where_it_is_written(cli, tmp_path):
    text = app(replicas=1).replace("      labels: {app: web}", "      labels: {app: other}")
    write(tmp_path / "in.yaml", text)
    result = cli("plan", "in.yaml")
    assert result.code == 1
    line = text.splitlines().index("      labels: {app: other}") + 1
    assert f"in.yaml:{line}:7: spec.template.metadata.labels: `selector` does not match template `labels`" \
        in result.err


def test_negative_replicas_and_rolling_update_settings_under_on_delete_are_refused(cli, tmp_path):
    write(tmp_path / "in.yaml", app(replicas=-1))
    result = cli("validate", "in.yaml")
    assert result.code == 1 and "spec.replicas" in result.err and "Traceback" not in result.err
    write(tmp_path / "in.yaml", app(strategy="    type: OnDelete\n    rollingUpdate: {partition: 1}"))
    result = cli("validate", "in.yaml")
    assert result.code == 1
    assert "spec.updateStrategy.rollingUpdate: only allowed for updateStrategy 'RollingUpdate'" in result.err


def test_a_missing_or_non_headless_governing_service_is_warned_about(cli, tmp_path):
    write(tmp_path / "in.yaml", app(service=""))
    result = cli("plan", "in.yaml")
    assert result.code == 0 and 'governing Service "web" is not in the input' in said(result)
    write(tmp_path / "in.yaml", app(service=HEADLESS.replace("  clusterIP: None\n", "")))
    assert 'governing Service "web" is not headless' in said(cli("plan", "in.yaml"))


# ---------------------------------------------------------------- standalone claims


CLAIM = """---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: uploads
spec:
  accessModes: [{mode}]
  resources:
    requests:
      storage: 5Gi
"""

MOUNTER = """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: uploader}
spec:
  selector: {matchLabels: {app: uploader}}
  template:
    metadata: {labels: {app: uploader}}
    spec:
      containers:
        - {name: u, image: u:1, volumeMounts: [{name: files, mountPath: /files}]}
      volumes:
        - {name: files, persistentVolumeClaim: {claimName: uploads}}
"""


def test_a_standalone_claim_is_pending_until_a_pod_that_mounts_it_runs(cli, tmp_path):
    base = CLUSTER.format(location="us-central1-a", nodes=1)
    write(tmp_path / "in.yaml", base + CLAIM.format(mode="ReadWriteOnce"))
    plan = cli("plan", "in.yaml")
    assert "no workload in default mounts it: it stays Pending" in said(plan)
    assert "controller/persistentvolume-binder" in plan.out and "leaves it Pending" in plan.out
    cli("apply", "in.yaml", "--auto-approve")
    assert [r["STATUS"] for r in _table(cli("get", "-A", "pvc").out)] == ["Pending"]
    write(tmp_path / "in.yaml", base + CLAIM.format(mode="ReadWriteOnce") + MOUNTER)
    assert "no workload" not in said(cli("plan", "in.yaml"))
    cli("apply", "in.yaml", "--auto-approve")
    [row] = _table(cli("get", "-A", "pvc", "-o", "wide").out)
    assert row["STATUS"] == "Bound" and row["VOLUME"].startswith("pvc-") and row["ZONE"] == "us-central1-a"


def test_claims_are_checked_as_kube_apiserver_and_the_pd_driver_would(cli, tmp_path):
    base = CLUSTER.format(location="us-central1-a", nodes=1)
    write(tmp_path / "in.yaml", base + CLAIM.format(mode="ReadWriteMany") + MOUNTER)
    result = cli("plan", "in.yaml")
    assert result.code == 0 and "ReadWriteMany: Compute Engine persistent disks" in said(result)
    write(tmp_path / "in.yaml", base + CLAIM.format(mode="ReadWriteOnce").replace("      storage: 5Gi\n",
                                                                                   "      cpu: 1\n"))
    result = cli("plan", "in.yaml")
    assert result.code == 1 and 'missing required key "storage"' in result.err


def test_a_claims_storage_class_cannot_change_in_place(cli, tmp_path):
    base = CLUSTER.format(location="us-central1-a", nodes=1)
    write(tmp_path / "in.yaml", base + CLAIM.format(mode="ReadWriteOnce") + MOUNTER)
    cli("apply", "in.yaml", "--auto-approve")
    edit(tmp_path / "in.yaml", "  accessModes: [ReadWriteOnce]", "  accessModes: [ReadWriteOnce]\n"
                                                                 "  storageClassName: premium-rwo")
    plan = json.loads(cli("plan", "in.yaml", "-o", "json").out)
    change = next(c for c in plan["resource_changes"] if c["address"] == "PersistentVolumeClaim/default/uploads")
    assert change["action"] == "replace" and change["replace_paths"] == ["spec.storageClassName"]


def test_pods_evicted_by_a_node_upgrade_come_back_under_their_names_in_their_disks_zones(cli, tmp_path):
    """A surge upgrade drains every node of the pool: each StatefulSet Pod is recreated as <name>-<ordinal> on a new
    node of its disk's zone (kube-scheduler's volume node affinity), not under a random name anywhere."""
    base = app(replicas=3, cpu="1800m").replace("initialNodeCount: 1",
                                                "initialNodeCount: 1\n  nodeConfig: {machineType: e2-standard-2}")
    pool = ("---\napiVersion: container.cnrm.cloud.google.com/v1beta1\nkind: ContainerNodePool\nmetadata: {name: big}\n"
            "spec:\n  clusterRef: {name: c}\n  location: us-central1\n  nodeCount: 1\n"
            "  nodeConfig: {machineType: %s}\n")
    write(tmp_path / "in.yaml", base + pool % "e2-standard-4")  # 1800m fits only the e2-standard-4 nodes
    cli("apply", "in.yaml", "--auto-approve")
    before = {r["NAME"]: r["NODE"] for r in _table(cli("get", "-A", "pods", "-o", "wide").out)}
    write(tmp_path / "in.yaml", base + pool % "e2-standard-8")
    assert cli("apply", "in.yaml", "--auto-approve").code == 0
    zones = {r["NAME"]: r["ZONE"] for r in _table(cli("get", "-A", "nodes", "-o", "wide").out)}
    after = {r["NAME"]: r["NODE"] for r in _table(cli("get", "-A", "pods", "-o", "wide").out)}
    claims = {r["NAME"]: r["ZONE"] for r in _table(cli("get", "-A", "pvc", "-o", "wide").out)}
    assert set(after) == {"web-0", "web-1", "web-2"} and not set(after.values()) & set(before.values())
    assert all(zones[after[f"web-{o}"]] == claims[f"data-web-{o}"] for o in range(3))


def test_the_pod_template_rules_apply_and_claims_count_as_volumes(cli, tmp_path):
    """A StatefulSet's template gets kube-apiserver's Pod rules; mounting a volumeClaimTemplate is no missing volume."""
    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / "stateful-app", app)
    assert cli("validate", "app").code == 0  # its databases mount their claims
    text = (app / "databases.yaml").read_text()
    mount = re.search(r"volumeMounts:\n(\s+)- name: (\S+)", text)
    assert mount is not None
    (app / "databases.yaml").write_text(text.replace(f"- name: {mount.group(2)}", "- name: nowhere", 1))
    result = cli("validate", "app")
    assert result.code == 1 and "nowhere" in result.err and "databases.yaml:" in result.err
